import { registerUser, useTestApp } from './support/test-app';

// Low for this file: 4 attempts per account per minute; the per-IP limit out of the way.
process.env.RATE_LIMIT_LOGIN_PER_ACCOUNT = '4';
process.env.RATE_LIMIT_LOGIN_WINDOW_SECONDS = '60';
process.env.RATE_LIMIT_AUTH = '1000000';

/** Guessing at one account is limited per account, whatever addresses the guesses come from. */
describe('login limits per account', () => {
  const suite = useTestApp();
  const login = (username: string, password: string, address: string) =>
    suite.app
      .http()
      .post('/api/auth/login')
      .set('x-forwarded-for', address)
      .send({ username, password });

  it('refuses an account past its attempts, even with the right password; other accounts still sign in', async () => {
    const [target, bystander] = [await registerUser(suite.app), await registerUser(suite.app)];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await login(target.username, `guess number ${i}`, `198.51.100.${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const right = await login(target.username, 'correct horse battery', '203.0.113.9');
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ error: 'RATE_LIMITED' });
    expect((await login(bystander.username, 'correct horse battery', '203.0.113.9')).status).toBe(
      200,
    );
  });
});
