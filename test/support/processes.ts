import { join } from 'node:path';
import {
  freePort,
  httpOk,
  type Launched,
  launch,
  startRedis as startRedisOn,
} from '@nest-chat/dev-tools';
import { provision } from './provision';

export interface Running extends Launched {
  port: number;
  url: string;
}

/**
 * A throwaway Redis (Debian's redis-server, installed the first time) on a free loopback port,
 * or on `port` (a fresh, empty one where a killed one was).
 */
export const startRedis = (port?: number): Promise<Running> =>
  startRedisOn(provision('redis'), port);

/**
 * The built server (dist/main.js, as production runs it) as a child process; with `logs`, its
 * stdout (the log) is readable on `process.stdout`.
 */
export async function startServer(
  env: Record<string, string>,
  { logs = false }: { logs?: boolean } = {},
): Promise<Running> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await launch({
    name: 'the server',
    command: process.execPath,
    args: [join(__dirname, '..', '..', 'dist', 'main.js')],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', logs ? 'pipe' : 'ignore', 'inherit'],
    ready: () => httpOk(`${url}/api/health/ready`),
  });
  return Object.assign(server, { port, url });
}
