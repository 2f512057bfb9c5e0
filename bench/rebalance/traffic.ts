/**
 * A membership change with traffic running, on the time plane: what reads and writes see while
 * ranges move. The loaded cluster becomes a simulation; a client sends writes of new events and
 * by-id reads of acknowledged ones, at QUORUM, to the running members in turn, by a Poisson
 * process; the changes run one after another (engine/time/streaming.ts), a dead node first
 * crashing and being convicted. The checks: a read that misses an event acknowledged before it
 * was sent is stale; once everything has settled (every node up, a full repair), an
 * acknowledged write that no replica holds is lost.
 */
import { createCoordinator } from '../../engine/coordinator.js';
import type { Partitioner } from '../../engine/partitioner.js';
import type { Random } from '../../engine/random.js';
import type { Row } from '../../engine/row.js';
import { cleanup, repairAll } from '../../engine/streaming.js';
import { createTimeCoordinator } from '../../engine/time/coordinator.js';
import { membersOf } from '../../engine/ring.js';
import type { Simulation } from '../../engine/time/simulation.js';
import { startMove, type MoveReport } from '../../engine/time/streaming.js';
import type { Placement } from '../../engine/replication.js';
import { createOperationRecorder, type OperationStats } from '../simulate/metrics.js';
import type { LogEvent } from '../workloads/log-events.js';

export interface DuringMove {
  /** Operations per second of virtual time, half writes, half reads. */
  readonly rate: number;
  /** Virtual time from the first change to the last range switched, ms. */
  readonly durationMs: number;
  readonly writes: OperationStats;
  readonly reads: OperationStats;
  /** By-id reads that answered ok without an event acknowledged before they were sent. */
  readonly staleReads: number;
  /** Acknowledged writes no replica holds once every node is up and repaired. */
  readonly lostAcknowledged: number;
  /** Streams whose source or target was down when they completed. */
  readonly failedStreams: number;
  /** Ring delay and streaming of each change, virtual ms. */
  readonly changes: readonly {
    readonly ringDelayMs: number;
    readonly streamingMs: number;
    readonly bytes: number;
  }[];
}

/** One change: the next placement, and the node to crash first (removing or replacing it). */
export interface TimedChange {
  readonly dead: number | undefined;
  /** Computed when the change starts, from the cluster as it is then. */
  next(): Placement;
}

export interface TrafficOptions {
  readonly rate: number;
  readonly bytesPerSec: number;
  readonly ringDelayMs: number;
  /** New events to write, in order; the client stops writing when they run out. */
  readonly events: Iterator<LogEvent>;
  /** Rows already loaded, and acknowledged, before the traffic: the first reads' targets. */
  readonly loaded: readonly LogEvent[];
  readonly random: Random;
  /** Told of each change once all its ranges have switched. */
  readonly onChange?: (report: MoveReport) => void;
}

/** Virtual ms between a node's crash and the change that removes it: past conviction. */
const AFTER_CONVICTION_MS = 11_000;
/** Traffic before the first change and after the last, virtual ms. */
const MARGIN_MS = 2_000;
/** After the traffic stops, for answers still in flight: the longest timeout chain. */
const DRAIN_MS = 30_000;
/** A move that has not finished by then is a bug, not a slow stream. */
const MAX_VIRTUAL_MS = 48 * 3_600_000;

export function runDuringTraffic(
  sim: Simulation,
  partitioner: Partitioner,
  changes: readonly TimedChange[],
  options: TrafficOptions,
): DuringMove {
  const { scheduler, cluster, running } = sim;
  const coordinators = cluster.nodes.map((_, i) =>
    createTimeCoordinator(sim, { node: cluster.placement.ring.nodes[i]!.id }),
  );
  const writes = createOperationRecorder();
  const reads = createOperationRecorder();
  const gaps = options.random.fork('arrivals');
  const picks = options.random.fork('picks');
  const acked: { row: Row; atMs: number }[] = options.loaded.map((row) => ({ row, atMs: 0 }));
  let staleReads = 0;
  let stopped = false;
  let turn = 0;

  /** The next running member, round-robin: a node that owns nothing coordinates nothing. */
  const client = () => {
    const owners = membersOf(cluster.placement.ring);
    for (let tries = 0; tries < coordinators.length; tries++) {
      const coordinator = coordinators[turn]!;
      turn = (turn + 1) % coordinators.length;
      if (running[coordinator.node] === 1 && owners[coordinator.node] === 1) return coordinator;
    }
    return undefined;
  };

  const operate = (): void => {
    if (stopped) return;
    const coordinator = client();
    const sent = scheduler.now;
    if (coordinator !== undefined && picks.nextFloat() < 0.5) {
      const next = options.events.next();
      if (!next.done) {
        const row = next.value;
        writes.issue();
        coordinator.write(row, 'QUORUM', (result) => {
          writes.answer(
            result.kind,
            scheduler.now - sent,
            1,
            result.kind === 'ok' ? result.acked : 0,
          );
          if (result.kind === 'ok') acked.push({ row, atMs: scheduler.now });
        });
      }
    } else if (coordinator !== undefined && acked.length > 0) {
      const target = acked[Math.floor(picks.nextFloat() * acked.length)]!;
      const before = target.atMs <= sent;
      const key = partitioner.keyOf(target.row);
      reads.issue();
      coordinator.read(key, 'QUORUM', (result) => {
        reads.answer(
          result.kind,
          scheduler.now - sent,
          1,
          result.kind === 'ok' ? result.contacted : 0,
        );
        if (result.kind !== 'ok' || !before) return;
        const id = target.row.event_id;
        if (!result.rows.some((row) => row.event_id === id)) staleReads++;
      });
    }
    scheduler.after(-Math.log(1 - gaps.nextFloat()) * (1000 / options.rate), operate);
  };

  const reports: MoveReport[] = [];
  const timings: DuringMove['changes'][number][] = [];
  const firstMs = MARGIN_MS;
  let lastMs = firstMs;
  const runChange = (index: number): void => {
    const change = changes[index];
    if (change === undefined) {
      lastMs = scheduler.now;
      scheduler.after(MARGIN_MS, () => (stopped = true));
      return;
    }
    const begin = (): void => {
      startMove(
        sim,
        change.next(),
        { bytesPerSec: options.bytesPerSec, ringDelayMs: options.ringDelayMs },
        (report) => {
          reports.push(report);
          options.onChange?.(report);
          timings.push({
            ringDelayMs: report.streamingStartedMs - report.startedMs,
            streamingMs: report.finishedMs - report.streamingStartedMs,
            bytes: report.bytes,
          });
          runChange(index + 1);
        },
      );
    };
    // Every dead node dies before the first change, and the first waits for their conviction.
    const dead = index === 0 ? changes.flatMap((c) => (c.dead === undefined ? [] : [c.dead])) : [];
    if (dead.length === 0) return begin();
    for (const node of dead) sim.crash(cluster.placement.ring.nodes[node]!.id);
    scheduler.after(AFTER_CONVICTION_MS, begin);
  };

  scheduler.after(0, operate);
  scheduler.after(firstMs, () => runChange(0));
  // Run until the traffic has stopped and what it sent has drained.
  while (!stopped) {
    if (scheduler.now > MAX_VIRTUAL_MS) {
      throw new Error(
        `the move had not finished after ${MAX_VIRTUAL_MS / 3_600_000} h of virtual time`,
      );
    }
    sim.runUntil(scheduler.now + 1000);
  }
  sim.runUntil(scheduler.now + DRAIN_MS);

  // Settle: every node up, a full repair, cleanup; then look for every acknowledged write.
  for (const [node] of cluster.nodes.entries()) {
    const dead = changes.some((c) => c.dead === node);
    if (!dead && running[node] !== 1) sim.recover(cluster.placement.ring.nodes[node]!.id);
  }
  repairAll(cluster);
  cleanup(cluster);
  const check = createCoordinator(cluster);
  let lostAcknowledged = 0;
  for (const { row } of acked) {
    const result = check.read(partitioner.keyOf(row), 'ONE');
    if (result.kind !== 'ok' || !result.rows.some((r) => r.event_id === row.event_id)) {
      lostAcknowledged++;
    }
  }
  return {
    rate: options.rate,
    durationMs: lastMs - firstMs,
    writes: writes.stats(),
    reads: reads.stats(),
    staleReads,
    lostAcknowledged,
    failedStreams: reports.reduce((s, r) => s + r.failedStreams, 0),
    changes: timings,
  };
}
