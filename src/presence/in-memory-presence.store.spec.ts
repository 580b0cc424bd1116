import { InMemoryPresenceStore } from './in-memory-presence.store';

describe('InMemoryPresenceStore', () => {
  it('reports the first socket in and the last socket out of each user', async () => {
    const store = new InMemoryPresenceStore();
    expect(await store.add('u1', 's1')).toBe(true);
    expect(await store.add('u1', 's2')).toBe(false);
    expect(await store.add('u2', 's3')).toBe(true);
    expect(await store.onlineAmong(['u1', 'u2', 'u3'])).toEqual(['u1', 'u2']);
    expect(await store.remove('u1', 's1')).toBe(false);
    expect(await store.remove('u1', 's2')).toBe(true);
    expect(await store.remove('u1', 's2')).toBe(false);
    expect(await store.onlineAmong(['u1', 'u2'])).toEqual(['u2']);
  });
});
