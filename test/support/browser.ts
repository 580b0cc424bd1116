import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Headless Chromium from the system (installed by scripts/install-chromium.sh if missing). */
export async function launchChromium(): Promise<Browser> {
  const script = join(__dirname, '..', '..', 'scripts', 'install-chromium.sh');
  const executablePath = execFileSync('bash', [script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return chromium.launch({
    executablePath,
    headless: true,
    // A sandbox needs user namespaces, which containers often lack; the pages are our own.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
