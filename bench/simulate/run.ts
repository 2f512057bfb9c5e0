/**
 * The simulate run: one seeded log-event stream written on the time plane at its arrival times,
 * reads arriving by a Poisson process of their own, the faults on the same virtual clock, and a
 * client that sends each operation to the next running node in turn (one coordinator per node).
 *
 * Generator, system and checker stay apart: the workload draws the operations, the simulation
 * answers them, and the checks judge the answers against the replicas' stores (a write reported
 * ok must be on at least blockFor replicas when it is acknowledged; a by-id read of an
 * acknowledged event must find it).
 */
import { blockFor, isDcLocal } from '../../engine/consistency.js';
import type { PartitionKey } from '../../engine/partitioner.js';
import { createRandom } from '../../engine/random.js';
import type { Row } from '../../engine/row.js';
import { newTokenParts } from '../../engine/token.js';
import { createTimeCoordinator, type TimeCoordinator } from '../../engine/time/coordinator.js';
import { scheduleFaults, type FaultEvent } from '../../engine/time/faults.js';
import type { TimedQueryResult } from '../../engine/time/gather.js';
import { createSimulation } from '../../engine/time/simulation.js';
import { createIndexMode } from '../../indexes/index.js';
import { createPartitioner, getTokenFunction } from '../../partitioners/index.js';
import { placementOf } from '../cluster-config.js';
import { describeFault } from '../faults.js';
import { noProgress, type Progress } from '../progress.js';
import { presplitPlacement } from '../skew/run.js';
import { createLogEvents, logTable, type LogEvent } from '../workloads/log-events.js';
import { indexReport, nodeReports, type IndexReport, type NodeReport } from './cluster-report.js';
import { simulateSaltMode, type SimulateConfig } from './config.js';
import {
  createOperationRecorder,
  createTimeline,
  type OperationRecorder,
  type OperationStats,
  type TimelineSecond,
} from './metrics.js';
import { readKindNames, readKindPicker, readKinds, type ReadKind } from './reads.js';

export type OperationKind = 'write' | ReadKind;
export const operationKinds: readonly OperationKind[] = ['write', ...readKindNames];

export interface SimulateReport {
  readonly seed: number;
  readonly config: SimulateConfig;
  /** Virtual time the run took: the workload's span and the drain of what was in flight. */
  readonly durationMs: number;
  readonly operations: Readonly<Record<OperationKind, OperationStats>>;
  /** Read arrivals before any write was acknowledged (nothing to read yet), not sent. */
  readonly readsNotIssued: number;
  readonly checks: {
    /** Writes reported ok with fewer than blockFor replicas holding the row at the ack. */
    readonly falseSuccesses: number;
    /** Complete by-id answers that missed an event acknowledged before the read was sent. */
    readonly staleReads: number;
    /**
     * Global index entries that queries met and dropped because their base row no longer
     * matched (an update moved it; with an asynchronous index, also entries not yet updated).
     */
    readonly staleEntries: number;
    /**
     * Acknowledged writes whose key the partitioner changed between the write and its ack (an
     * adaptive strategy learning from writes that were acknowledged meanwhile): rows a read by
     * key would then look for in the wrong partition.
     */
    readonly rekeyedRows: number;
  };
  readonly index: IndexReport;
  readonly hints: {
    readonly stored: number;
    readonly replayed: number;
    readonly dropped: number;
    readonly pending: number;
  };
  readonly readRepairs: number;
  readonly speculativeRetries: number;
  readonly network: { readonly sent: number; readonly dropped: number };
  readonly nodes: readonly NodeReport[];
  readonly faults: readonly (FaultEvent & { readonly spec: string })[];
  readonly timeline: readonly TimelineSecond[];
}

export interface SimulateRunOptions {
  /** Told virtual ms done out of the workload's span, about 200 times over a run. */
  readonly progress?: Progress | undefined;
}

/** After the workload's span, how long in-flight operations get to finish (the longest timeout chain). */
export const DRAIN_MS = 60_000;
const PROGRESS_STEPS = 200;

export function runSimulate(
  config: SimulateConfig,
  options: SimulateRunOptions = {},
): SimulateReport {
  const progress = options.progress ?? noProgress;
  const root = createRandom(config.cluster.seed);
  const partitioner = createPartitioner(config.strategy, {
    tokenFunction: getTokenFunction(config.cluster.partitioner),
    salt: simulateSaltMode(config),
    bucketMs: config.bucketMs,
    startMs: config.startMs,
    spanMs: config.spanMs,
  });
  const placement = partitioner.splitKeySpace
    ? presplitPlacement(config.cluster, partitioner)
    : placementOf(config.cluster, root);
  const index = createIndexMode(config.index, {
    column: config.indexColumn,
    base: logTable,
    buckets: config.indexBuckets,
  });
  const sim = createSimulation({
    placement,
    partitioner,
    table: logTable,
    storage: 'rows',
    index,
    random: root.fork('simulation'),
    indexUpdate:
      config.indexSync === 'async'
        ? { mode: 'async', lag: { kind: 'exponential', meanMs: config.indexLagMs } }
        : { mode: 'sync' },
  });
  const { scheduler, cluster } = sim;
  const ring = placement.ring;
  const coordinators = ring.nodes.map((node) =>
    createTimeCoordinator(sim, {
      node: node.id,
      speculativeRetry: config.speculative,
      snitch: config.snitch,
    }),
  );

  const faultLog: (FaultEvent & { spec: string })[] = [];
  scheduleFaults(sim, config.faults, (event, fault) =>
    faultLog.push({ ...event, spec: describeFault(fault) }),
  );

  const recorders = Object.fromEntries(
    operationKinds.map((kind) => [kind, createOperationRecorder()]),
  ) as Record<OperationKind, OperationRecorder>;
  const timeline = createTimeline();
  let outstanding = 0;
  let falseSuccesses = 0;
  let staleReads = 0;
  let staleEntries = 0;
  let rekeyedRows = 0;
  let readsNotIssued = 0;

  // The client: round-robin over running nodes.
  let turn = 0;
  const client = (): TimeCoordinator | undefined => {
    for (let tries = 0; tries < coordinators.length; tries++) {
      const coordinator = coordinators[turn]!;
      turn = (turn + 1) % coordinators.length;
      if (sim.running[coordinator.node] === 1) return coordinator;
    }
    return undefined;
  };

  const answered = (
    kind: OperationKind,
    outcome: 'ok' | 'partial' | 'unavailable' | 'timeout',
    latencyMs: number,
    partitions: number,
    replicas: number,
    plan?: string,
  ): void => {
    outstanding--;
    recorders[kind].answer(outcome, latencyMs, partitions, replicas, plan);
    timeline.record(scheduler.now, outcome === 'ok', latencyMs);
  };

  // The checker's view of a row: how many of its replicas (counting for the level) hold it.
  const token = newTokenParts();
  const holders = (row: LogEvent, key: PartitionKey, coordinator: TimeCoordinator): number => {
    partitioner.tokenFunction.tokenParts(key.bytes, token);
    const position = ring.positionOfParts(token);
    const localDc = ring.nodes[coordinator.node]!.dc;
    let held = 0;
    for (let k = position * placement.rf; k < (position + 1) * placement.rf; k++) {
      const replica = placement.table[k]!;
      if (isDcLocal(config.writeCl) && ring.nodes[replica]!.dc !== localDc) continue;
      const rows = cluster.nodes[replica]!.partitions.get(key.text)?.rows;
      if (rows !== undefined && storesEvent(rows, row)) held++;
    }
    return held;
  };

  const acknowledged: LogEvent[] = [];
  // What the client's writes sent, before replication: the index's write amplification.
  const written = { baseBytes: 0, indexEntries: 0, indexBytes: 0 };
  const writeRecorder = recorders.write;
  const issueWrite = (event: LogEvent): void => {
    writeRecorder.issue();
    outstanding++;
    const coordinator = client();
    if (coordinator === undefined) return answered('write', 'unavailable', 0, 0, 0);
    // The key the coordinator writes under: it keys the row from the same partitioner state.
    const key = partitioner.keyOf(event);
    const entries = index.entriesFor(event, key);
    const partitions = 1 + entries.length;
    written.baseBytes += logTable.sizeOf(event);
    written.indexEntries += entries.length;
    for (const entry of entries) written.indexBytes += index.table!.sizeOf(entry.row);
    coordinator.write(event, config.writeCl, (result) => {
      if (result.kind !== 'ok') {
        return answered('write', result.kind, 'latencyMs' in result ? result.latencyMs : 0, 0, 0);
      }
      const need = blockFor(config.writeCl, placement.strategy, ring.nodes[coordinator.node]!.dc);
      if (result.acked < need || holders(event, key, coordinator) < need) falseSuccesses++;
      // The partitioner learnt from writes acknowledged meanwhile; it must not have moved this row.
      if (partitioner.keyOf(event).text !== key.text) rekeyedRows++;
      acknowledged.push(event);
      answered('write', 'ok', result.latencyMs, partitions, result.acked);
    });
  };

  const readRandom = root.fork('reads');
  const pickKind = readKindPicker(config.reads, readRandom.fork('kind'));
  const queryRandom = readRandom.fork('query');
  const issueRead = (forced?: ReadKind): void => {
    const kind = forced ?? pickKind();
    if (acknowledged.length === 0) {
      readsNotIssued++;
      return;
    }
    const written = acknowledged[queryRandom.nextInt(acknowledged.length)]!;
    const query = readKinds[kind].query(written, queryRandom, config.limit);
    const recorder = recorders[kind];
    recorder.issue();
    outstanding++;
    const coordinator = client();
    if (coordinator === undefined) return answered(kind, 'unavailable', 0, 0, 0);
    const options = { fanout: config.fanout, partial: config.partial };
    coordinator.query(query, config.readCl, options, (result: TimedQueryResult) => {
      if (result.kind === 'unavailable') return answered(kind, 'unavailable', 0, 0, 0);
      if (result.kind === 'timeout') return answered(kind, 'timeout', result.latencyMs, 0, 0);
      if (kind === 'by-id' && result.complete && !holdsEvent(result.rows, written.event_id)) {
        staleReads++;
      }
      staleEntries += result.staleEntries;
      answered(
        kind,
        result.complete ? 'ok' : 'partial',
        result.latencyMs,
        result.partitions,
        result.contacted,
        result.plan,
      );
    });
  };

  // Writes at their events' offsets, one arrival scheduled at a time.
  const stream = createLogEvents(
    {
      events: config.events,
      servers: config.servers,
      startMs: config.startMs,
      spanMs: config.spanMs,
    },
    root.fork('workload'),
  );
  const scheduleWrite = (): void => {
    const event = stream.next();
    if (event === undefined) return;
    scheduler.at(event.ts - config.startMs, () => {
      issueWrite(event);
      scheduleWrite();
    });
  };
  scheduleWrite();

  // Reads: exponential gaps at the read rate, over the same span.
  const arrivals = readRandom.fork('arrivals');
  const meanGapMs = config.readRatePerSec > 0 ? 1000 / config.readRatePerSec : Infinity;
  let readAtMs = 0;
  const scheduleRead = (): void => {
    readAtMs -= Math.log(1 - arrivals.nextFloat()) * meanGapMs;
    if (!(readAtMs < config.spanMs)) return;
    scheduler.at(readAtMs, () => {
      issueRead();
      scheduleRead();
    });
  };
  scheduleRead();
  // Full scans at even offsets over the span, apart from the mix: an analytics job's reads.
  for (let scan = 1; scan <= config.scans; scan++) {
    scheduler.at((config.spanMs * scan) / (config.scans + 1), () => issueRead('full-scan'));
  }

  const stepMs = Math.max(1, config.spanMs / PROGRESS_STEPS);
  for (let atMs = stepMs; atMs < config.spanMs; atMs += stepMs) {
    sim.runUntil(atMs);
    progress(Math.floor(atMs), config.spanMs);
  }
  sim.runUntil(config.spanMs);
  progress(config.spanMs, config.spanMs);
  let endMs = config.spanMs;
  while (outstanding > 0 && endMs < config.spanMs + DRAIN_MS) {
    endMs += 100;
    sim.runUntil(endMs);
  }

  const operations = Object.fromEntries(
    operationKinds.map((kind) => [kind, recorders[kind].stats()]),
  ) as Record<OperationKind, OperationStats>;
  const sum = (pick: (coordinator: TimeCoordinator) => number): number =>
    coordinators.reduce((total, coordinator) => total + pick(coordinator), 0);
  return {
    seed: config.cluster.seed,
    config,
    durationMs: endMs,
    operations,
    readsNotIssued,
    checks: { falseSuccesses, staleReads, staleEntries, rekeyedRows },
    index: indexReport(sim, config, { writes: config.events, ...written }),
    hints: {
      stored: sum((c) => c.counters.hintsStored),
      replayed: sum((c) => c.counters.hintsReplayed),
      dropped: sum((c) => c.counters.hintsDropped),
      pending: sum((c) => c.hintsPending()),
    },
    readRepairs: sum((c) => c.counters.readRepairs),
    speculativeRetries: sum((c) => c.counters.speculativeRetries),
    network: { sent: sim.network.sent, dropped: sim.network.dropped },
    nodes: nodeReports(sim),
    faults: faultLog,
    timeline: timeline.seconds(endMs),
  };
}

/**
 * Whether a partition's rows, in clustering order (`ts`, then `event_id`), hold the event. Appends
 * are in time order, so the search starts at the end, and it stops at the first row older than
 * the event: a replica that has not applied a recent write is told so in a step or two, not after
 * reading the whole partition.
 */
function storesEvent(rows: readonly Row[], event: LogEvent): boolean {
  const { ts, event_id: eventId } = event;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    if (row['event_id'] === eventId) return true;
    if ((row['ts'] as number) < ts) return false;
  }
  return false;
}

/** Whether `rows` hold the event; appends are in time order, so the search starts at the end. */
function holdsEvent(rows: readonly Row[], eventId: string): boolean {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!['event_id'] === eventId) return true;
  return false;
}
