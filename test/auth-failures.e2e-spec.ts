import { bearer, connectSocket, registerUser, useTestApp } from './support/test-app';

// Low for this file: 4 refused tokens per address per window; X-Forwarded-For believed (the tests
// are the trusted proxy).
process.env.RATE_LIMIT_AUTH = '4';
process.env.RATE_LIMIT_WINDOW_SECONDS = '60';
process.env.TRUST_PROXY = 'loopback';

/** Bad tokens cost a database read each: an address that keeps sending them is refused early. */
describe('failed authentications per address', () => {
  const suite = useTestApp();
  const me = (address: string, authorization: string) =>
    suite.app
      .http()
      .get('/api/users/me')
      .set('x-forwarded-for', address)
      .set('Authorization', authorization);

  it('refuses an address past its refused tokens, REST and socket alike; other addresses go on', async () => {
    const user = await registerUser(suite.app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await me('198.51.100.20', `Bearer not-a-token-${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    // Refused before the token is looked at: even a good one, from there.
    const limited = await me('198.51.100.20', bearer(user).Authorization);
    expect([limited.status, limited.body.error]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await expect(
      connectSocket(suite.app, user.token, {
        extraHeaders: { 'x-forwarded-for': '198.51.100.20' },
      }),
    ).rejects.toThrow('RATE_LIMITED');
    // Another address is not affected.
    expect((await me('198.51.100.21', bearer(user).Authorization)).status).toBe(200);
    const socket = await connectSocket(suite.app, user.token, {
      extraHeaders: { 'x-forwarded-for': '198.51.100.21' },
    });
    socket.close();
  });

  it('counts refused socket handshakes too', async () => {
    for (let i = 0; i < 4; i += 1) {
      await expect(
        connectSocket(suite.app, `bad-${i}`, { extraHeaders: { 'x-forwarded-for': '192.0.2.40' } }),
      ).rejects.toThrow('UNAUTHORIZED');
    }
    await expect(
      connectSocket(suite.app, 'bad-5', { extraHeaders: { 'x-forwarded-for': '192.0.2.40' } }),
    ).rejects.toThrow('RATE_LIMITED');
    const user = await registerUser(suite.app);
    expect((await me('192.0.2.40', bearer(user).Authorization)).status).toBe(429);
  });
});
