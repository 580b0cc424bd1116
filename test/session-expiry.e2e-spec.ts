import { ChatClient, type ClientSession } from '../client/src';
import {
  ack,
  collect,
  directConversation,
  registerUser,
  useTestApp,
  waitFor,
} from './support/test-app';

// Short access tokens for this file: sockets outlive them only by renewing in band.
process.env.JWT_EXPIRES_IN = '6';

describe('socket sessions: expiry and auth:refresh', () => {
  const suite = useTestApp();
  const refresh = async (refreshToken: string) =>
    (await suite.app.http().post('/api/auth/refresh').send({ refreshToken }).expect(200)).body as {
      accessToken: string;
      refreshToken: string;
    };
  const login = async (username: string) =>
    (
      await suite.app
        .http()
        .post('/api/auth/login')
        .send({ username, password: 'correct horse battery' })
        .expect(200)
    ).body as { accessToken: string; refreshToken: string };

  it('tells a socket session:expired and drops it when its token runs out; a renewed one stays', async () => {
    const user = await registerUser(suite.app);
    const pair = await login(user.username);
    const stale = await suite.connect({ ...user, token: pair.accessToken });
    const renewed = await suite.connect({ ...user, token: pair.accessToken });
    const told = collect<{ reason: string }>(stale, 'session:expired');
    const renewedTold = collect(renewed, 'session:expired');

    // A token's end is in whole seconds: renewed later, it ends later.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const next = await refresh(pair.refreshToken);
    await expect(ack(renewed, 'auth:refresh', { accessToken: next.accessToken })).resolves.toEqual({
      ok: true,
      expiresIn: expect.any(Number),
    });

    await waitFor(() => stale.disconnected, 10_000);
    expect(told).toEqual([{ reason: 'expired' }]);
    // The renewed socket outlives the first token, still serving, until its own runs out.
    expect(renewed.connected).toBe(true);
    expect(renewedTold).toEqual([]);
    await expect(
      ack(renewed, 'sync', { conversationId: '0'.repeat(24), afterSeq: 0 }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await waitFor(() => renewed.disconnected, 10_000);
    expect(renewedTold).toEqual([{ reason: 'expired' }]);
  });

  it("refuses another user's token, an invalid one and malformed payloads in auth:refresh, keeping the socket", async () => {
    const [user, other] = [await registerUser(suite.app), await registerUser(suite.app)];
    const socket = await suite.connect(user);
    const cases: [unknown, string][] = [
      [{ accessToken: other.token }, 'FORBIDDEN'],
      [{ accessToken: 'not.a.jwt' }, 'UNAUTHORIZED'],
      [{ accessToken: { $ne: null } }, 'VALIDATION_FAILED'],
      [{ accessToken: user.token, userId: other.id }, 'VALIDATION_FAILED'],
      ['a string', 'VALIDATION_FAILED'],
    ];
    for (const [payload, code] of cases) {
      await expect(ack(socket, 'auth:refresh', payload)).resolves.toMatchObject({
        ok: false,
        error: { code },
      });
    }
    expect(socket.connected).toBe(true);
  });

  it('the client library renews in band: its socket outlives several access tokens without a drop', async () => {
    const [alice, bob] = [await registerUser(suite.app), await registerUser(suite.app)];
    const conversationId = await directConversation(suite.app, alice, bob);
    const client = new ChatClient({ url: suite.app.url, socket: { transports: ['websocket'] } });
    const renewed: (ClientSession | null)[] = [];
    const states: string[] = [];
    try {
      await client.login({ username: alice.username, password: 'correct horse battery' });
      client.on('session', (session) => renewed.push(session));
      client.connect();
      await waitFor(() => client.state === 'online');
      client.on('state', (state) => states.push(state));
      // Two and a half token lifetimes: renewed ahead each time (at 80% of 6 s), never dropped.
      await new Promise((resolve) => setTimeout(resolve, 15_000));
      expect(states).toEqual([]);
      // About every 4.8 s: renewed ahead of each end, not over and over.
      expect(renewed.length).toBeGreaterThanOrEqual(2);
      expect(renewed.length).toBeLessThanOrEqual(4);
      expect(renewed.every((session) => session?.refreshToken)).toBe(true);
      const message = await client.send(conversationId, 'still here');
      expect(message.seq).toBe(1);
    } finally {
      client.disconnect();
    }
  }, 30_000);
});
