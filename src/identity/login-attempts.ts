import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import type { Environment } from '../config/environment';

/**
 * Login attempts per account, from whatever address (the per-IP limit alone lets many addresses
 * guess at one account): counted in the throttler's store, Redis when scaled out. An account over
 * its limit is refused until its window ends, whoever asks and with whatever password.
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger(LoginAttempts.name);
  private readonly windowMs: number;
  private readonly limit: number;

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    config: ConfigService<Environment, true>,
  ) {
    this.windowMs = config.get('RATE_LIMIT_LOGIN_WINDOW_SECONDS', { infer: true }) * 1000;
    this.limit = config.get('RATE_LIMIT_LOGIN_PER_ACCOUNT', { infer: true });
  }

  /** Counts an attempt at `username`; RATE_LIMITED when the account has had too many. */
  async count(username: string): Promise<void> {
    let blocked: boolean;
    try {
      ({ isBlocked: blocked } = await this.storage.increment(
        `login:${username}`,
        this.windowMs,
        this.limit,
        this.windowMs,
        'login',
      ));
    } catch (error) {
      // As the other limits: an unreachable store lets the attempt through (the per-IP limit
      // and the hash gate still hold).
      this.logger.warn({ err: error }, 'Login limit store failed; letting the attempt through');
      return;
    }
    if (blocked) {
      throw new AppError('RATE_LIMITED', 'Too many sign-in attempts for this account; retry later');
    }
  }
}
