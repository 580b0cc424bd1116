import { createServer, connect, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of the server whose connections a test can break at will. */
export interface CutProxy {
  /** The server's URL through the proxy. */
  url: string;
  /** Drops every open connection at once, as a network failure would. */
  cut(): void;
  /** While on, new connections are refused (the network stays down). */
  refuse(on: boolean): void;
  /** While on, the server's bytes are swallowed: requests arrive, answers are lost. */
  muteReplies(on: boolean): void;
  /** How many connections were opened through the proxy. */
  readonly connections: number;
  /** How many times `text` went from clients to the server in clear (HTTP, not WebSocket frames). */
  countSent(text: string): number;
  close(): Promise<void>;
}

/**
 * With several targets it is also a load balancer: each connection goes to the next target in
 * turn, and to the one after if that one refuses (a dead process).
 */
export async function startCutProxy(targetUrls: string | string[]): Promise<CutProxy> {
  const targets = [targetUrls].flat().map((url) => new URL(url));
  const open = new Set<Socket>();
  let refusing = false;
  let muted = false;
  let connections = 0;
  let turn = 0;
  let sent = '';
  const connectUpstream = (attempt = 0): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const target = targets[turn++ % targets.length];
      const upstream = connect(Number(target.port), target.hostname);
      const refused = (error: Error): void => {
        upstream.destroy();
        if (attempt + 1 < targets.length) resolve(connectUpstream(attempt + 1));
        else reject(error);
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        // From here on a failure is the connection's, handled where it is piped.
        upstream.off('error', refused);
        resolve(upstream);
      });
    });
  const server: Server = createServer((client) => {
    if (refusing) return client.destroy();
    connections += 1;
    client.on('error', () => client.destroy());
    client.pause(); // hold the request until a target is chosen
    connectUpstream().then(
      (upstream) => pipe(client, upstream),
      () => client.destroy(),
    );
  });
  const pipe = (client: Socket, upstream: Socket): void => {
    if (client.destroyed) return void upstream.destroy();
    open.add(client).add(upstream);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      sent += chunk.toString('latin1');
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!muted) client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
    client.resume();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    refuse: (on) => {
      refusing = on;
    },
    muteReplies: (on) => {
      muted = on;
    },
    get connections() {
      return connections;
    },
    countSent: (text) => sent.split(text).length - 1,
    close: () => {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
