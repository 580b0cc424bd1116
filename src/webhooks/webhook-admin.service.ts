import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { parseId } from '../common/object-id';
import { serialize } from '../common/serialize';
import { AppsRepository } from '../persistence/apps/apps.repository';
import { WebhookAttemptsRepository } from '../persistence/webhook-attempts/webhook-attempts.repository';
import { DeliveryDto } from './dto/delivery.dto';

const DELIVERIES_LISTED = 100;

/** What an instance admin does with an app's endpoint besides setting it: replays, and the log. */
@Injectable()
export class WebhookAdminService {
  constructor(
    private readonly apps: AppsRepository,
    private readonly attempts: WebhookAttemptsRepository,
  ) {}

  /**
   * Every event from `since` on is sent again, in order per conversation, with its own
   * `webhook-id` (receivers that dedupe see each once). Taken up by every process within a tick.
   */
  async replay(appId: string, since: Date): Promise<void> {
    const app = await this.apps.findById(parseId(appId, 'App'));
    if (!app?.webhook) throw new AppError('NOT_FOUND', 'The app has no webhook endpoint');
    if (since.getTime() > Date.now()) {
      throw new AppError('VALIDATION_FAILED', 'since must not be in the future');
    }
    await this.apps.updateWebhook(
      app._id,
      { replaySince: since, replayGeneration: app.webhook.generation + 1 },
      true,
    );
  }

  /** The latest attempts, newest first. */
  async deliveries(appId: string): Promise<DeliveryDto[]> {
    const app = await this.apps.findById(parseId(appId, 'App'));
    if (!app) throw new AppError('NOT_FOUND', 'App not found');
    const attempts = await this.attempts.latest(app._id, DELIVERIES_LISTED);
    return attempts.map((attempt) => serialize(DeliveryDto, attempt));
  }
}
