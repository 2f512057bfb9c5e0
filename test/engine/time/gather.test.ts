import { describe, expect, it } from 'vitest';
import { placementOf, resolveClusterConfig } from '../../../bench/cluster-config.js';
import { generateLogEvents, logTable, severities } from '../../../bench/workloads/log-events.js';
import { createCluster } from '../../../engine/cluster.js';
import { createCoordinator } from '../../../engine/coordinator.js';
import type { Query } from '../../../engine/query.js';
import { createRandom } from '../../../engine/random.js';
import type { Row } from '../../../engine/row.js';
import { createTimeCoordinator } from '../../../engine/time/coordinator.js';
import type { GatherOptions, TimedQueryResult } from '../../../engine/time/gather.js';
import { createSimulation, type Simulation } from '../../../engine/time/simulation.js';
import { createIndexMode, indexModeNames, type IndexModeName } from '../../../indexes/index.js';
import {
  createPartitioner,
  getTokenFunction,
  type StrategyName,
} from '../../../partitioners/index.js';

const START_MS = Date.UTC(2026, 0, 1);
const table = {
  ...logTable,
  columns: ['event_id', 'server_id', 'ts', 'severity', 'message_bytes'],
};
const placement = placementOf(resolveClusterConfig({ nodes: 12, vnodes: 16, rf: 3, seed: 4 }));
const events = generateLogEvents({ events: 3000, servers: 40, startMs: START_MS }, createRandom(2));

function parts(strategy: StrategyName, mode: IndexModeName) {
  return {
    placement,
    partitioner: createPartitioner(strategy, {
      tokenFunction: getTokenFunction('murmur3'),
      salt: { kind: 'fixed', salts: 4 },
      bucketMs: 3_600_000,
      startMs: START_MS,
      spanMs: 86_400_000,
    }),
    table,
    storage: 'rows' as const,
    index: createIndexMode(mode, { column: 'severity', base: table, buckets: 8 }),
  };
}

/** A time-plane cluster loaded with the events at ALL, and the same on the data plane. */
function loaded(strategy: StrategyName, mode: IndexModeName) {
  const sim = createSimulation({ ...parts(strategy, mode), random: createRandom(1) });
  const coordinator = createTimeCoordinator(sim);
  events.forEach((event, i) =>
    sim.scheduler.at(i * 0.5, () => coordinator.write(event, 'ALL', () => {})),
  );
  sim.runUntil(10_000);
  const dataPlane = createCluster(parts(strategy, mode));
  const reference = createCoordinator(dataPlane);
  for (const event of events) reference.write(event, 'ALL');
  return { sim, coordinator, reference };
}

function ask(
  sim: Simulation,
  coordinator: ReturnType<typeof createTimeCoordinator>,
  query: Query,
  options: GatherOptions = {},
  cl: 'ONE' | 'QUORUM' = 'QUORUM',
): TimedQueryResult {
  let answer: TimedQueryResult | undefined;
  coordinator.query(query, cl, options, (result) => (answer = result));
  // Run only until the answer, so that a test controls what happens after it (detection, say).
  const deadline = sim.scheduler.now + 60_000;
  while (answer === undefined && sim.scheduler.now < deadline) sim.runUntil(sim.scheduler.now + 10);
  if (answer === undefined) throw new Error(`no answer to ${JSON.stringify(query)}`);
  return answer;
}

const ids = (rows: readonly Row[]) => rows.map((row) => String(row.event_id)).sort();

describe.each(indexModeNames)(
  'time-plane queries with index %s agree with the data plane',
  (mode) => {
    const { sim, coordinator, reference } = loaded('server-salted', mode);
    const queries: Query[] = [
      { where: { server_id: 'srv-00003' } },
      { where: { severity: 'ERROR' } },
      { where: { severity: 'WARN', server_id: 'srv-00001' } },
      { where: {}, range: { column: 'ts', from: START_MS, to: START_MS + 500 } },
    ];
    it.each(queries.map((query) => [JSON.stringify(query), query] as const))('%s', (_, query) => {
      const timed = ask(sim, coordinator, query);
      const data = reference.query(query, 'QUORUM');
      if (timed.kind !== 'ok' || data.kind !== 'ok') throw new Error('expected ok on both planes');
      expect(ids(timed.rows)).toEqual(ids(data.rows));
      expect(timed).toMatchObject({ complete: true, failedRanges: [], plan: data.plan });
    });
  },
);

describe('time-plane range reads', () => {
  const { sim, coordinator } = loaded('hash-event-id', 'none');

  it('walks ranges in batches and stops once the limit is met', () => {
    const limited = ask(sim, coordinator, { where: {}, limit: 20 });
    const everything = ask(sim, coordinator, { where: {} });
    expect(limited.kind === 'ok' && limited.rows).toHaveLength(20);
    expect(everything.kind === 'ok' && everything.rows).toHaveLength(events.length);
    if (limited.kind !== 'ok' || everything.kind !== 'ok') return;
    expect(limited.rangesQueried).toBeLessThan(sim.cluster.placement.ring.size);
    expect(everything.rangesQueried).toBe(sim.cluster.placement.ring.size);
    // Token order: the limited scan returns a prefix of the full scan.
    expect(limited.rows.map((row) => row.event_id)).toEqual(
      everything.rows.slice(0, 20).map((row) => row.event_id),
    );
  });

  it('asks every range at once with fanout all, and returns the same rows', () => {
    const all = ask(sim, coordinator, { where: { severity: 'FATAL' } }, { fanout: 'all' });
    const adaptive = ask(sim, coordinator, { where: { severity: 'FATAL' } });
    if (all.kind !== 'ok' || adaptive.kind !== 'ok') throw new Error('expected ok');
    expect(ids(all.rows)).toEqual(ids(adaptive.rows));
    expect(all.latencyMs).toBeLessThanOrEqual(adaptive.latencyMs);
  });
});

describe('time-plane scatter/gather under failures', () => {
  it('fails a scan when a range times out, or with partial allowed returns the rest marked and named', () => {
    const { sim, coordinator } = loaded('hash-event-id', 'local');
    // Two nodes down, not yet detected: ranges they share time out at QUORUM.
    sim.crash('n3');
    sim.crash('n4');
    // Both queries are sent together, before the 10 s detection delay runs out.
    let partial: TimedQueryResult | undefined;
    coordinator.query(
      { where: { severity: 'ERROR' } },
      'QUORUM',
      { fanout: 'all', partial: 'allow' },
      (result) => (partial = result),
    );
    const failed = ask(sim, coordinator, { where: { severity: 'ERROR' } }, { fanout: 'all' });
    expect(failed).toMatchObject({ kind: 'timeout', cl: 'QUORUM', blockFor: 2 });
    if (partial === undefined) throw new Error('the partial query did not answer');
    if (partial.kind !== 'ok') throw new Error(`expected partial ok, got ${partial.kind}`);
    expect(partial.complete).toBe(false);
    expect(partial.failedRanges.length).toBeGreaterThan(0);
    for (const failure of partial.failedRanges)
      expect(failure).toMatchObject({ reason: 'timeout' });
    const errors = events.filter((event) => event.severity === 'ERROR').length;
    expect(partial.rows.length).toBeGreaterThan(0);
    expect(partial.rows.length).toBeLessThan(errors);
    // After detection the same query is unavailable, definitely, before anything is sent.
    sim.runUntil(sim.scheduler.now + 20_000);
    expect(ask(sim, coordinator, { where: { severity: 'ERROR' } })).toMatchObject({
      kind: 'unavailable',
      required: 2,
      alive: 1,
    });
    // ONE still answers every range.
    const one = ask(sim, coordinator, { where: { severity: 'ERROR' } }, {}, 'ONE');
    expect(one.kind === 'ok' && one.complete && one.rows.length).toBe(errors);
  });

  it('writes global index entries at the level of the base write', () => {
    const { sim } = loaded('hash-event-id', 'global');
    const entries = sim.cluster.nodes.reduce((sum, node) => sum + node.indexStore.writes, 0);
    expect(entries).toBe(events.length * 3);
    const partitions = new Set(
      sim.cluster.nodes.flatMap((node) => [...node.indexStore.partitions.keys()]),
    );
    expect([...partitions].sort()).toEqual([...severities].sort());
  });
});

describe('asynchronous global index', () => {
  it('acknowledges writes without waiting for the index, misses fresh rows until the lag has passed, then finds them all', () => {
    const sim = createSimulation({
      ...parts('hash-event-id', 'global'),
      random: createRandom(1),
      indexUpdate: { mode: 'async', lag: { kind: 'constant', ms: 1000 } },
    });
    const coordinator = createTimeCoordinator(sim);
    events.forEach((event, i) =>
      sim.scheduler.at(i * 0.1, () => coordinator.write(event, 'QUORUM', () => {})),
    );
    const errors = events.filter((event) => event.severity === 'ERROR').length;
    sim.runUntil(events.length * 0.1 + 50);
    const early = ask(sim, coordinator, { where: { severity: 'ERROR' } });
    expect(early.kind === 'ok' && early.rows.length).toBeLessThan(errors);
    sim.runUntil(sim.scheduler.now + 2000);
    const late = ask(sim, coordinator, { where: { severity: 'ERROR' } });
    expect(late.kind === 'ok' && late.rows.length).toBe(errors);
  });

  it('counts the stale entries a query drops after a row changed value', () => {
    const { sim, coordinator } = loaded('hash-event-id', 'global');
    const changed = events.filter((event) => event.severity === 'ERROR').slice(0, 10);
    for (const event of changed) coordinator.write({ ...event, severity: 'INFO' }, 'ALL', () => {});
    sim.runUntil(sim.scheduler.now + 1000);
    const result = ask(sim, coordinator, { where: { severity: 'ERROR' } });
    const errors = events.filter((event) => event.severity === 'ERROR').length;
    expect(result).toMatchObject({ kind: 'ok', staleEntries: 10 });
    expect(result.kind === 'ok' && result.rows.length).toBe(errors - 10);
  });
});

describe('time-plane scatter/gather when a node is convicted mid-query', () => {
  it('regression: answers exactly once, unavailable or timeout, never ok and then timeout', () => {
    const { sim, coordinator } = loaded('hash-event-id', 'local');
    sim.crash('n3');
    sim.crash('n4');
    sim.runUntil(sim.scheduler.now + 9_990); // conviction comes 10 s after the crash
    const answers: TimedQueryResult[] = [];
    for (let i = 0; i < 5; i++) {
      coordinator.query({ where: { severity: 'ERROR' } }, 'QUORUM', {}, (result) =>
        answers.push(result),
      );
    }
    sim.runUntil(sim.scheduler.now + 60_000);
    expect(answers).toHaveLength(5);
    for (const answer of answers) expect(['unavailable', 'timeout']).toContain(answer.kind);
  });
});
