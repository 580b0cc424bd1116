import { rmSync } from 'node:fs';

/** Stops the run's database; each project that started it calls this, so it runs once. */
export default async function globalTeardown(): Promise<void> {
  const database = globalThis.testDatabase;
  if (!database) return;
  globalThis.testDatabase = undefined;
  await database.stop();
  rmSync(database.dataDir, { recursive: true, force: true });
}
