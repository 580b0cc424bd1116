import { Injectable } from '@nestjs/common';
import { BoundedMap } from '../common/bounded-map';
import type { MessageDto } from '../common/dto/message.dto';

/** How long a message this process stored stands in for a read of it. */
export const HINT_MS = 10_000;
const CONVERSATIONS = 10_000;
/** Hints over all conversations: the oldest go first. */
const HINTS = 20_000;

interface Position {
  /** The highest seq known to be stored (by this process, or seen in the database). */
  latestSeq?: number;
  /** The highest rev known to be stored. */
  latestRev?: number;
}

/**
 * What this process knows of each conversation's head, so the deliverer need not read the
 * database to learn there is nothing new, nor to read a message it stored itself moments ago.
 * Only ever raised (what is known stored stays stored); anything not known is read from the
 * database, and the deliverer's periodic look raises it from there for what other processes
 * stored. An evicted conversation is simply unknown again.
 */
@Injectable()
export class WebhookPositions {
  private readonly positions = new BoundedMap<string, Position>(CONVERSATIONS);
  /** Messages this process stored moments ago, by `<conversation>:<seq>`, oldest first. */
  private readonly hints = new Map<string, { message: MessageDto; at: number }>();

  /** A message this process just stored. */
  stored(message: MessageDto, now = Date.now()): void {
    this.raise(message.conversationId, { seq: message.seq });
    for (const [key, hint] of this.hints) {
      if (now - hint.at <= HINT_MS && this.hints.size < HINTS) break;
      this.hints.delete(key);
    }
    this.hints.set(`${message.conversationId}:${message.seq}`, { message, at: now });
  }

  /**
   * The conversation's head is at least this far (a change stored here, a read, the look). An
   * unknown side stays unknown unless given.
   */
  raise(conversationId: string, head: { seq?: number; rev?: number }): void {
    const position = this.of(conversationId);
    if (head.seq !== undefined) position.latestSeq = Math.max(position.latestSeq ?? 0, head.seq);
    if (head.rev !== undefined) position.latestRev = Math.max(position.latestRev ?? 0, head.rev);
  }

  /** What is known of the conversation's head (each side undefined when unknown). */
  head(conversationId: string): { seq?: number; rev?: number } {
    const position = this.positions.get(conversationId);
    return { seq: position?.latestSeq, rev: position?.latestRev };
  }

  /** The message with `seq` as this process stored it, if that was moments ago. */
  message(conversationId: string, seq: number, now = Date.now()): MessageDto | null {
    const hint = this.hints.get(`${conversationId}:${seq}`);
    return hint && now - hint.at <= HINT_MS ? hint.message : null;
  }

  private of(conversationId: string): Position {
    let position = this.positions.get(conversationId);
    if (!position) {
      position = {};
      this.positions.set(conversationId, position);
    }
    return position;
  }
}
