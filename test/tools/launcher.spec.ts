import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launch, percentile, portOpen } from '@nest-chat/dev-tools';

describe('launch', () => {
  const node = process.execPath;

  it('resolves once the process serves, and stop() waits for its exit', async () => {
    const port = await freePort();
    const listener = `require('node:net').createServer().listen(${port}, '127.0.0.1')`;
    const launched = await launch({
      name: 'listener',
      command: node,
      args: ['-e', listener],
      ready: () => portOpen(port),
    });
    expect(launched.running).toBe(true);
    await launched.stop();
    expect(launched.running).toBe(false);
    expect(await portOpen(port)).toBe(false);
  });

  it('rejects with the exit and the tail of stderr when the process dies before it is ready', async () => {
    const start = launch({
      name: 'crasher',
      command: node,
      args: ['-e', 'console.error("bad config"); process.exit(3)'],
      stdio: ['ignore', 'ignore', 'pipe'],
      ready: () => Promise.resolve(false),
    });
    await expect(start).rejects.toThrow(/crasher exited \(code 3\)[\s\S]*bad config/);
  });

  it('rejects when the command cannot be spawned', async () => {
    const start = launch({
      name: 'ghost',
      command: '/nonexistent/ghost',
      ready: () => Promise.resolve(false),
    });
    await expect(start).rejects.toThrow(/ghost could not start/);
  });

  it('kills a process that is not ready in time', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'launcher-')), 'pid');
    const start = launch({
      name: 'sleeper',
      command: node,
      args: [
        '-e',
        `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
      ],
      ready: () => Promise.resolve(false),
      timeoutMs: 500,
    });
    await expect(start).rejects.toThrow(/sleeper was not ready within 500 ms/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((done) => setTimeout(done, 200));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([42], 99)).toBe(42);
    expect(percentile([], 50)).toBeNaN();
  });
});
