import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KataReport } from '../../bench/kata/report.js';
import { getKata } from '../../bench/katas/index.js';
import { join } from 'node:path';

import { ensureBuilt, exec, root } from '../helpers/built.js';
import { runCli, runCliIn } from '../helpers/run-cli.js';

/** A sweep small enough for a test: 4 points, each half a second of virtual time. */
const SMALL = ['--events', '500', '--read-rate', '20', '--scans', '0'];
const GRID = ['--sweep', 'vnodes=4,8', '--sweep', 'nodes=6,8'];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('--sweep is refused up front', () => {
  it('with --export, which prints one experiment (exit 2)', async () => {
    const run = await runCli('kata', 'logsentry', '--sweep', 'vnodes=4,8', '--export', 'yaml');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: --export prints one experiment and --sweep runs many/);
  });

  it('with --workers out of range', async () => {
    const run = await runCli('kata', 'logsentry', '--sweep', 'vnodes=4', '--workers', '0');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --workers expects 1-256/);
  });

  it('when one point is bad: before any point runs, naming the sweep and the field', async () => {
    const kata = getKata('logsentry');
    const ran = vi.spyOn(kata, 'run');
    const run = await runCli(
      'kata',
      'logsentry',
      ...SMALL,
      '--sweep',
      'nodes=6,8',
      '--sweep',
      'vnodes=4,2000',
      '--workers',
      '1',
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: --sweep vnodes=2000 \(at nodes=6, vnodes=2000\): cluster\.vnodes: expected an integer from 1 to 1,024, got 2000\n$/,
    );
    expect(ran).not.toHaveBeenCalled();
  });
});

describe('a sweep does not depend on the worker count', () => {
  beforeAll(ensureBuilt, 180_000);
  let oneWorker = '';

  it('prints one report over the grid: a row per point × design, the points in full', async () => {
    const run = await runCli('kata', 'logsentry', ...SMALL, ...GRID, '--workers', '1', '--json');
    expect(run.code).toBe(0);
    oneWorker = run.stdout;
    const report = JSON.parse(run.stdout) as KataReport;
    expect(report.title).toBe('logsentry sweep over vnodes × nodes');
    expect(report.points?.map((point) => point.values)).toEqual([
      { vnodes: 4, nodes: 6 },
      { vnodes: 4, nodes: 8 },
      { vnodes: 8, nodes: 6 },
      { vnodes: 8, nodes: 8 },
    ]);
    expect(report.tables[0]!.rows).toHaveLength(4 * report.points![0]!.report.designs.length);
    expect(report.charts.length).toBeGreaterThan(0);
    expect(report.findings.length).toBeGreaterThan(0);
  }, 60_000);

  it('two worker threads give the same bytes as one', async () => {
    const spawned = await exec(
      process.execPath,
      [
        join(root, 'bin', 'ringlab.js'),
        'kata',
        'logsentry',
        ...SMALL,
        ...GRID,
        '--workers',
        '2',
        '--json',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(spawned.stderr).toBe('');
    expect(oneWorker).not.toBe('');
    expect(spawned.stdout).toBe(oneWorker);
  }, 60_000);

  it('run <file> --sweep runs the same points as the kata', async () => {
    const exported = await runCli(
      'kata',
      'logsentry',
      ...SMALL,
      '--vnodes',
      '4',
      '--export',
      'yaml',
    );
    expect(exported.code).toBe(0);
    const run = await runCliIn(
      { files: { 'small.yaml': exported.stdout }, errIsTty: true },
      'run',
      'small.yaml',
      ...GRID,
      '--workers',
      '1',
      '--json',
    );
    expect(run.code).toBe(0);
    // No progress bar under --json, even on a terminal.
    expect(run.stderr).toBe('');
    const fromFile = JSON.parse(run.stdout) as KataReport;
    const fromKata = JSON.parse(oneWorker) as KataReport;
    expect(fromFile.points?.map((point) => point.report.tables)).toEqual(
      fromKata.points?.map((point) => point.report.tables),
    );
    expect(fromFile.tables).toEqual(fromKata.tables);
  }, 60_000);
});

describe('on a terminal', () => {
  it('draws a progress bar over the points on stderr, the report on stdout, and writes its files', async () => {
    const run = await runCliIn(
      { errIsTty: true },
      'kata',
      'logsentry',
      ...['--events', '200', '--rate', '500', '--read-rate', '10', '--scans', '0', '--nodes', '6'],
      ...['--sweep', 'vnodes=4,8', '--workers', '1', '--csv', 'out', '--report', 'sweep.html'],
    );
    expect(run.code).toBe(0);
    expect(Object.keys(run.written)).toEqual(
      expect.arrayContaining(['out/sweep.csv', 'out/findings.csv', 'sweep.html']),
    );
    expect(run.written['out/sweep.csv']).toMatch(/^vnodes,design,/);
    expect(run.written['sweep.html']).toMatch(/<svg/);
    expect(run.stderr).toMatch(/logsentry sweep \[.*\] \d+% \| \d\/2/);
    expect(run.stdout).toMatch(/^logsentry sweep over vnodes\n/);
    expect(run.stdout).toMatch(/\nfindings\n {2}1\. /);
  }, 30_000);
});
