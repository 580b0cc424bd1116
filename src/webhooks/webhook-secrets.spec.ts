import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigService } from '@nestjs/config';
import { Webhook } from 'standardwebhooks';
import type { DatabaseSettings } from '../database/database.settings';
import { WebhookSecrets } from './webhook-secrets';
import { durationMs, type WebhooksSettings } from './webhooks.settings';

type Settings = DatabaseSettings & WebhooksSettings;
const config = (values: Partial<Settings>) =>
  ({ get: (name: keyof Settings) => values[name] }) as ConfigService<Settings, true>;

describe('WebhookSecrets', () => {
  it('makes Standard Webhooks secrets, stored only sealed, opened back under the same key', () => {
    const key = 'b'.repeat(64);
    const { secret, sealed } = new WebhookSecrets(config({ WEBHOOK_SECRETS_KEY: key })).make();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(new WebhookSecrets(config({ WEBHOOK_SECRETS_KEY: key })).open(sealed)).toBe(secret);
    // The library signs and verifies with it.
    const hook = new Webhook(secret);
    const at = new Date();
    const signature = hook.sign('msg_1', at, '{}');
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(hook.verify('{}', headers)).toEqual({});
    // Another key cannot open it (and tampering is detected).
    expect(() =>
      new WebhookSecrets(config({ WEBHOOK_SECRETS_KEY: 'c'.repeat(64) })).open(sealed),
    ).toThrow();
  });

  it('without a key, makes one in DATA_DIR once, readable by its owner only, and keeps using it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const first = new WebhookSecrets(config({ DATA_DIR: dataDir }));
    const { secret, sealed } = first.make();
    const path = join(dataDir, 'webhook-secrets.key');
    expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new WebhookSecrets(config({ DATA_DIR: dataDir })).open(sealed)).toBe(secret);
  });

  it('reads the retry schedule', () => {
    expect(['5s', '5m', '30m', '2h', '100', '250ms'].map(durationMs)).toEqual([
      5000, 300_000, 1_800_000, 7_200_000, 100, 250,
    ]);
  });
});
