import type { Message } from '@nest-chat/protocol';

/** An `@name` being typed: where it starts in the text and what is typed of it so far. */
export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** The part of the name typed before the caret (lowercase, may be empty). */
  prefix: string;
}

// The server's rule: `@` at the start or after a character that cannot be part of a name.
const TYPING_MENTION = /(?:^|[^\p{L}\p{N}_.@-])@([a-z0-9_.-]{0,32})$/iu;

/**
 * The mention being typed just before `caret` in `text`, for an autocomplete of members'
 * usernames; null when the caret is not in one.
 */
export function mentionAt(text: string, caret = text.length): MentionQuery | null {
  const before = text.slice(0, caret);
  const match = TYPING_MENTION.exec(before);
  if (!match) return null;
  const prefix = match[1];
  return { start: before.length - prefix.length - 1, prefix: prefix.toLowerCase() };
}

/**
 * `text` with the mention being typed at `query` completed to `@username `; the caret goes after
 * the inserted space (`caret` in the result).
 */
export function completeMention(
  text: string,
  query: MentionQuery,
  username: string,
): { text: string; caret: number } {
  const end = query.start + 1 + query.prefix.length;
  const inserted = `@${username} `;
  const rest = text.slice(end).replace(/^\s/, '');
  return {
    text: text.slice(0, query.start) + inserted + rest,
    caret: query.start + inserted.length,
  };
}

/** Whether `message` mentions `userId` (as stored by the server when it was sent or edited). */
export const mentions = (message: Message, userId: string): boolean =>
  message.mentions.includes(userId);
