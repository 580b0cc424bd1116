import { createServer } from 'node:net';

/**
 * A free port below Linux's ephemeral range (32768+), for a server a test kills and restarts on
 * the same address: while it is down, an ephemeral port could be handed to some outgoing
 * connection, and the restart could not bind it.
 */
export async function restartablePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
