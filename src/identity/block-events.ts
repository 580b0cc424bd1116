import type { Types } from 'mongoose';

/**
 * A user blocked (`on`) or unblocked another. Published with `emitAsync` and awaited, so that when
 * the request is answered every listener (the pair's direct conversation) is already put right.
 */
export class BlockChanged {
  static readonly event = 'block.changed';
  constructor(
    readonly blockerId: Types.ObjectId,
    readonly blockedId: Types.ObjectId,
    readonly on: boolean,
  ) {}
}
