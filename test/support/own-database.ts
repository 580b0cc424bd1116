import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '@nest-chat/dev-tools';
import { restartablePort } from './restartable-port';
import { startTestApp, type TestApp } from './test-app';

export interface OwnDatabase {
  readonly uri: string;
  /** The app on this database, when asked for (`withApp`). */
  readonly app: TestApp;
  /** kill -9 of the database server. */
  kill(): Promise<void>;
  /** Starts it again on the same address and data. */
  restart(): Promise<void>;
  /** What the database server last logged (warnings and errors), for a failure's diagnosis. */
  readonly logTail: string;
  /** FerretDB's debug handler (pprof), for a failure's diagnosis; undefined for mongod. */
  readonly debugUrl: string | undefined;
}

/**
 * A spec file's own database server (and app), started in beforeAll and removed in afterAll: so
 * it can kill the database without disturbing other files, count documents exactly, and run at
 * its own size whatever ran before it (FerretDB's queries scan whole collections).
 */
export function useOwnDatabase(dbName: string, { withApp = true } = {}): OwnDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), `chat-${dbName}-`));
  let port = 0;
  let debugPort = 0;
  let database: EmbeddedDatabase | undefined;
  let app: TestApp | undefined;
  const start = async (): Promise<void> => {
    database = await startEmbeddedDatabase({ dataDir, port, dbName, debugPort });
  };
  beforeAll(async () => {
    port = await restartablePort();
    do debugPort = await restartablePort();
    while (debugPort === port);
    await start();
    process.env.MONGODB_URI = database?.uri;
    if (withApp) app = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get uri() {
      if (!database) throw new Error('the database starts in beforeAll');
      return database.uri;
    },
    get app() {
      if (!app) throw new Error('the app starts in beforeAll (withApp)');
      return app;
    },
    async kill() {
      // A kill that hits nothing would let a scenario pass without its fault.
      if (!database?.running) throw new Error('kill: the database is not running');
      await database.stop('SIGKILL');
    },
    restart: start,
    get logTail() {
      return database?.logTail ?? '';
    },
    get debugUrl() {
      return database?.debugUrl;
    },
  };
}
