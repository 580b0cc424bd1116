import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import type { RateLimitSettings } from './rate-limit.settings';
import { MetricsService } from '../metrics/metrics.service';

/**
 * What a user may do per window, counted in the throttler's store (Redis when scaled out):
 * `sends`, one counter for REST and socket.io; `events`, the other socket events (edit, delete,
 * read, sync, typing), which the REST throttler does not see; `confirms`, a signed-in user's
 * password confirmations (before deleting the account), apart from sign-ins so that failed
 * sign-ins by others never block them; `badTokens`, refused tokens per client address.
 */
export type UserLimit = 'sends' | 'events' | 'confirms' | 'uploads' | 'badTokens';

const REFUSAL: Record<UserLimit, string> = {
  sends: 'Too many messages; slow down and retry shortly',
  events: 'Too many events; slow down and retry shortly',
  confirms: 'Too many password confirmations; retry later',
  uploads: 'Too many uploads; slow down and retry shortly',
  badTokens: 'Too many failed authentications from your address; retry later',
};

interface Limit {
  max: number;
  /** The window, and how long one over the limit is refused. */
  windowMs: number;
}

@Injectable()
export class UserRateLimiter {
  private readonly logger = new Logger(UserRateLimiter.name);
  private readonly limits: Record<UserLimit, Limit>;

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly metrics: MetricsService,
    config: ConfigService<RateLimitSettings, true>,
  ) {
    const windowMs = config.get('RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000;
    this.limits = {
      sends: { max: config.get('RATE_LIMIT_SENDS', { infer: true }), windowMs },
      events: { max: config.get('RATE_LIMIT_EVENTS', { infer: true }), windowMs },
      uploads: { max: config.get('RATE_LIMIT_UPLOADS', { infer: true }), windowMs },
      badTokens: { max: config.get('RATE_LIMIT_AUTH', { infer: true }), windowMs },
      confirms: {
        max: config.get('RATE_LIMIT_LOGIN_PER_ACCOUNT', { infer: true }),
        windowMs: config.get('RATE_LIMIT_LOGIN_WINDOW_SECONDS', { infer: true }) * 1000,
      },
    };
  }

  /** Counts one for `key` (a user id; an address for badTokens); RATE_LIMITED when over that limit. */
  async consume(key: string, limit: UserLimit, transport: 'rest' | 'socket'): Promise<void> {
    const { max, windowMs } = this.limits[limit];
    let blocked: boolean;
    let blockedSeconds: number;
    try {
      // Over the limit, the key is blocked for a window (a zero block is invalid).
      ({ isBlocked: blocked, timeToBlockExpire: blockedSeconds } = await this.storage.increment(
        `${limit}:${key}`,
        windowMs,
        max,
        windowMs,
        limit,
      ));
    } catch (error) {
      // The counter store (Redis) is away: let the request through rather than fail it.
      this.metrics.redisErrors.inc();
      this.logger.warn({ err: error }, 'Rate limit store failed; letting the request through');
      return;
    }
    if (blocked) {
      this.metrics.rateLimited.inc({ transport });
      throw new AppError('RATE_LIMITED', REFUSAL[limit], Math.max(1, Math.ceil(blockedSeconds)));
    }
  }
}
