import { InMemoryPresenceStore } from './in-memory-presence.store';

describe('InMemoryPresenceStore', () => {
  it('reports the first socket in and the last socket out of each user', async () => {
    const store = new InMemoryPresenceStore();
    expect(await store.add('u1', 's1', 5)).toBe('first');
    expect(await store.add('u1', 's2', 5)).toBe('another');
    expect(await store.add('u2', 's3', 5)).toBe('first');
    expect(await store.onlineAmong(['u1', 'u2', 'u3'])).toEqual(['u1', 'u2']);
    expect(await store.remove('u1', 's1')).toBe(false);
    expect(await store.remove('u1', 's2')).toBe(true);
    expect(await store.remove('u1', 's2')).toBe(false);
    expect(await store.onlineAmong(['u1', 'u2'])).toEqual(['u2']);
  });

  it('records no socket past the cap', async () => {
    const store = new InMemoryPresenceStore();
    expect(await store.add('u1', 's1', 2)).toBe('first');
    expect(await store.add('u1', 's2', 2)).toBe('another');
    expect(await store.add('u1', 's3', 2)).toBe('full');
    expect(await store.count('u1')).toBe(2);
    await store.remove('u1', 's1');
    expect(await store.add('u1', 's3', 2)).toBe('another');
  });
});
