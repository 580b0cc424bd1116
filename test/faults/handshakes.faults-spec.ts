import { JwtService } from '@nestjs/jwt';
import { OWN_TOKENS } from '../../src/identity/token-audience';
import { connectSocket, registerUser, useTestApp, type TestApp } from '../support/test-app';
import { ScenarioTally } from './support/report';

/** Hostile socket.io handshakes: none may connect; a valid one still does. */
describe('hostile handshakes', () => {
  const suite = useTestApp();
  const tally = new ScenarioTally(
    'Hostile handshakes',
    'socket.io handshakes on /chat with no token, an empty or non-string token, a malformed ' +
      'token, one signed with another secret, an expired one, `alg: none`, one for a user that ' +
      'does not exist (deleted), one without a session, one of a session ended by logout, and a ' +
      'valid token from a disallowed Origin.',
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

  // The signed ones name the user's real session, so only what is wrong with each refuses it.
  type Claims = { sub: string; sid: string };
  it.each([
    ['no token', () => Promise.resolve(undefined)],
    ['an empty token', () => Promise.resolve('')],
    ['a token that is not a string', () => Promise.resolve({ $ne: null })],
    ['a malformed token', () => Promise.resolve('not.a.jwt')],
    [
      'a token signed with another secret',
      (claims: Claims) => jwt.signAsync(claims, { secret: 'y'.repeat(40), ...OWN_TOKENS }),
    ],
    [
      'an expired token',
      (claims: Claims) =>
        jwt.signAsync(
          { ...claims, exp: Math.floor(Date.now() / 1000) - 5 },
          { secret, ...OWN_TOKENS },
        ),
    ],
    [
      'an alg:none token',
      (claims: Claims) => Promise.resolve(`${encode({ alg: 'none' })}.${encode(claims)}.`),
    ],
    [
      'a token for a user that does not exist',
      (claims: Claims) =>
        jwt.signAsync({ ...claims, sub: '0123456789abcdef01234567' }, { secret, ...OWN_TOKENS }),
    ],
    [
      'a token without a session',
      ({ sub }: Claims) => jwt.signAsync({ sub }, { secret, ...OWN_TOKENS }),
    ],
    [
      'a token of a session that was ended',
      async (claims: Claims, token: string) => {
        await t.http().post('/api/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
        return token;
      },
    ],
  ])('refuses %s with connect_error UNAUTHORIZED', (_case, makeToken) =>
    tally.run(async () => {
      const user = await registerUser(t);
      const claims = { sub: user.id, sid: jwt.decode<{ sid: string }>(user.token).sid };
      await expect(connectSocket(t, await makeToken(claims, user.token))).rejects.toThrow(
        'UNAUTHORIZED',
      );
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
