import { FixedWindowThrottlerStorage } from './fixed-window-storage';

describe('FixedWindowThrottlerStorage (counts as the Redis store does)', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const hit = (storage: FixedWindowThrottlerStorage, key = 'sends:u1') =>
    storage.increment(key, 10_000, 3, 5_000, 'sends');

  it('admits the limit in a window, blocks the next for the block duration, then starts over', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 1; i <= 3; i++) {
      expect(await hit(storage)).toMatchObject({ totalHits: i, isBlocked: false });
    }
    expect(await hit(storage)).toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 5,
    });
    jest.advanceTimersByTime(4_000);
    expect((await hit(storage)).isBlocked).toBe(true);
    // The block is over but the window is not: as in Redis, still over the limit, blocked again.
    jest.advanceTimersByTime(1_500);
    expect((await hit(storage)).isBlocked).toBe(true);
    jest.advanceTimersByTime(10_000);
    expect(await hit(storage)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts each key and throttler on its own', async () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 0; i < 4; i++) await hit(storage, 'sends:u1');
    expect(await hit(storage, 'sends:u2')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await storage.increment('sends:u1', 10_000, 3, 5_000, 'events')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('a new window after the last one ended', async () => {
    const storage = new FixedWindowThrottlerStorage();
    await hit(storage);
    await hit(storage);
    jest.advanceTimersByTime(10_000);
    expect(await hit(storage)).toMatchObject({ totalHits: 1, timeToExpire: 10 });
  });
});
