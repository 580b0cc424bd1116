import { KeyedQueue, QueueFullError } from './keyed-queue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time, in order, and other keys alongside', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
    };
    await Promise.all([
      queue.run('a', task('a1')),
      queue.run('a', task('a2')),
      queue.run('b', task('b1')),
    ]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('keeps going after a failed task and forgets idle keys', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run('a', () => Promise.reject(new Error('boom')));
    const next = queue.run('a', () => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    await tick();
    expect(queue.size).toBe(0);
  });

  it('refuses work past its bound per key, and takes it again once the key drains', async () => {
    const queue = new KeyedQueue(2);
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run('a', () => gate);
    const second = queue.run('a', () => Promise.resolve());
    await expect(queue.run('a', () => Promise.resolve())).rejects.toBeInstanceOf(QueueFullError);
    await expect(queue.run('b', () => Promise.resolve('other key'))).resolves.toBe('other key');
    release();
    await Promise.all([first, second]);
    await tick();
    await expect(queue.run('a', () => Promise.resolve('again'))).resolves.toBe('again');
  });
});
