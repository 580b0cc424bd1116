import type { Message } from '@nest-chat/protocol';

/** What to do with a change heard live. */
export type RevVerdict = 'apply' | 'stale' | 'gap';

/** Seq ranges the client holds, `[from, to]` inclusive, ascending (sync's `except`). */
export type SeqRuns = [number, number][];

/** A sync request for what a feed lacks: after `afterSeq` (below `beforeSeq`), but `except`. */
export interface MissingRange {
  afterSeq: number;
  beforeSeq?: number;
  except: SeqRuns;
}

/**
 * One conversation's new messages as the app should see them: each once, in seq order. Seqs have
 * no gaps, so a message that arrives ahead of a missing one is held until the gap is filled (by a
 * sync, or by the late message itself). Its changes likewise by rev, which has no gaps either.
 */
export class ConversationFeed {
  private readonly held = new Map<number, Message>();
  /**
   * Whether messages after `lastSeq` may have been stored while the client could not hear them
   * (set at every connect): one read of the tail is owed. Gaps below a message heard live are
   * found by `missing` without it.
   */
  tailDue = false;
  /** Likewise for changes (by rev), owed after the tail: set at every connect. */
  changesDue = false;

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

  /**
   * What a sync should ask for: every seq after `lastSeq` up to the last run held, or with `tail`
   * beyond it too, leaving out the runs held (at most `maxRuns`; the range ends before the next
   * one). Undefined when nothing is missing: no gap, and no tail wanted.
   */
  missing(tail: boolean, maxRuns: number): MissingRange | undefined {
    const runs = this.heldRuns();
    if (runs.length === 0) return tail ? { afterSeq: this.lastSeq, except: [] } : undefined;
    if (tail && runs.length <= maxRuns) return { afterSeq: this.lastSeq, except: runs };
    const bound = Math.min(runs.length - 1, maxRuns);
    return { afterSeq: this.lastSeq, beforeSeq: runs[bound][0], except: runs.slice(0, bound) };
  }

  /**
   * A page answering `missing()` arrived: its messages join those held, and every seq up to
   * `knownUpTo` is now as the server holds it, so those are delivered in order (a seq in neither
   * was never stored: it is passed over, the server's word).
   */
  fillMissing(items: readonly Message[], knownUpTo: number): Message[] {
    for (const message of items) {
      const held = this.held.get(message.seq);
      if (message.seq > this.lastSeq && (!held || held.rev <= message.rev))
        this.held.set(message.seq, message);
    }
    const ready: Message[] = [];
    const known = [...this.held.keys()].filter((seq) => seq <= knownUpTo).sort((a, b) => a - b);
    for (const seq of known) {
      ready.push(this.held.get(seq) as Message);
      this.held.delete(seq);
    }
    this.lastSeq = Math.max(this.lastSeq, knownUpTo);
    return ready.concat(this.drain());
  }

  /** A live message arrived: returns what can be delivered now, in order (maybe nothing). */
  offer(message: Message): Message[] {
    if (message.seq <= this.lastSeq || this.held.has(message.seq)) return [];
    this.held.set(message.seq, message);
    return this.drain();
  }

  /** The app holds everything up to `seq` already (e.g. from history): never deliver those. */
  skipTo(seq: number): Message[] {
    if (seq <= this.lastSeq) return [];
    this.lastSeq = seq;
    for (const held of this.held.keys()) if (held <= seq) this.held.delete(held);
    return this.drain();
  }

  /** Runs of consecutive seqs held, ascending. */
  private heldRuns(): SeqRuns {
    const runs: SeqRuns = [];
    for (const seq of [...this.held.keys()].sort((a, b) => a - b)) {
      const last = runs.at(-1);
      if (last && last[1] === seq - 1) last[1] = seq;
      else runs.push([seq, seq]);
    }
    return runs;
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
