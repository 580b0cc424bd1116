import { Type } from 'class-transformer';
import { IsInt, IsString, Max, Min, MinLength, Validate, ValidateIf } from 'class-validator';
import { Setting } from '../config/setting';
import { StrongSecret } from '../config/strong-secret';

/** Tokens, sessions, and how sign-ins are limited. */
export class IdentitySettings {
  // Required and strong in production; elsewhere a missing one is replaced by a random one.
  @Setting(
    'HS256 signing secret; production refuses repeated characters (under 96 bits by its own mix)',
    {
      allowed: '≥ 32 characters, not guessable',
      shownDefault: 'random per process (not in production)',
    },
  )
  @ValidateIf(
    (env: IdentitySettings & { NODE_ENV?: string }) =>
      env.NODE_ENV === 'production' || env.JWT_SECRET !== undefined,
  )
  @IsString({ message: 'JWT_SECRET is required in production' })
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @Validate(StrongSecret)
  JWT_SECRET!: string;

  /** Access token lifetime in seconds: short, since a session's refresh token renews it. */
  @Setting("access token lifetime, seconds (a session's refresh token renews it)", {
    allowed: '≥ 5',
  })
  @Type(() => Number)
  @IsInt()
  @Min(5)
  JWT_EXPIRES_IN = 900;

  /** How long a session lives without a refresh, in seconds (each refresh starts it again). */
  @Setting('a session ends after this long without a refresh', {
    allowed: '≥ 60',
    shownDefault: '`2592000` (30 days)',
  })
  @Type(() => Number)
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /**
   * How long after a rotation the refresh token just spent is still answered (with the current
   * pair, no new rotation), so a client whose refresh answer was lost can retry; older tokens, or
   * this one later, are reuse and end the session.
   */
  @Setting("the refresh token just spent is answered again this long (a lost answer's retry)", {
    allowed: '0–300',
  })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  REFRESH_RETRY_GRACE_SECONDS = 30;

  /**
   * Failed sign-ins to one account from one address allowed back to back; after that each failure
   * doubles that address's wait (from LOGIN_BACKOFF_BASE_MS, at most LOGIN_BACKOFF_MAX_SECONDS).
   */
  @Setting('failed sign-ins to one account from one address in a row before that address waits', {
    allowed: '≥ 0',
  })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  LOGIN_BACKOFF_FREE_FAILURES = 3;

  @Setting('the first wait; each further failure doubles it', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_BACKOFF_BASE_MS = 1000;

  @Setting('the longest wait', { allowed: '≥ 1' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_BACKOFF_MAX_SECONDS = 900;

  /** Password hashes (argon2, 64 MiB each) computed at once per process. */
  @Setting('argon2 hashes (64 MiB each) computed at once per process', { allowed: '1–64' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASHES_IN_FLIGHT = 4;

  /** Password hashes that may wait for a turn; more are refused with RATE_LIMITED at once. */
  @Setting(
    'hashes that may wait; more sign-ins get `RATE_LIMITED` at once (an address holds an eighth)',
    {
      allowed: '≥ 0',
    },
  )
  @Type(() => Number)
  @IsInt()
  @Min(0)
  PASSWORD_HASHES_QUEUED = 32;
}
