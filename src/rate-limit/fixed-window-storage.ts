import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  expiresAt: number;
  /** When over the limit: refused until then. */
  blockedUntil: number;
}

/** How often windows that ended are dropped (one pass over the map). */
const SWEEP_EVERY_MS = 10_000;

/**
 * The in-process counter store: fixed windows, as the Redis store counts them (its script: INCR,
 * PEXPIRE on the first hit, a block key past the limit), so one process and many limit alike.
 * O(1) a hit, where @nestjs/throttler's in-memory store keeps and filters a timestamp per hit
 * (a cost that grows with the limit: a benchmark's raised limits made it 3% of the server's CPU).
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    this.sweep(now);
    const id = `${key}:${throttlerName}`;
    let window = this.windows.get(id);
    if (!window || window.expiresAt <= now) {
      // A new window; a block outlives the window it began in.
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: window?.blockedUntil ?? 0 };
      this.windows.set(id, window);
    }
    window.hits += 1;
    let blocked = window.blockedUntil > now;
    if (!blocked && window.hits > limit) {
      window.blockedUntil = now + blockDuration;
      blocked = true;
    }
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.expiresAt - now) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    });
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY_MS;
    for (const [id, window] of this.windows) {
      if (window.expiresAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
  }
}
