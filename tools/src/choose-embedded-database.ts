import { lookup } from 'node:dns/promises';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The database `npm start` and the tests embed, and why (the start-up line says both). */
export type EmbeddedChoice =
  { kind: 'mongod'; binary: string; reason: string } | { kind: 'ferretdb'; reason: string };

/** How long the download host may take to resolve before the download is given up as impossible. */
const REACH_TIMEOUT_MS = 1_500;

/** mongodb-memory-server's default (MONGOMS_DOWNLOAD_MIRROR or MONGOMS_DOWNLOAD_URL override it). */
const DOWNLOAD_HOST = 'https://fastdl.mongodb.org';

type MemoryServerModule = typeof import('mongodb-memory-server-core');

/** mongodb-memory-server-core is a development dependency: absent from a production install. */
export async function loadMemoryServer(): Promise<MemoryServerModule | undefined> {
  try {
    return await import('mongodb-memory-server-core');
  } catch {
    return undefined;
  }
}

function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Whether a host name resolves within the time limit (no network: it fails at once). */
async function resolves(host: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((done) => {
    timer = setTimeout(() => done(false), REACH_TIMEOUT_MS);
  });
  const lookedUp = lookup(host).then(
    () => true,
    () => false,
  );
  return Promise.race([lookedUp, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A real mongod where one can be had, through mongodb-memory-server's own binary handling: the
 * given binary (MONGOD_PATH), one on PATH, one in its download cache, or one it downloads when
 * its download host can be reached. Else FerretDB. Decided fast: a download is tried only when
 * the host resolves, so a machine without the network goes straight to FerretDB.
 */
export async function chooseEmbeddedDatabase(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedChoice> {
  if (env.MONGOD_PATH) {
    if (!existsSync(env.MONGOD_PATH)) {
      throw new Error(`MONGOD_PATH: no such file: ${env.MONGOD_PATH} (unset it to use FerretDB)`);
    }
    return { kind: 'mongod', binary: env.MONGOD_PATH, reason: 'MONGOD_PATH' };
  }
  const onPath = findOnPath('mongod', env.PATH);
  if (onPath) return { kind: 'mongod', binary: onPath, reason: 'mongod on PATH' };

  const memoryServer = await loadMemoryServer();
  if (!memoryServer) {
    return {
      kind: 'ferretdb',
      reason: 'no mongod, and mongodb-memory-server-core is not installed',
    };
  }
  const { DryMongoBinary, MongoBinary } = memoryServer;
  let options: Awaited<ReturnType<typeof DryMongoBinary.generateOptions>>;
  let cached: string | undefined;
  try {
    options = await DryMongoBinary.generateOptions();
    cached = await DryMongoBinary.locateBinary(options);
  } catch (error) {
    // An operating system mongodb-memory-server does not know has no mongod build to offer.
    const reason = `mongodb-memory-server has no mongod for this system (${(error as Error).message})`;
    return { kind: 'ferretdb', reason };
  }
  if (cached) {
    return {
      kind: 'mongod',
      binary: cached,
      reason: `mongodb-memory-server's cache (${options.version})`,
    };
  }
  const source = env.MONGOMS_DOWNLOAD_URL || env.MONGOMS_DOWNLOAD_MIRROR || DOWNLOAD_HOST;
  const host = new URL(source).hostname;
  if (!(await resolves(host))) {
    return {
      kind: 'ferretdb',
      reason: `no mongod on MONGOD_PATH, PATH or in the download cache, and ${host} cannot be reached to download one`,
    };
  }
  try {
    log(`downloading mongod ${options.version} from ${host} (once per machine)...`);
    const binary = await MongoBinary.getPath(options);
    return { kind: 'mongod', binary, reason: `downloaded mongod ${options.version}` };
  } catch (error) {
    return { kind: 'ferretdb', reason: `the mongod download failed (${(error as Error).message})` };
  }
}
