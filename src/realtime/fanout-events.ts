/**
 * A fan-out link to Redis is back after a break: packets published (`publish`) or due to arrive
 * (`subscribe`) meanwhile may be lost, so whoever kept state fed by them starts over.
 */
export class FanoutResumed {
  static readonly event = 'fanout.resumed';
  constructor(readonly link: 'publish' | 'subscribe') {}
}
