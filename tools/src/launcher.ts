import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { connect } from 'node:net';

export interface LaunchOptions {
  /** What errors call it ("redis-server", "the server"). */
  name: string;
  command: string;
  args?: readonly string[];
  /** The whole environment of the child (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** As for spawn; a piped stderr is kept (its tail) for the error when the start fails. */
  stdio?: StdioOptions;
  /** Polled every 100 ms until it answers true: the process serves. */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

/** A child process that has become ready. */
export interface Launched {
  process: ChildProcess;
  pid: number | undefined;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  readonly running: boolean;
  /** The last 4,000 characters it wrote to a piped stderr (for a test's diagnosis). */
  readonly stderrTail: string;
  /** Signals it (SIGTERM unless told; SIGKILL simulates a crash) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const POLL_MS = 100;

/** Whether something accepts TCP connections on the loopback port. */
export const portOpen = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });

/** Whether a GET of the URL answers 2xx. */
export const httpOk = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
};

const isRunning = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null;

/**
 * Spawns a process and resolves once `ready` says it serves; rejects (and kills it) when it
 * cannot be spawned, exits first, or is not ready in time. The one way the tests, the benchmark,
 * the cluster script and the embedded database start a process.
 */
export async function launch(options: LaunchOptions): Promise<Launched> {
  const { name, timeoutMs = 30_000 } = options;
  const child = spawn(options.command, options.args ?? [], {
    env: options.env ?? process.env,
    stdio: options.stdio ?? 'ignore',
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (spawnError) throw new Error(`${name} could not start: ${spawnError.message}`);
      if (!isRunning(child)) {
        throw new Error(
          `${name} exited (code ${child.exitCode ?? child.signalCode}) before it was ready`,
        );
      }
      if (await options.ready()) break;
      if (Date.now() > deadline) throw new Error(`${name} was not ready within ${timeoutMs} ms`);
      await new Promise((wait) => setTimeout(wait, POLL_MS));
    }
  } catch (error) {
    if (isRunning(child)) child.kill('SIGKILL');
    const detail = stderrTail ? `\n${stderrTail}` : '';
    throw new Error(`${(error as Error).message}${detail}`);
  }

  return {
    process: child,
    pid: child.pid,
    exited,
    get running() {
      return isRunning(child);
    },
    get stderrTail() {
      return stderrTail;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (isRunning(child)) child.kill(signal);
      await exited;
    },
  };
}
