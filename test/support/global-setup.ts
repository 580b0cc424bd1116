import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/database/embedded-database';

declare global {
  var testDatabase: EmbeddedDatabase | undefined;
}

/** Starts a throwaway database for the run unless MONGODB_URI points at one already. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;
  const database = await startEmbeddedDatabase({
    dataDir: mkdtempSync(join(tmpdir(), 'chat-test-db-')),
    dbName: `chat_test_${Date.now()}`,
    log: (line) => process.stderr.write(`\n[test database] ${line}\n`),
  });
  globalThis.testDatabase = database;
  process.env.MONGODB_URI = database.uri;
}
