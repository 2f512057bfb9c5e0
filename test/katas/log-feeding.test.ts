import { describe, expect, it } from 'vitest';

import { ExperimentError, parseWith } from '../../bench/experiment/schema-kit.js';
import { logFeeding, type LogFeedingExperiment } from '../../bench/katas/log-feeding.js';
import type { KataReport } from '../../bench/kata/report.js';

const kata = logFeeding;

function resolved(input: Record<string, unknown>): LogFeedingExperiment {
  return kata.resolve(
    parseWith(kata.schema, { kata: 'log-feeding', ...input }),
  ) as unknown as LogFeedingExperiment;
}

/** Small enough for a unit test: a few seconds of virtual time at a few hundred events/s. */
const SMALL = {
  workload: { rateEventsPerSec: 500, durationMs: 4_000 },
  reads: { ratePerSec: 100 },
  crash: { atMs: 2_000 },
  detectionMs: 1_000,
  designs: [
    { name: 'lf', partitioning: 'service-time', replication: 'leader-follower' },
    { name: 'quorum', partitioning: 'service-time', replication: 'leaderless' },
    { name: 'by-id', partitioning: 'event-id', replication: 'leaderless' },
  ],
};

function pathOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ExperimentError) return error.path;
    throw error;
  }
  throw new Error('expected an ExperimentError');
}

const finding = (report: KataReport, id: string) => report.findings.find((f) => f.id === id);
const metric = (report: KataReport, design: string, key: string) =>
  report.designs.find((d) => d.name === design)!.metrics[key];

describe('log-feeding experiment', () => {
  it('takes {kata} alone, and resolving is idempotent', () => {
    const once = resolved({});
    expect(once.designs.length).toBeGreaterThan(1);
    expect(once.cluster.nodes).toBe(6);
    const again = kata.resolve(parseWith(kata.schema, JSON.parse(JSON.stringify(once))));
    expect(again).toEqual(once);
  });

  it('names the field at fault', () => {
    expect(pathOf(() => resolved({ cluster: { rf: 8 } }))).toBe('cluster.rf');
    expect(pathOf(() => resolved({ crash: { node: 'n99' } }))).toBe('crash.node');
    expect(pathOf(() => resolved({ designs: [{ name: 'a' }, { name: 'a' }] }))).toBe(
      'designs[1].name',
    );
    expect(pathOf(() => resolved({ designs: [{ name: 'a', partitioning: 'server' }] }))).toBe(
      'designs[0].partitioning',
    );
    expect(pathOf(() => resolved({ workload: { services: 300, instancesPerService: 8 } }))).toBe(
      'workload.instancesPerService',
    );
  });

  it('refuses a run too costly up front', () => {
    expect(
      pathOf(() => resolved({ workload: { rateEventsPerSec: 100_000, durationMs: 600_000 } })),
    ).toBe('workload.durationMs');
  });
});

describe('log-feeding run', () => {
  const experiment = resolved(SMALL);
  const report = kata.run(experiment, {});

  it('is deterministic from the seed', () => {
    expect(JSON.stringify(kata.run(experiment, {}))).toBe(JSON.stringify(report));
  });

  it('compares the designs side by side, with lag only for leader-follower', () => {
    expect(report.tables[0]!.id).toBe('designs');
    expect(report.tables[0]!.rows.map((r) => r['design'])).toEqual(['lf', 'quorum', 'by-id']);
    expect(metric(report, 'lf', 'lagP99Ms')).toBeGreaterThan(0);
    expect(metric(report, 'quorum', 'lagP99Ms')).toBeNull();
    expect(report.charts.map((c) => c.id)).toContain('replication-lag');
  });

  it('counts lost writes from the stores, and they agree with the module', () => {
    expect(report.violations).toBe(0);
    // A quorum ack leaves the write on a live replica; the leader's unshipped writes die with it.
    expect(metric(report, 'quorum', 'lostAfterCrash')).toBe(0);
    expect(metric(report, 'by-id', 'lostAfterCrash')).toBe(0);
    expect(finding(report, 'leader-crash')!.numbers.leaderFollowerLost).toBe(
      metric(report, 'lf', 'lostAfterCrash'),
    );
  });

  it('routes a service-and-time query to few partitions, and by id to one under event-id', () => {
    expect(metric(report, 'lf', 'contacted:service-time') as number).toBeLessThan(
      metric(report, 'by-id', 'contacted:service-time') as number,
    );
    expect(metric(report, 'by-id', 'contacted:id')).toBe(1);
  });

  it('findings follow the numbers: a slower shipping delay means more lag and staler reads', () => {
    const slow = kata.run(resolved({ ...SMALL, shipDelayMs: 400 }), {});
    const lag = (r: KataReport) => finding(r, 'replication-lag')!.numbers;
    expect(lag(slow).lagP50Ms!).toBeGreaterThan(lag(report).lagP50Ms!);
    expect(lag(slow).followerStaleRate!).toBeGreaterThan(lag(report).followerStaleRate!);
    expect(finding(slow, 'replication-lag')!.text).toContain(String(lag(slow).lagP50Ms));
    expect(finding(slow, 'leader-crash')!.numbers.leaderFollowerLost!).toBeGreaterThan(0);
    expect(slow.violations).toBe(0);
  });

  it('has no crash finding without a crash', () => {
    const calm = kata.run(resolved({ ...SMALL, crash: { node: '' } }), {});
    expect(finding(calm, 'leader-crash')).toBeUndefined();
    expect(metric(calm, 'lf', 'lostAfterCrash')).toBe(0);
  });
});
