import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import type { Environment } from '../config/environment';
import { AppError } from '../common/errors/app-error';
import { serialize } from '../common/serialize';
import { MetricsService } from '../metrics/metrics.service';
import { ActivityRecorder, type ConversationActivity } from '../conversations/activity-recorder';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import type { SendResult } from '../realtime/realtime.events';
import { MessageDto } from './dto/message.dto';
import { MessageStore, type MessageStorePort, type OrderedInsert } from './message-store';
import { messageIdFor } from './message-id';
import { RecentlyStored } from './recently-stored';
import type { Message } from '../persistence/messages/message.schema';

/** A message to store: everything but the seq, which the writer assigns when it commits. */
export interface MessageDraft {
  conversationId: Types.ObjectId;
  senderId: Types.ObjectId;
  receiverId: Types.ObjectId | null;
  body: string;
  clientMsgId: string | null;
  /** The members to send `message:new` to once it is stored. */
  recipients: readonly string[];
}

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
/** Rounds that look up the next seq from the conversation's lastSeq before scanning messages. */
const HINTED_ATTEMPTS = 5;
/** Later sends of a batch checked for being resends too, when the refused one was one. */
const RESEND_CHECKS = 32;
const MAX_TRACKED_CONVERSATIONS = 10_000;

/** What this process knows of a conversation's seqs. */
interface SeqState {
  /** The highest seq known to be stored (by this process, or found taken). */
  floor: number;
  /** Whether floor + 1 is believed free, so sends can be numbered without a lookup. */
  trusted: boolean;
}

const busy = () => new AppError('UNAVAILABLE', 'The server is too busy right now; retry shortly');

/** The idempotency key of a send with a clientMsgId (one without gets `m:<its _id>`). */
const dedupeKeyOf = (draft: MessageDraft): string => `c:${draft.clientMsgId}`;

/**
 * Group commit: sends that arrive close together are stored with one ordered insert, then
 * emitted and acked; the conversations' activity is written behind (ActivityRecorder).
 *
 * Seqs are assigned at commit from what this process knows of each conversation; the unique
 * (conversationId, seq) index is the arbiter when another process writes the same conversation
 * (its insert fails, and the conversation's next seq is looked up again). A conversation whose
 * next seq is unknown waits out of the batches while it is looked up, so a slow lookup holds up
 * that conversation only. A conversation is in at most one batch at a time, so its seqs stay
 * gap-free and its `message:new` events go out in seq order.
 *
 * Knobs: MESSAGE_BATCH_MAX (1 turns batching off: one message per write), MESSAGE_BATCH_WAIT_MS
 * (how long a short batch may wait to fill) and MESSAGE_WRITES_IN_FLIGHT (batches at once).
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
  private readonly seqs = new Map<string, SeqState>();
  private readonly lookingUp = new Set<string>();
  private readonly recent = new RecentlyStored();
  private inFlight = 0;
  private pumpScheduled = false;
  private waitTimer?: NodeJS.Timeout;

  constructor(
    @Inject(MessageStore) private readonly store: MessageStorePort,
    private readonly activity: ActivityRecorder,
    private readonly broadcaster: ChatBroadcaster,
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.maxBatch = config.get('MESSAGE_BATCH_MAX', { infer: true });
    this.maxWaitMs = config.get('MESSAGE_BATCH_WAIT_MS', { infer: true });
    this.maxInFlight = config.get('MESSAGE_WRITES_IN_FLIGHT', { infer: true });
  }

  /** Resolves once the message is stored and emitted (or was already stored: a duplicate). */
  async write(draft: MessageDraft): Promise<SendResult> {
    // A resend of what this process stored lately: one `_id` read, no insert, no dedupe scan.
    const knownId =
      draft.clientMsgId === null ? undefined : this.recent.get(draft.senderId, dedupeKeyOf(draft));
    const known = knownId ? await this.store.findById(knownId) : null;
    if (known) return { message: serialize(MessageDto, known), duplicate: true };
    return this.enqueue(draft);
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
      const known = this.seqs.get(pending.key)?.trusted === true;
      if (!committing && !known) this.lookUp(pending);
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
    const messages = this.assignSeqs(batch);
    let outcome: OrderedInsert;
    try {
      outcome = await this.store.insertOrdered(messages);
    } catch (error) {
      // Unknown what was stored: look the seqs up again, and let every sender retry (same
      // clientMsgId makes that safe).
      for (const pending of batch) this.remember(pending.key, 0, false);
      this.settle(batch, (pending) => pending.reject(error));
      return;
    }
    this.metrics.messageBatchSize.observe(messages.length);

    const stored = batch.slice(0, outcome.inserted);
    const activity = new Map<string, ConversationActivity>();
    for (const [index, pending] of stored.entries()) {
      const message = messages[index];
      this.remember(pending.key, message.seq, true);
      this.recent.add(message);
      activity.set(pending.key, {
        conversationId: message.conversationId,
        seq: message.seq,
        at: message.createdAt,
      });
    }
    this.metrics.messagesStored.inc(stored.length);
    // Emitted before acking, in seq order: what a sender is acked for, members can already see.
    this.settle(stored, (pending, index) => {
      const dto = serialize(MessageDto, messages[index]);
      this.broadcaster.toUsers(pending.draft.recipients, 'message:new', dto);
      pending.resolve({ message: dto, duplicate: false });
    });

    if (outcome.refused) {
      const after = batch.slice(outcome.inserted + 1);
      if (outcome.laterUnknown) {
        // Some of these may be stored: never store them again; their senders retry.
        for (const pending of after) this.remember(pending.key, 0, false);
        this.settle(after, (pending) => pending.reject(busy()));
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
    const duplicates = refused.duplicateKey
      ? await this.findResent(failed, later)
      : new Map<Pending, Message>();
    const earlier = duplicates.get(failed);
    const resent = later.filter((pending) => duplicates.has(pending));
    this.settle(resent, (pending) => {
      const stored = duplicates.get(pending) as Message;
      pending.resolve({ message: serialize(MessageDto, stored), duplicate: true });
    });
    const requeue = later.filter((pending) => !duplicates.has(pending));
    if (earlier) {
      // This clientMsgId was stored before: answer with that message; its seq is still free.
      this.settle([failed], (pending) =>
        pending.resolve({ message: serialize(MessageDto, earlier), duplicate: true }),
      );
    } else if (refused.duplicateKey) {
      // Another process stored this seq: the conversation's next seq is looked up again.
      this.remember(failed.key, message.seq, false);
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
   * The already stored message of each send that resends a clientMsgId, found by the `_id` its
   * key maps to (messageIdFor). The later sends are checked only when the refused one was a
   * resend (resends come in clusters); a seq taken by another process costs one read. A message
   * stored before ids were derived is found by its key, which scans on FerretDB: only for the
   * refused send, once it was refused before.
   */
  private async findResent(failed: Pending, later: Pending[]): Promise<Map<Pending, Message>> {
    const duplicates = new Map<Pending, Message>();
    const first = await this.storedById(failed);
    if (first) {
      duplicates.set(failed, first);
      const keyed = later.filter((p) => p.draft.clientMsgId !== null).slice(0, RESEND_CHECKS);
      const found = await Promise.all(keyed.map((pending) => this.storedById(pending)));
      keyed.forEach((pending, index) => {
        const message = found[index];
        if (message) duplicates.set(pending, message);
      });
    } else if (failed.draft.clientMsgId !== null && failed.attempts > 0) {
      const legacy = await this.store
        .findDuplicate(failed.draft.senderId, dedupeKeyOf(failed.draft))
        .catch(() => null);
      if (legacy) duplicates.set(failed, legacy);
    }
    for (const message of duplicates.values()) this.recent.add(message);
    return duplicates;
  }

  /** The stored message a send with a clientMsgId resends, if any. */
  private async storedById({ draft }: Pending): Promise<Message | null> {
    if (draft.clientMsgId === null) return null;
    const id = messageIdFor(draft.senderId, draft.clientMsgId);
    const found = await this.store.findById(id).catch(() => null);
    return found && found.senderId.equals(draft.senderId) ? found : null;
  }

  /** Numbers each send from its conversation's floor, in arrival order. */
  private assignSeqs(batch: Pending[]): Message[] {
    const next = new Map<string, number>();
    const createdAt = new Date();
    return batch.map(({ draft, key }) => {
      const seq = next.get(key) ?? (this.seqs.get(key)?.floor ?? 0) + 1;
      next.set(key, seq + 1);
      const _id =
        draft.clientMsgId === null
          ? new Types.ObjectId()
          : messageIdFor(draft.senderId, draft.clientMsgId);
      return {
        _id,
        conversationId: draft.conversationId,
        seq,
        senderId: draft.senderId,
        receiverId: draft.receiverId,
        body: draft.body,
        clientMsgId: draft.clientMsgId,
        dedupeKey: draft.clientMsgId === null ? `m:${_id.toHexString()}` : dedupeKeyOf(draft),
        createdAt,
        editedAt: null,
        deletedAt: null,
      };
    });
  }

  /**
   * Finds the conversation's latest seq, beside the batches. First from its recorded lastSeq
   * (an `_id` lookup, never ahead of the messages, at most moments behind); only after repeated
   * collisions from the messages themselves, which on FerretDB scans the whole collection
   * (seconds at 100,000 messages). A lookup that fails fails the conversation's queued sends.
   */
  private lookUp(pending: Pending): void {
    const { key, attempts } = pending;
    if (this.lookingUp.has(key)) return;
    this.lookingUp.add(key);
    const conversationId = pending.draft.conversationId;
    const read = async () => {
      // A random pause breaks the lockstep in which two processes keep taking each other's seq.
      if (attempts > 0) await new Promise((done) => setTimeout(done, Math.random() * 5 * attempts));
      return attempts < HINTED_ATTEMPTS
        ? this.store.lastSeqHint(conversationId)
        : this.store.latestSeq(conversationId);
    };
    read()
      .then(
        (latest) => this.remember(key, latest, true),
        (error: unknown) => this.failQueued(key, error),
      )
      .finally(() => {
        this.lookingUp.delete(key);
        this.schedulePump();
      });
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

  /** Raises the floor (never lowers it) and sets whether floor + 1 can be used without a lookup. */
  private remember(key: string, stored: number, trusted: boolean): void {
    const floor = Math.max(this.seqs.get(key)?.floor ?? 0, stored);
    this.seqs.delete(key);
    if (this.seqs.size >= MAX_TRACKED_CONVERSATIONS) {
      const oldest = this.seqs.keys().next();
      if (!oldest.done) this.seqs.delete(oldest.value);
    }
    this.seqs.set(key, { floor, trusted });
  }
}
