import { beforeAll, describe, expect, it } from 'vitest';

import { parseWith } from '../../bench/experiment/schema-kit.js';
import type { KataReport } from '../../bench/kata/report.js';
import { apiUsageLogKata, type ApiLogExperiment } from '../../bench/katas/api-usage-log.js';
import { getKata } from '../../bench/katas/index.js';
import { experimentErrorOf } from '../helpers/experiment-errors.js';

const kata = apiUsageLogKata as unknown as {
  schema: typeof apiUsageLogKata.schema;
  resolve(experiment: ApiLogExperiment): ApiLogExperiment;
  run(experiment: ApiLogExperiment, options: object): KataReport;
};

const parse = (input: object): ApiLogExperiment =>
  parseWith(kata.schema, { kata: 'api-usage-log', ...input }) as ApiLogExperiment;
const resolved = (input: object = {}): ApiLogExperiment => kata.resolve(parse(input));

/** Ten seconds of requests, n3 down from 2 s to 6 s (never detected: detection takes 10 s). */
const SMALL = {
  requests: 3000,
  ratePerSec: 300,
  users: 100,
  faults: ['crash:n3@2s', 'recover:n3@6s'],
};

const errorOf = experimentErrorOf;

const metricsOf = (report: KataReport, name: string) =>
  report.designs.find((design) => design.name === name)!.metrics as Record<string, number>;

describe('api-usage-log kata: the experiment', () => {
  it('is registered, and {kata: "api-usage-log"} alone is valid: hints on and off at each level', () => {
    expect(getKata('api-usage-log').name).toBe('api-usage-log');
    const experiment = resolved();
    expect(experiment.designs.map((design) => design.name)).toEqual([
      'hints on, ONE',
      'hints on, QUORUM',
      'hints on, ALL',
      'hints off, ONE',
      'hints off, QUORUM',
      'hints off, ALL',
    ]);
    expect(experiment.faults).toEqual(['crash:n3@5s', 'recover:n3@20s']);
  });

  it('resolves idempotently, and what it exports parses back to itself', () => {
    const once = resolved({ ...SMALL, cluster: { nodes: 5 } });
    expect(kata.resolve(once)).toEqual(once);
    expect(parse(JSON.parse(JSON.stringify(once)) as object)).toEqual(once);
  });

  it('names the field of a bad value by its path', () => {
    const cl = errorOf(() => parse({ designs: [{ name: 'a', writeCl: 'TWELVE' }] }));
    expect(cl.path).toBe('designs[0].writeCl');
    expect(cl.message).toMatch(/^designs\[0\]\.writeCl: expected a consistency level/);
    expect(errorOf(() => parse({ designs: [{ name: 'a', hints: 'yes' }] })).path).toBe(
      'designs[0].hints',
    );
    expect(errorOf(() => parse({ maxAttempts: 0 })).path).toBe('maxAttempts');
  });

  it('refuses faults and clusters that cannot be, naming the field', () => {
    expect(errorOf(() => resolved({ faults: ['crash:n3@1s', 'crash:n99@2s'] })).path).toBe(
      'faults[1]',
    );
    expect(errorOf(() => resolved({ faults: ['crash:n3@5m'] })).path).toBe('faults[0]');
    expect(errorOf(() => resolved({ faults: ['recover:n3@1s'] })).path).toBe('faults');
    expect(errorOf(() => resolved({ cluster: { nodes: 2, rf: 3 } })).path).toBe('cluster.rf');
    expect(
      errorOf(() =>
        resolved({
          designs: [
            { name: 'a', writeCl: 'ONE' },
            { name: 'a', writeCl: 'ALL' },
          ],
        }),
      ).path,
    ).toBe('designs[1].name');
  });

  it('refuses a run too costly up front, with an estimate', () => {
    const refusal = errorOf(() => resolved({ requests: 2_000_000 }));
    expect(refusal.path).toBe('requests');
    expect(refusal.message).toMatch(/would take about/);
  });
});

describe('api-usage-log kata: the run', () => {
  let report: KataReport;
  beforeAll(() => {
    report = kata.run(resolved({ ...SMALL, readCl: 'ALL' }), {});
  }, 120_000);

  it('is deterministic: the same seed gives the same JSON', () => {
    const again = kata.run(resolved({ ...SMALL, readCl: 'ALL' }), {});
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
  });

  it('opens with the designs side by side, draws failures over time, latency and node load', () => {
    expect(report.tables[0]!.id).toBe('designs');
    expect(report.tables[0]!.rows).toHaveLength(6);
    expect(report.charts.map((chart) => chart.kind)).toEqual(['lines', 'distribution', 'bars']);
    expect(report.findings.map((finding) => finding.id)).toEqual([
      'availability',
      'duplicates',
      'hints',
    ]);
  });

  it('a read-back at ALL finds exactly what a direct look at the stores finds, and the counts add up', () => {
    for (const { name, metrics } of report.designs) {
      const m = metrics as Record<string, number>;
      expect(m['missedByRead'], name).toBe(0);
      expect(m['unreadEntries'], name).toBe(0);
      expect(m['lostAcked']! + m['lostUnacked']!, name).toBe(m['entries']! - m['stored']!);
      expect(m['lostUnacked']! + m['unackedPresent']!, name).toBe(m['entries']! - m['acked']!);
      expect(m['gaveUp'], name).toBe(m['entries']! - m['acked']!);
    }
    expect(report.violations).toBe(0);
  });

  it('keeps no hint with hints off; with hints on every missed write is replayed', () => {
    const off = metricsOf(report, 'hints off, ONE');
    const on = metricsOf(report, 'hints on, ONE');
    expect(off['hintsStored']).toBe(0);
    expect(on['hintsStored']).toBeGreaterThan(0);
    expect(on['hintsReplayed']).toBe(on['hintsStored']);
    expect(on['underReplicated']).toBe(0);
    expect(off['underReplicated']).toBeGreaterThan(0);
  });

  it('hints off at ONE, read back at ONE, misses entries that hints on at ALL does not', () => {
    const one = kata.run(
      resolved({
        ...SMALL,
        readCl: 'ONE',
        designs: [{ name: 'off', hints: false, writeCl: 'ONE' }],
      }),
      {},
    );
    const all = kata.run(
      resolved({ ...SMALL, readCl: 'ALL', designs: [{ name: 'on', hints: true, writeCl: 'ALL' }] }),
      {},
    );
    const off = metricsOf(one, 'off');
    const on = metricsOf(all, 'on');
    expect(off['underReplicated']).toBeGreaterThan(0);
    expect(off['missedByRead']! + off['lostAcked']!).toBeGreaterThan(0);
    expect(on['underReplicated']).toBe(0);
    expect(on['missedByRead']).toBe(0);
    expect(on['lostAcked']).toBe(0);
    // ONE and ONE do not overlap at rf 3, so what the read misses breaks no promise.
    expect(one.violations).toBe(0);
  });

  it('retries at ALL duplicate entries that timed out after being applied; without retries none', () => {
    const all = metricsOf(report, 'hints on, ALL');
    expect(all['timeouts']).toBeGreaterThan(0);
    expect(all['duplicates']).toBeGreaterThan(0);
    const once = kata.run(resolved({ ...SMALL, readCl: 'ALL', maxAttempts: 1 }), {});
    const finding = (r: KataReport) => r.findings.find((f) => f.id === 'duplicates')!;
    expect(finding(once).numbers['mostDuplicates']).toBe(0);
    expect(finding(report).numbers['mostDuplicates']).toBe(all['duplicates']);
    expect(finding(report).text).toContain(`${all['duplicates']} duplicate rows`);
    const availability = (r: KataReport) =>
      r.findings.find((f) => f.id === 'availability')!.numbers['worstAvailability']!;
    expect(availability(once)).toBeLessThan(availability(report));
  });
});
