import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Types } from 'mongoose';
import { ConcurrencyLimit } from '../common/concurrency-limit';
import type { App } from '../persistence/apps/app.schema';
import { AppsRepository } from '../persistence/apps/apps.repository';
import { ChangesRepository } from '../persistence/changes/changes.repository';
import { MessagesRepository } from '../persistence/messages/messages.repository';
import { WebhookAttemptsRepository } from '../persistence/webhook-attempts/webhook-attempts.repository';
import {
  cursorKey,
  WebhookCursorsRepository,
} from '../persistence/webhook-cursors/webhook-cursors.repository';
import { WebhookConversationDelivery } from './webhook-conversation-delivery';
import { WebhookCursorStarts } from './webhook-cursor-starts';
import { PARTITIONS, SLOT_MS, WebhookPartitions } from './webhook-partitions';
import { WebhookPositions } from './webhook-positions';

/** How often each process renews its partitions and looks for retries that are due. */
const TICK_MS = 500;
/**
 * How often it looks for what was stored since its last look: what other processes stored, or
 * what this one stored without hearing of it (the nudges are only a fast path).
 */
const LOOK_EVERY_MS = 2_000;
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
export class WebhookDeliverer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliverer.name);
  private readonly limit = new ConcurrencyLimit(IN_FLIGHT);
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private apps: App[] = [];
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopping = false;
  private lookFrom: number | null = null;
  private lookedAt = 0;
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
    private readonly starts: WebhookCursorStarts,
    private readonly partitions: WebhookPartitions,
    private readonly positions: WebhookPositions,
    private readonly delivery: WebhookConversationDelivery,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
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
    const touched = new Map<string, Types.ObjectId>();
    if (this.lookFrom === null || from < this.lookFrom || now - this.lookedAt >= LOOK_EVERY_MS) {
      const since = new Date(from);
      const [messages, changes] = await Promise.all([
        this.messages.touchedSince(since),
        this.changes.touchedSince(since),
      ]);
      for (const [id, seq] of messages) this.positions.raise(id, { seq });
      for (const [id, rev] of changes) this.positions.raise(id, { rev });
      for (const id of [...messages.keys(), ...changes.keys()]) {
        touched.set(id, new Types.ObjectId(id));
      }
      this.lookFrom = now - OVERLAP_MS;
      this.lookedAt = now;
    }
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
      const [messages, changes] = await Promise.all([
        this.messages.touchedSince(since),
        this.changes.touchedSince(since),
      ]);
      for (const key of new Set([...messages.keys(), ...changes.keys()])) {
        const conversationId = new Types.ObjectId(key);
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
          await this.delivery.run(app, conversationId, () => this.stopping);
        } while (this.again.has(key) && !this.stopping);
      })
      .catch((error: unknown) => {
        // The database went away mid-way: the cursor says where to resume (it is due).
        this.logger.warn({ err: error, key }, 'Webhook delivery interrupted');
      })
      .finally(() => this.draining.delete(key));
    this.draining.set(key, run);
  }
}
