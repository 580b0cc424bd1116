import { Transform } from 'class-transformer';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { Setting } from '../config/setting';

const DURATION = /^\d+(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `5s` → 5000; a bare number is milliseconds. */
export function durationMs(text: string): number {
  const [, amount, unit] = /^(\d+)(ms|s|m|h)?$/.exec(text) ?? [];
  return Number(amount) * UNIT_MS[(unit ?? 'ms') as keyof typeof UNIT_MS];
}

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;

/** Webhook delivery: where it may go, how it retries, how its secrets are kept. */
export class WebhooksSettings {
  /**
   * In production, webhook URLs resolving to loopback, private, link-local or metadata addresses
   * are refused (at creation and again on every delivery, after DNS) unless this is `true`.
   */
  @Setting(
    'let webhooks reach loopback, private and link-local addresses in production (always allowed otherwise)',
    { allowed: '`true` `false`' },
  )
  @IsIn(['true', 'false'])
  WEBHOOK_ALLOW_PRIVATE: 'true' | 'false' = 'false';

  /** The waits before each retry of a failed delivery; after the last, the endpoint is disabled. */
  @Setting(
    'waits before each retry of a failed webhook delivery (`ms`, `s`, `m`, `h`); after the last failure the endpoint is disabled',
    { shownDefault: '`5s,5m,30m,2h,5h,10h,10h` (about 27 h)' },
  )
  @Transform(splitList)
  @Matches(DURATION, {
    each: true,
    message: 'WEBHOOK_RETRY_SCHEDULE must list durations like 5s,5m,2h',
  })
  WEBHOOK_RETRY_SCHEDULE: string[] = ['5s', '5m', '30m', '2h', '5h', '10h', '10h'];

  /**
   * The key webhook signing secrets are encrypted with (they must be read back to sign, so they
   * cannot be hashed): 64 hex characters. Unset: one is made once and kept in
   * `DATA_DIR/webhook-secrets.key`, which then every process (and the command line) must share.
   */
  @Setting('64 hex characters: the key webhook signing secrets are stored encrypted with', {
    shownDefault: '— (made once in `DATA_DIR/webhook-secrets.key`)',
  })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'WEBHOOK_SECRETS_KEY must be 64 hex characters' })
  WEBHOOK_SECRETS_KEY?: string;
}
