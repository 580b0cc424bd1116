import type { ConfigService } from '@nestjs/config';
import { Types } from 'mongoose';
import type { Environment } from '../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MessagesStored } from './message-events';
import { ActivityRecorder, type ConversationActivity } from '../conversations/activity-recorder';
import type { MessageStorePort, OrderedInsert } from './message-store';
import { MAX_QUEUED_PER_CONVERSATION, MessageDraft, MessageWriter } from './message-writer';
import type { Message } from '../persistence/messages/message.schema';

const duplicateKey = () => Object.assign(new Error('E11000 duplicate key'), { code: 11000 });

/**
 * The messages collection as the writer sees it: unique (conversation, seq) and unique
 * (sender, dedupeKey), ordered inserts that stop at the first refused document.
 */
class FakeStore implements MessageStorePort {
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

const settings = (overrides: Partial<Environment> = {}) => {
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

describe('MessageWriter (group commit against a fake collection)', () => {
  const alice = new Types.ObjectId();
  const bob = new Types.ObjectId();
  let store: FakeStore;
  let emitted: { to: readonly string[]; seq: number; conversationId: string }[];

  let activity: ActivityRecorder;

  const writerWith = (overrides: Partial<Environment> = {}) => {
    activity = new ActivityRecorder(store.conversations as never);
    // What MessageFanout would turn into message:new events.
    const events = new EventEmitter2();
    events.on(MessagesStored.event, ({ stored }: MessagesStored) => {
      for (const { message, recipients } of stored) {
        emitted.push({ to: recipients, seq: message.seq, conversationId: message.conversationId });
      }
    });
    return new MessageWriter(store, activity, events, new MetricsService(), settings(overrides));
  };

  const draft = (
    conversationId: Types.ObjectId,
    body: string,
    clientMsgId: string | null = null,
  ): MessageDraft => ({
    conversationId,
    senderId: alice,
    receiverId: bob,
    body,
    clientMsgId,
    recipients: [alice.toHexString(), bob.toHexString()],
  });

  beforeEach(() => {
    store = new FakeStore();
    emitted = [];
  });

  it('stores sends that arrive together with one insert, seqs 1..n in arrival order', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => writer.write(draft(conversation, `m${i}`))),
    );
    expect(results.map((result) => result.message.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(results.map((result) => result.message.body)).toEqual(
      Array.from({ length: 50 }, (_, i) => `m${i}`),
    );
    expect(store.inserts).toEqual([50]);
    expect(store.hintReads).toBe(1);
    expect(store.seqReads).toBe(0);
    await activity.settled();
    expect(store.activity).toEqual([[expect.objectContaining({ seq: 50 })]]);
    expect(emitted.map((event) => event.seq)).toEqual(results.map((r) => r.message.seq));
  });

  it('with batching off, writes one message per insert and still numbers them 1..n', async () => {
    const writer = writerWith({ MESSAGE_BATCH_MAX: 1, MESSAGE_WRITES_IN_FLIGHT: 100 });
    const conversation = new Types.ObjectId();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => writer.write(draft(conversation, `m${i}`))),
    );
    expect(results.map((result) => result.message.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(store.inserts).toEqual(Array.from({ length: 20 }, () => 1));
    expect(store.activity).toHaveLength(20);
  });

  it('writes activity behind the acks, merging what arrives meanwhile into one update each', async () => {
    const writer = writerWith({ MESSAGE_BATCH_MAX: 2 });
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await Promise.all(
      [a, b, a, b, a, b].map((conversation, i) => writer.write(draft(conversation, `m${i}`))),
    );
    await activity.settled();
    // Three batches, fewer writes: notes that arrived during a write were merged into the next.
    expect(store.inserts).toEqual([2, 2, 2]);
    expect(store.activity.length).toBeLessThan(3);
    expect(store.activity.at(-1)?.map((entry) => entry.seq)).toEqual([3, 3]);
  });

  it('numbers each conversation on its own within one batch', async () => {
    const writer = writerWith();
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    const results = await Promise.all([
      writer.write(draft(a, 'a1')),
      writer.write(draft(b, 'b1')),
      writer.write(draft(a, 'a2')),
      writer.write(draft(b, 'b2')),
    ]);
    expect(results.map((result) => result.message.seq)).toEqual([1, 1, 2, 2]);
    expect(store.inserts).toEqual([4]);
  });

  it('keeps one conversation in one batch at a time, so seqs stay in order across batches', async () => {
    const writer = writerWith({ MESSAGE_BATCH_MAX: 3, MESSAGE_WRITES_IN_FLIGHT: 4 });
    const conversation = new Types.ObjectId();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => writer.write(draft(conversation, `m${i}`))),
    );
    expect(results.map((result) => result.message.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(store.inserts).toEqual([3, 3, 3, 1]);
    expect(emitted.map((event) => event.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('answers a clientMsgId stored before as a duplicate, leaving no gap for the rest', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const first = await writer.write(draft(conversation, 'hello', 'k1'));
    emitted = [];
    const [again, next, other] = await Promise.all([
      writer.write(draft(conversation, 'hello', 'k1')),
      writer.write(draft(conversation, 'next')),
      writer.write(draft(conversation, 'other', 'k2')),
    ]);
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect([next.message.seq, other.message.seq]).toEqual([2, 3]);
    expect(store.of(conversation).map((message) => message.seq)).toEqual([1, 2, 3]);
    expect(emitted.map((event) => event.seq)).toEqual([2, 3]);
  });

  it('answers a resend of what it stored from memory: one read by id, no insert', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const first = await writer.write(draft(conversation, 'hello', 'k1'));
    const inserts = store.inserts.length;
    const again = await writer.write(draft(conversation, 'hello', 'k1'));
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect([store.inserts.length, store.idReads, store.duplicateLookups]).toEqual([inserts, 1, 0]);
  });

  it('answers a cluster of resends stored by another process by id, without scans or gaps', async () => {
    const conversation = new Types.ObjectId();
    const before = writerWith(); // the process that stored them, then died
    await Promise.all(['k1', 'k2', 'k3'].map((key) => before.write(draft(conversation, key, key))));
    await activity.settled(); // it had recorded lastSeq: the new process starts from seq 4
    const writer = writerWith();
    emitted = [];
    const results = await Promise.all([
      ...['k1', 'k2', 'k3'].map((key) => writer.write(draft(conversation, key, key))),
      writer.write(draft(conversation, 'new', 'k4')),
    ]);
    expect(results.map((result) => [result.message.body, result.duplicate])).toEqual([
      ['k1', true],
      ['k2', true],
      ['k3', true],
      ['new', false],
    ]);
    expect([store.duplicateLookups, store.idReads]).toEqual([0, 4]);
    expect(store.of(conversation).map((message) => message.seq)).toEqual([1, 2, 3, 4]);
    expect(emitted.map((event) => event.seq)).toEqual([4]);
  });

  it('finds a resend of a message stored before ids were derived from clientMsgId', async () => {
    const conversation = new Types.ObjectId();
    const first = await writerWith().write(draft(conversation, 'legacy', 'k1'));
    store.stored[0]._id = new Types.ObjectId(); // as stored by an older version: a random id
    const again = await writerWith().write(draft(conversation, 'legacy', 'k1'));
    expect([again.duplicate, again.message.seq]).toEqual([true, first.message.seq]);
    expect(store.of(conversation)).toHaveLength(1);
    expect(store.duplicateLookups).toBe(1);
  });

  it('rereads the latest seq and retries when another process took the seq', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    await writer.write(draft(conversation, 'one'));
    // Another process stores seq 2 and 3 between this process's reads and its insert.
    store.beforeInsert = () => {
      for (const seq of [2, 3]) {
        store.stored.push({
          ...store.stored[0],
          _id: new Types.ObjectId(),
          seq,
          dedupeKey: `x${seq}`,
        });
      }
    };
    const results = await Promise.all([
      writer.write(draft(conversation, 'four')),
      writer.write(draft(conversation, 'five')),
    ]);
    expect(results.map((result) => result.message.seq)).toEqual([4, 5]);
    expect(store.of(conversation).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads the messages themselves when the recorded lastSeq keeps pointing at taken seqs', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    await writer.write(draft(conversation, 'one'));
    await activity.settled();
    // Another process stored 2..10 and its activity writes were lost (say it crashed).
    store.beforeInsert = () => {
      for (let seq = 2; seq <= 10; seq += 1) {
        store.stored.push({
          ...store.stored[0],
          _id: new Types.ObjectId(),
          seq,
          dedupeKey: `x${seq}`,
        });
      }
    };
    const late = await writer.write(draft(conversation, 'late'));
    expect(late.message.seq).toBe(11);
    expect(store.seqReads).toBe(1);
    expect(store.of(conversation).map((message) => message.seq)).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });

  it('fails every send of a batch whose insert failed, stores and emits nothing, then recovers', async () => {
    const writer = writerWith();
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await Promise.all([writer.write(draft(a, 'a1')), writer.write(draft(b, 'b1'))]);
    emitted = [];
    store.failNextInsert = Object.assign(new Error('down'), { name: 'MongoNetworkError' });
    const outcomes = await Promise.allSettled([
      writer.write(draft(a, 'a2')),
      writer.write(draft(b, 'b2')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(store.inserts).toEqual([2, 2]);
    expect(emitted).toEqual([]);
    const after = await writer.write(draft(a, 'a2 again'));
    expect(after.message.seq).toBe(2);
    // What the failed insert stored is unknown, so the seq was looked up again.
    expect(store.hintReads).toBe(3);
  });

  it('holds up only the conversation whose next seq is being looked up', async () => {
    const writer = writerWith();
    const [known, unknown] = [new Types.ObjectId(), new Types.ObjectId()];
    await writer.write(draft(known, 'first'));
    let release: () => void = () => undefined;
    const original = store.lastSeqHint.bind(store);
    store.lastSeqHint = (id) =>
      new Promise<number>((resolve) => (release = () => resolve(original(id))));
    const slow = writer.write(draft(unknown, 'waits for its lookup'));
    await expect(writer.write(draft(known, 'second'))).resolves.toMatchObject({
      message: { seq: 2 },
    });
    release();
    await expect(slow).resolves.toMatchObject({ message: { seq: 1 } });
  });

  it('never stores again what may be stored already, when the server went on past a refusal', async () => {
    const conversation = new Types.ObjectId();
    await writerWith().write(draft(conversation, 'hello', 'k1'));
    // Another process, which does not remember 'k1': its resend reaches the insert.
    const writer = writerWith();
    store.laterUnknown = true;
    const outcomes = await Promise.allSettled([
      writer.write(draft(conversation, 'hello', 'k1')),
      writer.write(draft(conversation, 'after the resend')),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { duplicate: true } });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE' } });
    store.laterUnknown = false;
    // Stored once, not again, and the seqs stay without gaps or repeats.
    await writer.write(draft(conversation, 'next'));
    const stored = store.of(conversation);
    expect(stored.map((message) => message.body).sort()).toEqual([
      'after the resend',
      'hello',
      'next',
    ]);
    expect(stored.map((message) => message.seq).sort()).toEqual([1, 2, 3]);
  });

  it('caps a batch at what the server can insert in order', async () => {
    store.maxOrderedInsert = 3;
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => writer.write(draft(conversation, `m${i}`))),
    );
    expect(store.inserts).toEqual([3, 3, 1]);
  });

  it('refuses at once with UNAVAILABLE past the queue bound of a conversation', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const queued = Array.from({ length: MAX_QUEUED_PER_CONVERSATION }, (_, i) =>
      writer.write(draft(conversation, `m${i}`)),
    );
    await expect(writer.write(draft(conversation, 'one too many'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    // Another conversation is not held up by the busy one.
    await expect(writer.write(draft(new Types.ObjectId(), 'elsewhere'))).resolves.toMatchObject({
      duplicate: false,
    });
    await Promise.all(queued);
    await expect(writer.write(draft(conversation, 'later'))).resolves.toMatchObject({
      message: { seq: MAX_QUEUED_PER_CONVERSATION + 1 },
    });
  });

  it('waits up to MESSAGE_BATCH_WAIT_MS to fill a batch, and no longer', async () => {
    // The clock is the test's, so a busy machine cannot stretch 5 ms past 30.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const turns = async (n = 5) => {
        for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
      };
      const writer = writerWith({ MESSAGE_BATCH_WAIT_MS: 30 });
      const conversation = new Types.ObjectId();
      const first = writer.write(draft(conversation, 'first'));
      await turns();
      jest.advanceTimersByTime(5);
      const second = writer.write(draft(conversation, 'second'));
      await turns();
      expect(store.inserts).toEqual([]); // still waiting for more
      jest.advanceTimersByTime(25);
      await Promise.all([first, second]);
      expect(store.inserts).toEqual([2]);
    } finally {
      jest.useRealTimers();
    }
  });
});
