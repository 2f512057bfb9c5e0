import { describe, expect, it } from 'vitest';
import { placementOf, resolveClusterConfig } from '../../../bench/cluster-config.js';
import { generateLogEvents, logTable, type LogEvent } from '../../../bench/workloads/log-events.js';
import { createCluster } from '../../../engine/cluster.js';
import type { ConsistencyLevel } from '../../../engine/consistency.js';
import { createCoordinator } from '../../../engine/coordinator.js';
import { createRandom } from '../../../engine/random.js';
import {
  createTimeCoordinator,
  type TimedReadResult,
  type TimedWriteResult,
  type TimeCoordinatorOptions,
} from '../../../engine/time/coordinator.js';
import { createSimulation, type Simulation } from '../../../engine/time/simulation.js';
import { createPartitioner, getTokenFunction } from '../../../partitioners/index.js';

const START_MS = Date.UTC(2026, 0, 1);
const config = resolveClusterConfig({ nodes: 12, vnodes: 16, rf: 3, seed: 4 });
const placement = placementOf(config);

function simulation(seed = 4): Simulation {
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
    random: createRandom(seed).fork('sim'),
  });
}

const events = generateLogEvents({ events: 2000, servers: 50, startMs: START_MS }, createRandom(9));

interface Outcome<R> {
  readonly atMs: number;
  readonly event: LogEvent;
  readonly result: R;
}

/** Issues one write per event, every `gapMs` from `fromMs`, and collects the outcomes. */
function writeAll(
  sim: Simulation,
  cl: ConsistencyLevel,
  options: { fromMs?: number; gapMs?: number; coordinator?: TimeCoordinatorOptions } = {},
) {
  const coordinator = createTimeCoordinator(sim, options.coordinator);
  const outcomes: Outcome<TimedWriteResult>[] = [];
  const fromMs = options.fromMs ?? 0;
  const gapMs = options.gapMs ?? 1;
  events.forEach((event, i) => {
    sim.scheduler.at(fromMs + i * gapMs, (atMs) =>
      coordinator.write(event, cl, (result) => outcomes.push({ atMs, event, result })),
    );
  });
  return { coordinator, outcomes };
}

function readAll(
  sim: Simulation,
  cl: ConsistencyLevel,
  fromMs: number,
  options: TimeCoordinatorOptions = {},
) {
  const coordinator = createTimeCoordinator(sim, options);
  const outcomes: Outcome<TimedReadResult>[] = [];
  events.forEach((event, i) => {
    sim.scheduler.at(fromMs + i, (atMs) =>
      coordinator.read(sim.cluster.partitioner.keyOf(event), cl, (result) =>
        outcomes.push({ atMs, event, result }),
      ),
    );
  });
  return { coordinator, outcomes };
}

const kinds = (outcomes: readonly Outcome<{ kind: string }>[]) => {
  const byKind: Record<string, number> = {};
  for (const { result } of outcomes) byKind[result.kind] = (byKind[result.kind] ?? 0) + 1;
  return byKind;
};

/** Node ids holding a replica of the event's partition. */
function replicasOf(sim: Simulation, event: LogEvent): string[] {
  const key = sim.cluster.partitioner.keyOf(event);
  return sim.cluster.placement
    .replicasOf(sim.cluster.partitioner.tokenFunction.token(key.bytes))
    .map((node) => sim.cluster.placement.ring.nodes[node]!.id);
}

describe('time plane: placement', () => {
  it('puts every row on the replicas the data plane puts it on', () => {
    const sim = simulation();
    writeAll(sim, 'ALL');
    sim.runUntil(60_000);
    const dataPlane = createCluster({
      placement,
      partitioner: sim.cluster.partitioner,
      table: logTable,
      storage: 'rows',
    });
    const coordinator = createCoordinator(dataPlane);
    for (const event of events) coordinator.write(event, 'ALL');
    sim.cluster.nodes.forEach((node, i) => {
      expect([...node.partitions.keys()].sort()).toEqual(
        [...dataPlane.nodes[i]!.partitions.keys()].sort(),
      );
    });
  });
});

describe('time plane: every node up', () => {
  it('acknowledges every QUORUM write in a few network hops and reads each one back', () => {
    const sim = simulation();
    const writes = writeAll(sim, 'QUORUM');
    const reads = readAll(sim, 'QUORUM', 10_000);
    sim.runUntil(60_000);
    expect(kinds(writes.outcomes)).toEqual({ ok: events.length });
    expect(kinds(reads.outcomes)).toEqual({ ok: events.length });
    const latencies = writes.outcomes.map(({ result }) =>
      result.kind === 'ok' ? result.latencyMs : NaN,
    );
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    // Two hops of the default lognormal (median 0.5 ms, mean 0.57 ms) and a 0.2 ms write: the
    // second of three replicas (or the coordinator itself, when it is one) answers in about 1 ms.
    expect(mean).toBeGreaterThan(0.3);
    expect(mean).toBeLessThan(2);
    for (const { event, result } of reads.outcomes) {
      expect(result.kind === 'ok' && result.rows.map((row) => row.event_id)).toEqual([
        event.event_id,
      ]);
    }
  });

  it('gives the same outcomes and latencies for the same seed', () => {
    const run = () => {
      const sim = simulation(11);
      const writes = writeAll(sim, 'QUORUM');
      sim.runUntil(20_000);
      return JSON.stringify(writes.outcomes.map(({ result }) => result));
    };
    expect(run()).toBe(run());
  });
});

describe('time plane: one node crashed', () => {
  it('keeps QUORUM writes succeeding before and after detection, and hints the dead replica', () => {
    const sim = simulation();
    sim.crash('n3');
    // 2,000 writes over 20 s: the first half before the 10 s detection delay, the rest after.
    const writes = writeAll(sim, 'QUORUM', { gapMs: 10 });
    sim.runUntil(60_000);
    expect(kinds(writes.outcomes)).toEqual({ ok: events.length });
    const onN3 = writes.outcomes.filter(({ event }) => replicasOf(sim, event).includes('n3'));
    expect(onN3.length).toBeGreaterThan(100);
    expect(writes.coordinator.counters.hintsStored).toBe(onN3.length);
  });

  it('after detection and at QUORUM, succeeds for every read; before it, speculation recovers reads that chose the dead replica', () => {
    const sim = simulation();
    writeAll(sim, 'ALL');
    sim.runUntil(5_000);
    sim.crash('n3');
    const before = readAll(sim, 'QUORUM', 6_000, {
      snitch: 'static',
      speculativeRetry: { kind: 'fixed', ms: 20 },
    });
    const after = readAll(sim, 'QUORUM', 20_000, { snitch: 'static' });
    const noRetry = readAll(sim, 'QUORUM', 6_000, {
      snitch: 'static',
      speculativeRetry: { kind: 'none' },
    });
    sim.runUntil(60_000);
    expect(kinds(after.outcomes)).toEqual({ ok: events.length });
    expect(kinds(before.outcomes)).toEqual({ ok: events.length });
    expect(before.coordinator.counters.speculativeRetries).toBeGreaterThan(0);
    // Without speculation, reads that asked n3 before it was convicted time out, naming the level.
    const timedOut = noRetry.outcomes.filter(({ result }) => result.kind === 'timeout');
    expect(timedOut.length).toBeGreaterThan(0);
    for (const { event, result } of timedOut) {
      expect(replicasOf(sim, event)).toContain('n3');
      expect(result).toMatchObject({ kind: 'timeout', cl: 'QUORUM', blockFor: 2, received: 1 });
    }
  });
});

describe('time plane: two nodes that share ranges crashed', () => {
  it('times out at QUORUM before detection, is unavailable after, succeeds at ONE, and claims no success it did not have', () => {
    const sim = simulation();
    sim.crash('n3');
    sim.crash('n4');
    const early = writeAll(sim, 'QUORUM', { fromMs: 0, gapMs: 2 });
    const late = writeAll(sim, 'QUORUM', { fromMs: 15_000, gapMs: 2 });
    const one = writeAll(sim, 'ONE', { fromMs: 15_000, gapMs: 2 });
    sim.runUntil(60_000);
    const both = (event: LogEvent) => {
      const replicas = replicasOf(sim, event);
      return replicas.includes('n3') && replicas.includes('n4');
    };
    expect(events.filter(both).length).toBeGreaterThan(10);
    for (const { event, result } of early.outcomes) {
      expect(result.kind).toBe(both(event) ? 'timeout' : 'ok');
    }
    for (const { event, result } of late.outcomes) {
      if (both(event))
        expect(result).toEqual({ kind: 'unavailable', cl: 'QUORUM', required: 2, alive: 1 });
      else expect(result.kind).toBe('ok');
    }
    expect(kinds(one.outcomes)).toEqual({ ok: events.length });
    // No false success: an ok write is on at least two replicas.
    for (const { event, result } of late.outcomes) {
      if (result.kind !== 'ok') continue;
      const key = sim.cluster.partitioner.keyOf(event).text;
      const holders = sim.cluster.nodes.filter((node) =>
        node.partitions.get(key)?.rows.some((row) => row.event_id === event.event_id),
      );
      expect(holders.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('after recovery and hint replay, reads at ALL return every acknowledged write', () => {
    const sim = simulation();
    sim.crash('n3');
    sim.crash('n4');
    const writes = writeAll(sim, 'ONE', { gapMs: 5 });
    sim.scheduler.at(30_000, () => {
      sim.recover('n3');
      sim.recover('n4');
    });
    sim.runUntil(120_000);
    const acknowledged = writes.outcomes
      .filter(({ result }) => result.kind === 'ok')
      .map(({ event }) => event);
    expect(acknowledged).toHaveLength(events.length);
    expect(writes.coordinator.counters.hintsReplayed).toBe(writes.coordinator.counters.hintsStored);
    expect(writes.coordinator.hintsPending()).toBe(0);
    const reads = readAll(sim, 'ALL', 130_000);
    sim.runUntil(200_000);
    expect(kinds(reads.outcomes)).toEqual({ ok: events.length });
    for (const { event, result } of reads.outcomes) {
      expect(
        result.kind === 'ok' && result.rows.some((row) => row.event_id === event.event_id),
      ).toBe(true);
    }
  });
});

describe('time plane: read repair', () => {
  it('repairs a stale replica, blocking, at QUORUM, and never at ONE', () => {
    const sim = simulation();
    const event = events[0]!;
    const [first, second] = replicasOf(sim, event);
    const key = sim.cluster.partitioner.keyOf(event);
    const options = {
      node: first!,
      snitch: 'static' as const,
      speculativeRetry: { kind: 'none' as const },
    };
    const coordinator = createTimeCoordinator(sim, options);
    const results: (TimedWriteResult | TimedReadResult)[] = [];
    coordinator.write(event, 'ALL', (result) => results.push(result));
    sim.runUntil(1_000);
    sim.wipe(second!); // its disk is replaced: the replica has nothing
    const secondNode = sim.cluster.nodes[sim.nodeIndex(second!)]!;
    coordinator.read(key, 'ONE', (result) => results.push(result));
    sim.runUntil(2_000);
    expect(results[1]).toMatchObject({ kind: 'ok', repaired: false });
    expect(secondNode.partitions.has(key.text)).toBe(false);
    coordinator.read(key, 'QUORUM', (result) => results.push(result));
    sim.runUntil(3_000);
    expect(results[2]).toMatchObject({ kind: 'ok', repaired: true });
    expect(coordinator.counters.readRepairs).toBe(1);
    expect(secondNode.partitions.get(key.text)?.rows.map((row) => row.event_id)).toEqual([
      event.event_id,
    ]);
  });
});

describe('time plane: repair after a lost disk', () => {
  it('rebuilds every range of a wiped node from the other replicas', () => {
    const sim = simulation();
    writeAll(sim, 'ALL');
    sim.runUntil(10_000);
    const n5 = sim.cluster.nodes[sim.nodeIndex('n5')]!;
    const held = n5.rows;
    expect(held).toBeGreaterThan(0);
    sim.wipe('n5');
    expect(n5.rows).toBe(0);
    expect(sim.repair('n5')).toBe(held);
    expect(n5.rows).toBe(held);
  });
});

describe('time plane: hinted handoff limits', () => {
  it('stores no hint for a replica down longer than max_hint_window (3 h), and counts it dropped', () => {
    const sim = simulation();
    sim.crash('n3');
    const onN3 = events.filter((event) => replicasOf(sim, event).includes('n3')).slice(0, 20);
    const coordinator = createTimeCoordinator(sim);
    sim.runUntil(3 * 3_600_000 + 20_000); // detected at 10 s; the window ends 3 h later
    for (const event of onN3) coordinator.write(event, 'ONE', () => {});
    sim.runUntil(sim.scheduler.now + 5_000);
    expect(coordinator.counters.hintsDropped).toBe(onN3.length);
    expect(coordinator.counters.hintsStored).toBe(0);
  });

  // Found by ringlab check (--replay 978040946): a coordinator that crashed holding hints never
  // resumed replaying them after it recovered.
  it('a coordinator that crashes holding hints replays them once it is back', () => {
    const sim = simulation();
    sim.crash('n3');
    const onN3 = events.filter((event) => replicasOf(sim, event).includes('n3')).slice(0, 40);
    const coordinator = createTimeCoordinator(sim, { node: 'n1' });
    sim.runUntil(11_000); // n3 is believed down: every write to it is hinted
    for (const event of onN3) coordinator.write(event, 'ONE', () => {});
    sim.runUntil(12_000);
    sim.crash('n1');
    sim.recover('n3');
    sim.runUntil(30_000); // n3 is back and believed up, but its hints' holder is down
    expect(coordinator.hintsPending()).toBe(onN3.length);
    sim.recover('n1');
    sim.runUntil(60_000);
    expect(coordinator.hintsPending()).toBe(0);
    expect(coordinator.counters.hintsReplayed).toBe(onN3.length);
  });

  it('replays hints no faster than the throttle (1024 KiB/s by default)', () => {
    const sim = createSimulation({
      placement,
      partitioner: simulation().cluster.partitioner,
      table: logTable,
      storage: 'rows',
      random: createRandom(4).fork('sim'),
      hints: { throttleBytesPerSec: 10_000 },
    });
    sim.crash('n3');
    const onN3 = events.filter((event) => replicasOf(sim, event).includes('n3'));
    const coordinator = createTimeCoordinator(sim);
    sim.runUntil(11_000);
    for (const event of onN3) coordinator.write(event, 'ONE', () => {});
    sim.runUntil(12_000);
    const bytes = onN3.reduce((sum, event) => sum + logTable.sizeOf(event), 0);
    sim.recover('n3');
    const recoveredAt = sim.scheduler.now;
    // At 10,000 B/s the replay takes bytes / 10,000 seconds; check halfway and after.
    const replayMs = (bytes / 10_000) * 1000;
    sim.runUntil(recoveredAt + 1_000 + replayMs / 2);
    expect(coordinator.hintsPending()).toBeGreaterThan(0);
    sim.runUntil(recoveredAt + 1_000 + replayMs * 1.5 + 1_000);
    expect(coordinator.hintsPending()).toBe(0);
    expect(coordinator.counters.hintsReplayed).toBe(onN3.length);
  });
});

describe('time plane: adaptive salting with writes in flight', () => {
  it('regression: never re-keys a row that was sent but not yet acknowledged', () => {
    // observe ran at acknowledgement, so a salt change learned from writes acknowledged while
    // another was in flight re-keyed that row: its key no longer named the partition it was in.
    const sim = createSimulation({
      placement,
      partitioner: createPartitioner('server-salted', {
        tokenFunction: getTokenFunction('murmur3'),
        salt: { kind: 'adaptive', hotShare: 0.02, windowEvents: 200, maxSalts: 64 },
        bucketMs: 3_600_000,
        startMs: START_MS,
        spanMs: 86_400_000,
      }),
      table: logTable,
      storage: 'rows',
      random: createRandom(6).fork('sim'),
    });
    const coordinator = createTimeCoordinator(sim);
    // 5,000 writes 0.05 ms apart: each is in flight while a few dozen others are acknowledged.
    const stream = generateLogEvents(
      { events: 5000, servers: 20, startMs: START_MS },
      createRandom(12),
    );
    stream.forEach((event, i) =>
      sim.scheduler.at(i * 0.05, () => coordinator.write(event, 'ALL', () => {})),
    );
    sim.runUntil(30_000);
    const salted = sim.cluster.partitioner as unknown as { metadata(): { entries: number } };
    expect(salted.metadata().entries).toBeGreaterThan(0);
    for (const event of stream) {
      const key = sim.cluster.partitioner.keyOf(event).text;
      const holders = sim.cluster.nodes.filter((node) =>
        node.partitions.get(key)?.rows.some((row) => row.event_id === event.event_id),
      );
      expect(holders, `${event.event_id} under ${key}`).toHaveLength(3);
    }
  });
});
