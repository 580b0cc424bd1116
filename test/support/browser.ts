import { chromium, type Browser } from 'playwright-core';
import { provision } from './provision';

/** Headless Chromium from the system (installed by scripts/install-chromium.sh if missing). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: provision('chromium'),
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
