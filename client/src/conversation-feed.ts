import type { Message } from '@nest-chat/protocol';

/** What to do with a change heard live. */
export type RevVerdict = 'apply' | 'stale' | 'gap';

/**
 * One conversation's new messages as the app should see them: each once, in seq order. Seqs have
 * no gaps, so a message that arrives ahead of a missing one is held until the gap is filled (by a
 * sync, or by the late message itself). Its changes likewise by rev, which has no gaps either.
 */
export class ConversationFeed {
  private readonly held = new Map<number, Message>();

  constructor(
    /** The highest seq delivered (or that the app already holds). */
    public lastSeq: number,
    /** The highest rev applied, when known (undefined: catch up from the first change). */
    public lastRev?: number,
  ) {}

  /**
   * A change numbered `rev` arrived live: apply it if it is the next one (it is then counted as
   * applied), drop it if it was applied already, or catch up by rev when some are missing before
   * it (the catch-up delivers it too).
   */
  offerRev(rev: number): RevVerdict {
    if (this.lastRev === undefined || rev > this.lastRev + 1) return 'gap';
    if (rev <= this.lastRev) return 'stale';
    this.lastRev = rev;
    return 'apply';
  }

  /** A change read from the feed (ascending): whether it is new, counting it applied if so. */
  takeRev(rev: number): boolean {
    if (this.lastRev !== undefined && rev <= this.lastRev) return false;
    this.lastRev = rev;
    return true;
  }

  /** Whether messages are held behind a gap: a sync should fetch what is missing. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  /** A live message arrived: returns what can be delivered now, in order (maybe nothing). */
  offer(message: Message): Message[] {
    if (message.seq <= this.lastSeq || this.held.has(message.seq)) return [];
    this.held.set(message.seq, message);
    return this.drain();
  }

  /**
   * A sync page (ascending, after `lastSeq`) arrived. It is the server's word, so it is delivered
   * even if it skips a seq; what it covers is no longer held.
   */
  fill(items: readonly Message[]): Message[] {
    const ready: Message[] = [];
    for (const message of items) {
      if (message.seq <= this.lastSeq) continue;
      ready.push(message);
      this.lastSeq = message.seq;
    }
    for (const seq of this.held.keys()) if (seq <= this.lastSeq) this.held.delete(seq);
    return ready.concat(this.drain());
  }

  /** The app holds everything up to `seq` already (e.g. from history): never deliver those. */
  skipTo(seq: number): Message[] {
    if (seq <= this.lastSeq) return [];
    this.lastSeq = seq;
    for (const held of this.held.keys()) if (held <= seq) this.held.delete(held);
    return this.drain();
  }

  private drain(): Message[] {
    const ready: Message[] = [];
    for (let next = this.held.get(this.lastSeq + 1); next; next = this.held.get(this.lastSeq + 1)) {
      this.held.delete(next.seq);
      this.lastSeq = next.seq;
      ready.push(next);
    }
    return ready;
  }
}
