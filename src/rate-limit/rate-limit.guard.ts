import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import { MetricsService } from '../metrics/metrics.service';

interface TrackedRequest {
  user?: { id: string };
  ip?: string;
}

/**
 * @nestjs/throttler's guard, keyed by the authenticated user (registered after AuthGuard, so
 * `request.user` is set) or by IP before login. If the counter store (Redis) fails, requests
 * pass: a rate limiter outage must not become a chat outage.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly storeLogger = new Logger(RateLimitGuard.name);
  // A property, so the throttler guard's own constructor stays as the library defines it.
  @Inject(MetricsService) private readonly metrics!: MetricsService;

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    try {
      return await super.canActivate(context);
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.storeLogger.warn({ err: error }, 'Rate limit store failed; letting the request through');
      return true;
    }
  }

  protected override getTracker(request: TrackedRequest): Promise<string> {
    return Promise.resolve(request.user ? `user:${request.user.id}` : `ip:${request.ip}`);
  }

  protected override throwThrottlingException(): Promise<void> {
    this.metrics.rateLimited.inc({ transport: 'rest' });
    throw new AppError('RATE_LIMITED', 'Too many requests; slow down and retry shortly');
  }
}
