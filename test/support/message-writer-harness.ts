import type { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import type { Environment } from '../../src/environment';
import { MetricsService } from '../../src/metrics/metrics.service';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MessagesStored } from '../../src/chat/edits/message-events';
import {
  ActivityRecorder,
  type ConversationActivity,
} from '../../src/conversations/activity-recorder';
import type { MessageStorePort, OrderedInsert } from '../../src/chat/sending/message-store';
import type { MessageDraft } from '../../src/chat/sending/message-draft';
import { MessageWriter } from '../../src/chat/sending/message-writer';
import type { Message } from '../../src/persistence/messages/message.schema';

const duplicateKey = () => Object.assign(new Error('E11000 duplicate key'), { code: 11000 });

/**
 * The messages collection as the writer sees it: unique (conversation, seq) and unique
 * (sender, dedupeKey), ordered inserts that stop at the first refused document.
 */
export class FakeStore implements MessageStorePort {
  maxOrderedInsert = Number.POSITIVE_INFINITY;
  /** Like FerretDB v1 past a refusal: the documents after it may or may not be stored. */
  laterUnknown = false;
  readonly stored: Message[] = [];
  readonly inserts: number[] = [];
  readonly activity: ConversationActivity[][] = [];
  seqReads = 0;
  hintReads = 0;
  duplicateLookups = 0;
  idReads = 0;
  /** Rejects the next insert as a whole (the outcome unknown to the writer). */
  failNextInsert?: Error;
  /** Run just before an insert is applied: another process writing in between. */
  beforeInsert?: () => void;

  latestSeq(conversationId: Types.ObjectId): Promise<number> {
    this.seqReads += 1;
    const seqs = this.of(conversationId).map((message) => message.seq);
    return Promise.resolve(seqs.length ? Math.max(...seqs) : 0);
  }

  /** Like conversations.lastSeq: what the activity writes recorded, maybe behind the messages. */
  lastSeqHint(conversationId: Types.ObjectId): Promise<number> {
    this.hintReads += 1;
    const noted = this.activity
      .flat()
      .filter((entry) => entry.conversationId.equals(conversationId))
      .map((entry) => entry.seq);
    return Promise.resolve(noted.length ? Math.max(...noted) : 0);
  }

  async insertOrdered(messages: Message[]): Promise<OrderedInsert> {
    await new Promise((resolve) => setImmediate(resolve));
    this.inserts.push(messages.length);
    const failure = this.failNextInsert;
    this.failNextInsert = undefined;
    if (failure) throw failure;
    this.beforeInsert?.();
    this.beforeInsert = undefined;
    for (const [index, message] of messages.entries()) {
      const taken = this.stored.some(
        (other) =>
          (other.conversationId.equals(message.conversationId) && other.seq === message.seq) ||
          (other.senderId.equals(message.senderId) && other.dedupeKey === message.dedupeKey),
      );
      if (taken) {
        const refused = { duplicateKey: true, error: duplicateKey() };
        if (this.laterUnknown) this.stored.push(...messages.slice(index + 1));
        return { inserted: index, refused, laterUnknown: this.laterUnknown };
      }
      this.stored.push(message);
    }
    return { inserted: messages.length };
  }

  findDuplicate(senderId: Types.ObjectId, dedupeKey: string): Promise<Message | null> {
    this.duplicateLookups += 1;
    const found = this.stored.find(
      (message) => message.senderId.equals(senderId) && message.dedupeKey === dedupeKey,
    );
    return Promise.resolve(found ?? null);
  }

  findById(id: Types.ObjectId): Promise<Message | null> {
    this.idReads += 1;
    return Promise.resolve(this.stored.find((message) => message._id.equals(id)) ?? null);
  }

  /** The conversations repository as ActivityRecorder uses it: one bulk of `$max` updates. */
  readonly conversations = {
    recordActivity: async (activity: readonly ConversationActivity[]) => {
      this.activity.push([...activity]);
      // Slower than an insert, as on FerretDB.
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };

  of(conversationId: Types.ObjectId): Message[] {
    return this.stored.filter((message) => message.conversationId.equals(conversationId));
  }
}

export const settings = (overrides: Partial<Environment> = {}) => {
  const values: Partial<Environment> = {
    MESSAGE_BATCH_MAX: 256,
    MESSAGE_BATCH_WAIT_MS: 0,
    MESSAGE_WRITES_IN_FLIGHT: 1,
    ...overrides,
  };
  return { get: (key: keyof Environment) => values[key] } as unknown as ConfigService<
    Environment,
    true
  >;
};

/** What the writer published for MessageFanout to turn into message:new events. */
export interface Emitted {
  to: readonly string[];
  seq: number;
  conversationId: string;
}

/** A writer on `store`, its publications recorded in `emitted`, and the activity recorder it uses. */
export function makeWriter(
  store: FakeStore,
  emitted: Emitted[],
  overrides: Partial<Environment> = {},
): { writer: MessageWriter; activity: ActivityRecorder; metrics: MetricsService } {
  const metrics = new MetricsService();
  const activity = new ActivityRecorder(store.conversations as never);
  const events = new EventEmitter2();
  events.on(MessagesStored.event, ({ stored }: MessagesStored) => {
    for (const { message, recipients } of stored) {
      emitted.push({ to: recipients, seq: message.seq, conversationId: message.conversationId });
    }
  });
  const writer = new MessageWriter(store, activity, events, metrics, settings(overrides));
  return { writer, activity, metrics };
}

/** Drafts from `sender` to `receiver`, as MessagesService makes them. */
export const draftsFrom =
  (sender: Types.ObjectId, receiver: Types.ObjectId) =>
  (
    conversationId: Types.ObjectId,
    body: string,
    clientMsgId: string | null = null,
  ): MessageDraft => ({
    conversationId,
    senderId: sender,
    receiverId: receiver,
    body,
    clientMsgId,
    replyTo: null,
    mentions: [],
    attachments: [],
    recipients: [sender.toHexString(), receiver.toHexString()],
  });

/**
 * A fresh fake collection for every test, the writers made on it, and what they published.
 * Call inside a describe: it registers the reset with beforeEach.
 */
export function useWriterHarness() {
  const alice = new Types.ObjectId();
  const bob = new Types.ObjectId();
  const emitted: Emitted[] = [];
  let store = new FakeStore();
  let activity: ActivityRecorder | undefined;
  let metrics: MetricsService | undefined;
  beforeEach(() => {
    store = new FakeStore();
    emitted.length = 0;
  });
  return {
    alice,
    bob,
    emitted,
    draft: draftsFrom(alice, bob),
    get store(): FakeStore {
      return store;
    },
    /** The activity recorder of the writer made last. */
    activity: (): ActivityRecorder => {
      if (!activity) throw new Error('make a writer first');
      return activity;
    },
    /** The metrics of the writer made last. */
    metrics: (): MetricsService => {
      if (!metrics) throw new Error('make a writer first');
      return metrics;
    },
    writerWith: (overrides: Partial<Environment> = {}): MessageWriter => {
      const made = makeWriter(store, emitted, overrides);
      activity = made.activity;
      metrics = made.metrics;
      return made.writer;
    },
  };
}
