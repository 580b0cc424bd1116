import type { Socket } from 'socket.io-client';
import {
  ack,
  bearer,
  connectSocket,
  directConversation,
  getHistory,
  registerUser,
  settle,
  useTestApp,
  TestApp,
  TestUser,
} from '../support/test-app';
import type { SendAck } from '../support/wire';
import { ScenarioTally } from './support/report';

// Low limits for this file only (configuration is read when the app starts).
process.env.RATE_LIMIT_WINDOW_SECONDS = '2';
process.env.RATE_LIMIT_SENDS = '5';
process.env.RATE_LIMIT_EVENTS = '6';
process.env.RATE_LIMIT_REQUESTS = '30';
process.env.RATE_LIMIT_AUTH = '8';
process.env.SOCKET_MAX_CONNECTIONS_PER_USER = '3';
process.env.SOCKET_MAX_FRAME_BYTES = '65536';
process.env.CORS_ORIGINS = 'http://allowed.example';

const windowPasses = () => new Promise((resolve) => setTimeout(resolve, 2_200));

describe('floods and limits: rates, frame size, connections, Origin', () => {
  const suite = useTestApp();
  const tally = new ScenarioTally(
    'Floods',
    'Low limits for this file (2 s window: 5 sends, 6 other events, 30 REST requests, 8 logins ' +
      'per user or IP; 3 connections per user; 64 KiB frames; one allowed Origin). Each case ' +
      'floods one limit and checks the flooder is refused with the contract error while other ' +
      'users and connections carry on.',
    'cases where a flood got through or hurt another user',
  );
  afterAll(() => tally.record());
  const connect = (user: TestUser) => suite.connect(user);
  let t: TestApp;
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;
  let conversation: string;

  beforeAll(async () => {
    t = suite.app;
    [a, b, c] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    conversation = await directConversation(t, a, b);
    await windowPasses();
  });

  it('limits each user’s sends across REST and socket, leaves others alone, and resets', () =>
    tally.run(async () => {
      const [aSocket, bSocket] = [await connect(a), await connect(b)];
      const send = (socket: Socket, body: string) =>
        ack<SendAck>(socket, 'message:send', { conversationId: conversation, body });
      for (let i = 0; i < 4; i += 1)
        expect(await send(aSocket, `a${i}`)).toMatchObject({ ok: true });
      const rest = await t
        .http()
        .post(`/api/conversations/${conversation}/messages`)
        .set(bearer(a))
        .send({ body: 'a4' })
        .expect(201);
      expect(rest.body.seq).toBe(5);
      expect(await send(aSocket, 'a5')).toEqual({
        ok: false,
        error: {
          code: 'RATE_LIMITED',
          message: expect.any(String),
          retryAfter: expect.any(Number),
        },
      });
      const refused = await t
        .http()
        .post(`/api/conversations/${conversation}/messages`)
        .set(bearer(a))
        .send({ body: 'a6' })
        .expect(429);
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'RATE_LIMITED',
        message: expect.any(String),
        retryAfter: expect.any(Number),
      });
      expect(Number(refused.headers['retry-after']) * 1000).toBeGreaterThanOrEqual(
        refused.body.retryAfter as number,
      );
      expect(await send(bSocket, 'b0')).toMatchObject({ ok: true });
      expect(aSocket.connected).toBe(true);
      const bodies = (await getHistory(t, b, conversation)).items.map((m) => m.body);
      expect(bodies).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0']);

      await windowPasses();
      expect(await send(aSocket, 'again')).toMatchObject({ ok: true });
    }));

  it('limits each user’s other socket events on their own counter, and resets', () =>
    tally.run(async () => {
      await windowPasses();
      const [aSocket, bSocket] = [await connect(a), await connect(b)];
      const typing = (socket: Socket) =>
        ack<{ ok: boolean; error?: { code: string } }>(socket, 'typing', {
          conversationId: conversation,
          typing: true,
        });
      for (let i = 0; i < 6; i += 1) expect(await typing(aSocket)).toEqual({ ok: true });
      expect(await typing(aSocket)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      // Every event of the kind counts: a sync is refused too, and nothing else is.
      expect(
        await ack(aSocket, 'sync', { conversationId: conversation, afterSeq: 0 }),
      ).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      expect(await typing(bSocket)).toEqual({ ok: true });
      expect(
        await ack<SendAck>(aSocket, 'message:send', {
          conversationId: conversation,
          body: 'sends',
        }),
      ).toMatchObject({ ok: true });
      expect(aSocket.connected).toBe(true);
      await windowPasses();
      expect(await typing(aSocket)).toEqual({ ok: true });
    }));

  it('limits REST requests per user', () =>
    tally.run(async () => {
      await windowPasses();
      for (let i = 0; i < 30; i += 1)
        await t.http().get('/api/users/me').set(bearer(c)).expect(200);
      const limited = await t.http().get('/api/users/me').set(bearer(c)).expect(429);
      expect(limited.body.error).toBe('RATE_LIMITED');
      await t.http().get('/api/users/me').set(bearer(b)).expect(200);
      await t.http().get('/api/health/ready').expect(200);
    }));

  it('answers health probes and metrics scrapes past the request limit', () =>
    tally.run(async () => {
      await windowPasses();
      // More than the 30 requests a window allows, all from this one address.
      for (let i = 0; i < 40; i += 1) {
        await t.http().get('/api/health/ready').expect(200);
        await t.http().get('/metrics').expect(200);
      }
    }));

  it('limits login attempts per client', () =>
    tally.run(async () => {
      await windowPasses();
      const login = () =>
        t.http().post('/api/auth/login').send({ username: a.username, password: 'wrong password' });
      // All at once: counted as they arrive, so the argon2 work of each (slow on a busy machine)
      // cannot stretch them past the 2 s window.
      const answers = await Promise.all(Array.from({ length: 12 }, login));
      const statuses = answers.map((answer) => answer.status).sort((x, y) => x - y);
      expect(statuses).toEqual([...Array<number>(8).fill(401), ...Array<number>(4).fill(429)]);
      const limited = answers.filter((answer) => answer.status === 429);
      expect(limited.map((answer) => (answer.body as { error: string }).error)).toEqual(
        Array<string>(4).fill('RATE_LIMITED'),
      );
    }));

  it('closes a connection that sends an oversized frame, and only that one', () =>
    tally.run(async () => {
      const [aSocket, bSocket] = [await connect(a), await connect(b)];
      const closed = new Promise<string>((resolve) => aSocket.once('disconnect', resolve));
      aSocket.emit('message:send', { conversationId: conversation, body: 'x'.repeat(100_000) });
      expect(await closed).toMatch(/transport close|transport error|parse error/);
      await windowPasses();
      expect(
        await ack(bSocket, 'sync', { conversationId: conversation, afterSeq: 0, limit: 1 }),
      ).toMatchObject({
        ok: true,
      });
      const back = await connect(a);
      expect(back.connected).toBe(true);
    }));

  it('caps open connections per user', () =>
    tally.run(async () => {
      const open = [await connect(c), await connect(c), await connect(c)];
      await expect(connectSocket(t, c.token)).rejects.toThrow('RATE_LIMITED');
      open[0].close();
      await settle(300);
      suite.track(await connectSocket(t, c.token));
    }));

  it('admits at most the cap when one user’s handshakes arrive all at once', () =>
    tally.run(async () => {
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, () => connectSocket(t, c.token)),
      );
      const admitted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
      admitted.forEach((socket) => suite.track(socket));
      const refusals = attempts.flatMap((a) =>
        a.status === 'rejected' ? [(a.reason as Error).message] : [],
      );
      expect(admitted).toHaveLength(3);
      expect(new Set(refusals)).toEqual(new Set(['RATE_LIMITED']));
      // Slots come back when sockets close, refused handshakes took none.
      admitted.forEach((socket) => socket.close());
      await settle(300);
      suite.track(await connectSocket(t, c.token));
    }));

  it('refuses socket handshakes from origins not on the allow-list', () =>
    tally.run(async () => {
      const withOrigin = (origin: string) =>
        connectSocket(t, a.token, { extraHeaders: { origin } }).then((socket) =>
          suite.track(socket),
        );
      await expect(withOrigin('http://evil.example')).rejects.toThrow('websocket error');
      expect((await withOrigin('http://allowed.example')).connected).toBe(true);
      const cors = await t.http().get('/api/health').set('Origin', 'http://allowed.example');
      expect(cors.headers['access-control-allow-origin']).toBe('http://allowed.example');
      const evil = await t.http().get('/api/health').set('Origin', 'http://evil.example');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    }));

  it('a burst of sends from one user: the limit holds, another user is not refused (their time is reported)', () =>
    tally.run(async () => {
      await windowPasses();
      const [aSocket, bSocket] = [await connect(a), await connect(b)];
      const send = (socket: Socket, body: string) =>
        ack<SendAck>(socket, 'message:send', { conversationId: conversation, body });
      const burst = Promise.all(Array.from({ length: 100 }, (_, i) => send(aSocket, `flood ${i}`)));
      const started = Date.now();
      const others = await Promise.all([0, 1, 2].map((i) => send(bSocket, `calm ${i}`)));
      const othersMs = Date.now() - started;
      const flood = await burst;
      const accepted = flood.filter((reply) => reply.ok).length;
      const limited = flood.filter((reply) => !reply.ok && reply.error.code === 'RATE_LIMITED');
      tally.figure({ name: 'burst of 100 sends: accepted', value: accepted });
      tally.figure({ name: 'burst of 100 sends: refused RATE_LIMITED', value: limited.length });
      tally.figure({
        name: 'other user’s sends during the burst refused',
        value: others.filter((reply) => !reply.ok).length,
        mustBeZero: true,
      });
      tally.figure({
        name: 'other user’s 3 sends during the burst took',
        value: othersMs,
        unit: 'ms',
      });
      expect(accepted).toBe(5);
      expect(limited).toHaveLength(95);
      expect(others.every((reply) => reply.ok)).toBe(true);
      expect(aSocket.connected).toBe(true);
    }));

  it('serves Prometheus metrics at /metrics', async () => {
    const response = await t.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    for (const name of [
      'chat_connected_sockets',
      'chat_messages_stored_total',
      'chat_send_ack_seconds_bucket',
      'chat_fanout_deliveries_total',
      'chat_database_errors_total',
      'chat_redis_errors_total',
      'chat_rate_limited_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(response.text).toContain(name);
    }
    const stored = /^chat_messages_stored_total (\d+)/m.exec(response.text);
    expect(Number(stored?.[1])).toBeGreaterThanOrEqual(7);
  });
});
