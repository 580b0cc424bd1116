import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type Redis from 'ioredis';
import { BoundedMap } from '../common/bounded-map';
import { AppError } from '../common/errors/app-error';
import type { IdentitySettings } from './identity.settings';
import type { RateLimitSettings } from '../rate-limit/rate-limit.settings';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from '../redis/redis.module';

interface BackoffState {
  /** Failed sign-ins since the last success. */
  failures: number;
  /** No attempt before this (ms since the epoch). */
  until: number;
}

interface AccountFailures {
  count: number;
  /** When the window's count starts over (ms since the epoch). */
  resetAt: number;
}

const LOCAL_KEYS = 100_000;
/** A back-off is forgotten this long after its last failure. */
const KEEP_MS = 24 * 3600 * 1000;

/**
 * Failed sign-ins, counted so that nobody can lock an owner out of their account:
 * - per (account, address): after LOGIN_BACKOFF_FREE_FAILURES failures in a row, each further one
 *   doubles the wait before that address may try that account again (no password hash is spent
 *   on it); a success starts over. Another address is not slowed.
 * - per account, failures from all addresses in a window (RATE_LIMIT_LOGIN_PER_ACCOUNT): past that
 *   ceiling, only an address with no failures on the account may try, so the owner still signs in
 *   while guessing from addresses that already failed stops.
 * Kept in Redis when scaled out (one count for every process), else in this process; like the
 * rate limits it fails open while Redis is away.
 */
@Injectable()
export class LoginBackoff {
  private readonly logger = new Logger(LoginBackoff.name);
  private readonly local = new BoundedMap<string, BackoffState>(LOCAL_KEYS);
  private readonly localAccounts = new BoundedMap<string, AccountFailures>(LOCAL_KEYS);
  private readonly free: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly ceiling: number;
  private readonly windowMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly metrics: MetricsService,
    config: ConfigService<IdentitySettings & RateLimitSettings, true>,
  ) {
    this.free = config.get('LOGIN_BACKOFF_FREE_FAILURES', { infer: true });
    this.baseMs = config.get('LOGIN_BACKOFF_BASE_MS', { infer: true });
    this.maxMs = config.get('LOGIN_BACKOFF_MAX_SECONDS', { infer: true }) * 1000;
    this.ceiling = config.get('RATE_LIMIT_LOGIN_PER_ACCOUNT', { infer: true });
    this.windowMs = config.get('RATE_LIMIT_LOGIN_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  /**
   * RATE_LIMITED (with when to come back) while this address must wait for this account; else
   * whether it has failures on record (only then is there anything for a success to clear).
   */
  async check(username: string, address: string): Promise<boolean> {
    const [state, account] = await this.guard(
      () => Promise.all([this.read(username, address), this.readAccount(username)]),
      [null, null],
    );
    const now = Date.now();
    const waitMs = Math.max(
      state ? state.until - now : 0,
      state && account && account.count >= this.ceiling ? account.resetAt - now : 0,
    );
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      this.metrics.rateLimited.inc({ transport: 'rest' });
      throw new AppError(
        'RATE_LIMITED',
        `Too many failed sign-ins for this account from here; retry in ${seconds} s`,
        seconds,
      );
    }
    return state !== null;
  }

  async failed(username: string, address: string): Promise<void> {
    await this.guard(async () => {
      const key = this.key(username, address);
      const accountKey = this.accountKey(username);
      const redis = this.redis;
      if (!redis) {
        const failures = (this.local.get(key)?.failures ?? 0) + 1;
        this.local.set(key, { failures, until: this.untilAfter(failures) });
        const now = Date.now();
        const account = this.localAccounts.get(accountKey);
        this.localAccounts.set(
          accountKey,
          account && account.resetAt > now
            ? { count: account.count + 1, resetAt: account.resetAt }
            : { count: 1, resetAt: now + this.windowMs },
        );
        return;
      }
      const failures = await redis.hincrby(key, 'failures', 1);
      await redis
        .multi()
        .hset(key, 'until', this.untilAfter(failures))
        .pexpire(key, KEEP_MS)
        .incr(accountKey)
        .pexpire(accountKey, this.windowMs, 'NX')
        .exec();
    }, undefined);
  }

  /** A success clears this address's back-off (the account's count of others' failures stays). */
  async succeeded(username: string, address: string): Promise<void> {
    const key = this.key(username, address);
    const redis = this.redis;
    if (!redis) return this.local.delete(key);
    await this.guard(() => redis.del(key), 0);
  }

  private async read(username: string, address: string): Promise<BackoffState | null> {
    const key = this.key(username, address);
    if (!this.redis) return this.local.get(key) ?? null;
    const { failures, until } = await this.redis.hgetall(key);
    return failures ? { failures: Number(failures), until: Number(until ?? 0) } : null;
  }

  private async readAccount(username: string): Promise<AccountFailures | null> {
    const key = this.accountKey(username);
    if (!this.redis) {
      const account = this.localAccounts.get(key);
      return account && account.resetAt > Date.now() ? account : null;
    }
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return count ? { count: Number(count), resetAt: Date.now() + Math.max(ttl, 0) } : null;
  }

  /** When the next attempt may come after the `failures`th failure in a row. */
  private untilAfter(failures: number): number {
    if (failures <= this.free) return 0;
    const delay = Math.min(this.baseMs * 2 ** Math.min(failures - this.free - 1, 30), this.maxMs);
    return Date.now() + delay;
  }

  private key(username: string, address: string): string {
    return `login-backoff:${username.toLowerCase()}:${address}`;
  }

  private accountKey(username: string): string {
    return `login-failures:${username.toLowerCase()}`;
  }

  private async guard<T>(work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.metrics.redisErrors.inc();
      this.logger.warn({ err: error }, 'Login back-off store failed; letting the attempt through');
      return fallback;
    }
  }
}
