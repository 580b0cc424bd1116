import type { MessageDto } from '../../common/dto/message.dto';

/** A stored message and the members to tell. */
export interface StoredMessage {
  message: MessageDto;
  recipients: readonly string[];
}

/**
 * Messages were stored (one commit of the writer, in seq order per conversation). Published
 * before their senders are acked: what a sender is acked for, members can already see.
 */
export class MessagesStored {
  static readonly event = 'messages.stored';
  constructor(readonly stored: readonly StoredMessage[]) {}
}

export type MessageChangeKind = 'message:updated' | 'message:deleted' | 'reaction';

/** A stored message changed (an edit, a delete, its reactions), after the change was stored. */
export class MessageChanged {
  static readonly event = 'message.changed';
  constructor(
    readonly kind: MessageChangeKind,
    readonly message: MessageDto,
    readonly recipients: readonly string[],
  ) {}
}
