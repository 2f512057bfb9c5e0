import { describe, expect, it } from 'vitest';

import { resolveDocument } from '../../bench/experiment/experiment.js';
import { isExperimentError } from '../../bench/experiment/schema-kit.js';
import { getKata } from '../../bench/katas/index.js';
import type { KataReport } from '../../bench/kata/report.js';
import { resolveSimulateConfig } from '../../bench/simulate/resolve.js';
import { runSimulate } from '../../bench/simulate/run.js';

const kata = getKata('logsentry');

/** A small experiment: the defaults with a short workload, so each run takes well under a second. */
const small = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  kata: 'logsentry',
  workload: { events: 1_500, servers: 200, rate: 3_000 },
  reads: { rate: 60, scans: 1 },
  ...extra,
});

function run(document: Record<string, unknown>): KataReport {
  const { experiment } = resolveDocument(document);
  return kata.run(experiment, {});
}

function refusal(document: unknown): { path: string; message: string } {
  try {
    resolveDocument(document);
  } catch (error) {
    if (isExperimentError(error)) return { path: error.path, message: error.message };
    throw error;
  }
  throw new Error('the experiment was accepted');
}

describe('the logsentry experiment', () => {
  it('is complete from its name alone, and resolving it again changes nothing', () => {
    const { experiment } = resolveDocument({ kata: 'logsentry' });
    expect(experiment).toMatchObject({
      kata: 'logsentry',
      seed: 1,
      cluster: { nodes: 12, vnodes: 16, rf: 3, allocator: 'balanced' },
    });
    expect((experiment as unknown as { designs: unknown[] }).designs).toHaveLength(4);
    expect(resolveDocument(JSON.parse(JSON.stringify(experiment))).experiment).toEqual(experiment);
  });

  it('names the field of every refusal: schema complaints and the resolvers alike', () => {
    const designs = [
      { name: 'a', strategy: 'hash-event-id', index: 'local' },
      { name: 'b', strategy: 'server-salted', salt: -3, index: 'local' },
    ];
    expect(refusal({ kata: 'logsentry', designs })).toEqual({
      path: 'designs[1].salt',
      message: 'designs[1].salt: expected a positive integer or "adaptive", got -3',
    });
    expect(refusal({ kata: 'logsentry', workload: { events: 'many' } }).message).toBe(
      'workload.events: expected an integer from 1 to 100,000,000, got "many"',
    );
    expect(refusal({ kata: 'logsentry', worklaod: {} }).message).toMatch(
      /^unknown field "worklaod"/,
    );
    expect(refusal({ kata: 'logsentry', cluster: { rf: 40 } })).toEqual({
      path: 'cluster.rf',
      message: 'cluster.rf: must be at most the number of nodes (12), got 40',
    });
    expect(
      refusal({ kata: 'logsentry', scenarios: [{ name: 'x', faults: ['crash:n99@1s'] }] }).path,
    ).toBe('scenarios[0].faults');
    expect(
      refusal({
        kata: 'logsentry',
        designs: [{ name: 'a', strategy: 'hash-event-id', index: 'local', salt: 4 }],
      }).message,
    ).toMatch(/^designs\[0\]\.salt: applies only with --strategy server-salted/);
    expect(refusal({ kata: 'logsentry', designs: [designs[0], designs[0]] }).path).toBe(
      'designs[1].name',
    );
    expect(refusal({ kata: 'nope' }).message).toMatch(/^kata: expected one of logsentry/);
  });

  it('refuses a grid of runs that would take too long, with an estimate', () => {
    expect(
      refusal({ kata: 'logsentry', workload: { events: 200_000 }, reads: { rate: 2_000 } }),
    ).toMatchObject({ path: 'reads.rate' });
  });
});

describe('a logsentry run', () => {
  const report = run(small());

  it('is the simulate run of each design, on the same event stream', () => {
    const { experiment } = resolveDocument(small());
    const direct = runSimulate(
      resolveSimulateConfig({
        nodes: 12,
        seed: 1,
        strategy: 'server-salted',
        salt: 'adaptive',
        index: 'local',
        events: 1_500,
        servers: 200,
        rate: 3_000,
        readRate: 60,
        reads: 'by-server:0.9,by-severity:0.1',
        scans: 1,
        partial: 'allow',
      }),
    );
    expect(experiment).toBeDefined();
    const metrics = report.designs.find((d) => d.name === 'server-salted + local')!.metrics;
    expect(metrics['by-server.p99']).toBe(direct.operations['by-server'].latencyMs.p99);
    expect(metrics['writeP99']).toBe(direct.operations.write.latencyMs.p99);
    // Every design wrote the same rows: the same total on the nodes.
    const rows = report.tables.find((t) => t.id === 'nodes')!;
    const totals = report.designs.map((_, i) =>
      rows.rows.reduce((sum, row) => sum + (row[`d${i}`] as number), 0),
    );
    expect(new Set(totals)).toEqual(new Set([1_500 * 3]));
  });

  it('is the same JSON for the same seed, and another run for another seed', () => {
    expect(JSON.stringify(run(small()))).toBe(JSON.stringify(report));
    expect(JSON.stringify(run(small({ seed: 2 })))).not.toBe(JSON.stringify(report));
  });

  it('finds what the numbers say: a salted key reads one server from few partitions', () => {
    const byServer = report.findings.find((f) => f.id === 'by-server-winner')!;
    expect(byServer.text).toMatch(/^One server's logs: server-salted \+ local answers/);
    const metrics = (name: string) => report.designs.find((d) => d.name === name)!.metrics;
    expect(byServer.numbers['bestReplicaRequests']).toBe(
      metrics('server-salted + local')['by-server.replicas'],
    );
    // The hashed key scans every range for one server; the salted one reads its salts.
    expect(metrics('hash-event-id + local')['by-server.partitions']).toBeGreaterThan(
      10 * (metrics('server-salted + local')['by-server.partitions'] as number),
    );
    // The global index costs a second mutation per write and reads few partitions.
    expect(metrics('hash-event-id + global')['writeMessages']).toBe(2);
    expect(metrics('hash-event-id + local')['writeMessages']).toBe(1);
    expect(report.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'by-severity-winner',
        'read-mix',
        'write-hot-spot',
        'analytics-scan',
      ]),
    );
    expect(report.violations).toBe(0);
  });

  it('changes its findings when the read mix changes', () => {
    const severe = run(small({ reads: { rate: 60, scans: 0, mix: { 'by-severity': 1 } } }));
    const mix = severe.findings.find((f) => f.id === 'read-mix')!;
    expect(mix.text).toMatch(/by-severity 1/);
    expect(mix.text).toMatch(/hash-event-id \+ global costs the least/);
    expect(severe.findings.some((f) => f.id === 'analytics-scan')).toBe(false);
  });

  it('under a crashed node, at ALL, shows reads that time out or come back partial', () => {
    const faulted = run(
      small({
        consistency: { write: 'QUORUM', read: 'ALL' },
        workload: { events: 900, servers: 100, rate: 600 },
        reads: { rate: 30, scans: 0, mix: { 'by-severity': 1 } },
        designs: [
          { name: 'local', strategy: 'hash-event-id', index: 'local' },
          { name: 'global', strategy: 'hash-event-id', index: 'global' },
        ],
        scenarios: [
          { name: 'healthy', faults: [] },
          { name: 'node-down', faults: ['crash:n1@200ms'] },
        ],
      }),
    );
    const table = faulted.tables.find((t) => t.id === 'faults')!;
    const row = (scenario: string) =>
      table.rows.find((r) => r['scenario'] === scenario && r['design'] === 'local')!;
    const healthy = row('healthy');
    const down = row('node-down');
    expect(healthy!['by-severity.complete']).toBe(1);
    const failed =
      (down!['by-severity.partial'] as number) + (down!['by-severity.timeout'] as number);
    expect(failed).toBeGreaterThan(0);
    expect(faulted.findings.some((f) => f.id === 'fault-node-down')).toBe(true);
  });
});
