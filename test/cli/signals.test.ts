/**
 * Long runs stopped by SIGINT or SIGTERM, in the real process (`node bin/ringlab.js`): a sweep
 * on worker threads prints and writes the points done so far, marked partial, and exits 130 or
 * 143; a synchronous run is ended by the signal itself before it has written anything. Either
 * way no temporary file is left and an output that was there stays whole.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuilt } from '../helpers/built.js';

interface Stopped {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in `cwd` and sends it `signal` after `afterMs`. */
function runAndSignal(
  cwd: string,
  args: readonly string[],
  signal: NodeJS.Signals,
  afterMs: number,
): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill(signal), afterMs);
    child.on('error', reject);
    child.on('close', (code, got) => {
      clearTimeout(timer);
      resolve({ code, signal: got, stdout, stderr });
    });
  });
}

const OLD = '<p>the report of an earlier run</p>';

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringlab-signal-'));
  writeFileSync(join(dir, 'report.html'), OLD);
  return dir;
}

/** A sweep of 400 small points on two workers: well over a minute, a point every few 100 ms. */
const SWEEP = [
  'kata',
  'api-usage-log',
  '--events',
  '200',
  '--rate',
  '100',
  '--fault',
  'crash:n3@1s',
  '--sweep',
  `seed=${Array.from({ length: 400 }, (_, i) => i + 1).join(',')}`,
  '--workers',
  '2',
  '--report',
  'report.html',
  '--json',
];

describe('a run stopped by a signal', () => {
  beforeAll(ensureBuilt, 120_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'a sweep stopped by %s prints and writes its finished points, marked partial, and exits %i',
    async (signal, code) => {
      // The first points take a worker's start-up; wait longer when none had finished yet.
      for (const afterMs of [4000, 8000, 16_000]) {
        const dir = scratch();
        const run = await runAndSignal(dir, SWEEP, signal, afterMs);
        expect([run.code, run.signal, run.stderr]).toEqual([code, null, '']);
        expect(readdirSync(dir)).toEqual(['report.html']);
        if (run.stdout === '') {
          // Stopped before any point finished: nothing to report, the old report untouched.
          expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(OLD);
          continue;
        }
        const report = JSON.parse(run.stdout) as {
          partial: { signal: string; points: number; of: number };
          points: unknown[];
          findings: { id: string; text: string }[];
        };
        expect(report.partial.signal).toBe(signal);
        expect(report.partial.of).toBe(400);
        expect(report.partial.points).toBeGreaterThan(0);
        expect(report.partial.points).toBeLessThan(400);
        expect(report.points).toHaveLength(report.partial.points);
        expect(report.findings[0]!.id).toBe('partial');
        expect(report.findings[0]!.text).toMatch(
          new RegExp(`^Partial: ${signal} stopped the sweep after \\d+ of 400 points`),
        );
        const html = readFileSync(join(dir, 'report.html'), 'utf8');
        expect(html).toMatch(/^<!doctype html>/);
        expect(html).toMatch(/<\/html>\n?$/);
        expect(html).toContain(`Partial: ${signal} stopped the sweep`);
        return;
      }
      throw new Error('no point of the sweep finished within 16 s');
    },
    90_000,
  );

  it('a synchronous run is ended by SIGINT at once (a shell reports 130), its old report whole', async () => {
    const dir = scratch();
    const run = await runAndSignal(
      dir,
      ['kata', 'orders', '--orders', '100000', '--report', 'report.html'],
      'SIGINT',
      1500,
    );
    expect([run.code, run.signal, run.stdout]).toEqual([null, 'SIGINT', '']);
    expect(readdirSync(dir)).toEqual(['report.html']);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe(OLD);
  }, 30_000);

  it('check on worker threads stopped by SIGTERM prints what it judged, marked partial, and leaves its --history directory as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringlab-signal-'));
    mkdirSync(join(dir, 'histories'));
    writeFileSync(join(dir, 'histories', '7.jsonl'), '{"old":true}\n');
    const run = await runAndSignal(
      dir,
      ['check', '--schedules', '20000', '--workers', '2', '--history', 'histories', '--json'],
      'SIGTERM',
      2500,
    );
    expect([run.code, run.signal]).toEqual([143, null]);
    const report = JSON.parse(run.stdout) as { schedules: number; partial: unknown };
    expect(report.partial).toEqual({ signal: 'SIGTERM', of: 20000 });
    expect(report.schedules).toBeLessThan(20000);
    expect(readdirSync(join(dir, 'histories'))).toEqual(['7.jsonl']);
    expect(readFileSync(join(dir, 'histories', '7.jsonl'), 'utf8')).toBe('{"old":true}\n');
  }, 30_000);
});
