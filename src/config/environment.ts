import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  validateSync,
  ValidateIf,
} from 'class-validator';
import { StrongSecret } from './strong-secret';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;

/** The process environment, validated once at start-up (see `validateEnvironment`). */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGODB_URI must be a mongodb:// URI' })
  MONGODB_URI!: string;

  /** How long a database operation waits for a reachable server before failing as UNAVAILABLE. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  MONGODB_TIMEOUT_MS = 3000;

  /**
   * How long an operation may wait for the database's answer before it fails as UNAVAILABLE: a
   * lost answer must not hold the message writer (and every send behind it) forever.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  MONGODB_SOCKET_TIMEOUT_MS = 30_000;

  // Required and strong in production; elsewhere a missing one is replaced by a random one.
  @ValidateIf((env: Environment) => env.NODE_ENV === 'production' || env.JWT_SECRET !== undefined)
  @IsString({ message: 'JWT_SECRET is required in production' })
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @Validate(StrongSecret)
  JWT_SECRET!: string;

  /**
   * The bearer token a Prometheus scraper sends to `/metrics`. Unset: open in development and
   * tests, switched off (404) in production.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * Failed sign-ins to one account allowed back to back; after that each failure doubles the wait
   * before the next attempt (from LOGIN_BACKOFF_BASE_MS, at most LOGIN_BACKOFF_MAX_SECONDS).
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  LOGIN_BACKOFF_FREE_FAILURES = 3;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_BACKOFF_BASE_MS = 1000;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  LOGIN_BACKOFF_MAX_SECONDS = 900;

  /** Access token lifetime in seconds: short, since a session's refresh token renews it. */
  @Type(() => Number)
  @IsInt()
  @Min(5)
  JWT_EXPIRES_IN = 900;

  /** How long a session lives without a refresh, in seconds (each refresh starts it again). */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

  /**
   * How long after a rotation the refresh token just spent is still answered (with the current
   * pair, no new rotation), so a client whose refresh answer was lost can retry; older tokens, or
   * this one later, are reuse and end the session.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300)
  REFRESH_RETRY_GRACE_SECONDS = 30;

  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For),
   * for every per-address limit: `false` (none: the default, for a server reached directly), a
   * hop count (`1`: one balancer), or a comma-separated list of addresses and subnets (or
   * `loopback`, `uniquelocal`). Behind a balancer without it, every client shares its address.
   */
  @Matches(/^(false|\d{1,2}|[0-9A-Za-z.:/]+(\s*,\s*[0-9A-Za-z.:/]+)*)$/, {
    message: 'TRUST_PROXY must be false, a hop count, or a list of addresses and subnets',
  })
  TRUST_PROXY = 'false';

  /**
   * Serve the OpenAPI page and document (`/api/docs`, `/api/docs-json`). Default: on, except in
   * production, where they map the API for anyone who asks.
   */
  @IsOptional()
  @IsIn(['true', 'false'])
  API_DOCS?: 'true' | 'false';

  /** Origins allowed for CORS and the socket.io handshake; empty means same-origin only, `*` any. */
  @Transform(splitList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** One JSON object a line (for collectors), or coloured lines for people (pino-pretty). */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Set to run several processes: socket.io fan-out, presence and rate limits go through Redis. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URI' })
  REDIS_URL?: string;

  /** socket.io frames above this many bytes close that connection (transport limit). */
  @Type(() => Number)
  @IsInt()
  @Min(16_384)
  SOCKET_MAX_FRAME_BYTES = 65_536;

  /**
   * Packets one socket may send per second (in bursts of 4 s' worth), charged before anything is
   * parsed or validated; one over is refused RATE_LIMITED, a flood is disconnected.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SOCKET_PACKETS_PER_SECOND = 50;

  /** Invalid packets (VALIDATION_FAILED) one socket may send within 10 s before it is disconnected. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SOCKET_INVALID_PACKETS = 20;

  /** Open sockets one user may hold at once (across processes with Redis). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  SOCKET_MAX_CONNECTIONS_PER_USER = 20;

  /** The window, in seconds, for every rate limit below. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_WINDOW_SECONDS = 10;

  /** Message sends (REST and socket together) per user per window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_SENDS = 50;

  /** File uploads per user per window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_UPLOADS = 30;

  /** The largest file one may upload, bytes (25 MiB); more is cut off at the limit: 413. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FILE_MAX_BYTES = 25 * 1024 * 1024;

  /** What all of one user's files may take together, bytes (1 GiB). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FILE_QUOTA_BYTES = 1024 * 1024 * 1024;

  /** A file no message refers to this many hours after its upload is deleted (fractions allowed). */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  FILE_ORPHAN_HOURS = 24;

  /** How often each process looks for orphaned files, seconds. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  FILE_SWEEP_SECONDS = 600;

  /**
   * Where file bytes go: `gridfs` (in the database: several processes share it) or `local`
   * (a directory under DATA_DIR: one process only).
   */
  @IsIn(['gridfs', 'local'])
  FILE_STORAGE: 'gridfs' | 'local' = 'gridfs';

  /** The directory of the `local` file storage (its `files/` folder holds the bytes). */
  @IsString()
  DATA_DIR = 'data';

  /** Other socket events (edit, delete, read, sync, typing) per user per window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_EVENTS = 600;

  /** REST requests per user (or per IP before login) per window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_REQUESTS = 300;

  /**
   * Register and login attempts per IP per window; also refused access tokens (REST and socket
   * handshakes) per address, past which the address is refused before its token is read.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_AUTH = 20;

  /**
   * Failed sign-ins to one account (from all addresses together) per
   * RATE_LIMIT_LOGIN_WINDOW_SECONDS; past it, only an address with no failures on the account may
   * try, so guessing from many addresses stops while the owner still signs in. Also the password
   * confirmations (account deletion) one user may make per window.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_PER_ACCOUNT = 10;

  /** The window of RATE_LIMIT_LOGIN_PER_ACCOUNT. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  RATE_LIMIT_LOGIN_WINDOW_SECONDS = 900;

  /** Password hashes (argon2, 64 MiB each) computed at once per process. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASHES_IN_FLIGHT = 4;

  /** Password hashes that may wait for a turn; more are refused with RATE_LIMITED at once. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  PASSWORD_HASHES_QUEUED = 32;

  /** Group commit: most messages stored by one insert. 1 turns batching off (one per write). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  MESSAGE_BATCH_MAX = 256;

  /** Group commit: how long a batch that is not full may wait for more sends, in ms. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  MESSAGE_BATCH_WAIT_MS = 0;

  /** Group commit: batches being stored at once per process (one conversation is in at most one). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  MESSAGE_WRITES_IN_FLIGHT = 1;

  /**
   * With Redis: how long a process's lease on numbering a conversation's messages lasts unless
   * renewed (the others forward their sends to it), ms. Also how long a killed process's
   * conversations wait before another takes them over.
   */
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(60_000)
  WRITER_LEASE_MS = 3_000;

  /** Pages of history and sync read from the database at once per process. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  PAGE_READS_IN_FLIGHT = 4;

  /** Page reads that may wait for a turn; more are refused with UNAVAILABLE at once. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  PAGE_READS_QUEUED = 256;

  /** A page read that waited longer (its caller has timed out) is refused with UNAVAILABLE, ms. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  PAGE_READ_WAIT_MS = 5_000;

  /** How long in-flight sends may take to finish on SIGTERM before the process stops anyway. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS = 10_000;
}

/** Used as ConfigModule's `validate`: returns the typed environment or throws listing every problem. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, {
    exposeDefaultValues: true,
  });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((error) =>
      Object.values(error.constraints ?? {}).map((text) => `  - ${error.property}: ${text}`),
    );
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // Readable in development, machine-readable in production, unless chosen.
  env.LOG_FORMAT ??= env.NODE_ENV === 'production' ? 'json' : 'pretty';
  if (env.JWT_SECRET === undefined) {
    env.JWT_SECRET = randomBytes(32).toString('hex');
    new Logger('Config').warn(
      'JWT_SECRET is not set: using a random secret, so tokens do not survive a restart',
    );
  }
  return env;
}
