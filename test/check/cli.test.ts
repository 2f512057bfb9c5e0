import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, exec, root } from '../helpers/built.js';
import { runCli, runCliIn } from '../helpers/run-cli.js';

describe('ringlab check', () => {
  it('prints the campaign as JSON with its verdict by checker', async () => {
    const run = await runCli('check', '--schedules', '4', '--seed', '2', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'seed',
        'schedules',
        'operations',
        'violations',
        'verdict',
        'byChecker',
        'failures',
      ]),
    );
    expect(report).toMatchObject({ seed: 2, schedules: 4, violations: 0, verdict: 'valid' });
    expect(Object.keys(report.byChecker as object)).toEqual([
      'lost-write',
      'read-after-write',
      'definite-failure',
      'monotonic-reads',
      'hinted-handoff',
      'complete-query',
    ]);
    expect((await runCli('check', '--schedules', '4', '--seed', '2', '--json')).stdout).toBe(
      run.stdout,
    );
  });

  it('prints a table, and writes each schedule’s history under --history', async () => {
    const run = await runCli('check', '--schedules', '2', '--history', 'out');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/verdict valid/);
    expect(run.stdout).toMatch(/read-after-write/);
    const files = Object.keys(run.written);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^out\/\d+\.jsonl$/);
    expect(run.written[files[0]!]!.split('\n')[0]).toMatch(/^\{"process":\d+,"type":"invoke"/);
  });

  it('replays one schedule by its seed', async () => {
    const run = await runCli('check', '--replay', '77', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ schedules: 1, config: { replay: 77 } });
  });

  it('reports anomalies at ONE/ONE without failing', async () => {
    const run = await runCli(
      'check',
      '--schedules',
      '10',
      '--seed',
      '4',
      '--cl-write',
      'ONE',
      '--cl-read',
      'ONE',
      '--json',
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { byChecker: Record<string, { anomalies: number }> };
    expect(report.byChecker['read-after-write']!.anomalies).toBeGreaterThan(0);
  });

  it.each([
    ['--schedules', '0'],
    ['--schedules', 'many'],
    ['--cl-write', 'SOME'],
    ['--cl-read', 'x'],
    ['--seed', '-1'],
    ['--replay', 'abc'],
  ])('exits 2 naming %s for %s', async (flag, value) => {
    const run = await runCli('check', flag, value);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.match(/--[a-z][a-z-]*/)?.[0]).toBe(flag);
  });

  it('exits 2 naming the path when the history cannot be written', async () => {
    const { runCliIn } = await import('../helpers/run-cli.js');
    const run = await runCliIn(
      { unwritable: ['locked'] },
      'check',
      '--schedules',
      '1',
      '--history',
      'locked',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/locked/);
  });
});

describe('ringlab check: a violation', () => {
  it('prints the schedule’s seed, how to replay it, and the history of the key at fault', async () => {
    const { renderCheck } = await import('../../cli/commands/check.js');
    const { runCampaign } = await import('../../bench/check/run.js');
    const { resolveCheckConfig } = await import('../../bench/check/config.js');
    const { brokenSystems } = await import('./broken-systems.js');
    const failing: Parameters<typeof renderCheck>[1][number][] = [];
    const report = runCampaign(resolveCheckConfig({ schedules: 20, seed: 3 }), {
      variant: brokenSystems['ack-before-apply'],
      onSchedule: (run, verdict) => {
        if (verdict.verdict === 'invalid') failing.push({ run, verdict });
      },
    });
    const { shrinkSchedule } = await import('../../bench/check/shrink.js');
    const { campaignJob } = await import('../../bench/check/run.js');
    const shrunk = shrinkSchedule(
      failing[0]!.run.schedule,
      campaignJob(resolveCheckConfig({}), true),
      'read-after-write',
      brokenSystems['ack-before-apply'],
    );
    const text = renderCheck(report, failing.slice(0, 1), [shrunk]);
    const seed = failing[0]!.run.schedule.seed;
    expect(text).toMatch(
      /\n {2}shrunk to \d of \d+ operations and \d of \d+ faults \([\d,]+ runs\)/,
    );
    expect(text).toMatch(/\n {4}read-after-write: k\d: read \d+ began at/);
    expect(text).toMatch(/verdict invalid/);
    expect(text).toContain(`schedule ${seed}: invalid`);
    expect(text).toContain(
      `reproduce: ringlab check --replay ${seed} --cl-write QUORUM --cl-read QUORUM`,
    );
    expect(text).toMatch(/\n {4}\{"process":/);
  });
});

describe('ringlab check on worker threads', () => {
  beforeAll(ensureBuilt, 180_000);

  it('gives the same report and the same histories on 1 and 2 workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringlab-check-'));
    const run = (workers: string) =>
      exec(
        process.execPath,
        [join(root, 'bin', 'ringlab.js'), 'check', '--schedules', '60', '--seed', '9'].concat([
          '--history',
          join(dir, workers),
          '--workers',
          workers,
          '--json',
        ]),
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
    try {
      const [one, two] = [await run('1'), await run('2')];
      expect(two.stderr).toBe('');
      expect(two.stdout).toBe(one.stdout);
      expect(JSON.parse(one.stdout)).toMatchObject({ schedules: 60, verdict: 'valid' });
      const files = (workers: string) =>
        readdirSync(join(dir, workers))
          .sort()
          .map((name) => [name, readFileSync(join(dir, workers, name), 'utf8')]);
      expect(files('2')).toHaveLength(60);
      expect(files('2')).toEqual(files('1'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a worker count out of range', async () => {
    const run = await runCli('check', '--workers', '0');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--workers expects 1-256 threads, got 0/);
  });
});

describe('ringlab check refuses up front', () => {
  it('a campaign whose histories would not fit in memory, with the estimate', async () => {
    const run = await runCli('check', '--schedules', '1000000', '--history', 'out');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: --schedules 1,000,000 with --history would need about [\d.]+ GiB of memory and take about .+; run fewer schedules, or without --history/,
    );
    expect(run.written).toEqual({});
  });

  it('a campaign over an hour on this machine, and accepts one under it', async () => {
    const { refuseCostlyCheck, resolveCheckConfig } = await import('../../bench/check/config.js');
    const oneCore = { totalBytes: 8 * 2 ** 30, cores: 1, heapLimitBytes: 4 * 2 ** 30 };
    const big = resolveCheckConfig({ schedules: 1_000_000 });
    expect(() => refuseCostlyCheck(big, { workers: 1, history: false }, oneCore)).toThrow(
      /^schedules 1,000,000 would need about .+ and take about 92 min on 1 worker/,
    );
    const twoCores = { ...oneCore, cores: 2 };
    expect(() => refuseCostlyCheck(big, { workers: 2, history: false }, twoCores)).not.toThrow();
  });

  it('a --history under a file, before running anything', async () => {
    const run = await runCliIn({ files: { f: 'keep me' } }, 'check', '--history', 'f/sub');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--history f\/sub cannot be made: f is a file/);
    expect(run.stdout).toBe('');
  });

  it('a --history that is a file, before running anything', async () => {
    const run = await runCliIn({ files: { 'h.txt': 'keep me' } }, 'check', '--history', 'h.txt');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--history h\.txt is a file, not a directory/);
    expect(run.stdout).toBe('');
    expect(run.written).toEqual({});
  });
});
