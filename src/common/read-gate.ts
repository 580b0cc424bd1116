import { AppError } from './errors/app-error';

export interface ReadGateLimits {
  /** Reads running at once. */
  inFlight: number;
  /** Reads waiting for a turn; past that, more are refused at once. */
  queued: number;
  /** A read that waited longer is refused when its turn comes: its caller has given up. */
  maxWaitMs: number;
  /**
   * How many of the gate's places (running or waiting) one owner (a user, an address) may hold
   * at once; past it that owner is refused while others still get theirs. Default: no share.
   */
  perOwner?: number;
}

interface Caller {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Whether nobody waits for this caller's answer any more (its socket disconnected). */
  gone?: () => boolean;
}

interface Waiting {
  key: string;
  read: () => Promise<unknown>;
  queuedAt: number;
  callers: Caller[];
}

/** One owner's share of a gate with `places` (running and waiting): an eighth, at least 2. */
export const shareOf = (places: number): number => Math.max(2, Math.ceil(places / 8));

const busy = () =>
  new AppError('UNAVAILABLE', 'The server is reading too much right now; retry shortly');

/**
 * Bounds the reads that cost the database most (pages of history, sync): a database that is
 * saturated gets no more of them than it can serve, and what cannot be served is refused
 * (`UNAVAILABLE`, the client retries later) instead of piling up behind it.
 *
 * Identical reads (same key) that are waiting share one run, so a client's retry, or every
 * member of a conversation catching up after a failover, costs one read. A run is only ever
 * joined before it starts, so each caller's answer is read after its request arrived.
 */
export class ReadGate {
  private readonly queue: Waiting[] = [];
  private readonly waitingByKey = new Map<string, Waiting>();
  private running = 0;
  /** Places each owner holds (its callers not yet answered). */
  private readonly heldBy = new Map<string, number>();

  constructor(
    private readonly limits: ReadGateLimits,
    private readonly onShed: () => void = () => undefined,
    /** The error a refused caller gets. */
    private readonly refusal: () => AppError = busy,
    /** Counts reads not run because every caller had gone by their turn. */
    private readonly onAbandoned: () => void = () => undefined,
  ) {}

  /**
   * Runs `read` in its turn; `key` names what it reads, the same key for the same answer. A read
   * whose callers have all `gone` by its turn is not run: on a busy server, a client that
   * reconnected asks again, and the database serves that ask, not the one nobody hears.
   * `owner` (a user id, an address) is held to its share of the places (`perOwner`).
   */
  run<T>(key: string, read: () => Promise<T>, gone?: () => boolean, owner?: string): Promise<T> {
    if (owner !== undefined && this.limits.perOwner !== undefined) {
      const held = this.heldBy.get(owner) ?? 0;
      if (held >= this.limits.perOwner) {
        this.onShed();
        return Promise.reject(this.refusal());
      }
      this.heldBy.set(owner, held + 1);
      const release = () => {
        const left = (this.heldBy.get(owner) ?? 1) - 1;
        if (left > 0) this.heldBy.set(owner, left);
        else this.heldBy.delete(owner);
      };
      const result = this.admit<T>(key, read, gone);
      result.then(release, release);
      return result;
    }
    return this.admit(key, read, gone);
  }

  private admit<T>(key: string, read: () => Promise<T>, gone?: () => boolean): Promise<T> {
    return new Promise<unknown>((resolve, reject) => {
      const caller: Caller = { resolve, reject, gone };
      const waiting = this.waitingByKey.get(key);
      if (waiting) {
        waiting.callers.push(caller);
        return;
      }
      // A free slot takes it at once, so `queued: 0` means "no waiting", not "nothing runs".
      const full = this.running >= this.limits.inFlight;
      if (full && this.queue.length >= this.limits.queued) {
        this.onShed();
        reject(this.refusal());
        return;
      }
      const entry: Waiting = { key, read, queuedAt: Date.now(), callers: [caller] };
      this.queue.push(entry);
      this.waitingByKey.set(key, entry);
      this.next();
    }) as Promise<T>;
  }

  /** Reads running and waiting (for metrics and tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.length };
  }

  private next(): void {
    while (this.running < this.limits.inFlight && this.queue.length > 0) {
      const entry = this.queue.shift() as Waiting;
      this.waitingByKey.delete(entry.key);
      if (Date.now() - entry.queuedAt > this.limits.maxWaitMs) {
        this.onShed();
        for (const caller of entry.callers) caller.reject(this.refusal());
        continue;
      }
      if (entry.callers.every((caller) => caller.gone?.() === true)) {
        this.onAbandoned();
        for (const caller of entry.callers) caller.reject(this.refusal());
        continue;
      }
      this.running += 1;
      entry
        .read()
        .then(
          (value) => entry.callers.forEach((caller) => caller.resolve(value)),
          (error: unknown) => entry.callers.forEach((caller) => caller.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.next();
        });
    }
  }
}
