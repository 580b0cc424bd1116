import type { Types } from 'mongoose';
import type { StoredAttachment, StoredReplyQuote } from '../../persistence/messages/message.schema';

/** A message to store: everything but the seq, which the writer assigns when it commits. */
export interface MessageDraft {
  conversationId: Types.ObjectId;
  senderId: Types.ObjectId;
  receiverId: Types.ObjectId | null;
  body: string;
  clientMsgId: string | null;
  replyTo: StoredReplyQuote | null;
  /** Members named in the body (see mentionedUsernames). */
  mentions: Types.ObjectId[];
  /** Files the sender uploaded, as they are now. */
  attachments: StoredAttachment[];
  /** The members to send `message:new` to once it is stored. */
  recipients: readonly string[];
}

/** The idempotency key of a send with a clientMsgId (one without gets `m:<its _id>`). */
export const dedupeKeyOf = (draft: MessageDraft): string => `c:${draft.clientMsgId}`;
