import type { Message, StoredReplyQuote } from '../../persistence/messages/message.schema';

/** How much of the answered message's body a reply keeps. */
export const EXCERPT_LENGTH = 200;

/** A reply's quote of `message` as it is now: up to 200 characters (code points), "" if deleted. */
export function quoteOf(message: Message): StoredReplyQuote {
  const excerpt = message.deletedAt
    ? ''
    : Array.from(message.body).slice(0, EXCERPT_LENGTH).join('');
  return { id: message._id, seq: message.seq, senderId: message.senderId, excerpt };
}
