import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ChatSettings } from './chat/chat.settings';
import { PageReadsSettings } from './common/page-reads.settings';
import { DatabaseSettings } from './database/database.settings';
import { FilesSettings } from './files/files.settings';
import { IdentitySettings } from './identity/identity.settings';
import { MetricsSettings } from './health/metrics.settings';
import { RateLimitSettings } from './rate-limit/rate-limit.settings';
import { RedisSettings } from './redis/redis.settings';
import { WebhooksSettings } from './webhooks/webhooks.settings';
import { CoreSettings } from './config/core.settings';
import { settingDocs, type SettingsClass } from './config/setting';

/**
 * Every module's settings class, in the order the configuration table lists them. Each module
 * declares (and documents) its own variables next to the code that reads them, and reads them
 * typed by its own class; this is only the list the start-up validation and `npm run
 * docs:config` go through, kept at the root so no module depends on another's settings.
 */
export const SETTINGS = [
  CoreSettings,
  DatabaseSettings,
  RedisSettings,
  IdentitySettings,
  RateLimitSettings,
  ChatSettings,
  PageReadsSettings,
  FilesSettings,
  WebhooksSettings,
  MetricsSettings,
] as const satisfies readonly SettingsClass[];

/** `A | B | …` as `A & B & …`. */
type AllOf<Union> = (Union extends unknown ? (part: Union) => void : never) extends (
  all: infer All,
) => void
  ? All
  : never;

/** The process environment, validated once at start-up (see `validateEnvironment`): every module's settings. */
export type Environment = AllOf<InstanceType<(typeof SETTINGS)[number]>>;

/**
 * Used as ConfigModule's `validate`: every module's settings validated against the same raw
 * environment, every problem of all of them listed at once; returns the typed whole.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const settings of SETTINGS as readonly SettingsClass[]) {
    // The raw variables ride along, so a rule may look at another module's (NODE_ENV).
    const part = plainToInstance(settings, raw, { exposeDefaultValues: true });
    for (const error of validateSync(part, { skipMissingProperties: false })) {
      for (const text of Object.values(error.constraints ?? {})) {
        lines.push(`  - ${error.property}: ${text}`);
      }
    }
    // Only its own variables: the other raw ones it carries are not converted.
    for (const { name } of settingDocs(settings))
      env[name] = (part as Record<string, unknown>)[name];
  }
  if (lines.length > 0) throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  return finish(env as unknown as Environment);
}

/** What a setting's default depends on another's, or is made when missing. */
function finish(env: Environment): Environment {
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
