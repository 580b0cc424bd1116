import { JwtService } from '@nestjs/jwt';
import { connectSocket, registerUser, useTestApp, type TestApp } from '../support/test-app';
import { ScenarioTally } from './support/report';

/** Hostile socket.io handshakes: none may connect; a valid one still does. */
describe('hostile handshakes', () => {
  const suite = useTestApp();
  const tally = new ScenarioTally(
    'Hostile handshakes',
    'socket.io handshakes on /chat with no token, an empty or non-string token, a malformed ' +
      'token, one signed with another secret, an expired one, `alg: none`, one for a user that ' +
      'does not exist (deleted), and a valid token from a disallowed Origin.',
    'handshakes accepted',
  );
  afterAll(() => tally.record());
  let t: TestApp;
  beforeAll(() => {
    t = suite.app;
  });

  const jwt = new JwtService();
  const secret = process.env.JWT_SECRET ?? '';
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

  it.each([
    ['no token', () => Promise.resolve(undefined)],
    ['an empty token', () => Promise.resolve('')],
    ['a token that is not a string', () => Promise.resolve({ $ne: null })],
    ['a malformed token', () => Promise.resolve('not.a.jwt')],
    [
      'a token signed with another secret',
      (id: string) => jwt.signAsync({ sub: id }, { secret: 'y'.repeat(40) }),
    ],
    [
      'an expired token',
      (id: string) =>
        jwt.signAsync({ sub: id, exp: Math.floor(Date.now() / 1000) - 5 }, { secret }),
    ],
    [
      'an alg:none token',
      (id: string) => Promise.resolve(`${encode({ alg: 'none' })}.${encode({ sub: id })}.`),
    ],
    [
      'a token for a user that does not exist',
      () => jwt.signAsync({ sub: '0123456789abcdef01234567' }, { secret }),
    ],
  ])('refuses %s with connect_error UNAUTHORIZED', (_case, makeToken) =>
    tally.run(async () => {
      const user = await registerUser(t);
      await expect(connectSocket(t, await makeToken(user.id))).rejects.toThrow('UNAUTHORIZED');
    }),
  );

  it('refuses a valid token from an origin that is neither its own nor allowed', () =>
    tally.run(async () => {
      const user = await registerUser(t);
      const foreign = connectSocket(t, user.token, {
        extraHeaders: { origin: 'http://evil.example' },
      });
      // The upgrade is refused before socket.io sees it: the client can only say so.
      await expect(foreign).rejects.toThrow('websocket error');
      const polling = await t
        .http()
        .get('/socket.io/?EIO=4&transport=polling')
        .set('Origin', 'http://evil.example');
      expect(polling.status).toBe(403);
    }));

  it('accepts a valid token', async () => {
    const user = await registerUser(t);
    const socket = suite.track(await connectSocket(t, user.token));
    expect(socket.connected).toBe(true);
  });
});
