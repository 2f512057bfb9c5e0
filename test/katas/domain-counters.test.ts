import { describe, expect, it } from 'vitest';

import { createRandom } from '../../engine/random.js';
import { erlangC } from '../../engine/time/queueing-theory.js';
import { placementOf, resolveClusterConfig } from '../../bench/cluster-config.js';
import { ExperimentError, parseWith } from '../../bench/experiment/schema-kit.js';
import {
  domainCounters,
  domainCountersSchema,
  type DomainCountersExperiment,
} from '../../bench/katas/domain-counters.js';
import {
  expectedNodeLoads,
  modelLatency,
  probe,
  topDomains,
} from '../../bench/katas/domain-counters-sim.js';
import { katas } from '../../bench/katas/index.js';
import { coalesce, writesPerEvent, zipfShares } from '../../bench/workloads/domain-events.js';
import { composite, getTokenFunction } from '../../partitioners/index.js';

const kata = domainCounters;

function resolved(input: Record<string, unknown>): DomainCountersExperiment {
  return kata.resolve(
    parseWith(kata.schema, { kata: 'domain-counters', ...input }),
  ) as unknown as DomainCountersExperiment;
}

/** A run small enough for a unit test: a tenth of the rate, two designs, one year. */
const SMALL = {
  workload: { rateEventsPerSec: 40_000 },
  designs: [
    { name: 'quorum', batch: 1, rf: 3, cl: 'QUORUM' },
    { name: 'batched', batch: 16, rf: 3, cl: 'QUORUM' },
  ],
  batchSweep: [1, 16],
  years: 1,
  eventsPerProbe: 2_000,
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

describe('domain-counters experiment', () => {
  it('is registered', () => {
    expect(katas.map((k) => k.name)).toContain('domain-counters');
  });

  it('takes {kata} alone, and resolving is idempotent', () => {
    const once = resolved({});
    expect(once.cluster.nodes).toBe(6);
    expect(once.designs.every((d) => d.rf !== undefined)).toBe(true);
    expect(once.plan.design).toBe(once.designs[0]!.name);
    const again = kata.resolve(parseWith(kata.schema, JSON.parse(JSON.stringify(once))));
    expect(again).toEqual(once);
  });

  it('names the field at fault', () => {
    expect(pathOf(() => resolved({ cluster: { rf: 9 } }))).toBe('cluster.rf');
    expect(pathOf(() => resolved({ designs: [{ name: 'a' }, { name: 'b', rf: 7 }] }))).toBe(
      'designs[1].rf',
    );
    expect(pathOf(() => resolved({ designs: [{ name: 'a' }, { name: 'a' }] }))).toBe(
      'designs[1].name',
    );
    expect(
      pathOf(() =>
        resolved({
          designs: [
            { name: 'a', rf: 1, cl: 'QUORUM' },
            { name: 'b', rf: 2, cl: 'THREE' },
          ],
        }),
      ),
    ).toBe('designs[1].cl');
    expect(pathOf(() => resolved({ plan: { design: 'nope' } }))).toBe('plan.design');
    expect(pathOf(() => resolved({ workload: { theta: 2 } }))).toBe('workload.theta');
    expect(pathOf(() => resolved({ budget: 3 }))).toBe('');
  });

  it('refuses a run too costly up front, naming the field to lower', () => {
    expect(pathOf(() => resolved({ eventsPerProbe: 5_000_000 }))).toBe('eventsPerProbe');
    expect(
      pathOf(() => resolved({ batchSweep: [1, 100_000], workload: { aggregators: 100 } })),
    ).toBe('batchSweep');
  });

  it('has flags that set schema fields', () => {
    const defaults = domainCountersSchema.parse({ kata: 'domain-counters' });
    for (const flag of kata.flags) {
      let value: unknown = defaults;
      for (const part of flag.path.split('.')) value = (value as Record<string, unknown>)[part];
      expect(value, flag.flags).toBeDefined();
    }
  });
});

describe('domain-counters run', () => {
  const experiment = resolved(SMALL);
  const report = kata.run(experiment, {});

  it('is deterministic from the seed', () => {
    expect(JSON.stringify(kata.run(experiment, {}))).toBe(JSON.stringify(report));
    const other = kata.run({ ...experiment, seed: 2 }, {});
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(report));
  });

  it('reports every design, the comparison first, and the charts', () => {
    expect(report.designs.map((d) => d.name)).toEqual(['quorum', 'batched']);
    expect(report.tables[0]!.id).toBe('designs');
    expect(report.tables.map((t) => t.id)).toContain('capacity-plan');
    expect(report.charts.map((c) => c.id)).toEqual([
      'node-utilisation',
      'event-latency',
      'p95-vs-batch',
      'p95-vs-nodes',
    ]);
    expect(report.findings.map((f) => f.id)).toEqual(['hot-domains', 'batching', 'capacity']);
  });

  it('batching writes fewer mutations than events, and waits for the batch', () => {
    const [single, batched] = report.designs;
    expect(batched!.metrics.writesPerSec as number).toBeLessThan(
      single!.metrics.writesPerSec as number,
    );
    expect(batched!.metrics.eventP95Ms as number).toBeGreaterThan(
      batched!.metrics.writeP95Ms as number,
    );
  });

  it('findings follow the numbers: more traffic needs more nodes', () => {
    const busier = kata.run(
      resolved({
        ...SMALL,
        workload: { rateEventsPerSec: 400_000 },
        designs: [SMALL.designs[0]],
        batchSweep: [1],
        years: 0,
      }),
      {},
    );
    const nodesNow = (r: typeof report): number =>
      r.findings.find((f) => f.id === 'capacity')!.numbers.nodesYear0!;
    expect(nodesNow(busier)).toBeGreaterThan(nodesNow(report));
    const capacity = busier.findings.find((f) => f.id === 'capacity')!;
    expect(capacity.text).toContain(String(capacity.numbers.nodesYear0));
    const plan = busier.tables.find((t) => t.id === 'capacity-plan')!;
    expect(plan.rows[0]!.nodes).toBe(capacity.numbers.nodesYear0);
  });

  it('findings follow the numbers: a tighter budget allows smaller batches', () => {
    const tight = kata.run(resolved({ ...SMALL, budgetP95Ms: 20 }), {});
    const maxBatch = (r: typeof report): number =>
      r.findings.find((f) => f.id === 'batching')!.numbers.maxBatchWithinBudget!;
    expect(maxBatch(tight)).toBeLessThan(maxBatch(report));
  });
});

describe('domain-counters against the queueing model', () => {
  const partitioner = composite({
    name: 'domain',
    tokenFunction: getTokenFunction('murmur3'),
    components: [{ kind: 'text', column: 'domain' }],
  });
  const cluster = resolveClusterConfig({ nodes: 6, seed: 1 });
  const placement = placementOf(cluster, createRandom(1));
  const workload = { domains: 10_000_000, eventTypes: 8, theta: 0.99, rateEventsPerSec: 20_000 };
  const { shares, rest } = zipfShares(workload.domains, workload.theta, 20_000);
  const top = topDomains(partitioner, shares, rest);

  it('at low load, where Erlang C says no write waits, the p95 is the network model', () => {
    const result = probe({
      cluster,
      placement,
      partitioner,
      cl: 'QUORUM',
      batch: 1,
      aggregators: 8,
      workload,
      windowMs: 1_000,
      events: createRandom(7).fork('events'),
      simulation: createRandom(7).fork('simulation'),
    });
    const loads = expectedNodeLoads(placement, top, workload.rateEventsPerSec, 1);
    const hottest = Math.max(...loads);
    // 32 workers of 0.2 ms: offered load in erlangs is writes per ms times the service time.
    expect(erlangC(32, (hottest / 1000) * 0.2)).toBeLessThan(1e-9);
    const model = modelLatency({
      nodes: 6,
      replicas: 3,
      blockFor: 2,
      nodeWritesPerSec: hottest,
      fillMs: 0,
      samples: 50_000,
      random: createRandom(3),
    });
    expect(result.timeouts).toBe(0);
    expect(Math.abs(result.write.p95 - model.writeP95!) / model.writeP95!).toBeLessThan(0.04);
    // The offered load per node agrees with the Zipf law placed on the ring.
    result.utilisation.forEach((measured, node) => {
      const expected = ((loads[node]! / 1000) * 0.2) / 32;
      expect(Math.abs(measured - expected) / expected).toBeLessThan(0.1);
    });
  });

  it('a batch becomes one write per distinct domain, and the model counts the same', () => {
    const events = [3, 1, 3, 3, 2, 1].map((domain, i) => ({ domain, type: i % 2, atMs: i }));
    const mutations = coalesce(events);
    expect(mutations.map((m) => [m.domain, m.cells, m.arrivalsMs])).toEqual([
      [3, 2, [0, 2, 3]],
      [1, 1, [1, 5]],
      [2, 1, [4]],
    ]);
    expect(writesPerEvent(0.5, 1)).toBe(0.5);
    expect(writesPerEvent(0.5, 2)).toBeCloseTo(0.75 / 2, 12);
  });
});
