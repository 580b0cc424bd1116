import { Types } from 'mongoose';
import { useWriterHarness } from '../../../test/support/message-writer-harness';

describe('MessageWriter: resends and seqs taken by other processes (against a fake collection)', () => {
  const h = useWriterHarness();
  const { draft, emitted, writerWith } = h;

  it('answers a clientMsgId stored before as a duplicate, leaving no gap for the rest', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const first = await writer.write(draft(conversation, 'hello', 'k1'));
    emitted.length = 0;
    const [again, next, other] = await Promise.all([
      writer.write(draft(conversation, 'hello', 'k1')),
      writer.write(draft(conversation, 'next')),
      writer.write(draft(conversation, 'other', 'k2')),
    ]);
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect([next.message.seq, other.message.seq]).toEqual([2, 3]);
    expect(h.store.of(conversation).map((message) => message.seq)).toEqual([1, 2, 3]);
    expect(emitted.map((event) => event.seq)).toEqual([2, 3]);
  });

  it('answers a resend of what it stored from memory: one read by id, no insert', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    const first = await writer.write(draft(conversation, 'hello', 'k1'));
    const inserts = h.store.inserts.length;
    const again = await writer.write(draft(conversation, 'hello', 'k1'));
    expect(again).toEqual({ message: first.message, duplicate: true });
    expect([h.store.inserts.length, h.store.idReads, h.store.duplicateLookups]).toEqual([
      inserts,
      1,
      0,
    ]);
  });

  it('answers a cluster of resends stored by another process by id, without scans or gaps', async () => {
    const conversation = new Types.ObjectId();
    const before = writerWith(); // the process that stored them, then died
    await Promise.all(['k1', 'k2', 'k3'].map((key) => before.write(draft(conversation, key, key))));
    await h.activity().settled(); // it had recorded lastSeq: the new process starts from seq 4
    const writer = writerWith();
    emitted.length = 0;
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
    expect([h.store.duplicateLookups, h.store.idReads]).toEqual([0, 4]);
    expect(h.store.of(conversation).map((message) => message.seq)).toEqual([1, 2, 3, 4]);
    expect(emitted.map((event) => event.seq)).toEqual([4]);
  });

  it('finds a resend of a message stored before ids were derived from clientMsgId', async () => {
    const conversation = new Types.ObjectId();
    const first = await writerWith().write(draft(conversation, 'legacy', 'k1'));
    h.store.stored[0]._id = new Types.ObjectId(); // as stored by an older version: a random id
    const again = await writerWith().write(draft(conversation, 'legacy', 'k1'));
    expect([again.duplicate, again.message.seq]).toEqual([true, first.message.seq]);
    expect(h.store.of(conversation)).toHaveLength(1);
    expect(h.store.duplicateLookups).toBe(1);
  });

  it('rereads the latest seq and retries when another process took the seq', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    await writer.write(draft(conversation, 'one'));
    // Another process stores seq 2 and 3 between this process's reads and its insert.
    h.store.beforeInsert = () => {
      for (const seq of [2, 3]) {
        h.store.stored.push({
          ...h.store.stored[0],
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
    expect(h.store.of(conversation).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads the messages themselves when the recorded lastSeq keeps pointing at taken seqs', async () => {
    const writer = writerWith();
    const conversation = new Types.ObjectId();
    await writer.write(draft(conversation, 'one'));
    await h.activity().settled();
    // Another process stored 2..10 and its activity writes were lost (say it crashed).
    h.store.beforeInsert = () => {
      for (let seq = 2; seq <= 10; seq += 1) {
        h.store.stored.push({
          ...h.store.stored[0],
          _id: new Types.ObjectId(),
          seq,
          dedupeKey: `x${seq}`,
        });
      }
    };
    const late = await writer.write(draft(conversation, 'late'));
    expect(late.message.seq).toBe(11);
    expect(h.store.seqReads).toBe(1);
    expect(h.store.of(conversation).map((message) => message.seq)).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });

  it('never stores again what may be stored already, when the server went on past a refusal', async () => {
    const conversation = new Types.ObjectId();
    await writerWith().write(draft(conversation, 'hello', 'k1'));
    // Another process, which does not remember 'k1': its resend reaches the insert.
    const writer = writerWith();
    h.store.laterUnknown = true;
    const outcomes = await Promise.allSettled([
      writer.write(draft(conversation, 'hello', 'k1')),
      writer.write(draft(conversation, 'after the resend')),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { duplicate: true } });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE' } });
    h.store.laterUnknown = false;
    // Stored once, not again, and the seqs stay without gaps or repeats.
    await writer.write(draft(conversation, 'next'));
    const stored = h.store.of(conversation);
    expect(stored.map((message) => message.body).sort()).toEqual([
      'after the resend',
      'hello',
      'next',
    ]);
    expect(stored.map((message) => message.seq).sort()).toEqual([1, 2, 3]);
  });
});
