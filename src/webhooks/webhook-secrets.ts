import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { DatabaseSettings } from '../database/database.settings';
import type { WebhooksSettings } from './webhooks.settings';

const KEY_FILE = 'webhook-secrets.key';

/**
 * Webhook signing secrets (`whsec_` and base64 of 24 random bytes, the Standard Webhooks form):
 * shown once, kept encrypted (AES-256-GCM) under WEBHOOK_SECRETS_KEY, or under a key made once in
 * DATA_DIR when that is unset.
 */
@Injectable()
export class WebhookSecrets {
  private readonly key: Buffer;
  /** Opened once per process: every delivery signs with its endpoint's secret. */
  private readonly opened = new Map<string, string>();

  constructor(config: ConfigService<DatabaseSettings & WebhooksSettings, true>) {
    const given = config.get('WEBHOOK_SECRETS_KEY', { infer: true });
    this.key = given ? Buffer.from(given, 'hex') : keptKey(config.get('DATA_DIR', { infer: true }));
  }

  /** A new secret and its sealed (stored) form. */
  make(): { secret: string; sealed: string } {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    return { secret, sealed: this.seal(secret) };
  }

  open(sealed: string): string {
    let secret = this.opened.get(sealed);
    if (secret === undefined) {
      secret = this.decrypt(sealed);
      this.opened.set(sealed, secret);
    }
    return secret;
  }

  private decrypt(sealed: string): string {
    const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }

  private seal(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64')).join('.');
  }
}

/** The key in DATA_DIR, made (readable by its owner only) the first time. */
function keptKey(dataDir: string): Buffer {
  const path = join(dataDir, KEY_FILE);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(32);
    // `wx`: of two processes starting at once, one writes it; the other reads what it wrote.
    try {
      writeFileSync(path, key.toString('hex'), { flag: 'wx', mode: 0o600 });
      return key;
    } catch {
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    }
  }
}
