/**
 * The live dashboard in a real browser (Debian's chromium through playwright-core, as the
 * report's browser test): it opens against a running server, traffic flows, a node is crashed
 * through the API, and the page shows the load, the traffic and the crash without a reload,
 * asking nothing of any other origin.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CHROMIUM, closeChromium, launchChromium, LAUNCH_TIMEOUT_MS } from '../helpers/chromium.js';
import { call, entry, startServer, type Running } from './helpers.js';

const SCREENSHOT = join(tmpdir(), 'ringlab-dashboard.png');

describe.skipIf(process.env['RINGLAB_SKIP_BROWSER'] === '1')(
  'the serve dashboard in Chromium',
  () => {
    let dir = '';
    let context: BrowserContext | undefined;
    let server: Running;

    beforeAll(async () => {
      server = await startServer({ nodes: 4 }, Date.now);
      if (!existsSync(CHROMIUM)) return;
      dir = mkdtempSync(join(tmpdir(), 'ringlab-dashboard-'));
      context = await launchChromium(dir, { height: 1000, offline: false });
    }, LAUNCH_TIMEOUT_MS);

    // The browser first: its open connections would keep the server's close waiting.
    afterAll(async () => {
      await closeChromium(context, dir);
      await server.close();
    }, LAUNCH_TIMEOUT_MS);

    it('shows load, traffic and a crashed node while requests flow', async () => {
      if (context === undefined) {
        throw new Error(
          `no browser at ${CHROMIUM}: apt-get install chromium, or set RINGLAB_SKIP_BROWSER=1 to skip on purpose`,
        );
      }
      const page = await context.newPage();
      const origin = new URL(server.url).origin;
      const elsewhere: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).origin !== origin) elsewhere.push(request.url());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${server.url}/`);
      await page.locator('#nodes [data-node="n1"]').waitFor();

      for (let i = 0; i < 40; i++) {
        await call(server.url, 'POST', '/api/v1/logs', entry({ service_name: `svc-${i % 8}` }));
      }
      await expect
        .poll(() => page.locator('#summary').textContent(), { timeout: 10_000 })
        .toMatch(/^40 requests, 0 server errors/);
      const bars = await page.locator('#chart-load svg rect').count();
      expect(bars).toBeGreaterThanOrEqual(8);
      expect(await page.locator('#chart-rate svg path').count()).toBeGreaterThan(0);

      await call(server.url, 'POST', '/api/v1/cluster/nodes/n2/crash');
      await page.locator('#nodes [data-node="n2"][data-state="down"]').waitFor();
      await page.getByText('fault: crash n2').waitFor();
      expect(await page.locator('#nodes [data-state="up"]').count()).toBe(3);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      expect(elsewhere).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }, 60_000);
  },
);
