import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import type { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';

/** Message sends per user per window, one counter for REST and socket.io, in the throttler's store. */
@Injectable()
export class SendRateLimiter {
  private readonly logger = new Logger(SendRateLimiter.name);
  private readonly ttl: number;
  private readonly limit: number;

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.ttl = config.get('RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000;
    this.limit = config.get('RATE_LIMIT_SENDS', { infer: true });
  }

  /** Counts one send; RATE_LIMITED when the user is over the limit. */
  async consume(userId: string, transport: 'rest' | 'socket'): Promise<void> {
    let blocked: boolean;
    try {
      // Over the limit, the user is blocked for the rest of a window (a zero block is invalid).
      ({ isBlocked: blocked } = await this.storage.increment(
        `sends:${userId}`,
        this.ttl,
        this.limit,
        this.ttl,
        'sends',
      ));
    } catch (error) {
      // The counter store (Redis) is away: let the send through rather than fail it.
      this.metrics.redisErrors.inc();
      this.logger.warn({ err: error }, 'Send rate limit store failed; letting the send through');
      return;
    }
    if (blocked) {
      this.metrics.rateLimited.inc({ transport });
      throw new AppError('RATE_LIMITED', 'Too many messages; slow down and retry shortly');
    }
  }
}
