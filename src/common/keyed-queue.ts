/** Thrown by KeyedQueue.run when a key already has its maximum of tasks waiting or running. */
export class QueueFullError extends Error {
  constructor(readonly key: string) {
    super(`Too many tasks queued for ${key}`);
    this.name = 'QueueFullError';
  }
}

/**
 * Runs tasks one at a time per key, in the order they were queued; different keys run freely.
 * A failed task does not stop the ones queued after it. At most `maxPerKey` tasks wait or run
 * per key: past that, work is refused at once instead of piling up behind a slow key.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxPerKey = Number.POSITIVE_INFINITY) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queued = this.counts.get(key) ?? 0;
    if (queued >= this.maxPerKey) return Promise.reject(new QueueFullError(key));
    this.counts.set(key, queued + 1);
    const previous = this.tails.get(key);
    const result = previous ? previous.then(task, task) : task();
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running tasks. */
  get size(): number {
    return this.tails.size;
  }
}
