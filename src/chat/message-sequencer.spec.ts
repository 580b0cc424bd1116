import { MAX_QUEUED_PER_CONVERSATION, MessageSequencer, SEQ_TAKEN } from './message-sequencer';

/** A stand-in for the messages collection: a unique (conversation, seq) set. */
class FakeStore {
  readonly stored = new Map<string, number[]>();
  reads = 0;

  maxSeq(conversationId: string): Promise<number> {
    this.reads += 1;
    const seqs = this.stored.get(conversationId) ?? [];
    return Promise.resolve(seqs.length ? Math.max(...seqs) : 0);
  }

  async insert(conversationId: string, seq: number): Promise<number | typeof SEQ_TAKEN> {
    await new Promise((resolve) => setImmediate(resolve));
    const seqs = this.stored.get(conversationId) ?? [];
    if (seqs.includes(seq)) return SEQ_TAKEN;
    this.stored.set(conversationId, [...seqs, seq]);
    return seq;
  }
}

describe('MessageSequencer', () => {
  const append = (sequencer: MessageSequencer, store: FakeStore, id: string) =>
    sequencer.append(
      id,
      () => store.maxSeq(id),
      (seq) => store.insert(id, seq),
    );

  it('gives concurrent appends to one conversation 1..n with no gap or repeat', async () => {
    const sequencer = new MessageSequencer();
    const store = new FakeStore();
    const seqs = await Promise.all(Array.from({ length: 50 }, () => append(sequencer, store, 'a')));
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The highest seq is read once; after that the cached counter serves.
    expect(store.reads).toBe(1);
  });

  it('numbers each conversation on its own', async () => {
    const sequencer = new MessageSequencer();
    const store = new FakeStore();
    await Promise.all([append(sequencer, store, 'a'), append(sequencer, store, 'b')]);
    expect(await append(sequencer, store, 'a')).toBe(2);
    expect(await append(sequencer, store, 'b')).toBe(2);
  });

  it('recovers when another process took the cached seq', async () => {
    const sequencer = new MessageSequencer();
    const store = new FakeStore();
    expect(await append(sequencer, store, 'a')).toBe(1);
    // Another writer stores 2 and 3 behind this process's back.
    store.stored.set('a', [1, 2, 3]);
    expect(await append(sequencer, store, 'a')).toBe(4);
  });

  it('rereads after a failed attempt, and keeps serving later appends', async () => {
    const sequencer = new MessageSequencer();
    const store = new FakeStore();
    await append(sequencer, store, 'a');
    const failing = sequencer.append(
      'a',
      () => store.maxSeq('a'),
      () => Promise.reject(new Error('database down')),
    );
    await expect(failing).rejects.toThrow('database down');
    const readsBefore = store.reads;
    expect(await append(sequencer, store, 'a')).toBe(2);
    expect(store.reads).toBe(readsBefore + 1);
  });

  it('gives up with UNAVAILABLE when every seq it tries is taken', async () => {
    const sequencer = new MessageSequencer();
    const always = sequencer.append(
      'a',
      () => Promise.resolve(0),
      () => Promise.resolve(SEQ_TAKEN),
    );
    await expect(always).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('refuses with UNAVAILABLE once a conversation has too much queued, and serves it again after', async () => {
    const sequencer = new MessageSequencer();
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queued = Array.from({ length: MAX_QUEUED_PER_CONVERSATION }, () =>
      sequencer.exclusive('busy', () => gate),
    );
    await expect(sequencer.exclusive('busy', () => Promise.resolve())).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await expect(sequencer.exclusive('quiet', () => Promise.resolve(1))).resolves.toBe(1);
    release();
    await Promise.all(queued);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(sequencer.exclusive('busy', () => Promise.resolve(2))).resolves.toBe(2);
  });
});
