/**
 * Regressions an independent review of the time plane found, each reproduced before the fix.
 */
import { describe, expect, it } from 'vitest';
import { placementOf, resolveClusterConfig } from '../../../bench/cluster-config.js';
import { generateLogEvents, logTable } from '../../../bench/workloads/log-events.js';
import { createRandom } from '../../../engine/random.js';
import {
  createTimeCoordinator,
  type TimedReadResult,
  type TimeCoordinatorOptions,
} from '../../../engine/time/coordinator.js';
import type { TimedQueryResult } from '../../../engine/time/gather.js';
import { createSimulation, type IndexUpdate } from '../../../engine/time/simulation.js';
import { INDEX_BASE_KEY_COLUMN } from '../../../engine/index-mode.js';
import { createIndexMode, type IndexModeName } from '../../../indexes/index.js';
import { createPartitioner, getTokenFunction } from '../../../partitioners/index.js';

const START_MS = Date.UTC(2026, 0, 1);
const placement = placementOf(resolveClusterConfig({ nodes: 6, vnodes: 8, rf: 3, seed: 2 }));
const events = generateLogEvents({ events: 600, servers: 20, startMs: START_MS }, createRandom(4));

function simulation(index: IndexModeName, indexUpdate?: IndexUpdate) {
  return createSimulation({
    placement,
    partitioner: createPartitioner('hash-event-id', {
      tokenFunction: getTokenFunction('murmur3'),
      salt: { kind: 'fixed', salts: 1 },
      bucketMs: 3_600_000,
      startMs: START_MS,
      spanMs: 86_400_000,
    }),
    table: logTable,
    storage: 'rows',
    index: createIndexMode(index, { column: 'severity', base: logTable, buckets: 4 }),
    random: createRandom(3).fork('sim'),
    ...(indexUpdate === undefined ? {} : { indexUpdate }),
  });
}

type Sim = ReturnType<typeof simulation>;

function writeAll(sim: Sim, cl: 'ONE' | 'QUORUM' | 'ALL', options: TimeCoordinatorOptions = {}) {
  const coordinator = createTimeCoordinator(sim, options);
  const at = sim.scheduler.now;
  events.forEach((event, i) =>
    sim.scheduler.at(at + i * 0.5, () => coordinator.write(event, cl, () => {})),
  );
  return coordinator;
}

const indexEntries = (sim: Sim, node: number) =>
  [...sim.cluster.nodes[node]!.indexStore.partitions.values()].reduce(
    (n, p) => n + p.rows.length,
    0,
  );

describe('time plane: review regressions', () => {
  it('regression: a replayed hint for an index entry goes to the index table, not the base table', () => {
    const sim = simulation('global');
    sim.crash('n4');
    sim.runUntil(11_000); // convicted (n4 replicates five index partitions): writes hint n4 for base rows and index entries alike
    const coordinator = writeAll(sim, 'QUORUM');
    sim.runUntil(15_000);
    sim.recover('n4');
    sim.runUntil(120_000);
    expect(coordinator.hintsPending()).toBe(0);
    const n4 = sim.cluster.nodes[sim.nodeIndex('n4')]!;
    for (const partition of n4.partitions.values()) {
      for (const row of partition.rows) expect(row[INDEX_BASE_KEY_COLUMN]).toBeUndefined();
    }
    expect(indexEntries(sim, sim.nodeIndex('n4'))).toBeGreaterThan(0);
  });

  it('regression: a coordinator that crashes between the two steps of a global-index query answers with a timeout, and the run goes on', () => {
    const sim = simulation('global');
    writeAll(sim, 'ALL', { node: 'n1' });
    sim.runUntil(5_000);
    const coordinator = createTimeCoordinator(sim, { node: 'n1' });
    const answers: TimedQueryResult[] = [];
    coordinator.query({ where: { severity: 'INFO' } }, 'QUORUM', {}, (result) =>
      answers.push(result),
    );
    // The index partitions answer within a few ms; crash the coordinator before the base rows.
    sim.runUntil(sim.scheduler.now + 1.5);
    sim.crash('n1');
    expect(() => sim.runUntil(sim.scheduler.now + 30_000)).not.toThrow();
    expect(answers.length).toBeLessThanOrEqual(1);
    for (const answer of answers) expect(answer.kind).not.toBe('ok');
  });

  it('regression: partial range reads ask each range once, within the ring', () => {
    const sim = simulation('none');
    writeAll(sim, 'ALL');
    sim.runUntil(5_000);
    sim.crash('n1');
    sim.runUntil(16_000); // convicted
    const coordinator = createTimeCoordinator(sim, { node: 'n2' });
    let answer: TimedQueryResult | undefined;
    coordinator.query({ where: {} }, 'ALL', { partial: 'allow' }, (result) => (answer = result));
    sim.runUntil(60_000);
    if (answer?.kind !== 'ok') throw new Error(`expected a partial answer, got ${answer?.kind}`);
    const ring = sim.cluster.placement.ring;
    expect(answer.rangesQueried).toBeLessThanOrEqual(ring.size);
    expect(answer.failedRanges.length).toBeGreaterThan(0);
    expect(answer.failedRanges.length).toBeLessThanOrEqual(ring.size);
    for (const failure of answer.failedRanges) expect(failure.range).not.toContain('undefined');
    expect(answer.complete).toBe(false);
  });

  it('regression: a read repairs once, however many late replies arrive during the repair', () => {
    const sim = simulation('none');
    writeAll(sim, 'ALL');
    sim.runUntil(5_000);
    sim.wipe('n3');
    sim.wipe('n4');
    const coordinator = createTimeCoordinator(sim, { speculativeRetry: { kind: 'always' } });
    const results: TimedReadResult[] = [];
    events.forEach((event, i) =>
      sim.scheduler.at(6_000 + i, () =>
        coordinator.read(sim.cluster.partitioner.keyOf(event), 'QUORUM', (r) => results.push(r)),
      ),
    );
    sim.runUntil(30_000);
    expect(results).toHaveLength(events.length);
    const repaired = results.filter((r) => r.kind === 'ok' && r.repaired).length;
    expect(repaired).toBeGreaterThan(0);
    expect(coordinator.counters.readRepairs).toBe(repaired);
  });

  it('regression: an asynchronous index entry a replica missed is hinted, and reaches it on recovery', () => {
    const sim = simulation('global', { mode: 'async', lag: { kind: 'constant', ms: 500 } });
    sim.crash('n5'); // not convicted for 10 s: entries sent to it are lost, not refused
    const coordinator = writeAll(sim, 'QUORUM');
    sim.runUntil(3_000);
    sim.recover('n5');
    sim.runUntil(60_000);
    expect(coordinator.counters.hintsStored).toBeGreaterThan(0);
    expect(coordinator.hintsPending()).toBe(0);
    const total = (node: number) => indexEntries(sim, node);
    // n5 holds as many entries as it would had it never been down: compare with a clean run.
    const clean = simulation('global', { mode: 'async', lag: { kind: 'constant', ms: 500 } });
    writeAll(clean, 'QUORUM');
    clean.runUntil(60_000);
    expect(total(sim.nodeIndex('n5'))).toBe(
      [...clean.cluster.nodes[clean.nodeIndex('n5')]!.indexStore.partitions.values()].reduce(
        (n, p) => n + p.rows.length,
        0,
      ),
    );
  });

  it('regression: repair rebuilds a wiped node’s global index partitions too', () => {
    const sim = simulation('global');
    writeAll(sim, 'ALL');
    sim.runUntil(5_000);
    const before = indexEntries(sim, 0);
    expect(before).toBeGreaterThan(0);
    sim.wipe('n1');
    expect(indexEntries(sim, 0)).toBe(0);
    sim.repair('n1');
    expect(indexEntries(sim, 0)).toBe(before);
  });
});
