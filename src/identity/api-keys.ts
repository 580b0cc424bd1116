import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { AppKeysRepository } from '../persistence/app-keys/app-keys.repository';
import { AppsRepository } from '../persistence/apps/apps.repository';
import { UsersRepository } from '../persistence/users/users.repository';
import type { AuthenticatedUser } from './authenticated-user';

export const KEY_PREFIX = 'chk_';
const KEY_SHAPE = /^chk_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;
const REFUSED = 'A valid access token is required';

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

/** A new key: the `chk_…` text (shown once) and what is stored of it. */
export function mintKey(): { id: Types.ObjectId; key: string; hash: string } {
  const id = new Types.ObjectId();
  const key = `${KEY_PREFIX}${id.toHexString()}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashOf(key) };
}

export const isApiKey = (token: string): boolean => token.startsWith(KEY_PREFIX);

/**
 * Authenticates an app's API key as the app's bot user, with the key's scopes. Keys are read on
 * every request, so a deleted key or app is refused at once.
 */
@Injectable()
export class ApiKeys {
  constructor(
    private readonly keys: AppKeysRepository,
    private readonly apps: AppsRepository,
    private readonly users: UsersRepository,
  ) {}

  async authenticate(token: string): Promise<AuthenticatedUser> {
    const [, id] = KEY_SHAPE.exec(token) ?? [];
    if (!id) throw new AppError('UNAUTHORIZED', REFUSED);
    const stored = await this.keys.findById(new Types.ObjectId(id));
    if (!stored || !timingSafeEqual(Buffer.from(stored.hash), Buffer.from(hashOf(token)))) {
      throw new AppError('UNAUTHORIZED', REFUSED);
    }
    const app = await this.apps.findById(stored.appId);
    const bot = app && (await this.users.findIdentity(app.botUserId));
    if (!app || !bot) throw new AppError('UNAUTHORIZED', REFUSED);
    return {
      id: bot._id.toHexString(),
      username: bot.username,
      sessionId: `key:${id}`,
      app: { id: app._id.toHexString(), keyId: id, scopes: stored.scopes },
    };
  }
}
