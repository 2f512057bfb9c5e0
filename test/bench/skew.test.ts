import { describe, expect, it } from 'vitest';
import {
  estimateSkew,
  longRunNote,
  resolveSkewConfig,
  runSkew,
  type SkewReport,
  type SkewResult,
} from '../../bench/skew.js';
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
    // One day of data starting at midnight, and none past it: one day.
    expect(daily.readFanout.byServer.maxPartitions).toBe(1);
  });

  it('keeps every event inside the 1-day span: 24 hourly buckets, 24 whole windows', () => {
    expect(byStrategy(report, 'time-bucket').partitions.count).toBe(24);
    expect(new Set(report.results.map((r) => r.write.windows))).toEqual(new Set([24]));
  });
});

describe('bench skew progress', () => {
  it('reports events written across strategies, every 65,536 and at each end, up to the total', () => {
    const calls: [number, number][] = [];
    const config = resolveSkewConfig({ compare: true, events: 70_000, servers: 50, reads: 10 });
    runSkew(config, { progress: (done, total) => calls.push([done, total]) });
    const total = 70_000 * 5;
    expect(calls.map(([done]) => done)).toEqual(
      [0, 1, 2, 3, 4].flatMap((i) => [i * 70_000 + 65_536, (i + 1) * 70_000]),
    );
    expect(calls.every(([, t]) => t === total)).toBe(true);
  });
});

describe('bench skew edge workloads', () => {
  it('runs more servers than events: partitions never outnumber events', () => {
    const report = runSkew(
      resolveSkewConfig({
        compare: true,
        events: 500,
        servers: 1_000_000,
        dist: 'uniform',
        reads: 20,
      }),
    );
    for (const result of report.results) expect(result.partitions.count).toBeLessThanOrEqual(500);
    expect(byStrategy(report, 'server-id').readFanout.byServer.meanPartitions).toBe(1);
  });

  it('lists every salt of a read by server, without locating past the point all nodes are found', () => {
    const report = runSkew(
      resolveSkewConfig({ strategy: 'server-salted', salt: '65536', events: 2000, reads: 20 }),
    );
    expect(report.results[0]!.readFanout.byServer).toMatchObject({
      meanPartitions: 65_536,
      meanNodes: 6,
    });
  });

  it('refuses a hand-made config that the resolver would refuse', () => {
    const config = resolveSkewConfig({ events: 1000 });
    expectRinglabError(() => runSkew({ ...config, events: 0 }), 'INVALID_CONFIG', 'events');
    expectRinglabError(
      () => runSkew({ ...config, windowMs: 2 * 86_400_000 }),
      'INVALID_CONFIG',
      'window',
    );
  });
});

describe('bench skew cost estimate', () => {
  const GIB = 2 ** 30;
  const heap = (gib: number) => ({ heapLimitBytes: gib * GIB });

  it('accepts 10M events in a 4 GiB heap and estimates their partitions', () => {
    const config = resolveSkewConfig({ events: 10_000_000 }, heap(4));
    const estimate = estimateSkew(config);
    expect(estimate).toMatchObject({ trackedPartitions: 10_000_000, trackedBy: 'hash-event-id' });
    expect(estimate.trackingBytes).toBeGreaterThan(0.5 * GIB);
    expect(longRunNote(config, estimate)).toMatch(/10,000,000 events/);
    expect(
      longRunNote(
        resolveSkewConfig({ events: 1000 }),
        estimateSkew(resolveSkewConfig({ events: 1000 })),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['a small heap', { events: 10_000_000 }, heap(0.5)],
    ['more partitions than one Map holds', { events: 20_000_000 }, heap(64)],
    ['a run of hours', { events: 1_000_000_000, compare: true, strategy: undefined }, heap(64)],
  ])('refuses %s up front, naming --events', (_, input, options) => {
    expectRinglabError(() => resolveSkewConfig(input, options), 'INVALID_CONFIG', 'events');
  });

  it('only hash-event-id tracks a partition per event', () => {
    const config = resolveSkewConfig({ strategy: 'server-id', events: 50_000_000 }, heap(0.5));
    expect(estimateSkew(config).trackedPartitions).toBe(1000);
  });

  it('refuses reads that would build billions of route keys, naming --reads', () => {
    expectRinglabError(
      () => resolveSkewConfig({ strategy: 'server-salted', salt: '65536', reads: 1_000_000 }),
      'INVALID_CONFIG',
      'reads',
    );
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
    [{ events: 0 }, 'events'],
    [{ events: 1.5 }, 'events'],
    [{ events: 1_000_000_001 }, 'events'],
    [{ servers: 0 }, 'servers'],
    [{ servers: 1_000_001 }, 'servers'],
    [{ theta: 2 }, 'theta'],
    [{ theta: 0 }, 'theta'],
    [{ dist: 'uniform', theta: 0.5 }, 'theta'],
    [{ span: '0' }, 'span'],
    [{ span: '100000000d' }, 'span'],
    [{ span: '20000d', ids: 'snowflake' }, 'span'],
    [
      { strategy: 'time-bucket', span: '50ms', bucket: '1ms', window: '50ms', events: 1_000_000 },
      'span',
    ],
    [{ window: '0' }, 'window'],
    [{ window: '2d' }, 'window'],
    [{ window: '1ms' }, 'window'],
    [{ window: '1m', events: 1000 }, 'window'],
    [{ reads: 0 }, 'reads'],
    [{ reads: 1_000_001 }, 'reads'],
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
