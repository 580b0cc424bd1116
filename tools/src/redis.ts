import { freePort } from './free-port';
import { type Launched, launch, portOpen } from './launcher';

export interface RunningRedis extends Launched {
  port: number;
  url: string;
}

/**
 * A throwaway Redis on a free loopback port (or `port`: to start one again where a killed one
 * was), without persistence (tests and the cluster script).
 */
export async function startRedis(redisServer: string, at?: number): Promise<RunningRedis> {
  const port = at ?? (await freePort());
  const launched = await launch({
    name: 'redis-server',
    command: redisServer,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: () => portOpen(port),
  });
  return Object.assign(launched, { port, url: `redis://127.0.0.1:${port}` });
}
