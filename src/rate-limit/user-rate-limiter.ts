import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import type { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';

/**
 * What a user may do per window, counted in the throttler's store (Redis when scaled out):
 * `sends`, one counter for REST and socket.io; `events`, the other socket events (edit, delete,
 * read, sync, typing), which the REST throttler does not see.
 */
export type UserLimit = 'sends' | 'events';

const REFUSAL: Record<UserLimit, string> = {
  sends: 'Too many messages; slow down and retry shortly',
  events: 'Too many events; slow down and retry shortly',
};

@Injectable()
export class UserRateLimiter {
  private readonly logger = new Logger(UserRateLimiter.name);
  private readonly ttl: number;
  private readonly limits: Record<UserLimit, number>;

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.ttl = config.get('RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000;
    this.limits = {
      sends: config.get('RATE_LIMIT_SENDS', { infer: true }),
      events: config.get('RATE_LIMIT_EVENTS', { infer: true }),
    };
  }

  /** Counts one; RATE_LIMITED when the user is over that limit. */
  async consume(userId: string, limit: UserLimit, transport: 'rest' | 'socket'): Promise<void> {
    let blocked: boolean;
    try {
      // Over the limit, the user is blocked for the rest of a window (a zero block is invalid).
      ({ isBlocked: blocked } = await this.storage.increment(
        `${limit}:${userId}`,
        this.ttl,
        this.limits[limit],
        this.ttl,
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
      throw new AppError('RATE_LIMITED', REFUSAL[limit]);
    }
  }
}
