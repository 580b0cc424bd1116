// What idle authenticated sockets cost: the server's RSS before and after S.idleSockets of them,
// opened from separate processes.
import { spawn } from 'node:child_process';
import { log, procStats, root } from './harness.mjs';

export async function idleSockets(S, url, serverPid, users) {
  const before = procStats(serverPid).rssMb;
  const perLoader = Math.ceil(S.idleSockets / S.loaders);
  const children = Array.from({ length: S.loaders }, () => {
    // In waves of 100, each waiting for the last to connect: a burst of thousands of handshakes
    // overflows the listen backlog, which is a test of the kernel, not of the server.
    const script = `
      import { io } from 'socket.io-client';
      const users = ${JSON.stringify(users.map((u) => u.token))};
      const open = (i) => new Promise((resolve) => {
        const s = io('${url}/chat', { auth: { token: users[i % users.length] }, transports: ['websocket'], forceNew: true, reconnection: false });
        s.once('connect', resolve);
        s.once('connect_error', (e) => { process.stderr.write(e.message + '\\n'); process.exit(1); });
      });
      for (let i = 0; i < ${perLoader}; i += 100) {
        await Promise.all(Array.from({ length: Math.min(100, ${perLoader} - i) }, (_, j) => open(i + j)));
      }
      process.stdout.write('open\\n');`;
    return spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  });
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve, reject) => {
          child.stdout.on('data', resolve);
          child.once('exit', (code) => reject(new Error(`idle sockets exited ${code}`)));
        }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = procStats(serverPid).rssMb;
  children.forEach((child) => child.kill('SIGKILL'));
  const result = {
    sockets: perLoader * S.loaders,
    rssBeforeMb: Math.round(before),
    rssAfterMb: Math.round(after),
    kibPerSocket: Math.round(((after - before) * 1024) / (perLoader * S.loaders)),
  };
  log(`idle: ${result.sockets} sockets, ${result.kibPerSocket} KiB each`);
  return result;
}
