/**
 * Moves on the time plane with traffic running: the target (a bootstrap at QUORUM loses
 * no acknowledged write, and no read misses a row acknowledged before it started), for every
 * strategy and change, with streaming slowed so that thousands of operations run while ranges
 * switch; and the pending-replica rules themselves, checked on one move.
 */
import { describe, expect, it } from 'vitest';
import { resolveRebalanceConfig, runRebalance } from '../../bench/rebalance.js';
import { createCoordinator } from '../../engine/coordinator.js';
import { createRandom } from '../../engine/random.js';
import { NO_DATA, type RebalanceContext } from '../../engine/rebalance.js';
import { createPlacement, simpleStrategy } from '../../engine/replication.js';
import type { NodeSpec } from '../../engine/ring.js';
import { createTimeCoordinator, type TimedWriteResult } from '../../engine/time/coordinator.js';
import { createSimulation } from '../../engine/time/simulation.js';
import { startMove, type MoveReport } from '../../engine/time/streaming.js';
import { hashEventId, getTokenFunction } from '../../partitioners/index.js';
import { getRebalanceStrategy, rebalanceStrategyNames } from '../../rebalancing/index.js';
import { createLogEvents, logTable } from '../../bench/workloads/log-events.js';

describe('a move with traffic at QUORUM', () => {
  it.each(rebalanceStrategyNames)(
    '%s: a bootstrap loses no acknowledged write and no read misses one acknowledged before it',
    (strategy) => {
      const report = runRebalance(
        resolveRebalanceConfig({
          strategy,
          nodes: 6,
          add: 1,
          rows: 5_000,
          duringTraffic: 400,
          streamMibps: 0.05, // about 10 s of streaming, so traffic meets every switch
        }),
      );
      const during = report.duringMove!;
      expect(during.changes[0]!.streamingMs).toBeGreaterThan(2_000);
      expect(during.writes.count).toBeGreaterThan(5_000);
      expect(during.writes.outcomes.ok).toBe(during.writes.count);
      expect(during.reads.outcomes.ok).toBe(during.reads.count);
      expect(during.staleReads).toBe(0);
      expect(during.lostAcknowledged).toBe(0);
      expect(during.failedStreams).toBe(0);
    },
  );

  it.each(['decommission', 'remove', 'replace'] as const)(
    'vnodes-balanced: a %s loses nothing acknowledged, and reads stay fresh',
    (kind) => {
      const report = runRebalance(
        resolveRebalanceConfig({
          nodes: 6,
          [kind]: 1,
          rows: 5_000,
          duringTraffic: 400,
          streamMibps: 0.05,
        }),
      );
      const during = report.duringMove!;
      expect(during.writes.outcomes.ok).toBe(during.writes.count);
      expect(during.staleReads).toBe(0);
      expect(during.lostAcknowledged).toBe(0);
      expect(report.lost.rows).toBe(0);
    },
  );
});

describe('pending replicas', () => {
  const roster: NodeSpec[] = Array.from({ length: 6 }, (_, i) => ({
    id: `n${i + 1}`,
    dc: 'dc1',
    rack: 'r1',
  }));
  const context: RebalanceContext = {
    replication: simpleStrategy(3),
    vnodes: 8,
    partitions: 64,
    splitBytes: 1e9,
    random: createRandom(4).fork('tokens'),
    splitKeySpace: undefined,
  };
  const strategy = getRebalanceStrategy('vnodes-random');
  const partitioner = hashEventId(getTokenFunction('murmur3'));

  function setup() {
    const ring = strategy.initial(roster, [0, 1, 2, 3, 4], context);
    const sim = createSimulation({
      placement: createPlacement(ring, simpleStrategy(3)),
      partitioner,
      table: logTable,
      storage: 'rows',
      random: createRandom(8),
    });
    const events = createLogEvents({ events: 3_000, spanMs: 1000 }, createRandom(2));
    const loader = createCoordinator(sim.cluster);
    const rows = [...events];
    for (const row of rows.slice(0, 2_000)) loader.write(row, 'ALL');
    const to = createPlacement(strategy.join(ring, 5, context, NO_DATA), simpleStrategy(3));
    return { sim, rows: rows.slice(2_000), to };
  }

  /** A row whose range gains n6 in the move, as the transition placement has it. */
  function gaining(sim: ReturnType<typeof setup>['sim'], rows: ReturnType<typeof setup>['rows']) {
    const placement = sim.cluster.placement;
    return rows.find((row) => {
      const token = partitioner.tokenFunction.token(partitioner.keyOf(row).bytes);
      const j = placement.ring.positionOf(token);
      const pending = placement.pending!.table.subarray(j * 3, j * 3 + 3);
      return pending.includes(5);
    })!;
  }

  it('a write during the move reaches the pending replica, and reads stay on the old ones until the switch', () => {
    const { sim, rows, to } = setup();
    let report: MoveReport | undefined;
    startMove(sim, to, { ringDelayMs: 5_000, bytesPerSec: 10_000 }, (r) => (report = r));
    const row = gaining(sim, rows);
    const coordinator = createTimeCoordinator(sim, { node: 'n1' });
    let result: TimedWriteResult | undefined;
    sim.scheduler.after(100, () => coordinator.write(row, 'QUORUM', (r) => (result = r)));
    for (let i = 0; i < 200; i++) {
      sim.scheduler.after(200 + i * 20, () =>
        coordinator.read(partitioner.keyOf(rows[i]!), 'QUORUM', () => {}),
      );
    }
    sim.runUntil(4_900);
    expect(result?.kind).toBe('ok');
    expect(sim.cluster.nodes[5]!.partitions.has(partitioner.keyOf(row).text)).toBe(true);
    // Blocked for the level and for the pending replica: QUORUM 2, plus 1.
    if (result?.kind === 'ok') expect(result.acked).toBe(3);
    expect(sim.cluster.nodes[5]!.reads).toBe(0);
    sim.runUntil(600_000);
    expect(report).toBeDefined();
    expect(sim.cluster.placement).toBe(to);
  });

  it('a pending replica counts toward blockFor: with it and one natural replica down, QUORUM is unavailable', () => {
    const { sim, rows, to } = setup();
    startMove(sim, to, { ringDelayMs: 60_000 }, () => {});
    const row = gaining(sim, rows);
    const token = partitioner.tokenFunction.token(partitioner.keyOf(row).bytes);
    const natural = sim.cluster.placement.replicasOf(token);
    sim.crash('n6');
    sim.crash(roster[natural[0]!]!.id);
    const coordinator = createTimeCoordinator(sim, { node: roster[natural[1]!]!.id });
    let result: TimedWriteResult | undefined;
    sim.scheduler.after(20_000, () => coordinator.write(row, 'QUORUM', (r) => (result = r)));
    sim.runUntil(21_000);
    expect(result).toEqual({ kind: 'unavailable', cl: 'QUORUM', required: 3, alive: 2 });
  });
});
