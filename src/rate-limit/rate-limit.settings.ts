import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { Setting } from '../config/setting';

/** The per-user and per-address rate limits, counted in fixed windows (Redis when scaled out). */
export class RateLimitSettings {
  /** The window, in seconds, for every rate limit below. */
  @Setting('the window of every rate limit (fixed windows, in memory and in Redis alike)', {
    allowed: '≥ 1',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WINDOW_SECONDS = 10;

  /** Message sends (REST and socket together) per user per window. */
  @Setting('message sends per user per window, REST and socket together', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_SENDS = 50;

  /** Other socket events (edit, delete, read, sync, typing) per user per window. */
  @Setting('other socket events (edit, delete, read, sync, typing) per user per window', {
    allowed: '≥ 1',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_EVENTS = 600;

  /** REST requests per user (or per IP before login) per window. */
  @Setting('REST requests per user (per IP before login) per window', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REQUESTS = 300;

  /** REST requests per API key per window (an app's backend, not one person: more room). */
  @Setting('REST requests per API key per window', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_KEY_REQUESTS = 3000;

  /**
   * Register and login attempts per IP per window; also refused access tokens (REST and socket
   * handshakes) per address, past which the address is refused before its token is read.
   */
  @Setting(
    'register and login attempts per IP per window; also refused access tokens per address',
    {
      allowed: '≥ 1',
    },
  )
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH = 20;

  /** File uploads per user per window. */
  @Setting('file uploads per user per window', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_UPLOADS = 30;

  /**
   * Failed sign-ins to one account (from all addresses together) per
   * RATE_LIMIT_LOGIN_WINDOW_SECONDS; past it, only an address with no failures on the account may
   * try, so guessing from many addresses stops while the owner still signs in. Also the password
   * confirmations (account deletion) one user may make per window.
   */
  @Setting(
    'failed sign-ins per account (all addresses) per login window; past it, only addresses without failures may try',
    { allowed: '≥ 1' },
  )
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_ACCOUNT = 10;

  @Setting(
    'the per-account login window; also password confirmations (account deletion) per user',
    {
      allowed: '≥ 1',
    },
  )
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_WINDOW_SECONDS = 900;
}
