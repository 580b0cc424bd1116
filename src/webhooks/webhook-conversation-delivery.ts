import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Types } from 'mongoose';
import type { App } from '../persistence/apps/app.schema';
import { AppsRepository } from '../persistence/apps/apps.repository';
import type { WebhookCursor } from '../persistence/webhook-cursors/webhook-cursor.schema';
import { WebhookCursorsRepository } from '../persistence/webhook-cursors/webhook-cursors.repository';
import { WebhookAttemptLog } from './webhook-attempt-log';
import { WebhookAudience } from './webhook-audience';
import { WebhookCursorStarts } from './webhook-cursor-starts';
import { WebhookEventSource, type WebhookEvent } from './webhook-event-source';
import { WebhookPartitions } from './webhook-partitions';
import { WebhookPositions } from './webhook-positions';
import { WebhookSecrets } from './webhook-secrets';
import { ANSWER_TIMEOUT_MS, succeeded, WebhookSender } from './webhook-sender';
import { durationMs, type WebhooksSettings } from './webhooks.settings';

/**
 * Work older than this is marked due in its cursor before it is sent, so a process that dies on
 * it leaves it findable; anything newer is found again by the deliverer's look (its overlap and
 * a takeover's lookback reach further back than this).
 */
export const MARK_AFTER_MS = 5_000;
/** During a long run, where the cursor stands is saved at most this often (and at its end). */
const SAVE_EVERY_MS = 250;
/** Events one read fetches at most (messages and changes each): a page of a backlog. */
const READ_AHEAD = 100;

/**
 * One conversation's due events for one app, sent in order, one at a time: each after the one
 * before was answered 2xx. Where the cursor stands is saved behind the sends (a crash resends
 * what followed the last save: at least once); a failure sets the retry (or, after the last,
 * disables the endpoint) before anything else happens.
 */
@Injectable()
export class WebhookConversationDelivery {
  private readonly logger = new Logger(WebhookConversationDelivery.name);
  private readonly schedule: number[];

  constructor(
    private readonly appsRepository: AppsRepository,
    private readonly cursors: WebhookCursorsRepository,
    private readonly attemptLog: WebhookAttemptLog,
    private readonly audience: WebhookAudience,
    private readonly starts: WebhookCursorStarts,
    private readonly partitions: WebhookPartitions,
    private readonly positions: WebhookPositions,
    private readonly source: WebhookEventSource,
    private readonly sender: WebhookSender,
    private readonly sealed: WebhookSecrets,
    config: ConfigService<WebhooksSettings, true>,
  ) {
    this.schedule = config.get('WEBHOOK_RETRY_SCHEDULE', { infer: true }).map(durationMs);
  }

  /** Delivers what is due; `stopping` is asked before each attempt. */
  async run(app: App, conversationId: Types.ObjectId, stopping: () => boolean): Promise<void> {
    const webhook = app.webhook!;
    const appId = app._id.toHexString();
    const stored =
      (await this.cursors.find(app._id, conversationId)) ??
      (await this.starts.first(app, conversationId));
    if (!stored) return;
    // Waiting for a retry: not sooner, whatever else happens in the conversation; and after the
    // last one, not until a re-enable resets the attempts.
    if (stored.attempts > 0 && (!stored.dueAt || stored.dueAt.getTime() > Date.now())) return;
    if (stored.generation < webhook.generation) return; // the deliverer moves it first
    const secret = this.sealed.open(webhook.secret);
    let cursor = stored;
    let saved = stored;
    let savedAt = Date.now();
    const save = async (set: Partial<WebhookCursor>): Promise<void> => {
      // Where it stands and its attempts go together: a success resets them, a failure counts.
      const { seq, rev, created, attempts } = cursor;
      await this.cursors.save({ _id: cursor._id, seq, rev, created, attempts, ...set });
      cursor = { ...cursor, ...set };
      saved = cursor;
      savedAt = Date.now();
    };
    const ahead: ReadAhead = { from: cursor, events: [] };
    for (;;) {
      const now = Date.now();
      const left = this.partitions.heldUntil(appId, conversationId, now) - now;
      // Only an attempt that ends (answered or cut off) before the lease does is started; what
      // is left is marked due, for whoever holds the conversation next.
      const active = webhook.status === 'active' && app.webhook?.status === 'active';
      if (stopping() || !active || left < ANSWER_TIMEOUT_MS + 2000) {
        if (cursor !== saved || cursor.dueAt === null) await save({ dueAt: new Date(now) });
        return;
      }
      const event = await this.next(conversationId, cursor, ahead);
      if (!event) {
        if (cursor !== saved || cursor.dueAt !== null) await save({ dueAt: null });
        return;
      }
      if (!(await this.audience.takes(app, conversationId, event))) {
        cursor = { ...cursor, ...event.after, attempts: 0 };
        continue;
      }
      if (cursor.dueAt === null && now - event.at > MARK_AFTER_MS)
        await save({ dueAt: new Date(now) });
      const outcome = await this.sender.send(
        webhook.url,
        secret,
        event.id,
        JSON.stringify(event.body),
      );
      const attempt = cursor.attempts + 1;
      this.attemptLog.add({
        appId: app._id,
        eventId: event.id,
        type: event.type,
        conversationId,
        attempt,
        ...outcome,
        at: new Date(),
      });
      if (succeeded(outcome)) {
        cursor = { ...cursor, ...event.after, attempts: 0 };
        if (Date.now() - savedAt >= SAVE_EVERY_MS) await save({});
        continue;
      }
      if (attempt > this.schedule.length) {
        const reason = `${event.type} ${event.id} failed ${attempt} times; last: ${outcome.error}`;
        await save({ attempts: attempt, dueAt: null });
        await this.appsRepository.updateWebhook(
          app._id,
          { status: 'disabled', disabledReason: reason },
          false,
        );
        app.webhook = { ...webhook, status: 'disabled' };
        this.logger.warn({ appId, reason }, 'Webhook endpoint disabled');
        return;
      }
      await save({ attempts: attempt, dueAt: new Date(Date.now() + this.schedule[attempt - 1]) });
      return;
    }
  }

  /**
   * The event after `cursor`. Events read ahead come first (while the cursor is where the read
   * left them). A first attempt at a message this process stored moments ago is sent as stored,
   * without a read, when no change is known to wait before it; and when the conversation's known
   * head is where the cursor stands, there is nothing to read. Anything else (a retry, a replay,
   * what another process stored, what is not known, a backlog) is read, up to READ_AHEAD events
   * at once: a conversation that fell behind catches up at one read per page, not per event.
   */
  private async next(
    conversationId: Types.ObjectId,
    cursor: WebhookCursor,
    ahead: ReadAhead,
  ): Promise<WebhookEvent | null> {
    if (ahead.events.length > 0 && samePosition(ahead.from, cursor)) {
      const event = ahead.events.shift()!;
      ahead.from = event.after;
      return event;
    }
    ahead.events = [];
    const id = conversationId.toHexString();
    const head = this.positions.head(id);
    if (
      cursor.created &&
      cursor.attempts === 0 &&
      head.rev !== undefined &&
      head.rev <= cursor.rev
    ) {
      const stored = this.positions.message(id, cursor.seq + 1);
      if (stored) return this.source.messageEvent(id, stored, cursor);
      if (head.seq !== undefined && head.seq <= cursor.seq) return null;
    }
    const { events, head: seen } = await this.source.read(conversationId, cursor, READ_AHEAD);
    // What the read saw stored is the head at least (a nudge or the look raises it from there).
    this.positions.raise(id, seen);
    const event = events.shift() ?? null;
    if (event) Object.assign(ahead, { from: event.after, events });
    return event;
  }
}

/** Events read but not sent yet, in order from `from`. */
interface ReadAhead {
  from: Pick<WebhookCursor, 'seq' | 'rev' | 'created'>;
  events: WebhookEvent[];
}

const samePosition = (
  a: Pick<WebhookCursor, 'seq' | 'rev' | 'created'>,
  b: Pick<WebhookCursor, 'seq' | 'rev' | 'created'>,
): boolean => a.seq === b.seq && a.rev === b.rev && a.created === b.created;
