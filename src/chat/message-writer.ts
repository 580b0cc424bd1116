import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import type { Environment } from '../config/environment';
import { AppError } from '../common/errors/app-error';
import { serialize } from '../common/serialize';
import { MetricsService } from '../metrics/metrics.service';
import { ChatBroadcaster } from '../realtime/chat-broadcaster';
import type { SendResult } from './chat.events';
import { MessageDto } from './dto/message.dto';
import {
  ConversationActivity,
  MessageStore,
  type MessageStorePort,
  type OrderedInsert,
} from './message-store';
import type { Message } from './schemas/message.schema';

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
const MAX_CACHED_CONVERSATIONS = 10_000;

const busy = () => new AppError('UNAVAILABLE', 'The server is too busy right now; retry shortly');

/**
 * Group commit: sends that arrive close together are stored with one ordered insert and one
 * activity update, then emitted and acked. Seqs are assigned at commit, from a per-process
 * cache of each conversation's next seq; the unique (conversationId, seq) index is the arbiter
 * when another process writes the same conversation (its insert fails and the seq is reread).
 * A conversation is in at most one batch at a time, so its seqs stay gap-free and its
 * `message:new` events go out in seq order.
 *
 * Knobs: MESSAGE_BATCH_MAX (1 turns batching off: one message per write), MESSAGE_BATCH_WAIT_MS
 * (how long a short batch may wait to fill) and MESSAGE_WRITES_IN_FLIGHT (batches at once).
 */
@Injectable()
export class MessageWriter {
  private readonly logger = new Logger(MessageWriter.name);
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxInFlight: number;

  private queue: Pending[] = [];
  private readonly queuedPerConversation = new Map<string, number>();
  /** Conversations in a batch being committed: their later sends wait for the next batch. */
  private readonly committing = new Set<string>();
  private readonly nextSeq = new Map<string, number>();
  private inFlight = 0;
  private pumpScheduled = false;
  private waitTimer?: NodeJS.Timeout;

  constructor(
    @Inject(MessageStore) private readonly store: MessageStorePort,
    private readonly broadcaster: ChatBroadcaster,
    private readonly metrics: MetricsService,
    config: ConfigService<Environment, true>,
  ) {
    this.maxBatch = config.get('MESSAGE_BATCH_MAX', { infer: true });
    this.maxWaitMs = config.get('MESSAGE_BATCH_WAIT_MS', { infer: true });
    this.maxInFlight = config.get('MESSAGE_WRITES_IN_FLIGHT', { infer: true });
  }

  /** Resolves once the message is stored and emitted (or was already stored: a duplicate). */
  write(draft: MessageDraft): Promise<SendResult> {
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

  /** The oldest sends whose conversations are not being committed, up to the batch size. */
  private takeBatch(): Pending[] | null {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const pending of this.queue) {
      if (batch.length < this.maxBatch && !this.committing.has(pending.key)) batch.push(pending);
      else rest.push(pending);
    }
    if (batch.length === 0) return null;
    const waitLeft = batch[0].queuedAt + this.maxWaitMs - Date.now();
    if (batch.length < this.maxBatch && waitLeft > 0) {
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
    let messages: Message[];
    let outcome: OrderedInsert;
    try {
      messages = await this.assignSeqs(batch);
      outcome = await this.store.insertOrdered(messages);
    } catch (error) {
      // Unknown what was stored: forget the seqs and let every sender retry (same clientMsgId).
      for (const pending of batch) this.nextSeq.delete(pending.key);
      this.settle(batch, (pending) => pending.reject(error));
      return;
    }
    this.metrics.messageBatchSize.observe(messages.length);

    const stored = batch.slice(0, outcome.inserted);
    const activity = new Map<string, ConversationActivity>();
    for (const [index, pending] of stored.entries()) {
      const message = messages[index];
      this.rememberNextSeq(pending.key, message.seq + 1);
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

    if (outcome.refused)
      await this.handleRefused(batch, messages, outcome.inserted, outcome.refused);
    if (activity.size > 0) await this.noteActivity([...activity.values()]);
  }

  /**
   * The ordered insert stopped at `index`: settle that send if we can, put it (when its seq was
   * taken) and every later one back at the front of the queue for the next batch, and leave each
   * conversation's next seq at its first unstored one, so no seq is skipped.
   */
  private async handleRefused(
    batch: Pending[],
    messages: Message[],
    index: number,
    refused: { duplicateKey: boolean; error: unknown },
  ): Promise<void> {
    const failed = batch[index];
    const requeue = batch.slice(index + 1);
    // Seqs were handed out contiguously, so another conversation's first unstored seq is next.
    const seen = new Set<string>([failed.key]);
    for (let position = index + 1; position < batch.length; position += 1) {
      const { key } = batch[position];
      if (seen.has(key)) continue;
      seen.add(key);
      this.rememberNextSeq(key, messages[position].seq);
    }
    const earlier =
      refused.duplicateKey && failed.draft.clientMsgId !== null
        ? await this.store
            .findDuplicate(failed.draft.senderId, messages[index].dedupeKey)
            .catch(() => null)
        : null;
    if (earlier) {
      // This clientMsgId was stored before: answer with that message; its seq is still free.
      this.rememberNextSeq(failed.key, messages[index].seq);
      this.settle([failed], (pending) =>
        pending.resolve({ message: serialize(MessageDto, earlier), duplicate: true }),
      );
    } else if (refused.duplicateKey) {
      // Another process stored this seq: reread the conversation's latest before trying again.
      this.nextSeq.delete(failed.key);
      failed.attempts += 1;
      if (failed.attempts >= MAX_ATTEMPTS)
        this.settle([failed], (pending) => pending.reject(busy()));
      else requeue.unshift(failed);
      // A random pause breaks the lockstep in which two processes keep taking each other's seq.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    } else {
      this.rememberNextSeq(failed.key, messages[index].seq);
      this.settle([failed], (pending) => pending.reject(refused.error));
    }
    this.queue = [...requeue, ...this.queue];
    if (requeue.length > 0) this.schedulePump();
  }

  /** Gives each send the next seq of its conversation, reading it for conversations not cached. */
  private async assignSeqs(batch: Pending[]): Promise<Message[]> {
    const unknown = [...new Set(batch.map((pending) => pending.key))].filter(
      (key) => !this.nextSeq.has(key),
    );
    const latest = await Promise.all(
      unknown.map((key) => this.store.latestSeq(new Types.ObjectId(key))),
    );
    const next = new Map(unknown.map((key, i) => [key, latest[i] + 1]));
    for (const pending of batch) {
      if (!next.has(pending.key)) next.set(pending.key, this.nextSeq.get(pending.key) ?? 1);
    }
    const createdAt = new Date();
    return batch.map(({ draft, key }) => {
      const seq = next.get(key) ?? 1;
      next.set(key, seq + 1);
      const _id = new Types.ObjectId();
      return {
        _id,
        conversationId: draft.conversationId,
        seq,
        senderId: draft.senderId,
        receiverId: draft.receiverId,
        body: draft.body,
        clientMsgId: draft.clientMsgId,
        dedupeKey: draft.clientMsgId === null ? `m:${_id.toHexString()}` : `c:${draft.clientMsgId}`,
        createdAt,
        editedAt: null,
        deletedAt: null,
      };
    });
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

  private rememberNextSeq(key: string, next: number): void {
    this.nextSeq.delete(key);
    if (this.nextSeq.size >= MAX_CACHED_CONVERSATIONS) {
      const oldest = this.nextSeq.keys().next();
      if (!oldest.done) this.nextSeq.delete(oldest.value);
    }
    this.nextSeq.set(key, next);
  }

  /** The conversation list's order is a hint: a failure here must not fail stored messages. */
  private async noteActivity(activity: ConversationActivity[]): Promise<void> {
    try {
      await this.store.noteActivity(activity);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not record conversation activity');
    }
  }
}
