import { bearer, registerUser, useTestApp } from './support/test-app';

// Low for this file: 4 failed sign-ins per account per minute, a minute's back-off after two
// failures from one address; the per-IP limit out of the way; the client's address taken from
// X-Forwarded-For (the tests are the trusted proxy).
process.env.RATE_LIMIT_LOGIN_PER_ACCOUNT = '4';
process.env.RATE_LIMIT_LOGIN_WINDOW_SECONDS = '60';
process.env.RATE_LIMIT_AUTH = '1000000';
process.env.LOGIN_BACKOFF_FREE_FAILURES = '2';
process.env.LOGIN_BACKOFF_BASE_MS = '60000';
process.env.TRUST_PROXY = 'loopback';

const RIGHT = 'correct horse battery';

/**
 * Guessing at one account from many addresses stops at the account's ceiling, and nobody can lock
 * its owner out by failing on purpose.
 */
describe('login limits per account', () => {
  const suite = useTestApp();
  const login = (username: string, password: string, address: string) =>
    suite.app
      .http()
      .post('/api/auth/login')
      .set('x-forwarded-for', address)
      .send({ username, password });

  it('past the ceiling, addresses that failed wait; the owner from an address without failures signs in and deletes the account', async () => {
    const target = await registerUser(suite.app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await login(target.username, `guess number ${i}`, `198.51.100.${i}`)).status);
    }
    // Each new address gets its try; the ceiling counts them.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const again = await login(target.username, RIGHT, '198.51.100.1');
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({
      error: 'RATE_LIMITED',
      message: expect.stringMatching(/retry in \d+ s/),
    });
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);

    const owner = await login(target.username, RIGHT, '203.0.113.9');
    expect(owner.status).toBe(200);
    // Confirming the password counts apart from sign-ins.
    const token = (owner.body as { accessToken: string }).accessToken;
    await suite.app
      .http()
      .delete('/api/users/me')
      .set(bearer({ ...target, token }))
      .send({ password: RIGHT })
      .expect(204);
  });

  it('backs off the address that fails, not the owner at another address, nor other accounts', async () => {
    const [target, bystander] = [await registerUser(suite.app), await registerUser(suite.app)];
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await login(target.username, `guess ${i}`, '192.0.2.7')).status);
    }
    expect(statuses).toEqual([401, 401, 401]); // the third starts the address's wait
    expect((await login(target.username, RIGHT, '192.0.2.7')).status).toBe(429);
    expect((await login(target.username, RIGHT, '192.0.2.8')).status).toBe(200);
    expect((await login(bystander.username, RIGHT, '192.0.2.7')).status).toBe(200);
  });
});
