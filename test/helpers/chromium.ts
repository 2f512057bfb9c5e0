import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium: playwright-core drives it and never downloads a browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium with a fresh profile under `dir`, quiet on the network by itself. */
export function launchChromium(
  dir: string,
  options: { readonly height: number; readonly offline: boolean },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: options.height },
    offline: options.offline,
  });
}

/**
 * Closes the browser and removes its profile. Chromium's helper processes can still be writing
 * to the profile for a moment after the close, so the removal retries (ENOTEMPTY otherwise).
 */
export async function closeChromium(
  context: BrowserContext | undefined,
  dir: string,
): Promise<void> {
  await context?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

/** How long a test may wait for Chromium to start: seconds on a loaded 2-core machine. */
export const LAUNCH_TIMEOUT_MS = 60_000;
