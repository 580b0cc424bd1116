import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The server's command line as an operator runs it (the built `npm run cli`), on the test database. */
export function runCli(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [join(__dirname, '../../dist/cli/cli.js'), ...args], {
    env: process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Grants instance admin to `username` from the command line; throws if the command failed. */
export function grantAdmin(username: string): void {
  const result = runCli('users:grant-admin', username);
  if (result.status !== 0) throw new Error(`users:grant-admin failed: ${result.stderr}`);
}
