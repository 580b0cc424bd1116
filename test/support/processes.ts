import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-database';
import { provision } from './provision';

export interface Running {
  port: number;
  url: string;
  process: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function waitUntil(check: () => Promise<boolean>, child: ChildProcess, what: string) {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${what} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });

function running(child: ChildProcess, port: number, url: string): Running {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    url,
    process: child,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A throwaway Redis (Debian's redis-server) on a free loopback port, without persistence. */
export async function startRedis(): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    provision('redis'),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`redis-server could not start: ${error.message}`)),
    ),
  );
  await Promise.race([waitUntil(() => portOpen(port), child, 'redis-server'), spawnError]);
  return running(child, port, `redis://127.0.0.1:${port}`);
}

/** The built server (dist/main.js, as production runs it) as a child process. */
export async function startServer(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'dist', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    async () => {
      try {
        return (await fetch(`${url}/api/health/ready`)).status === 200;
      } catch {
        return false;
      }
    },
    child,
    'the server',
  );
  return running(child, port, url);
}
