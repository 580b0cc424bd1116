import { io, type Socket } from 'socket.io-client';
import { metricOf } from './support/metrics';
import { startRedis, startServer, type Running } from './support/processes';
import { collect, waitFor } from './support/test-app';
import type { SendAck, WireMessage } from './support/wire';

/**
 * Two server processes (the built dist/main.js) sharing one database and one Redis, as behind
 * a load balancer. Clients pick a process by URL.
 */
describe('scale-out over Redis', () => {
  let redis: Running;
  let p1: Running;
  let p2: Running;
  const sockets: Socket[] = [];

  const env = () => ({
    MONGODB_URI: process.env.MONGODB_URI ?? '',
    REDIS_URL: redis.url,
    JWT_SECRET: process.env.JWT_SECRET ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    RATE_LIMIT_SENDS: '60',
    RATE_LIMIT_WINDOW_SECONDS: '60',
    RATE_LIMIT_REQUESTS: '100000',
    RATE_LIMIT_AUTH: '100000',
    SHUTDOWN_GRACE_MS: '5000',
    SOCKET_MAX_CONNECTIONS_PER_USER: '5',
    LOGIN_BACKOFF_FREE_FAILURES: '2',
    LOGIN_BACKOFF_BASE_MS: '10000',
  });

  beforeAll(async () => {
    redis = await startRedis();
    [p1, p2] = await Promise.all([startServer(env()), startServer(env())]);
  }, 90_000);
  afterEach(() => {
    sockets.splice(0).forEach((socket) => socket.close());
  });
  afterAll(async () => {
    await Promise.all([p1?.stop('SIGKILL'), p2?.stop('SIGKILL')]);
    await redis?.stop();
  });

  interface User {
    id: string;
    token: string;
  }
  let counter = 0;
  let lastUsername = '';

  async function register(server: Running): Promise<User> {
    counter += 1;
    const username = `so_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 6)}`;
    lastUsername = username;
    const response = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'correct horse battery' }),
    });
    const body = (await response.json()) as { user: { id: string }; accessToken: string };
    return { id: body.user.id, token: body.accessToken };
  }

  async function api<T>(server: Running, user: User, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${server.url}/api${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as T;
  }

  function connect(server: Running, user: User): Promise<Socket> {
    const socket = io(`${server.url}/chat`, {
      auth: { token: user.token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  const FORWARDED_STORED = 'chat_sends_forwarded_total{outcome="stored"}';

  const send = (socket: Socket, payload: object) =>
    socket.timeout(10_000).emitWithAck('message:send', payload) as Promise<SendAck>;

  async function sendOk(socket: Socket, payload: object): Promise<WireMessage> {
    const reply = await send(socket, payload);
    if (!reply.ok) throw new Error(`send failed: ${reply.error.code}`);
    return reply.message;
  }

  async function pair(): Promise<{ a: User; b: User; id: string }> {
    const [a, b] = await Promise.all([register(p1), register(p2)]);
    const { id } = await api<{ id: string }>(p1, a, '/conversations/direct', { userId: b.id });
    return { a, b, id };
  }

  it('delivers a message sent through one process to sockets on the other, once each', async () => {
    const { a, b, id } = await pair();
    const [a1, a2, b2] = [await connect(p1, a), await connect(p2, a), await connect(p2, b)];
    const seen = [a1, a2, b2].map((s) => collect<WireMessage>(s, 'message:new'));
    const message = await sendOk(a1, { conversationId: id, body: 'across' });
    // A second message down the same path: once every socket has it, a repeat of the first
    // (which would travel ahead of it) would have arrived too.
    const marker = await sendOk(a1, { conversationId: id, body: 'marker' });
    await waitFor(() => seen.every((list) => list.some((m) => m.id === marker.id)), 10_000);
    expect(seen.map((list) => list.map((m) => m.id))).toEqual([
      [message.id, marker.id],
      [message.id, marker.id],
      [message.id, marker.id],
    ]);
  });

  it('applies a member removed through one process at once on the other (no stale member list)', async () => {
    const [a, b, c] = await Promise.all([register(p1), register(p1), register(p2)]);
    const { id } = await api<{ id: string }>(p1, a, '/conversations', {
      title: 'cache',
      memberIds: [b.id, c.id],
    });
    const [aOnP2, cOnP2] = [await connect(p2, a), await connect(p2, c)];
    const cSeen = collect<WireMessage>(cOnP2, 'message:new');
    // Both processes now hold the member list: p2 from these sends, p1 from creating the group.
    await sendOk(cOnP2, { conversationId: id, body: 'hello from c' });
    await sendOk(aOnP2, { conversationId: id, body: 'hello c' });
    await waitFor(() => cSeen.length === 2, 10_000);

    const removed = await fetch(`${p1.url}/api/conversations/${id}/members/${c.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(removed.status).toBe(204);
    // The news travels through Redis (milliseconds, not the cache's 30 s expiry): p2 checks
    // membership from its cache, so its sync refuses c once the announcement arrived.
    const syncAsC = () =>
      cOnP2.timeout(5000).emitWithAck('sync', { conversationId: id, afterSeq: 0 }) as Promise<{
        ok: boolean;
        error?: { code: string };
      }>;
    const deadline = Date.now() + 10_000;
    while ((await syncAsC()).ok) {
      if (Date.now() > deadline) throw new Error('p2 still treats c as a member after 10 s');
    }
    const refused = await send(cOnP2, { conversationId: id, body: 'still here?' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await sendOk(aOnP2, { conversationId: id, body: 'after c left' });
    // A message c does get, emitted by the same process after that one: once it is here, the
    // one c must not get would have arrived before it.
    const direct = await api<{ id: string }>(p2, a, '/conversations/direct', { userId: c.id });
    const marker = await sendOk(aOnP2, { conversationId: direct.id, body: 'marker' });
    await waitFor(() => cSeen.some((m) => m.id === marker.id), 10_000);
    expect(cSeen.map((m) => m.body)).toEqual(['hello from c', 'hello c', 'marker']);
  });

  it('relays typing, read receipts and presence across processes', async () => {
    const { a, b, id } = await pair();
    const bSocket = await connect(p2, b);
    const presence = collect<{ userId: string; online: boolean }>(bSocket, 'presence');
    const typing = collect(bSocket, 'typing');
    const reads = collect(await connect(p1, a), 'read');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const aSocket = await connect(p1, a);
    await waitFor(() => presence.some((p) => p.userId === a.id && p.online), 10_000);

    await aSocket.timeout(5000).emitWithAck('typing', { conversationId: id, typing: true });
    await waitFor(() => typing.length === 1, 10_000);
    expect(typing[0]).toEqual({ conversationId: id, userId: a.id, typing: true });

    await sendOk(aSocket, { conversationId: id, body: 'read me' });
    await bSocket.timeout(5000).emitWithAck('read', { conversationId: id, seq: 1 });
    await waitFor(() => reads.length === 1, 10_000);
    expect(reads[0]).toEqual({ conversationId: id, userId: b.id, seq: 1 });

    sockets.filter((s) => s !== bSocket).forEach((s) => s.close());
    await waitFor(() => presence.some((p) => p.userId === a.id && !p.online), 10_000);
  });

  it('numbers concurrent sends from both processes 1..100 and delivers each once', async () => {
    const { a, b, id } = await pair();
    const [a1, b2] = [await connect(p1, a), await connect(p2, b)];
    const watcher = collect<WireMessage>(await connect(p2, a), 'message:new');
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sendOk(i % 2 ? a1 : b2, { conversationId: id, body: `m${i}` }),
      ),
    );
    expect(replies.map((m) => m.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    await waitFor(() => watcher.length === 100, 10_000);
    expect(new Set(watcher.map((m) => m.id)).size).toBe(100);
    const page = await api<{ items: WireMessage[] }>(
      p2,
      b,
      `/conversations/${id}/messages?limit=100`,
    );
    expect(page.items.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // One process numbered them: the other forwarded its half to it.
    const forwarded = await Promise.all([p1, p2].map((p) => metricOf(p, FORWARDED_STORED)));
    expect(forwarded.reduce((sum, n) => sum + n, 0)).toBe(50);
  });

  it('counts 50 users reacting at once through both processes: 50 revs, no reaction lost or doubled', async () => {
    const [owner, ...others] = await Promise.all(
      Array.from({ length: 50 }, (_, i) => register(i % 2 ? p2 : p1)),
    );
    const { id } = await api<{ id: string }>(p1, owner, '/conversations', {
      title: 'crowd',
      memberIds: others.map((user) => user.id),
    });
    const message = await sendOk(await connect(p1, owner), { conversationId: id, body: 'vote' });
    const everyone = [owner, ...others];
    const reactAll = () =>
      Promise.all(
        everyone.map(async (user, i) => {
          const response = await fetch(
            `${(i % 2 ? p2 : p1).url}/api/messages/${message.id}/reactions/${encodeURIComponent('👍')}`,
            { method: 'PUT', headers: { authorization: `Bearer ${user.token}` } },
          );
          expect(response.status).toBe(204);
        }),
      );
    await reactAll();

    type Page = { items: { kind: string; rev: number; message?: WireMessage }[]; lastRev: number };
    const feed = await api<Page>(p2, owner, `/conversations/${id}/changes?afterRev=0&limit=100`);
    expect(feed.items.map((change) => change.kind)).toEqual(Array(50).fill('reaction'));
    expect(feed.items.map((change) => change.rev)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    // Each change counts every reaction stored before its rev was taken: the counts never go
    // down along the feed (a change counted before a later-numbered one would), and end at 50.
    const counts = feed.items.map((change) => change.message?.reactions[0]?.count ?? 0);
    expect(counts).toEqual([...counts].sort((x, y) => x - y));
    expect(counts.at(-1)).toBe(50);
    const history = await api<{ items: WireMessage[] }>(p1, owner, `/conversations/${id}/messages`);
    expect(history.items[0]).toMatchObject({ rev: 50, reactions: [{ emoji: '👍', count: 50 }] });

    // The same again from everyone: already set, so no rev and nothing changes.
    await reactAll();
    const again = await api<Page>(p1, owner, `/conversations/${id}/changes?afterRev=50`);
    expect(again).toMatchObject({ items: [], lastRev: 50 });
  }, 60_000);

  it('holds the connection cap across processes when one user’s handshakes arrive all at once', async () => {
    const { a } = await pair();
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => connect(i % 2 ? p2 : p1, a)),
    );
    const admitted = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const refusals = attempts.flatMap((attempt) =>
      attempt.status === 'rejected' ? [(attempt.reason as Error).message] : [],
    );
    expect(admitted).toHaveLength(5);
    expect(new Set(refusals)).toEqual(new Set(['RATE_LIMITED']));
  });

  it('logout through one process closes that session’s socket on the other within 1 s', async () => {
    const { a } = await pair();
    const elsewhere = await connect(p2, a);
    const told = collect<{ reason: string }>(elsewhere, 'session:expired');
    const response = await fetch(`${p1.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(response.status).toBe(204);
    // The contract's bound: the disconnect crosses Redis at once, not at the token's expiry.
    await waitFor(() => elsewhere.disconnected, 1000);
    expect(told).toEqual([{ reason: 'logout' }]);
    await expect(connect(p2, a)).rejects.toThrow('UNAUTHORIZED');
  });

  it('counts failed sign-ins to one account across processes (the back-off is shared in Redis)', async () => {
    await register(p1);
    const username = lastUsername;
    const login = (server: Running, password: string) =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    expect((await login(p1, 'guess 1')).status).toBe(401);
    expect((await login(p2, 'guess 2')).status).toBe(401);
    expect((await login(p1, 'guess 3')).status).toBe(401); // the third in a row: a wait starts
    const refused = await login(p2, 'correct horse battery');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('shares a user’s send rate limit across processes', async () => {
    const { a, id } = await pair();
    const [s1, s2] = [await connect(p1, a), await connect(p2, a)];
    const replies = await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        send(i % 2 ? s1 : s2, { conversationId: id, body: `r${i}` }),
      ),
    );
    const limited = replies.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED');
    expect(replies.filter((r) => r.ok)).toHaveLength(60);
    expect(limited).toHaveLength(10);
  });

  it('moves clients to the other process after kill -9; sync fills the gap; the dead process’s users go offline', async () => {
    const { a, b, id } = await pair();
    const watcher = await connect(p2, b);
    const presence = collect<{ userId: string; online: boolean }>(watcher, 'presence');
    const aOnP1 = await connect(p1, a);
    await waitFor(() => presence.some((p) => p.userId === a.id && p.online), 10_000);
    const seen = collect<WireMessage>(aOnP1, 'message:new');
    await sendOk(watcher, { conversationId: id, body: 'before' });
    await waitFor(() => seen.length === 1, 10_000);

    const disconnected = new Promise((resolve) => aOnP1.once('disconnect', resolve));
    await p1.stop('SIGKILL');
    await disconnected;
    for (let i = 0; i < 5; i += 1)
      await sendOk(watcher, { conversationId: id, body: `missed ${i}` });

    const aOnP2 = await connect(p2, a);
    const page = (await aOnP2
      .timeout(5000)
      .emitWithAck('sync', { conversationId: id, afterSeq: seen[0].seq })) as {
      ok: boolean;
      items: WireMessage[];
    };
    expect(page.items.map((m) => m.body)).toEqual([0, 1, 2, 3, 4].map((i) => `missed ${i}`));

    // a is still connected through p2, so a stays online; the dead p1 socket must be reaped
    // without announcing a as offline.
    aOnP2.close();
    await waitFor(() => presence.some((p) => p.userId === a.id && !p.online), 60_000);
    p1 = await startServer(env());
  }, 120_000);

  // The reaper runs every 5 s and a process's liveness key lasts 15 s: about 20 s, waited for
  // with a generous deadline (the time is the reaper's, not a guarantee to assert on a clock).
  it('reports a user on a killed process offline (its sockets are reaped)', async () => {
    const { a, b } = await pair();
    const watcher = await connect(p2, b);
    const presence = collect<{ userId: string; online: boolean }>(watcher, 'presence');
    await connect(p1, a);
    await waitFor(() => presence.some((p) => p.userId === a.id && p.online), 10_000);
    await p1.stop('SIGKILL');
    await waitFor(() => presence.some((p) => p.userId === a.id && !p.online), 60_000);
    p1 = await startServer(env());
  }, 120_000);

  it('loses no acked message when a process gets SIGTERM under load', async () => {
    const { a, b, id } = await pair();
    const sender = await connect(p1, a);
    const acked = new Map<string, string>();
    const pending: string[] = [];
    let stop = false;
    const load = (async () => {
      // Paced, and under the send rate limit even with the resends below.
      for (let i = 0; !stop && i < 50; i += 1) {
        const clientMsgId = `load-${i}`;
        pending.push(clientMsgId);
        try {
          const reply = await send(sender, { conversationId: id, body: clientMsgId, clientMsgId });
          if (reply.ok) acked.set(clientMsgId, reply.message.id);
        } catch {
          // The ack was lost with the connection: resent below.
        }
        if (!sender.connected) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitFor(() => acked.size >= 20, 10_000);
    const terminated = p1.stop('SIGTERM');
    await terminated;
    stop = true;
    await load;

    // The client moves to the surviving process and resends everything not acked, same ids.
    const again = await connect(p2, a);
    for (const clientMsgId of pending.filter((key) => !acked.has(key))) {
      const reply = await send(again, { conversationId: id, body: clientMsgId, clientMsgId });
      if (!reply.ok) throw new Error(`resend failed: ${reply.error.code}`);
      acked.set(clientMsgId, reply.message.id);
    }
    const items: WireMessage[] = [];
    for (let after = 0; ;) {
      const page = await api<{ items: WireMessage[]; hasMore: boolean }>(
        p2,
        b,
        `/conversations/${id}/messages?limit=100&afterSeq=${after}`,
      );
      items.push(...page.items);
      if (!page.hasMore) break;
      after = page.items[page.items.length - 1].seq;
    }
    const stored = new Map(items.map((m) => [m.clientMsgId, m.id]));
    expect(items.length).toBe(stored.size);
    for (const [clientMsgId, messageId] of acked) expect(stored.get(clientMsgId)).toBe(messageId);
    expect(items.map((m) => m.seq)).toEqual(items.map((_, i) => i + 1));
    p1 = await startServer(env());
  }, 90_000);
});
