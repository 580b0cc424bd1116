/**
 * In-process events about memberships (published with @nestjs/event-emitter, handled with
 * `@OnEvent(X.event)`): the service that changes something says so, and whoever cares listens,
 * so no lower module has to know its listeners.
 */

/** A conversation's members changed in another process (announced through the adapter). */
export class MembersChanged {
  static readonly event = 'members.changed';
  constructor(readonly conversationId: string) {}
}

/** `joined` became members of a conversation whose members are now `members`. */
export class MembersJoined {
  static readonly event = 'members.joined';
  constructor(
    readonly joined: readonly string[],
    readonly members: readonly string[],
  ) {}
}
