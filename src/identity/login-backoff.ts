import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type Redis from 'ioredis';
import { BoundedMap } from '../common/bounded-map';
import { AppError } from '../common/errors/app-error';
import type { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from '../redis/redis.module';

interface BackoffState {
  /** Failed sign-ins since the last success. */
  failures: number;
  /** No attempt before this (ms since the epoch). */
  until: number;
}

const LOCAL_ACCOUNTS = 100_000;
/** A state is forgotten this long after its last failure. */
const KEEP_MS = 24 * 3600 * 1000;

/**
 * Exponential back-off per account: after LOGIN_BACKOFF_FREE_FAILURES failed sign-ins in a row,
 * each further failure doubles the wait before the next attempt is even tried (no password hash
 * is spent on it); a success starts over. Kept in Redis when scaled out (one count for every
 * process), else in this process; like the rate limits it fails open while Redis is away.
 */
@Injectable()
export class LoginBackoff {
  private readonly logger = new Logger(LoginBackoff.name);
  private readonly local = new BoundedMap<string, BackoffState>(LOCAL_ACCOUNTS);
  private readonly free: number;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.free = config.get('LOGIN_BACKOFF_FREE_FAILURES', { infer: true });
    this.baseMs = config.get('LOGIN_BACKOFF_BASE_MS', { infer: true });
    this.maxMs = config.get('LOGIN_BACKOFF_MAX_SECONDS', { infer: true }) * 1000;
  }

  /**
   * RATE_LIMITED (with when to come back) while the account's wait runs; else whether the account
   * has failures on record (only then is there anything for a success to clear).
   */
  async check(username: string): Promise<boolean> {
    const state = await this.guard(() => this.read(username), null);
    const waitMs = state ? state.until - Date.now() : 0;
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      this.metrics.rateLimited.inc({ transport: 'rest' });
      throw new AppError(
        'RATE_LIMITED',
        `Too many failed sign-ins for this account; retry in ${seconds} s`,
        seconds,
      );
    }
    return state !== null;
  }

  async failed(username: string): Promise<void> {
    await this.guard(async () => {
      const key = this.key(username);
      if (!this.redis) {
        const failures = (this.local.get(key)?.failures ?? 0) + 1;
        this.local.set(key, { failures, until: this.untilAfter(failures) });
        return;
      }
      const failures = await this.redis.hincrby(key, 'failures', 1);
      await this.redis
        .multi()
        .hset(key, 'until', this.untilAfter(failures))
        .pexpire(key, KEEP_MS)
        .exec();
    }, undefined);
  }

  async succeeded(username: string): Promise<void> {
    const key = this.key(username);
    const redis = this.redis;
    if (!redis) return this.local.delete(key);
    await this.guard(() => redis.del(key), 0);
  }

  private async read(username: string): Promise<BackoffState | null> {
    const key = this.key(username);
    if (!this.redis) return this.local.get(key) ?? null;
    const { failures, until } = await this.redis.hgetall(key);
    return failures ? { failures: Number(failures), until: Number(until ?? 0) } : null;
  }

  /** When the next attempt may come after the `failures`th failure in a row. */
  private untilAfter(failures: number): number {
    if (failures <= this.free) return 0;
    const delay = Math.min(this.baseMs * 2 ** Math.min(failures - this.free - 1, 30), this.maxMs);
    return Date.now() + delay;
  }

  private key(username: string): string {
    return `login-backoff:${username.toLowerCase()}`;
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
