import { Types } from 'mongoose';
import { useWriterHarness } from '../../../test/support/message-writer-harness';
import { MAX_QUEUED_PER_CONVERSATION } from './message-writer';

describe('MessageWriter: batches, order and limits (against a fake collection)', () => {
  const h = useWriterHarness();
  const { draft, emitted, writerWith } = h;

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
    expect(h.store.inserts).toEqual([50]);
    expect(h.store.hintReads).toBe(1);
    expect(h.store.seqReads).toBe(0);
    await h.activity().settled();
    expect(h.store.activity).toEqual([[expect.objectContaining({ seq: 50 })]]);
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
    expect(h.store.inserts).toEqual(Array.from({ length: 20 }, () => 1));
    expect(h.store.activity).toHaveLength(20);
  });

  it('writes activity behind the acks, merging what arrives meanwhile into one update each', async () => {
    const writer = writerWith({ MESSAGE_BATCH_MAX: 2 });
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await Promise.all(
      [a, b, a, b, a, b].map((conversation, i) => writer.write(draft(conversation, `m${i}`))),
    );
    await h.activity().settled();
    // Three batches, fewer writes: notes that arrived during a write were merged into the next.
    expect(h.store.inserts).toEqual([2, 2, 2]);
    expect(h.store.activity.length).toBeLessThan(3);
    expect(h.store.activity.at(-1)?.map((entry) => entry.seq)).toEqual([3, 3]);
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
    expect(h.store.inserts).toEqual([4]);
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
    expect(h.store.inserts).toEqual([3, 3, 3, 1]);
    expect(emitted.map((event) => event.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('fails every send of a batch whose insert failed, stores and emits nothing, then recovers', async () => {
    const writer = writerWith();
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await Promise.all([writer.write(draft(a, 'a1')), writer.write(draft(b, 'b1'))]);
    emitted.length = 0;
    h.store.failNextInsert = Object.assign(new Error('down'), { name: 'MongoNetworkError' });
    const outcomes = await Promise.allSettled([
      writer.write(draft(a, 'a2')),
      writer.write(draft(b, 'b2')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(h.store.inserts).toEqual([2, 2]);
    expect(emitted).toEqual([]);
    const after = await writer.write(draft(a, 'a2 again'));
    expect(after.message.seq).toBe(2);
    // What the failed insert stored is unknown, so the seq was looked up again.
    expect(h.store.hintReads).toBe(3);
  });

  it('holds up only the conversation whose next seq is being looked up', async () => {
    const writer = writerWith();
    const [known, unknown] = [new Types.ObjectId(), new Types.ObjectId()];
    await writer.write(draft(known, 'first'));
    let release: () => void = () => undefined;
    const original = h.store.lastSeqHint.bind(h.store);
    h.store.lastSeqHint = (id) =>
      new Promise<number>((resolve) => (release = () => resolve(original(id))));
    const slow = writer.write(draft(unknown, 'waits for its lookup'));
    await expect(writer.write(draft(known, 'second'))).resolves.toMatchObject({
      message: { seq: 2 },
    });
    release();
    await expect(slow).resolves.toMatchObject({ message: { seq: 1 } });
  });

  it('reports its load to /metrics: a batch held in its insert, and the sends queued behind it', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const load = async (): Promise<Record<string, number>> => {
      const { values } = await h.metrics().writerLoad.get();
      return Object.fromEntries(values.map(({ labels, value }) => [String(labels.state), value]));
    };
    let release: () => void = () => undefined;
    let held: () => void = () => undefined;
    const inInsert = new Promise<void>((resolve) => (held = resolve));
    const original = h.store.insertOrdered.bind(h.store);
    h.store.insertOrdered = (messages) =>
      new Promise((resolve) => {
        release = () => resolve(original(messages));
        held();
      });
    const first = writer.write(draft(conversation, 'held in its insert'));
    // Not a fixed pause: on a busy machine the first send reaches its insert when it does.
    await inInsert;
    const behind = [writer.write(draft(conversation, 'a')), writer.write(draft(conversation, 'b'))];
    for (let turn = 0; turn < 1000 && (await load()).queued < 2; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await load()).toEqual({ queued: 2, committing: 1, seq_lookups: 0 });
    h.store.insertOrdered = original;
    release();
    await Promise.all([first, ...behind]);
    expect(await load()).toEqual({ queued: 0, committing: 0, seq_lookups: 0 });
  });

  it('caps a batch at what the server can insert in order', async () => {
    h.store.maxOrderedInsert = 3;
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    await Promise.all(
      Array.from({ length: 7 }, (_, i) => writer.write(draft(conversation, `m${i}`))),
    );
    expect(h.store.inserts).toEqual([3, 3, 1]);
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
      expect(h.store.inserts).toEqual([]); // still waiting for more
      jest.advanceTimersByTime(25);
      await Promise.all([first, second]);
      expect(h.store.inserts).toEqual([2]);
    } finally {
      jest.useRealTimers();
    }
  });
});
