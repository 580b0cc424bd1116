import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import { ConcurrencyLimit } from '../common/concurrency-limit';
import type { WebhooksSettings } from './webhooks.settings';
import type { App } from '../persistence/apps/app.schema';
import { AppsRepository } from '../persistence/apps/apps.repository';
import { ChangesRepository } from '../persistence/changes/changes.repository';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { WebhookAttemptsRepository } from '../persistence/webhook-attempts/webhook-attempts.repository';
import {
  cursorKey,
  WebhookCursorsRepository,
} from '../persistence/webhook-cursors/webhook-cursors.repository';
import { WebhookAudience } from './webhook-audience';
import { WebhookCursorStarts } from './webhook-cursor-starts';
import { WebhookEventSource } from './webhook-event-source';
import { PARTITIONS, SLOT_MS, WebhookPartitions } from './webhook-partitions';
import { WebhookSecrets } from './webhook-secrets';
import { ANSWER_TIMEOUT_MS, succeeded, WebhookSender } from './webhook-sender';
import { durationMs } from './webhooks.settings';

/** How often each process looks for new events (and renews its partitions). */
const TICK_MS = 500;
/** How far back each look reaches: a message's time is set a little before it becomes visible. */
const OVERLAP_MS = 10_000;
/** How far back a process looks when it takes a partition over: past the last holder's looks. */
const TAKEOVER_LOOKBACK_MS = 2 * SLOT_MS + OVERLAP_MS;
/** Conversations one process delivers to at once (each in order, one event at a time). */
const IN_FLIGHT = 16;
const DUE_PER_TICK = 500;
/** The deliveries list reaches back a week; older attempts are removed every few minutes. */
const ATTEMPTS_KEPT_MS = 7 * 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 5 * 60 * 1000;

/**
 * Delivers every stored event to every active endpoint, at least once and in order per
 * conversation, from stored state alone: what is due is found from the messages and changes
 * (by time) and from the cursors (where each conversation stands, and retries), so a process
 * that dies loses nothing; the conversation's partition lease keeps two processes from sending
 * for one conversation at once. An event is sent after the one before it in its conversation was
 * answered 2xx; after the last retry the endpoint is disabled, its cursors kept, and a re-enable
 * resumes from them.
 */
@Injectable()
export class WebhookDeliverer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly schedule: number[];
  private readonly limit = new ConcurrencyLimit(IN_FLIGHT);
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private apps: App[] = [];
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopping = false;
  private lookFrom: number | null = null;
  private failing = false;
  private prunedAt = 0;
  /** The replay generation each app's replay was looked for, by this process. */
  private readonly replayed = new Map<string, number>();

  constructor(
    private readonly appsRepository: AppsRepository,
    private readonly cursors: WebhookCursorsRepository,
    private readonly attempts: WebhookAttemptsRepository,
    private readonly messages: MessagesRepository,
    private readonly changes: ChangesRepository,
    private readonly audience: WebhookAudience,
    private readonly starts: WebhookCursorStarts,
    private readonly partitions: WebhookPartitions,
    private readonly source: WebhookEventSource,
    private readonly sender: WebhookSender,
    private readonly sealed: WebhookSecrets,
    config: ConfigService<WebhooksSettings, true>,
  ) {
    this.schedule = config.get('WEBHOOK_RETRY_SCHEDULE', { infer: true }).map(durationMs);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    // An attempt in flight is answered or cut off within the answer timeout.
    await Promise.allSettled([...this.draining.values()]);
  }

  /** A conversation just stored something: delivered now if this process holds it. */
  nudge(conversationId: Types.ObjectId): void {
    for (const app of this.apps) this.drain(app, conversationId);
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    try {
      await this.look();
      if (this.failing) this.logger.log('Webhook delivery is reading the database again');
      this.failing = false;
    } catch (error) {
      // The database is away: the next tick looks again (nothing is lost: the state is stored).
      if (!this.failing)
        this.logger.warn({ err: error }, 'Webhook delivery could not look for work');
      this.failing = true;
    } finally {
      this.ticking = false;
    }
  }

  private async look(): Promise<void> {
    const now = Date.now();
    this.apps = await this.appsRepository.withActiveWebhooks();
    let from = this.lookFrom ?? now - TAKEOVER_LOOKBACK_MS;
    const held = new Map<string, boolean[]>();
    for (const app of this.apps) {
      const id = app._id.toHexString();
      const mine: boolean[] = [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        mine.push(
          await this.partitions.hold(id, partition, now, () => {
            from = Math.min(from, now - TAKEOVER_LOOKBACK_MS);
          }),
        );
      }
      held.set(id, mine);
    }
    if (![...held.values()].some((mine) => mine.includes(true))) {
      this.lookFrom = null;
      return;
    }
    const since = new Date(from);
    const touched = new Map<string, Types.ObjectId>();
    for (const id of [
      ...(await this.messages.touchedSince(since)),
      ...(await this.changes.touchedSince(since)),
    ]) {
      touched.set(id.toHexString(), id);
    }
    this.lookFrom = now - OVERLAP_MS;
    if (now - this.prunedAt > PRUNE_EVERY_MS) {
      this.prunedAt = now;
      await this.attempts.removeBefore(new Date(now - ATTEMPTS_KEPT_MS));
    }
    for (const app of this.apps) {
      await this.applyGeneration(app);
      const due = await this.cursors.due(app._id, new Date(now), DUE_PER_TICK);
      for (const conversationId of [...touched.values(), ...due]) this.drain(app, conversationId);
    }
  }

  /** A replay or a re-enable since the cursors were last moved: applied to the held ones. */
  private async applyGeneration(app: App): Promise<void> {
    const webhook = app.webhook;
    if (!webhook) return;
    const behind = await this.cursors.behind(app._id, webhook.generation, DUE_PER_TICK);
    const now = Date.now();
    const id = app._id.toHexString();
    for (const cursor of behind) {
      if (!this.partitions.heldUntil(id, cursor.conversationId, now)) continue;
      const replay = webhook.replaySince && cursor.generation < webhook.replayGeneration;
      const moved = replay ? await this.starts.rewound(cursor, webhook.replaySince!) : {};
      await this.cursors.save({
        _id: cursor._id,
        ...moved,
        attempts: 0,
        dueAt: new Date(now),
        generation: webhook.generation,
      });
    }
    // A replay reaches conversations that have no cursor yet, or whose cursor is held elsewhere:
    // each process looks once per replay (not on every tick after it).
    const latest = webhook.replayGeneration;
    if (webhook.replaySince && latest === webhook.generation && this.replayed.get(id) !== latest) {
      this.replayed.set(id, latest);
      const since = webhook.replaySince;
      for (const conversationId of [
        ...(await this.messages.touchedSince(since)),
        ...(await this.changes.touchedSince(since)),
      ]) {
        if (this.partitions.heldUntil(id, conversationId, now)) this.drain(app, conversationId);
      }
    }
  }

  /** Delivers the conversation's due events, unless this process is already at it (then again after). */
  private drain(app: App, conversationId: Types.ObjectId): void {
    if (this.stopping || app.webhook?.status !== 'active') return;
    if (!this.partitions.heldUntil(app._id.toHexString(), conversationId, Date.now())) return;
    const key = cursorKey(app._id, conversationId);
    if (this.draining.has(key)) {
      this.again.add(key);
      return;
    }
    const run = this.limit
      .run(async () => {
        do {
          this.again.delete(key);
          await this.deliver(app, conversationId);
        } while (this.again.has(key) && !this.stopping);
      })
      .catch((error: unknown) => {
        // The database went away mid-way: the cursor says where to resume (it is due).
        this.logger.warn({ err: error, key }, 'Webhook delivery interrupted');
      })
      .finally(() => this.draining.delete(key));
    this.draining.set(key, run);
  }

  private async deliver(app: App, conversationId: Types.ObjectId): Promise<void> {
    const webhook = app.webhook!;
    const appId = app._id.toHexString();
    let cursor =
      (await this.cursors.find(app._id, conversationId)) ??
      (await this.starts.first(app, conversationId));
    if (!cursor) return;
    // Waiting for a retry: not sooner, whatever else happens in the conversation; and after the
    // last one, not until a re-enable resets the attempts.
    if (cursor.attempts > 0 && (!cursor.dueAt || cursor.dueAt.getTime() > Date.now())) return;
    if (cursor.generation < webhook.generation) return; // applyGeneration moves it first
    const secret = this.sealed.open(webhook.secret);
    for (;;) {
      const now = Date.now();
      if (webhook.status !== 'active' || app.webhook?.status !== 'active') return;
      // Only an attempt that ends (answered or cut off) before the lease does is started.
      if (
        this.stopping ||
        this.partitions.heldUntil(appId, conversationId, now) - now < ANSWER_TIMEOUT_MS + 2000
      ) {
        return;
      }
      const event = await this.source.next(conversationId, cursor);
      if (!event) {
        if (cursor.dueAt !== null) await this.cursors.save({ _id: cursor._id, dueAt: null });
        return;
      }
      if (!(await this.audience.takes(app, conversationId, event))) {
        cursor = { ...cursor, ...event.after, attempts: 0 };
        await this.cursors.save({ _id: cursor._id, ...event.after, attempts: 0 });
        continue;
      }
      if (cursor.dueAt === null) {
        // Marked before the attempt: work cut off here is found again by whoever holds it next.
        cursor = { ...cursor, dueAt: new Date(now) };
        await this.cursors.save({ _id: cursor._id, dueAt: cursor.dueAt });
      }
      const outcome = await this.sender.send(
        webhook.url,
        secret,
        event.id,
        JSON.stringify(event.body),
      );
      const attempt = cursor.attempts + 1;
      await this.attempts.record({
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
        await this.cursors.save({ _id: cursor._id, ...event.after, attempts: 0 });
        continue;
      }
      if (attempt > this.schedule.length) {
        const reason = `${event.type} ${event.id} failed ${attempt} times; last: ${outcome.error}`;
        await this.cursors.save({ _id: cursor._id, attempts: attempt, dueAt: null });
        await this.appsRepository.updateWebhook(
          app._id,
          { status: 'disabled', disabledReason: reason },
          false,
        );
        app.webhook = { ...webhook, status: 'disabled' };
        this.logger.warn({ appId, reason }, 'Webhook endpoint disabled');
        return;
      }
      await this.cursors.save({
        _id: cursor._id,
        attempts: attempt,
        dueAt: new Date(Date.now() + this.schedule[attempt - 1]),
      });
      return;
    }
  }
}
