import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BoundedMap } from '../common/bounded-map';
import { AppError } from '../common/errors/app-error';
import type { RateLimitSettings } from '../rate-limit/rate-limit.settings';
import { UserRateLimiter } from '../rate-limit/user-rate-limiter';

const LOCAL_ADDRESSES = 100_000;

/**
 * Bad, expired or revoked tokens, counted per client address (RATE_LIMIT_AUTH a window, as
 * sign-ins are): each costs a database read, so an address past the limit is refused before its
 * token is even looked at, until its window ends. The refusal is remembered in this process; the
 * count is shared (Redis when scaled out).
 */
@Injectable()
export class FailedAuthentications {
  private readonly blockedUntil = new BoundedMap<string, number>(LOCAL_ADDRESSES);
  private readonly windowMs: number;

  constructor(
    private readonly rateLimiter: UserRateLimiter,
    config: ConfigService<RateLimitSettings, true>,
  ) {
    this.windowMs = config.get('RATE_LIMIT_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  /** Runs `authenticate` for a request from `address`, counting it if the token is refused. */
  async guard<T>(address: string, authenticate: () => Promise<T>): Promise<T> {
    const until = this.blockedUntil.get(address) ?? 0;
    if (until > Date.now()) {
      throw new AppError(
        'RATE_LIMITED',
        'Too many failed authentications from your address; retry later',
        Math.ceil((until - Date.now()) / 1000),
      );
    }
    try {
      return await authenticate();
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'UNAUTHORIZED') throw error;
      try {
        await this.rateLimiter.consume(address, 'badTokens', 'rest');
      } catch (limited) {
        this.blockedUntil.set(address, Date.now() + this.windowMs);
        throw limited;
      }
      throw error;
    }
  }
}
