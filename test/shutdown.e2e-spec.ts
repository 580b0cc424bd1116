import { request as httpRequest } from 'node:http';
import { registerUser, startTestApp } from './support/test-app';

// A short grace, so the test shows the shutdown ends with it.
process.env.SHUTDOWN_GRACE_MS = '500';

describe('shutdown', () => {
  it('ends after SHUTDOWN_GRACE_MS even with a request that never finishes', async () => {
    const app = await startTestApp();
    const user = await registerUser(app);
    // An upload whose body never ends: the request stays under way on the server.
    const boundary = 'x-boundary';
    const stuck = httpRequest(`${app.url}/api/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(1 << 20),
      },
    });
    const closed = new Promise<void>((done) => {
      stuck.once('error', () => done());
      stuck.once('close', () => done());
    });
    stuck.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n' +
        'x'.repeat(1000),
    );
    await new Promise((wait) => setTimeout(wait, 500));

    const started = Date.now();
    await app.close();
    // The grace, then the connection is cut (before, the HTTP server waited for it forever).
    expect(Date.now() - started).toBeLessThan(5_000);
    await closed;
  }, 30_000);
});
