import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { BoundedMap } from '../../../common/bounded-map';

const leaseKey = (conversationId: string) => `chat:writer:${conversationId}`;
const MAX_KNOWN = 10_000;

// Takes the lease if nobody holds it; answers the holder and how long its lease has left.
const TAKE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {ARGV[1], tonumber(ARGV[2])} end
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}`;
// Moves the lease from ARGV[1] (found gone) to ARGV[2]; answers the holder afterwards.
const TAKE_OVER = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return ARGV[2]
end
return holder`;
// Extends the lease if this process still holds it: 1, else 0.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Told when this process starts holding a conversation's lease: what it knew may be stale. */
export type OnAcquired = (conversationId: string) => void;

/**
 * Which process numbers each conversation's messages: a lease in Redis (`chat:writer:<id>` →
 * process id, for `leaseMs`), taken by the first process that has a send for a conversation
 * nobody holds, renewed while it keeps writing, released once it has gone quiet or the process
 * stops. Only an optimisation: the unique (conversationId, seq) index stays the arbiter, so two
 * holders at once (a lease that lapsed during a stall, a Redis restart) cost retries, never a gap
 * or a duplicate. Per Redis Cluster slot, every script touches one key.
 */
export class WriterLeases {
  readonly processId = randomBytes(8).toString('hex');
  /** Leases this process holds, with when it last wrote under each. */
  private readonly held = new Map<string, number>();
  /** Other processes' leases as last read, until they may have lapsed. */
  private readonly known = new BoundedMap<string, { holder: string; until: number }>(MAX_KNOWN);
  private readonly reading = new Map<string, Promise<string | null>>();
  private closed = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly leaseMs: number,
    private readonly onAcquired: OnAcquired,
  ) {}

  get holding(): number {
    return this.held.size;
  }

  /** Renews held leases three times a lease, so one late round does not lose them. */
  start(): void {
    this.timer = setInterval(() => void this.renew(), Math.floor(this.leaseMs / 3));
    this.timer.unref();
  }

  /** Whether a send for this conversation is this process's to write; if so, keeps the lease. */
  use(conversationId: string): boolean {
    if (this.closed || !this.held.has(conversationId)) return false;
    this.held.set(conversationId, Date.now());
    return true;
  }

  /**
   * The process that numbers this conversation's messages: this one (having taken the lease if
   * it was free), another, or null when Redis cannot say (then this process writes, as it would
   * alone; the index keeps that safe).
   */
  async holderOf(conversationId: string): Promise<string | null> {
    if (this.use(conversationId)) return this.processId;
    if (this.closed) return null;
    const known = this.known.get(conversationId);
    if (known && known.until > Date.now()) return known.holder;
    // Sends for the same conversation arriving together share one read.
    let read = this.reading.get(conversationId);
    if (!read) {
      read = this.take(conversationId).finally(() => this.reading.delete(conversationId));
      this.reading.set(conversationId, read);
    }
    return read;
  }

  /** The holder did not answer as one (gone, or no longer holding): read the lease again next time. */
  forget(conversationId: string): void {
    this.known.delete(conversationId);
  }

  /**
   * `gone` was not listening (a killed process): take its lease over now rather than when it
   * lapses. Answers the holder afterwards (null when Redis cannot say).
   */
  async takeOver(conversationId: string, gone: string): Promise<string | null> {
    this.known.delete(conversationId);
    try {
      const holder = String(
        await this.redis.eval(
          TAKE_OVER,
          1,
          leaseKey(conversationId),
          gone,
          this.processId,
          this.leaseMs,
        ),
      );
      if (holder === this.processId) this.acquired(conversationId);
      return holder;
    } catch {
      return null;
    }
  }

  /** Gives every lease back (shutdown), so the other processes take over at once. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const keys = [...this.held.keys()];
    this.held.clear();
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.eval(RELEASE, 1, leaseKey(key), this.processId);
    await pipeline.exec().catch(() => undefined);
  }

  private async take(conversationId: string): Promise<string | null> {
    let answer: unknown;
    try {
      answer = await this.redis.eval(
        TAKE,
        1,
        leaseKey(conversationId),
        this.processId,
        this.leaseMs,
      );
    } catch {
      return null;
    }
    const [holder, ttl] = answer as [string | null, number];
    // The key lapsed between the two reads of the script's second branch: nobody holds it.
    if (holder === null) return null;
    if (holder === this.processId) {
      this.acquired(conversationId);
      return holder;
    }
    this.known.set(conversationId, {
      holder,
      until: Date.now() + Math.min(Math.max(ttl, 0), this.leaseMs),
    });
    return holder;
  }

  private acquired(conversationId: string): void {
    if (!this.held.has(conversationId)) this.onAcquired(conversationId);
    this.held.set(conversationId, Date.now());
  }

  /** Renews the leases written under within a lease; releases the others. */
  private async renew(): Promise<void> {
    if (this.closed || this.held.size === 0) return;
    const quietSince = Date.now() - this.leaseMs;
    const entries = [...this.held];
    const active = entries.filter(([, usedAt]) => usedAt >= quietSince).map(([key]) => key);
    const idle = entries.filter(([, usedAt]) => usedAt < quietSince).map(([key]) => key);
    // Renewals first, so the first answers are theirs.
    const pipeline = this.redis.pipeline();
    for (const key of active) {
      pipeline.eval(RENEW, 1, leaseKey(key), this.processId, this.leaseMs);
    }
    for (const key of idle) {
      this.held.delete(key);
      pipeline.eval(RELEASE, 1, leaseKey(key), this.processId);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch {
      return; // Redis is away: keep writing what is held; the index arbitrates meanwhile.
    }
    active.forEach((key, index) => {
      const [error, renewed] = results?.[index] ?? [null, 0];
      // Another process holds it now (this one stalled past the lease, or Redis restarted).
      if (!error && Number(renewed) === 0) this.held.delete(key);
    });
  }
}
