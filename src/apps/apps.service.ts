import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { isDuplicateKey } from '../database/is-duplicate-key';
import { mintKey } from '../identity/api-keys';
import { AppKeysRepository } from '../persistence/app-keys/app-keys.repository';
import { APP_SCOPES, type App, type AppScope } from '../persistence/apps/app.schema';
import { AppsRepository } from '../persistence/apps/apps.repository';
import { ExternalUsersRepository } from '../persistence/external-users/external-users.repository';
import { UsersRepository } from '../persistence/users/users.repository';
import { WebhookCursorsRepository } from '../persistence/webhook-cursors/webhook-cursors.repository';
import { WebhookEndpoints } from '../webhooks/webhook-endpoints';
import { AppDto, AppKeyDto, CreatedAppDto, CreatedKeyDto } from './dto/app.dto';
import type { CreateAppDto } from './dto/create-app.dto';
import type { UpdateAppDto } from './dto/update-app.dto';

const MAX_KEYS = 20;

/** `Support Desk` → `support-desk-bot`; a name with no Latin letters gets a random stem. */
export function botUsername(name: string): string {
  const stem = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 28);
  return `${stem || `app-${new Types.ObjectId().toHexString().slice(-8)}`}-bot`;
}

/**
 * Apps (integrations) as instance admins and the command line manage them: each with a bot user,
 * API keys (shown once, kept as hashes) and optionally a webhook endpoint.
 */
@Injectable()
export class AppsService {
  constructor(
    private readonly apps: AppsRepository,
    private readonly keys: AppKeysRepository,
    private readonly users: UsersRepository,
    private readonly externalUsers: ExternalUsersRepository,
    private readonly cursors: WebhookCursorsRepository,
    private readonly endpoints: WebhookEndpoints,
  ) {}

  /** A new app, its bot user and first key; the key and the webhook secret are shown this once. */
  async create(dto: CreateAppDto): Promise<CreatedAppDto> {
    // The URL is checked before anything is stored.
    const webhook = dto.webhook ? await this.endpoints.make(dto.webhook) : null;
    const name = dto.name.trim();
    const botUserId = new Types.ObjectId();
    const username = botUsername(name);
    await this.users
      .createWithoutPassword({ _id: botUserId, username, displayName: name, bot: true })
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
        throw new AppError('CONFLICT', `The bot username ${username} is taken; pick another name`);
      });
    const app = await this.apps.create({
      _id: new Types.ObjectId(),
      name,
      botUserId,
      scopes: unique(dto.scopes ?? [...APP_SCOPES]),
      webhook: webhook?.endpoint ?? null,
    });
    const key = await this.mintKey(app, app.scopes);
    return {
      app: await this.view(app),
      key: key.key,
      ...(webhook && { webhookSecret: webhook.secret }),
    };
  }

  async list(): Promise<AppDto[]> {
    return Promise.all((await this.apps.list()).map((app) => this.view(app)));
  }

  async get(id: string): Promise<AppDto> {
    return this.view(await this.require(id));
  }

  /** Renames, changes scopes, sets or removes the endpoint, or re-enables it (`status: active`). */
  async update(id: string, dto: UpdateAppDto): Promise<CreatedAppDto> {
    const app = await this.require(id);
    let webhookSecret: string | undefined;
    let webhook = app.webhook;
    if (dto.webhook === null) {
      webhook = null;
    } else if (dto.webhook) {
      const { status, ...settings } = dto.webhook;
      if (webhook) {
        webhook = await this.endpoints.change(webhook, settings);
      } else if (settings.url) {
        const made = await this.endpoints.make({ ...settings, url: settings.url });
        [webhook, webhookSecret] = [made.endpoint, made.secret];
      } else {
        throw new AppError('VALIDATION_FAILED', 'webhook.url is required to set an endpoint');
      }
      // Re-enabled: delivery resumes where it stopped; the new generation retries at once.
      if (status === 'active' && webhook.status === 'disabled') {
        webhook = { ...webhook, status, disabledReason: null, generation: webhook.generation + 1 };
      }
    }
    const updated = await this.apps.update(app._id, {
      ...(dto.name !== undefined && { name: dto.name.trim() }),
      ...(dto.scopes !== undefined && { scopes: unique(dto.scopes) }),
      ...(dto.webhook !== undefined && { webhook }),
    });
    if (!updated) throw new AppError('NOT_FOUND', 'App not found');
    return { app: await this.view(updated), ...(webhookSecret && { webhookSecret }) };
  }

  /**
   * The app, its keys (refused from then on), its links to users and where its webhook delivery
   * stood; the bot's messages stay.
   */
  async delete(id: string): Promise<void> {
    const app = await this.require(id);
    await this.keys.deleteOfApp(app._id);
    await this.externalUsers.deleteOfApp(app._id);
    await this.cursors.deleteOfApp(app._id);
    await this.apps.delete(app._id);
  }

  /** Another key (rotation: the old ones work until deleted), with the app's scopes or fewer. */
  async addKey(id: string, scopes?: AppScope[]): Promise<CreatedKeyDto> {
    const app = await this.require(id);
    const wanted = unique(scopes ?? app.scopes);
    const beyond = wanted.filter((scope) => !app.scopes.includes(scope));
    if (beyond.length > 0) {
      throw new AppError('VALIDATION_FAILED', `The app does not have: ${beyond.join(', ')}`);
    }
    if ((await this.keys.ofApp(app._id)).length >= MAX_KEYS) {
      throw new AppError('CONFLICT', `An app has at most ${MAX_KEYS} keys; delete one first`);
    }
    return this.mintKey(app, wanted);
  }

  async deleteKey(id: string, keyId: string): Promise<void> {
    const app = await this.require(id);
    if (!(await this.keys.delete(app._id, parseId(keyId, 'Key')))) {
      throw new AppError('NOT_FOUND', 'Key not found');
    }
  }

  async require(id: string): Promise<App> {
    const app = await this.apps.findById(parseId(id, 'App'));
    if (!app) throw new AppError('NOT_FOUND', 'App not found');
    return app;
  }

  private async mintKey(app: App, scopes: AppScope[]): Promise<CreatedKeyDto> {
    const { id, key, hash } = mintKey();
    const stored = await this.keys.create({ _id: id, appId: app._id, hash, scopes });
    return { ...serialize(AppKeyDto, stored), key };
  }

  private async view(app: App): Promise<AppDto> {
    return serialize(AppDto, { ...app, keys: await this.keys.ofApp(app._id) });
  }
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];
