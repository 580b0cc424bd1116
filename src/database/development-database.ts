import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { EmbeddedDatabase } from '@nest-chat/dev-tools';

const POINTER = 'embedded-database.uri';

/**
 * Outside production, with no MONGODB_URI: the embedded database under DATA_DIR, and
 * MONGODB_URI pointed at it. The server starts it and leaves its URI in DATA_DIR; the command
 * line uses the running server's (one store must not have two database processes, which would
 * not see each other's new collections), else starts its own for the command. Undefined when
 * MONGODB_URI names the database (always in production).
 */
export async function developmentDatabase(
  who: 'server' | 'cli',
): Promise<EmbeddedDatabase | undefined> {
  if (process.env.MONGODB_URI || process.env.NODE_ENV === 'production') return undefined;
  const dataDir = process.env.DATA_DIR || 'data';
  const pointer = join(dataDir, POINTER);
  if (who === 'cli') {
    const running = readPointer(pointer);
    if (running && (await answers(running))) {
      process.env.MONGODB_URI = running;
      return undefined;
    }
  }
  // Development tooling (tools/), loaded only here: production always names its database.
  const { startEmbeddedDatabase } = await import('@nest-chat/dev-tools');
  const database = await startEmbeddedDatabase({
    dataDir,
    log: who === 'server' ? (line) => console.log(`[embedded database] ${line}`) : undefined,
  });
  process.env.MONGODB_URI = database.uri;
  // The benchmark's figure decides (README, Files): on FerretDB every GridFS chunk read scans
  // all chunks, so downloads slow as files pile up; the embedded server is one process, which
  // is what the local store needs. A chosen FILE_STORAGE is kept.
  if (database.kind === 'ferretdb') process.env.FILE_STORAGE ??= 'local';
  if (who === 'cli') return database;
  writeFileSync(pointer, database.uri);
  const stop = database.stop.bind(database);
  database.stop = async (signal) => {
    rmSync(pointer, { force: true });
    await stop(signal);
  };
  return database;
}

function readPointer(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Whether something listens at the URI's address (a pointer left by a server that died does not). */
function answers(uri: string): Promise<boolean> {
  const { hostname, port } = new URL(uri);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), timeout: 1000 });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
