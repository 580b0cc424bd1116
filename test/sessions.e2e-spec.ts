import { JwtService } from '@nestjs/jwt';
import type { Socket } from 'socket.io-client';
import {
  collect,
  registerUser,
  uniqueName,
  useTestApp,
  waitFor,
  type TestUser,
} from './support/test-app';

interface Pair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Sessions: rotating refresh tokens with reuse detection, logout, the sessions list. */
describe('sessions', () => {
  const suite = useTestApp();
  const http = () => suite.app.http();
  const password = 'correct horse battery';

  const login = async (user: TestUser, userAgent = 'test-agent/1'): Promise<Pair> =>
    (
      await http()
        .post('/api/auth/login')
        .set('User-Agent', userAgent)
        .send({ username: user.username, password })
        .expect(200)
    ).body as Pair;
  const refresh = (refreshToken: string) => http().post('/api/auth/refresh').send({ refreshToken });
  const me = (accessToken: string) =>
    http().get('/api/users/me').set('Authorization', `Bearer ${accessToken}`);
  const connect = (accessToken: string) =>
    suite.connect({ id: '', username: '', token: accessToken });
  const closed = (socket: Socket) => waitFor(() => socket.disconnected, 3000);

  it('refresh gives a new pair and spends the old refresh token; the new one works', async () => {
    const user = await registerUser(suite.app);
    const first = await login(user);
    const answer = await refresh(first.refreshToken).expect(200);
    const second = answer.body as Pair;
    expect(answer.body).toMatchObject({ user: { id: user.id }, expiresIn: 900 });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const jwt = new JwtService();
    expect(jwt.decode<{ sid: string }>(second.accessToken).sid).toBe(
      jwt.decode<{ sid: string }>(first.accessToken).sid,
    );
    await me(second.accessToken).expect(200);
    const third = (await refresh(second.refreshToken).expect(200)).body as Pair;
    await me(third.accessToken).expect(200);
  });

  it('answers the token just spent again with the current pair, for a client whose answer was lost', async () => {
    const user = await registerUser(suite.app);
    const first = await login(user);
    const second = (await refresh(first.refreshToken).expect(200)).body as Pair;
    const retried = (await refresh(first.refreshToken).expect(200)).body as Pair;
    expect(retried.refreshToken).toBe(second.refreshToken);
    // Still one session going on: the current token rotates as usual.
    await refresh(retried.refreshToken).expect(200);
  });

  it('a spent refresh token presented again ends the whole session, for its thief and its owner', async () => {
    const user = await registerUser(suite.app);
    const stolen = await login(user);
    const owner = await refresh(stolen.refreshToken).expect(200);
    const latest = (await refresh((owner.body as Pair).refreshToken).expect(200)).body as Pair;
    const socket = await connect(latest.accessToken);
    const told = collect<{ reason: string }>(socket, 'session:expired');

    const reuse = await refresh(stolen.refreshToken).expect(401);
    expect(reuse.body).toMatchObject({
      error: 'UNAUTHORIZED',
      message: expect.stringMatching(/already used/),
    });
    await me(latest.accessToken).expect(401);
    await refresh(latest.refreshToken).expect(401);
    await closed(socket);
    expect(told).toEqual([{ reason: 'reuse' }]);
  });

  it.each([
    ['garbage', 'not a token', 401],
    ['a forged MAC', `${'0'.repeat(24)}.0.${'A'.repeat(43)}`, 401],
    ['an access token (longer than any refresh token)', 'access', 400],
    ['an operator', { $ne: null }, 400],
    ['an oversized token', 'x'.repeat(201), 400],
  ])('refuses %s as a refresh token', async (_case, given, status) => {
    const user = await registerUser(suite.app);
    const refreshToken = given === 'access' ? user.token : given;
    const answer = await http().post('/api/auth/refresh').send({ refreshToken });
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(status === 400 ? 'VALIDATION_FAILED' : 'UNAUTHORIZED');
  });

  it('logout ends that session only: its tokens stop at once and its sockets are told and closed', async () => {
    const user = await registerUser(suite.app);
    const [phone, laptop] = [await login(user, 'phone'), await login(user, 'laptop')];
    const [phoneSocket, laptopSocket] = [
      await connect(phone.accessToken),
      await connect(laptop.accessToken),
    ];
    const told = collect<{ reason: string }>(phoneSocket, 'session:expired');

    await http()
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${phone.accessToken}`)
      .expect(204);

    await closed(phoneSocket);
    expect(told).toEqual([{ reason: 'logout' }]);
    await me(phone.accessToken).expect(401);
    await refresh(phone.refreshToken).expect(401);
    // The other device carries on.
    await me(laptop.accessToken).expect(200);
    expect(laptopSocket.connected).toBe(true);
    await http()
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${phone.accessToken}`)
      .expect(401);
  });

  it("lists one's live sessions with the current one marked, and ends another one of them", async () => {
    const user = await registerUser(suite.app);
    const [a, b] = [await login(user, 'agent A'), await login(user, 'agent B')];
    const listed = await http()
      .get('/api/auth/sessions')
      .set('Authorization', `Bearer ${a.accessToken}`)
      .expect(200);
    const mine = (listed.body as { id: string; userAgent: string; current: boolean }[]).filter(
      (session) => session.userAgent.startsWith('agent '),
    );
    expect(mine.map((session) => [session.userAgent, session.current]).sort()).toEqual([
      ['agent A', true],
      ['agent B', false],
    ]);
    expect(listed.body[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      expiresAt: expect.any(String),
      userAgent: expect.any(String),
      current: expect.any(Boolean),
    });
    const other = mine.find((session) => !session.current)!;
    const bSocket = await connect(b.accessToken);

    await http()
      .delete(`/api/auth/sessions/${other.id}`)
      .set('Authorization', `Bearer ${a.accessToken}`)
      .expect(204);

    await closed(bSocket);
    await me(b.accessToken).expect(401);
    await me(a.accessToken).expect(200);
    const after = await http()
      .get('/api/auth/sessions')
      .set('Authorization', `Bearer ${a.accessToken}`)
      .expect(200);
    const ids = (after.body as { id: string }[]).map((session) => session.id);
    expect(ids).not.toContain(other.id);
  });

  it("cannot see or end another user's session (404, and it carries on)", async () => {
    const [mallory, victim] = [await registerUser(suite.app), await registerUser(suite.app)];
    const victimSid = new JwtService().decode<{ sid: string }>(victim.token).sid;
    for (const id of [victimSid, '0123456789abcdef01234567', 'not-an-id', '%24ne']) {
      const answer = await http()
        .delete(`/api/auth/sessions/${id}`)
        .set('Authorization', `Bearer ${mallory.token}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error).toBe('NOT_FOUND');
    }
    await me(victim.token).expect(200);
    await http().get('/api/auth/sessions').expect(401);
  });

  it('register starts a session too, named by the client', async () => {
    const username = uniqueName('reg');
    const registered = await http()
      .post('/api/auth/register')
      .set('User-Agent', 'x'.repeat(500))
      .send({ username, password })
      .expect(201);
    const listed = await http()
      .get('/api/auth/sessions')
      .set('Authorization', `Bearer ${registered.body.accessToken}`)
      .expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ current: true, userAgent: 'x'.repeat(200) }),
    ]);
  });
});
