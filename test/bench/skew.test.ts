import { describe, expect, it } from 'vitest';
import { resolveSkewConfig, runSkew, type SkewReport, type SkewResult } from '../../bench/skew.js';
import { zeta } from '../../bench/workloads/distributions.js';
import { expectRinglabError } from '../helpers/errors.js';
import { runCli } from '../helpers/run-cli.js';

function byStrategy(report: SkewReport, name: string): SkewResult {
  const result = report.results.find((r) => r.strategy === name);
  if (!result) throw new Error(`no result for ${name}`);
  return result;
}

describe('bench skew --compare on one event stream', () => {
  // 12 nodes, rf 3: theory says a window whose writes all land on one replica set has
  // max/mean = nodes / rf = 4.
  const report = runSkew(
    resolveSkewConfig({
      compare: true,
      events: 60_000,
      servers: 2_000,
      nodes: 12,
      rf: 3,
      seed: 5,
      reads: 300,
    }),
  );

  it('runs every strategy on the same events', () => {
    const totals = report.results.map((r) => r.nodes.reduce((sum, node) => sum + node.writes, 0));
    expect(new Set(totals)).toEqual(new Set([60_000 * 3]));
  });

  it('time-bucket: every window has one hot replica set, so windowed max/mean is nodes/rf', () => {
    const timeBucket = byStrategy(report, 'time-bucket');
    expect(timeBucket.write.windowMaxOverMean).toBeCloseTo(12 / 3, 6);
    expect(timeBucket.readFanout.byTimeRange.meanPartitions).toBeLessThanOrEqual(2);
    expect(timeBucket.readFanout.byTimeRange.scanFraction).toBe(0);
  });

  it('hash-event-id: balanced in every window, but a read by server scans every range', () => {
    const hashed = byStrategy(report, 'hash-event-id');
    expect(hashed.write.windowMaxOverMean).toBeLessThan(1.2);
    expect(hashed.readFanout.byServer.scanFraction).toBe(1);
    expect(hashed.readFanout.byServer.meanNodes).toBe(12);
    expect(hashed.partitions.count).toBe(60_000);
  });

  it('server-id: the hot server is the largest partition, holding its Zipfian share of events', () => {
    const naive = byStrategy(report, 'server-id');
    expect(naive.partitions.largestKey).toBe('srv-00000');
    // Item 0 of a Zipfian(0.99) over 2,000 servers takes 1/zeta of the events.
    const expected = 60_000 / zeta(2_000, 0.99);
    expect(Math.abs(naive.partitions.maxRows - expected) / expected).toBeLessThan(0.05);
    expect(naive.write.maxOverMean).toBeGreaterThan(
      byStrategy(report, 'hash-event-id').write.maxOverMean + 0.2,
    );
    expect(naive.readFanout.byServer).toMatchObject({
      meanPartitions: 1,
      maxPartitions: 1,
      meanNodes: 1,
    });
  });

  it('server-salted (adaptive): flattens the hot spot while a read by server touches few partitions', () => {
    const salted = byStrategy(report, 'server-salted');
    const naive = byStrategy(report, 'server-id');
    expect(salted.write.maxOverMean).toBeLessThan(naive.write.maxOverMean);
    expect(salted.partitions.maxRows).toBeLessThan(naive.partitions.maxRows / 4);
    expect(salted.readFanout.byServer.meanPartitions).toBeLessThanOrEqual(1.5);
    expect(salted.salt?.saltedServers).toBeGreaterThan(0);
    expect(salted.salt?.bytes).toBeGreaterThan(0);
  });

  it('server-day: one partition per server per day', () => {
    const daily = byStrategy(report, 'server-day');
    // One day of data starting at midnight, plus the few events past it: at most two days.
    expect(daily.readFanout.byServer.maxPartitions).toBeLessThanOrEqual(2);
  });
});

describe('bench skew with fixed salts', () => {
  it('touches exactly S partitions on a read by server', () => {
    const report = runSkew(
      resolveSkewConfig({
        strategy: 'server-salted',
        salt: '8',
        events: 5_000,
        servers: 100,
        reads: 50,
      }),
    );
    const fanout = report.results[0]!.readFanout.byServer;
    expect(fanout.meanPartitions).toBe(8);
    expect(fanout.maxPartitions).toBe(8);
  });
});

describe('resolveSkewConfig', () => {
  it.each([
    [{ salt: '0' }, 'salt'],
    [{ salt: 'lots' }, 'salt'],
    [{ bucket: 'an hour' }, 'bucket'],
    [{ span: '1m', bucket: '1h' }, 'span'],
    [{ strategy: 'by-magic' }, 'strategy'],
    [{ dist: 'pareto' }, 'dist'],
    [{ events: -1 }, 'events'],
    [{ servers: 0 }, 'servers'],
  ])('refuses %j naming %s', (input, field) => {
    expectRinglabError(
      () => resolveSkewConfig(input),
      field === 'strategy' || field === 'dist' ? 'UNKNOWN_NAME' : 'INVALID_CONFIG',
      field,
    );
  });
});

describe('ringlab bench skew (CLI)', () => {
  it('prints byte-identical JSON for the same seed, with the seed in it', async () => {
    const args = [
      'bench',
      'skew',
      '--strategy',
      'server-salted',
      '--events',
      '3000',
      '--servers',
      '50',
      '--reads',
      '20',
      '--json',
    ];
    const first = await runCli(...args, '--seed', '9');
    const second = await runCli(...args, '--seed', '9');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    const json = JSON.parse(first.stdout) as { seed: number; results: SkewResult[] };
    expect(json.seed).toBe(9);
    expect(Object.keys(json.results[0]!.write)).toEqual(
      expect.arrayContaining(['maxOverMean', 'cv', 'gini', 'windowMaxOverMean']),
    );
    expect(Object.keys(json.results[0]!.partitions)).toEqual(
      expect.arrayContaining(['count', 'maxRows', 'maxBytes', 'p99Bytes']),
    );
  });

  it('names the flag on bad input', async () => {
    const run = await runCli('bench', 'skew', '--salt', 'zero');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--salt/);
  });
});

describe('ringlab workload sample (CLI)', () => {
  it('shows the top items; Zipfian item 0 within 2% of 1/zeta(n, theta)', async () => {
    const run = await runCli(
      'workload',
      'sample',
      '--dist',
      'zipfian',
      '--items',
      '1000',
      '--count',
      '1000000',
      '--json',
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { top: { item: number; count: number }[] };
    expect(json.top).toHaveLength(100);
    expect(json.top[0]!.item).toBe(0);
    const share = json.top[0]!.count / 1_000_000;
    expect(Math.abs(share * zeta(1000, 0.99) - 1)).toBeLessThan(0.02);
  });

  it('names the flag on bad input', async () => {
    const run = await runCli('workload', 'sample', '--dist', 'uniform', '--theta', '0.5');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--theta/);
  });
});
