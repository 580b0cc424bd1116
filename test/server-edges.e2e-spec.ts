import { startServer, type Running } from './support/processes';
import { registerUser, useTestApp } from './support/test-app';

/** What the server does at its HTTP edge for every route: parsers, headers, the scrape target. */
describe('the HTTP edge', () => {
  const suite = useTestApp();

  it('takes JSON bodies only: a form post (which any site can make a browser send) is refused', async () => {
    const user = await registerUser(suite.app);
    const form = await suite.app
      .http()
      .post('/api/auth/login')
      .type('form')
      .send({ username: user.username, password: 'correct horse battery' });
    expect(form.status).toBe(400);
    expect(form.body).toMatchObject({ error: 'VALIDATION_FAILED' });
    // The same credentials as JSON sign in.
    await suite.app
      .http()
      .post('/api/auth/login')
      .send({ username: user.username, password: 'correct horse battery' })
      .expect(200);
  });

  it('refuses a deeply nested body with VALIDATION_FAILED before validating it, and keeps serving', async () => {
    const deep = `{"username":${'['.repeat(20_000)}"x"${']'.repeat(20_000)},"password":"p"}`;
    const response = await suite.app
      .http()
      .post('/api/auth/login')
      .set('content-type', 'application/json')
      .send(deep);
    expect([response.status, response.body.error]).toEqual([400, 'VALIDATION_FAILED']);
    expect(response.body.message).toMatch(/nests deeper than 10 levels/);
    await suite.app.http().get('/api/health').expect(200);
  });

  it('sends security headers on API responses', async () => {
    const api = await suite.app.http().get('/api/health').expect(200);
    expect(api.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringMatching(/max-age=\d+/),
      'content-security-policy': expect.stringMatching(/default-src 'self'/),
    });
    // Only the API docs' page goes without it: its Swagger UI runs inline scripts.
    const docs = await suite.app.http().get('/api/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
  });

  describe('/metrics', () => {
    const servers: Running[] = [];
    afterAll(() => Promise.all(servers.map((server) => server.stop())));
    const start = async (env: Record<string, string>) => {
      const server = await startServer(env);
      servers.push(server);
      return server;
    };

    it('wants the scraper’s bearer token when METRICS_TOKEN is set', async () => {
      const token = 'scrape-token-of-some-length';
      const server = await start({ METRICS_TOKEN: token });
      const scrape = (authorization?: string) =>
        fetch(`${server.url}/metrics`, {
          headers: authorization ? { authorization } : {},
        });
      expect((await scrape()).status).toBe(401);
      expect((await scrape('Bearer wrong-token-of-some-length')).status).toBe(401);
      const ok = await scrape(`Bearer ${token}`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^chat_messages_stored_total/m);
    }, 60_000);

    it('is switched off in production without a token', async () => {
      const server = await start({
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-secret-that-is-long-enough',
        LOG_LEVEL: 'silent',
      });
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'NOT_FOUND' });
      // Nor are the API docs served there, unless API_DOCS says so.
      expect((await fetch(`${server.url}/api/docs-json`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/docs/`)).status).toBe(404);
    }, 60_000);

    it('serves the API docs in production when API_DOCS=true', async () => {
      const server = await start({
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-secret-that-is-long-enough',
        LOG_LEVEL: 'silent',
        API_DOCS: 'true',
      });
      expect((await fetch(`${server.url}/api/docs-json`)).status).toBe(200);
    }, 60_000);
  });
});
