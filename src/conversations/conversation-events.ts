import type { ConversationChangedEvent } from '@nest-chat/protocol';

/**
 * A conversation's own state changed (a member joined or left, the title changed), after the
 * change was stored and numbered. `removedUserId`: the member who is no longer one.
 */
export class ConversationChanged {
  static readonly event = 'conversation.changed';
  constructor(
    readonly change: ConversationChangedEvent<Date>,
    readonly recipients: readonly string[],
    readonly removedUserId: string | null,
  ) {}
}
