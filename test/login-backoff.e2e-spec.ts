import { registerUser, useTestApp } from './support/test-app';

// Two free failures, then waits of 3 s, 6 s, ... (long enough that "at once" holds on a busy machine).
process.env.LOGIN_BACKOFF_FREE_FAILURES = '2';
process.env.LOGIN_BACKOFF_BASE_MS = '3000';
process.env.RATE_LIMIT_AUTH = '1000000';

/** Failed sign-ins to one account from one address back off exponentially; a success starts over. */
describe('login back-off per account', () => {
  const suite = useTestApp();
  const login = (username: string, password: string) =>
    suite.app.http().post('/api/auth/login').send({ username, password });
  const right = 'correct horse battery';

  it('after the free failures, waits double and refuse even the right password until they end', async () => {
    const [target, bystander] = [await registerUser(suite.app), await registerUser(suite.app)];
    expect((await login(target.username, 'guess 1')).status).toBe(401);
    expect((await login(target.username, 'guess 2')).status).toBe(401);
    expect((await login(target.username, 'guess 3')).status).toBe(401); // the wait starts
    const refused = await login(target.username, right);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error: 'RATE_LIMITED',
      message: expect.stringMatching(/retry in \d+ s/),
    });
    const first = Number(refused.headers['retry-after']);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(3);
    // Other accounts are not slowed; without TRUST_PROXY, a claimed X-Forwarded-For is no way out.
    expect((await login(bystander.username, right)).status).toBe(200);
    const claimed = await suite.app
      .http()
      .post('/api/auth/login')
      .set('x-forwarded-for', '203.0.113.50')
      .send({ username: target.username, password: right });
    expect(claimed.status).toBe(429);

    await new Promise((resolve) => setTimeout(resolve, first * 1000 + 200));
    expect((await login(target.username, 'guess 4')).status).toBe(401);
    const second = Number((await login(target.username, right)).headers['retry-after']);
    expect(second).toBeGreaterThan(3); // doubled: up to 6 s
    expect(second).toBeLessThanOrEqual(6);
  });

  it('a success starts over: the free failures are free again', async () => {
    const user = await registerUser(suite.app);
    for (const password of ['guess 1', 'guess 2']) {
      expect((await login(user.username, password)).status).toBe(401);
    }
    expect((await login(user.username, right)).status).toBe(200);
    for (const password of ['guess 3', 'guess 4']) {
      expect((await login(user.username, password)).status).toBe(401);
    }
    expect((await login(user.username, right)).status).toBe(200);
  });
});
