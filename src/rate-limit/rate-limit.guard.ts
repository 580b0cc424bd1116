import { ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import { MetricsService } from '../metrics/metrics.service';

interface TrackedRequest {
  user?: { id: string; app?: { keyId: string } };
  ip?: string;
}

/** Whether the caller is an app's API key (its own, larger budget, counted per key). */
export const isKeyRequest = (context: ExecutionContext): boolean =>
  context.switchToHttp().getRequest<TrackedRequest>().user?.app !== undefined;

/** The throttler's names for the request budget's headers, and the IETF draft's names we send. */
const HEADER_NAMES = new Map([
  ['X-RateLimit-Limit-requests', 'RateLimit-Limit'],
  ['X-RateLimit-Remaining-requests', 'RateLimit-Remaining'],
  ['X-RateLimit-Reset-requests', 'RateLimit-Reset'],
]);

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
    const { user } = request;
    if (user?.app) return Promise.resolve(`key:${user.app.keyId}`);
    return Promise.resolve(user ? `user:${user.id}` : `ip:${request.ip}`);
  }

  /**
   * The request budget as `RateLimit-Limit`, `-Remaining` and `-Reset` (seconds) on every answer;
   * the sign-in budget's own headers are left out (Retry-After says when on a refusal).
   */
  protected override setResponseHeader(
    response: Record<string, unknown>,
    name: string,
    value: string | number,
  ): void {
    const renamed = HEADER_NAMES.get(name);
    if (renamed) super.setResponseHeader(response, renamed, value);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    { timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    this.metrics.rateLimited.inc({ transport: 'rest' });
    throw new AppError(
      'RATE_LIMITED',
      'Too many requests; slow down and retry shortly',
      Math.max(1, Math.ceil(timeToBlockExpire)),
    );
  }
}
