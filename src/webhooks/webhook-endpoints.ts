import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { CoreSettings } from '../config/core.settings';
import type { WebhooksSettings } from './webhooks.settings';
import type { WebhookEndpoint, WebhookScope } from '../persistence/apps/app.schema';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types';
import { WebhookSecrets } from './webhook-secrets';
import { parseWebhookUrl, requirePublicTarget } from './webhook-targets';

export interface EndpointSettings {
  url?: string;
  events?: WebhookEventType[];
  scope?: WebhookScope;
}

/** Making and changing an app's endpoint: the URL checked (SSRF) before anything is stored. */
@Injectable()
export class WebhookEndpoints {
  /** Whether only public addresses may be reached (production, unless the operator allows). */
  readonly publicOnly: boolean;

  constructor(
    private readonly secrets: WebhookSecrets,
    config: ConfigService<CoreSettings & WebhooksSettings, true>,
  ) {
    this.publicOnly =
      config.get('NODE_ENV', { infer: true }) === 'production' &&
      config.get('WEBHOOK_ALLOW_PRIVATE', { infer: true }) !== 'true';
  }

  /** A new endpoint, active from now, with a new secret (returned this once). */
  async make(
    settings: EndpointSettings & { url: string },
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await this.check(settings.url);
    const { secret, sealed } = this.secrets.make();
    return {
      endpoint: {
        url,
        events: eventsOrAll(settings.events),
        scope: settings.scope ?? 'member',
        status: 'active',
        disabledReason: null,
        secret: sealed,
        since: new Date(),
        generation: 0,
        replaySince: null,
        replayGeneration: 0,
      },
      secret,
    };
  }

  /** The endpoint with `settings` applied (the secret and where delivery stands are kept). */
  async change(current: WebhookEndpoint, settings: EndpointSettings): Promise<WebhookEndpoint> {
    return {
      ...current,
      url: settings.url === undefined ? current.url : await this.check(settings.url),
      events: settings.events === undefined ? current.events : eventsOrAll(settings.events),
      scope: settings.scope ?? current.scope,
    };
  }

  private async check(text: string): Promise<string> {
    const url = parseWebhookUrl(text);
    if (this.publicOnly) await requirePublicTarget(url);
    return url.toString();
  }
}

const eventsOrAll = (events: WebhookEventType[] | undefined): WebhookEventType[] =>
  events && events.length > 0 ? [...new Set(events)] : [...WEBHOOK_EVENT_TYPES];
