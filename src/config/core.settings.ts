import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Setting } from './setting';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;

/** The process as a whole: where it listens, how it logs, what it trusts at its HTTP edge. */
export class CoreSettings {
  @Setting('`production` requires `MONGODB_URI` and a strong `JWT_SECRET`', {
    allowed: '`development` `production` `test`',
  })
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Setting('HTTP port for REST and socket.io', { allowed: '0–65535' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Setting('listen address')
  @IsString()
  HOST = '0.0.0.0';

  /** Origins allowed for CORS and the socket.io handshake; empty means same-origin only, `*` any. */
  @Setting('other origins allowed for REST and the socket.io handshake (comma-separated; `*`)', {
    shownDefault: 'empty (same origin only)',
  })
  @Transform(splitList)
  @IsString({ each: true })
  CORS_ORIGINS: string[] = [];

  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For),
   * for every per-address limit: `false` (none: the default, for a server reached directly), a
   * hop count (`1`: one balancer), or a comma-separated list of addresses and subnets (or
   * `loopback`, `uniquelocal`). Behind a balancer without it, every client shares its address.
   */
  @Setting(
    'proxies whose `X-Forwarded-For` is believed for every per-address limit (`1`: one balancer)',
    { allowed: '`false`, a hop count, addresses and subnets' },
  )
  @Matches(/^(false|\d{1,2}|[0-9A-Za-z.:/]+(\s*,\s*[0-9A-Za-z.:/]+)*)$/, {
    message: 'TRUST_PROXY must be false, a hop count, or a list of addresses and subnets',
  })
  TRUST_PROXY = 'false';

  /**
   * Serve the OpenAPI page and document (`/api/docs`, `/api/docs-json`). Default: on, except in
   * production, where they map the API for anyone who asks.
   */
  @Setting('serve the OpenAPI page and document at `/api/docs` and `/api/docs-json`', {
    allowed: '`true` `false`',
    shownDefault: '`true`, `false` in production',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  API_DOCS?: 'true' | 'false';

  @Setting('`fatal` `error` `warn` `info` `debug` `trace` `silent`')
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** One JSON object a line (for collectors), or coloured lines for people (pino-pretty). */
  @Setting('`json` (one object a line) or `pretty` (pino-pretty, a development dependency)', {
    shownDefault: '`json` in production, else `pretty`',
  })
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** How long in-flight sends may take to finish on SIGTERM before the process stops anyway. */
  @Setting('how long in-flight sends may finish after SIGTERM', { allowed: '≥ 0' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHUTDOWN_GRACE_MS = 10_000;
}
