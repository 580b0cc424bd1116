import { AppError } from './errors/app-error';
import { ReadGate } from './read-gate';

/** A read the test finishes by hand, counting how often it was started. */
function controlledRead<T>() {
  const state = { started: 0, finish: (_value: T) => undefined as void, fail: (_e: Error) => {} };
  const read = () => {
    state.started += 1;
    return new Promise<T>((resolve, reject) => {
      state.finish = resolve;
      state.fail = reject;
    });
  };
  return { state, read };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadGate', () => {
  const limits = { inFlight: 2, queued: 3, maxWaitMs: 5_000 };

  it('runs at most inFlight reads at once; the others wait their turn in order', async () => {
    const gate = new ReadGate(limits);
    const reads = [0, 1, 2, 3].map(() => controlledRead<number>());
    const results = reads.map(({ read }, index) => gate.run(`k${index}`, read));
    expect(reads.map(({ state }) => state.started)).toEqual([1, 1, 0, 0]);
    expect(gate.load).toEqual({ running: 2, waiting: 2 });
    reads[1].state.finish(1);
    await flush();
    expect(reads.map(({ state }) => state.started)).toEqual([1, 1, 1, 0]);
    reads[0].state.finish(0);
    await flush();
    reads[2].state.finish(2);
    await flush();
    reads[3].state.finish(3);
    await expect(Promise.all(results)).resolves.toEqual([0, 1, 2, 3]);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('reads once for identical reads that wait together, and again for one asked once it ran', async () => {
    const gate = new ReadGate({ ...limits, inFlight: 1 });
    const blocker = controlledRead<string>();
    const page = controlledRead<string>();
    const first = gate.run('other', blocker.read);
    const waiting = [gate.run('page', page.read), gate.run('page', page.read)];
    blocker.state.finish('other');
    await first;
    await flush();
    expect(page.state.started).toBe(1);
    // Already running: a new caller must not get an answer read before it asked.
    const later = gate.run('page', page.read);
    page.state.finish('first answer');
    await expect(Promise.all(waiting)).resolves.toEqual(['first answer', 'first answer']);
    await flush();
    expect(page.state.started).toBe(2);
    page.state.finish('second answer');
    await expect(later).resolves.toBe('second answer');
  });

  it('does not run a read whose callers all went away while it waited; one still there keeps it', async () => {
    let abandoned = 0;
    const gate = new ReadGate({ ...limits, inFlight: 1 }, undefined, undefined, () => {
      abandoned += 1;
    });
    const blocker = controlledRead<string>();
    const lost = controlledRead<string>();
    const shared = controlledRead<string>();
    let connected = true;
    void gate.run('blocker', blocker.read);
    const unheard = gate.run('lost', lost.read, () => !connected);
    const kept = [
      gate.run('shared', shared.read, () => !connected),
      gate.run('shared', shared.read, () => false),
    ];
    connected = false; // the first socket disconnects while its reads wait
    blocker.state.finish('done');
    await expect(unheard).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await flush();
    expect([lost.state.started, shared.state.started, abandoned]).toEqual([0, 1, 1]);
    shared.state.finish('answer');
    await expect(Promise.all(kept)).resolves.toEqual(['answer', 'answer']);
  });

  it('holds each owner to its share of the places, while another owner still gets one', async () => {
    let shed = 0;
    const gate = new ReadGate({ ...limits, perOwner: 2 }, () => (shed += 1));
    const reads = [0, 1].map(() => controlledRead<number>());
    const mine = reads.map(({ read }, index) => gate.run(`mine${index}`, read, undefined, 'ann'));
    const third = gate.run('mine2', () => Promise.resolve(2), undefined, 'ann');
    await expect(third).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(shed).toBe(1);
    // Bob's read waits for a slot in the queue like any other, though ann holds both running.
    const bobs = gate.run('bob0', () => Promise.resolve('bob'), undefined, 'bob');
    reads[0].state.finish(0);
    await expect(bobs).resolves.toBe('bob');
    // Ann's place came back with her answer.
    await expect(mine[0]).resolves.toBe(0);
    const again = gate.run('mine3', () => Promise.resolve(3), undefined, 'ann');
    await expect(again).resolves.toBe(3);
    reads[1].state.finish(1);
    await expect(mine[1]).resolves.toBe(1);
  });

  it('gives an owner its place back when its read fails or is refused', async () => {
    const gate = new ReadGate({ ...limits, inFlight: 1, queued: 0, perOwner: 1 });
    await expect(
      gate.run('a', () => Promise.reject(new Error('boom')), undefined, 'ann'),
    ).rejects.toThrow('boom');
    await expect(gate.run('b', () => Promise.resolve(1), undefined, 'ann')).resolves.toBe(1);
  });

  it('refuses with UNAVAILABLE at once when the queue is full, and counts it', async () => {
    let shed = 0;
    const gate = new ReadGate({ ...limits, inFlight: 1, queued: 1 }, () => (shed += 1));
    const running = controlledRead<number>();
    const queued = controlledRead<number>();
    void gate.run('a', running.read);
    void gate.run('b', queued.read);
    const refused = gate.run('c', () => Promise.resolve(3));
    await expect(refused).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    expect(shed).toBe(1);
    // A caller joining a waiting read takes no place in the queue.
    const joined = gate.run('b', queued.read);
    running.state.finish(1);
    await flush();
    queued.state.finish(2);
    await expect(joined).resolves.toBe(2);
  });

  it('with no waiting room, runs what finds a free slot and refuses the rest with its own error', async () => {
    const gate = new ReadGate(
      { ...limits, inFlight: 1, queued: 0 },
      undefined,
      () => new AppError('RATE_LIMITED', 'busy'),
    );
    const first = controlledRead<number>();
    const ran = gate.run('a', first.read);
    await expect(gate.run('b', () => Promise.resolve(2))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    first.state.finish(1);
    await expect(ran).resolves.toBe(1);
    await expect(gate.run('c', () => Promise.resolve(3))).resolves.toBe(3);
  });

  it('refuses a read that waited longer than maxWaitMs instead of running it', async () => {
    let now = 1_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      let shed = 0;
      const gate = new ReadGate({ ...limits, inFlight: 1 }, () => (shed += 1));
      const running = controlledRead<number>();
      const stale = controlledRead<number>();
      void gate.run('a', running.read);
      const result = gate.run('b', stale.read);
      now += limits.maxWaitMs + 1;
      running.state.finish(1);
      await expect(result).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(stale.state.started).toBe(0);
      expect(shed).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });

  it('rejects every caller of a failed read and goes on with the next', async () => {
    const gate = new ReadGate({ ...limits, inFlight: 1 });
    const failing = controlledRead<number>();
    const callers = [gate.run('a', failing.read), gate.run('b', () => Promise.resolve(2))];
    failing.state.fail(new Error('connection reset'));
    await expect(callers[0]).rejects.toThrow('connection reset');
    await expect(callers[1]).resolves.toBe(2);
  });
});
