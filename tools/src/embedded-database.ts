import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chooseEmbeddedDatabase, loadMemoryServer } from './choose-embedded-database';
import { freePort } from './free-port';
import { launch, portOpen } from './launcher';

/**
 * Starts a MongoDB-compatible server as a child process for `npm start` and the tests when no
 * MONGODB_URI is given: a real `mongod` where one can be had (chooseEmbeddedDatabase), run by
 * mongodb-memory-server, else FerretDB (SQLite backend), built once per machine by
 * scripts/build-ferretdb.sh.
 */
export interface EmbeddedDatabase {
  uri: string;
  kind: 'mongod' | 'ferretdb';
  port: number;
  dataDir: string;
  /** The database server's process id (the benchmark reads its CPU time). */
  pid: number | undefined;
  /** Whether its process is still running. */
  readonly running: boolean;
  /** What FerretDB last logged (warnings and errors); empty for mongod. */
  readonly logTail: string;
  /** FerretDB's debug handler (Go's pprof under /debug/pprof), when a debugPort was given. */
  debugUrl?: string;
  /** Stops the server; SIGKILL simulates a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  /** A fixed port (to restart on the same address); a free loopback port when omitted. */
  port?: number;
  dbName?: string;
  /** Serve FerretDB's debug handler on this loopback port (for a test's diagnosis). */
  debugPort?: number;
  log?: (line: string) => void;
}

/** tools/dist/ → the repository (scripts/build-ferretdb.sh). */
const projectRoot = resolve(__dirname, '..', '..');

async function ferretdbBinary(): Promise<string> {
  const script = join(projectRoot, 'scripts', 'build-ferretdb.sh');
  try {
    const { stdout } = await promisify(execFile)('bash', [script], {
      maxBuffer: 1 << 20,
      timeout: 15 * 60_000,
    });
    return stdout.trim().split('\n').pop() ?? '';
  } catch (error) {
    throw new Error(
      `No embedded database could be started (${(error as Error).message.trim()}).\n` +
        'Install mongod (or set MONGOD_PATH), install Go so FerretDB can be built, ' +
        'or set MONGODB_URI=mongodb://host:27017/chat to use an existing server.',
    );
  }
}

/** A server left running by a crashed parent would hold the data directory: stop it first. */
function killStale(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  rmSync(pidFile, { force: true });
}

export async function startEmbeddedDatabase(
  options: EmbeddedDatabaseOptions,
): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const choice = await chooseEmbeddedDatabase(process.env, log);
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const storeDir = join(dataDir, choice.kind);
  mkdirSync(storeDir, { recursive: true });
  const uri = `mongodb://127.0.0.1:${port}/${options.dbName ?? 'chat'}`;
  log(
    `${choice.kind === 'mongod' ? `mongod ${choice.binary}` : 'FerretDB (SQLite)'}: ${choice.reason}`,
  );

  if (choice.kind === 'mongod') {
    const memoryServer = await loadMemoryServer();
    if (!memoryServer) throw new Error('mongodb-memory-server-core is not installed');
    const server = await memoryServer.MongoMemoryServer.create({
      binary: { systemBinary: choice.binary },
      // wiredTiger in the data directory, so `npm start` keeps its data across restarts.
      instance: { port, ip: '127.0.0.1', dbPath: storeDir, storageEngine: 'wiredTiger' },
    });
    const mongod = server.instanceInfo?.instance.mongodProcess;
    log(`mongod listening on 127.0.0.1:${port}, data in ${storeDir}`);
    return {
      uri,
      kind: 'mongod',
      port,
      dataDir,
      pid: mongod?.pid,
      get running() {
        return mongod !== undefined && mongod.exitCode === null && mongod.signalCode === null;
      },
      logTail: '',
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        // A crash is simulated on the process itself; a stop keeps the data directory.
        if (signal === 'SIGKILL') mongod?.kill('SIGKILL');
        await server.stop({ doCleanup: false });
      },
    };
  }

  const pidFile = join(dataDir, 'ferretdb.pid');
  killStale(pidFile);
  const ferretdb = await launch({
    name: 'FerretDB',
    command: await ferretdbBinary(),
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${storeDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--state-dir=-',
      `--debug-addr=${options.debugPort ? `127.0.0.1:${options.debugPort}` : '-'}`,
      '--log-level=warn',
    ],
    stdio: ['ignore', 'ignore', 'pipe'],
    ready: () => portOpen(port),
  });
  if (ferretdb.pid) writeFileSync(pidFile, String(ferretdb.pid));
  log(`FerretDB listening on 127.0.0.1:${port}, data in ${storeDir}`);

  return {
    uri,
    kind: 'ferretdb',
    port,
    dataDir,
    pid: ferretdb.pid,
    ...(options.debugPort ? { debugUrl: `http://127.0.0.1:${options.debugPort}` } : {}),
    get running() {
      return ferretdb.running;
    },
    get logTail() {
      return ferretdb.stderrTail;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      await ferretdb.stop(signal);
      rmSync(pidFile, { force: true });
    },
  };
}
