import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ChatSettings } from '../chat.settings';
import { AppError } from '../../common/errors/app-error';
import { MetricsService } from '../../metrics/metrics.service';
import { ActivityRecorder, type ConversationActivity } from '../../conversations/activity-recorder';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { SendResult } from '../../realtime/realtime.events';
import { messageView } from '../../common/dto/message-view';
import type { Message } from '../../persistence/messages/message.schema';
import type { MessageDraft } from './message-draft';
import { MessageStore, type MessageStorePort, type OrderedInsert } from './message-store';
import { MessagesStored } from '../edits/message-events';
import { ReadGate } from '../../common/read-gate';
import { RESEND_READS, ResendResolver } from './resend-resolver';
import { Sequencer } from './sequencer';

interface Pending {
  draft: MessageDraft;
  key: string;
  queuedAt: number;
  attempts: number;
  resolve: (result: SendResult) => void;
  reject: (error: unknown) => void;
}

/** Sends waiting per conversation (and in all) before more are refused as UNAVAILABLE. */
export const MAX_QUEUED_PER_CONVERSATION = 200;
const MAX_QUEUED = 20_000;
/** Rounds a message may lose its seq to another process before it is refused. */
const MAX_ATTEMPTS = 50;

const busy = () => new AppError('UNAVAILABLE', 'The server is too busy right now; retry shortly');
/**
 * Group commit: sends that arrive close together are stored with one ordered insert, then
 * emitted and acked; the conversations' activity is written behind (ActivityRecorder).
 *
 * Seqs are assigned at commit from what this process knows of each conversation; the unique
 * (conversationId, seq) index is the arbiter when another process writes the same conversation
 * (its insert fails, and the conversation's next seq is looked up again). A conversation whose
 * next seq is unknown waits out of the batches while it is looked up, so a slow lookup holds up
 * that conversation only. A conversation is in at most one batch at a time, so its seqs stay
 * gap-free and its `message:new` events go out in seq order. Its knobs are ChatSettings'
 * MESSAGE_BATCH_MAX, MESSAGE_BATCH_WAIT_MS and MESSAGE_WRITES_IN_FLIGHT.
 */
@Injectable()
export class MessageWriter {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;

  private queue: Pending[] = [];
  private readonly queuedPerConversation = new Map<string, number>();
  /** Conversations in a batch being committed: their later sends wait for the next batch. */
  private readonly committing = new Set<string>();
  private readonly sequencer: Sequencer;
  private readonly resends: ResendResolver;
  private inFlight = 0;
  private pumpScheduled = false;
  private waitTimer?: NodeJS.Timeout;

  constructor(
    @Inject(MessageStore) private readonly store: MessageStorePort,
    private readonly activity: ActivityRecorder,
    private readonly events: EventEmitter2,
    private readonly metrics: MetricsService,
    config: ConfigService<ChatSettings, true>,
  ) {
    this.maxBatch = config.get('MESSAGE_BATCH_MAX', { infer: true });
    this.maxWaitMs = config.get('MESSAGE_BATCH_WAIT_MS', { infer: true });
    this.maxInFlight = config.get('MESSAGE_WRITES_IN_FLIGHT', { infer: true });
    this.sequencer = new Sequencer(store, () => this.schedulePump());
    this.resends = new ResendResolver(
      store,
      new ReadGate(RESEND_READS, () => metrics.resendLookupsShed.inc()),
    );
    metrics.writerLoad.report(() => ({
      queued: this.queue.length,
      committing: this.inFlight,
      seq_lookups: this.sequencer.lookups,
    }));
  }

  /** Resolves once the message is stored and emitted (or was already stored: a duplicate). */
  async write(draft: MessageDraft): Promise<SendResult> {
    const known = await this.resends.storedLately(draft);
    if (known) return { message: messageView(known), duplicate: true };
    return this.enqueue(draft);
  }

  /**
   * This process has just become the conversation's writer (SendRouter): another may have
   * written it since, so its next seq is looked up before the next batch.
   */
  reseat(conversationId: string): void {
    this.sequencer.remember(conversationId, 0, false);
  }

  private enqueue(draft: MessageDraft): Promise<SendResult> {
    const key = draft.conversationId.toHexString();
    const queued = this.queuedPerConversation.get(key) ?? 0;
    // Past the bound, refusing at once beats acking seconds later (clients retry, same clientMsgId).
    if (queued >= MAX_QUEUED_PER_CONVERSATION || this.queue.length >= MAX_QUEUED) {
      return Promise.reject(busy());
    }
    this.queuedPerConversation.set(key, queued + 1);
    return new Promise<SendResult>((resolve, reject) => {
      this.queue.push({ draft, key, queuedAt: Date.now(), attempts: 0, resolve, reject });
      this.schedulePump();
    });
  }

  /** Pumps on the next turn of the event loop, so sends that arrived together share a batch. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      const batch = this.takeBatch();
      if (!batch) return;
      this.inFlight += 1;
      for (const pending of batch) this.committing.add(pending.key);
      void this.commit(batch).finally(() => {
        for (const pending of batch) this.committing.delete(pending.key);
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /**
   * The oldest sends whose conversations are neither being committed nor looked up, up to the
   * batch size; starts the lookup of conversations whose next seq is unknown.
   */
  private takeBatch(): Pending[] | null {
    const limit = Math.min(this.maxBatch, this.store.maxOrderedInsert);
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const pending of this.queue) {
      const committing = this.committing.has(pending.key);
      const known = this.sequencer.isTrusted(pending.key);
      if (!committing && !known) {
        const { key, draft, attempts } = pending;
        this.sequencer.lookUp(key, draft.conversationId, attempts, (failed, error) =>
          this.failQueued(failed, error),
        );
      }
      if (!committing && known && batch.length < limit) batch.push(pending);
      else rest.push(pending);
    }
    if (batch.length === 0) return null;
    const waitLeft = batch[0].queuedAt + this.maxWaitMs - Date.now();
    if (batch.length < limit && waitLeft > 0) {
      this.waitTimer ??= setTimeout(() => {
        this.waitTimer = undefined;
        this.pump();
      }, waitLeft);
      return null;
    }
    this.queue = rest;
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const messages = this.sequencer.assign(batch);
    let outcome: OrderedInsert;
    try {
      outcome = await this.store.insertOrdered(messages);
    } catch (error) {
      // Unknown what was stored.
      this.retryLater(batch, () => error);
      return;
    }
    this.metrics.messageBatchSize.observe(messages.length);

    const stored = batch.slice(0, outcome.inserted);
    const activity = new Map<string, ConversationActivity>();
    for (const [index, pending] of stored.entries()) {
      const message = messages[index];
      this.sequencer.remember(pending.key, message.seq, true);
      this.resends.stored(message);
      activity.set(pending.key, {
        conversationId: message.conversationId,
        seq: message.seq,
        at: message.createdAt,
      });
    }
    this.metrics.messagesStored.inc(stored.length);
    // Published before acking, in seq order: what a sender is acked for, members can already see.
    const dtos = stored.map((_, index) => messageView(messages[index]));
    this.events.emit(
      MessagesStored.event,
      new MessagesStored(
        stored.map(({ draft }, index) => ({ message: dtos[index], recipients: draft.recipients })),
      ),
    );
    this.settle(stored, (pending, index) =>
      pending.resolve({ message: dtos[index], duplicate: false }),
    );

    if (outcome.refused) {
      const after = batch.slice(outcome.inserted + 1);
      if (outcome.laterUnknown) {
        // Some of these may be stored: never store them again; their senders retry.
        this.retryLater(after, busy);
      }
      await this.handleRefused(
        batch[outcome.inserted],
        messages[outcome.inserted],
        outcome.laterUnknown ? [] : after,
        outcome.refused,
      );
    }
    if (activity.size === 0) return;
    // With batching off, the naive path: one activity update per message, before the next.
    if (this.maxBatch === 1) await this.activity.write([...activity.values()]);
    else this.activity.note([...activity.values()]);
  }

  /**
   * The ordered insert stopped at `failed`: settle that send if we can, and put it (when its seq
   * was taken) and the later ones (`requeue`) back at the front of the queue. Seqs were handed
   * out from each conversation's floor, which only stored messages raised, so none is skipped.
   */
  private async handleRefused(
    failed: Pending,
    message: Message,
    later: Pending[],
    refused: { duplicateKey: boolean; error: unknown },
  ): Promise<void> {
    // Which index refused it is not said by every server (FerretDB is silent), so resent
    // clientMsgIds are looked up: this one's and the later sends', because resends arrive in
    // clusters (after a reconnect, or from a dead process's clients).
    let duplicates = new Map<Pending, Message>();
    try {
      if (refused.duplicateKey) duplicates = await this.resends.find(failed, later);
    } catch {
      // Too many resend lookups waiting: whether the refused seq is taken stays unknown.
      this.retryLater([failed, ...later], busy);
      return;
    }
    const earlier = duplicates.get(failed);
    const resent = later.filter((pending) => duplicates.has(pending));
    this.settle(resent, (pending) => {
      const stored = duplicates.get(pending) as Message;
      pending.resolve({ message: messageView(stored), duplicate: true });
    });
    const requeue = later.filter((pending) => !duplicates.has(pending));
    if (earlier) {
      // This clientMsgId was stored before: answer with that message; its seq is still free.
      this.settle([failed], (pending) =>
        pending.resolve({ message: messageView(earlier), duplicate: true }),
      );
    } else if (refused.duplicateKey) {
      // Another process stored this seq: the conversation's next seq is looked up again.
      this.sequencer.remember(failed.key, message.seq, false);
      failed.attempts += 1;
      if (failed.attempts >= MAX_ATTEMPTS) {
        this.settle([failed], (pending) => pending.reject(busy()));
      } else {
        requeue.unshift(failed);
      }
    } else {
      this.settle([failed], (pending) => pending.reject(refused.error));
    }
    this.queue = [...requeue, ...this.queue];
    if (requeue.length > 0) this.schedulePump();
  }

  /**
   * Refuses sends whose seqs may or may not be taken now: their conversations' next seqs are
   * looked up again before they go on, and their senders retry (the same clientMsgId is safe).
   */
  private retryLater(pendings: Pending[], reason: () => unknown): void {
    for (const pending of pendings) this.sequencer.remember(pending.key, 0, false);
    this.settle(pendings, (pending) => pending.reject(reason()));
  }

  private failQueued(key: string, error: unknown): void {
    const failing = this.queue.filter((pending) => pending.key === key);
    this.queue = this.queue.filter((pending) => pending.key !== key);
    this.settle(failing, (pending) => pending.reject(error));
  }

  /** Settles sends that leave the queue for good, keeping the per-conversation counts right. */
  private settle(pendings: Pending[], outcome: (pending: Pending, index: number) => void): void {
    for (const [index, pending] of pendings.entries()) {
      const left = (this.queuedPerConversation.get(pending.key) ?? 1) - 1;
      if (left > 0) this.queuedPerConversation.set(pending.key, left);
      else this.queuedPerConversation.delete(pending.key);
      outcome(pending, index);
    }
  }
}
