import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import {
  ConversationsRepository,
  type ConversationActivity,
} from '../persistence/conversations/conversations.repository';

export type { ConversationActivity };

/** After one write, the next waits this long, gathering what comes in meanwhile. */
export const ACTIVITY_WRITE_INTERVAL_MS = 100;
/** Updates per round trip (see `write`). */
const ACTIVITY_BULK = 4;

/**
 * Moves conversations up the list after their messages are stored: `lastSeq` and
 * `lastActivityAt`, raised with `$max` and a filter on `_id` alone (which FerretDB can look up).
 * The list order is a hint (a conversation's lastSeq is recomputed from its messages when shown),
 * so this is written behind the acks, at most once per interval, one update per conversation
 * whatever the number of its messages. On FerretDB each update is a SQLite transaction of its own
 * (~0.8 ms): inline they cost five times the message insert, and back to back they kept the
 * database busy enough to slow the inserts. Listing conversations first writes what is pending
 * here, so this process's own sends are always in the order.
 */
@Injectable()
export class ActivityRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ActivityRecorder.name);
  private readonly pending = new Map<string, ConversationActivity>();
  private writing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private lastWriteAt = 0;

  constructor(private readonly conversations: ConversationsRepository) {}

  /** Records in the background, merged per conversation. */
  note(activity: ConversationActivity[]): void {
    for (const entry of activity) {
      const key = entry.conversationId.toHexString();
      const earlier = this.pending.get(key);
      if (!earlier || earlier.seq < entry.seq) this.pending.set(key, entry);
    }
    this.schedule();
  }

  /** Writes these now and waits: batching off means one activity update per message. */
  async write(activity: ConversationActivity[]): Promise<void> {
    try {
      // In small bulks: each bulk holds FerretDB's writer for its whole length, and message
      // inserts queue behind it.
      for (let start = 0; start < activity.length; start += ACTIVITY_BULK) {
        await this.conversations.recordActivity(activity.slice(start, start + ACTIVITY_BULK));
      }
    } catch (error) {
      // A failure here must not fail messages that are already stored and acked.
      this.logger.warn({ err: error }, 'Could not record conversation activity');
    }
  }

  /** Resolves once everything noted so far is written (writing what waits for its turn now). */
  async settled(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    await this.writePending();
  }

  /** Before the database connection closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.settled();
  }

  private schedule(): void {
    if (this.timer || this.writing || this.pending.size === 0) return;
    const wait = Math.max(0, this.lastWriteAt + ACTIVITY_WRITE_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writePending();
    }, wait);
  }

  private writePending(): Promise<void> {
    if (this.pending.size === 0) return this.writing ?? Promise.resolve();
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.writing = this.write(batch).finally(() => {
      this.lastWriteAt = Date.now();
      this.writing = undefined;
      this.schedule();
    });
    return this.writing;
  }
}
