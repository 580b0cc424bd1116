import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '@nest-chat/dev-tools';
import { provision, type Tool } from './provision';

declare global {
  var testDatabase: EmbeddedDatabase | undefined;
}

/** What each project's tests start besides the server and its database. */
const TOOLS_OF: Record<string, Tool[]> = {
  e2e: ['redis', 'chromium'],
  faults: ['redis', 'schemathesis'],
};

/**
 * Installs what the project's tests need on a fresh machine (here, not inside a test's time
 * limit), and starts a throwaway database for the run unless MONGODB_URI points at one already.
 */
export default async function globalSetup(
  _global: unknown,
  project: { displayName?: string | { name: string } },
): Promise<void> {
  const { displayName } = project;
  const name = typeof displayName === 'string' ? displayName : (displayName?.name ?? '');
  for (const tool of TOOLS_OF[name] ?? []) provision(tool);
  if (process.env.MONGODB_URI) return;
  const database = await startEmbeddedDatabase({
    dataDir: mkdtempSync(join(tmpdir(), 'chat-test-db-')),
    dbName: `chat_test_${Date.now()}`,
    log: (line) => process.stderr.write(`\n[test database] ${line}\n`),
  });
  globalThis.testDatabase = database;
  process.env.MONGODB_URI = database.uri;
}
