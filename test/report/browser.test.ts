/**
 * The HTML report in a real browser: Debian's `chromium`, driven by playwright-core (which
 * never downloads a browser of its own). `.ci/run` installs the package when it is missing;
 * without it this test fails rather than skipping quietly, unless RINGLAB_SKIP_BROWSER=1 says
 * so explicitly.
 */
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { resolveDocument } from '../../bench/experiment/experiment.js';
import { katas } from '../../bench/katas/index.js';
import type { KataReport } from '../../bench/kata/report.js';
import { renderHtmlReport } from '../../bench/report/html.js';
import { CHROMIUM, closeChromium, launchChromium, LAUNCH_TIMEOUT_MS } from '../helpers/chromium.js';
import { fixtureReport, HOSTILE, hostileReport } from './fixture.js';

/** Where the screenshot is left for a person to look at. */
const SCREENSHOT = join(tmpdir(), 'ringlab-report.png');

/** An SVG shape as the page sees it (the project compiles without the DOM library). */
interface Measurable {
  getBBox(): { readonly width: number; readonly height: number };
}

interface Visit {
  readonly page: Page;
  readonly url: string;
  readonly requests: string[];
  readonly errors: string[];
  readonly dialogs: string[];
  /** Closes the page and stops recording. */
  close(): Promise<void>;
}

/** Every chart of `report` is an svg on the page, of a size, with shapes that have ink. */
async function expectChartsDrawn(page: Page, report: KataReport): Promise<void> {
  for (const chart of report.charts) {
    const drawn = await page.locator(`svg[data-chart="${chart.id}"]`).evaluate((svg) => {
      const box = svg.getBoundingClientRect();
      const shapes = [...svg.querySelectorAll('rect, path, circle, line, polygon, polyline')];
      const inked = shapes.filter((shape) => {
        const b = (shape as unknown as Measurable).getBBox();
        return b.width > 0 || b.height > 0;
      });
      return {
        width: box.width,
        height: box.height,
        shapes: shapes.length,
        inked: inked.length,
        title: svg.querySelector(':scope > title')?.textContent ?? '',
      };
    });
    expect(drawn.width, chart.id).toBeGreaterThan(300);
    expect(drawn.height, chart.id).toBeGreaterThan(100);
    expect(drawn.shapes, chart.id).toBeGreaterThan(4);
    expect(drawn.inked, chart.id).toBeGreaterThan(4);
    expect(drawn.title, chart.id).toBe(chart.title);
  }
}

const README_SCREENSHOT = (kata: string): string =>
  fileURLToPath(new URL(`../../docs/img/${kata}-report.png`, import.meta.url));

describe.skipIf(process.env['RINGLAB_SKIP_BROWSER'] === '1')('the HTML report in Chromium', () => {
  let dir = '';
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    // Without the browser each test fails with the reason (a throw here would only mark them
    // skipped, and CI's count would show no failure).
    if (!existsSync(CHROMIUM)) return;
    dir = mkdtempSync(join(tmpdir(), 'ringlab-report-'));
    context = await launchChromium(dir, { height: 900, offline: true });
  }, LAUNCH_TIMEOUT_MS);

  afterAll(() => closeChromium(context, dir), LAUNCH_TIMEOUT_MS);

  /** Opens `report` from a file in a fresh page, recording what the page asked for and said. */
  async function visit(report: KataReport, name: string): Promise<Visit> {
    if (context === undefined) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), ` +
          'or set RINGLAB_SKIP_BROWSER=1 to skip the browser test on purpose',
      );
    }
    const file = join(dir, name);
    writeFileSync(file, renderHtmlReport(report));
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    const requests: string[] = [];
    // Requests from any page or worker of the context count, not only this page's.
    const onRequest = (request: { url(): string }) => requests.push(request.url());
    context.on('request', onRequest);
    const visit: Visit = {
      page,
      url,
      requests,
      errors: [],
      dialogs: [],
      close: async () => {
        context?.off('request', onRequest);
        await page.close();
      },
    };
    page.on('console', (message) => {
      if (message.type() === 'error') visit.errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => visit.errors.push(`page: ${error.message}`));
    page.on('dialog', (dialog) => {
      visit.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });
    return visit;
  }

  it('draws every chart, logs no error and requests nothing but the file', async () => {
    const { page, url, requests, errors, close } = await visit(fixtureReport, 'report.html');

    await expectChartsDrawn(page, fixtureReport);
    const findings = await page.locator('.findings li').allTextContents();
    expect(findings).toHaveLength(fixtureReport.findings.length);

    const screenshot = join(dir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    copyFileSync(screenshot, SCREENSHOT);

    // On a phone-sized screen the page does not scroll sideways: charts shrink, tables scroll.
    await page.setViewportSize({ width: 390, height: 800 });
    // A string, evaluated in the page: the project compiles without the DOM library.
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await close();
  });

  // Each kata's own defaults (logsentry's scaled down): the reports people actually open.
  const kataRuns: [string, Record<string, unknown>][] = [
    [
      'logsentry',
      { workload: { events: 1_500, servers: 200, rate: 3_000 }, reads: { rate: 60, scans: 1 } },
    ],
    ...katas
      .filter((kata) => kata.name !== 'logsentry')
      .map((kata) => [kata.name, {}] as [string, Record<string, unknown>]),
  ];
  it.each(kataRuns)(
    "draws the %s kata's report: every chart, no error, no request",
    async (name, extra) => {
      const { kata, experiment } = resolveDocument({ kata: name, ...extra });
      const report = kata.run(experiment, {});
      const { page, url, requests, errors, close } = await visit(report, `${name}.html`);
      await expectChartsDrawn(page, report);
      expect(await page.locator('.findings li').count()).toBe(report.findings.length);
      // The README's picture of this report: UPDATE_SCREENSHOTS=1 takes it again.
      if (process.env['UPDATE_SCREENSHOTS'] === '1') {
        await page.setViewportSize({ width: 1100, height: 1500 });
        await page.screenshot({ path: README_SCREENSHOT(name) });
      }
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      await close();
    },
  );

  it('shows markup in a design name as text and runs none of it', async () => {
    const { page, url, requests, errors, dialogs, close } = await visit(
      hostileReport(),
      'hostile.html',
    );
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe(`${HOSTILE} & "quotes"`);
    expect(await page.locator('#table-comparison').textContent()).toContain(HOSTILE);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await close();
  });
});
