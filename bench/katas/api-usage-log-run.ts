/**
 * The api-usage-log kata's run: per design, one cluster on the time plane, the identical request
 * stream and the same faults. Each instance logs each request it serves as soon as it is served,
 * through the next running node; a write that times out or is unavailable is retried after a
 * backoff, up to `maxAttempts`, each attempt a row of its own (see `logEntryOf`). After the
 * workload the run drains (retries, hint replay), repairs when asked, and then checks, in this
 * order, so that the read-back's read repairs do not hide what the stores held:
 *
 * 1. the stores themselves: which requests some replica holds, and which have a row on fewer
 *    than rf replicas (a read at ONE may miss them);
 * 2. the read-back: every (user_id, day) partition written, read at `readCl`; in it, the entries
 *    missing (acknowledged or not), the extra rows of one request (duplicates) and the entries
 *    whose user sequence is below one that precedes them in clustering order (out of order).
 */
import { blockFor } from '../../engine/consistency.js';
import type { PartitionKey } from '../../engine/partitioner.js';
import { createRandom, type Random } from '../../engine/random.js';
import type { Placement } from '../../engine/replication.js';
import { createTimeCoordinator } from '../../engine/time/coordinator.js';
import { scheduleFaults, type Fault } from '../../engine/time/faults.js';
import { createSimulation, type Simulation } from '../../engine/time/simulation.js';
import { composite, DAY_MS, getTokenFunction } from '../../partitioners/index.js';
import { topologyOf } from '../cluster-config.js';
import { parseDuration } from '../duration.js';
import { describeFault, parseFaults } from '../faults.js';
import type { KataRunOptions } from '../kata/kata.js';
import type { KataReport } from '../kata/report.js';
import { noProgress } from '../progress.js';
import {
  createOperationRecorder,
  createTimeline,
  type OperationStats,
  type TimelineSecond,
} from '../simulate/metrics.js';
import {
  apiLogTable,
  createApiRequests,
  logEntryOf,
  type ApiRequest,
} from '../workloads/api-requests.js';
import { DEFAULT_START_MS } from '../workloads/log-events.js';
import { spanMsOf, type ApiLogDesign, type ApiLogExperiment } from './api-usage-log.js';
import { apiLogReport } from './api-usage-log-report.js';
import { placementOfKata, roundRobin, runUntilSettled } from './time-plane.js';

export interface ApiLogCounts {
  readonly entries: number;
  readonly acked: number;
  /** Entries whose every attempt failed. */
  readonly gaveUp: number;
  /** Acknowledged entries the read-back did not return. */
  readonly lostAcked: number;
  /** Entries never acknowledged that the read-back did not return either. */
  readonly lostUnacked: number;
  /** Entries never acknowledged that were logged after all (an attempt that timed out applied). */
  readonly unackedPresent: number;
  /** Rows beyond the first of one request in the read-back. */
  readonly duplicates: number;
  /** Entries returned more than once. */
  readonly duplicatedEntries: number;
  /** Entries whose user sequence is below one that precedes them in clustering order. */
  readonly outOfOrder: number;
  /** Entries some replica holds when the read-back starts (the stores, looked at directly). */
  readonly stored: number;
  /** Of them, entries with a row on fewer than rf replicas. */
  readonly underReplicated: number;
  /** Entries some replica held that the read-back did not return. */
  readonly missedByRead: number;
  /** Partitions the read-back could not read (unavailable or timed out), and their entries. */
  readonly unreadPartitions: number;
  readonly unreadEntries: number;
}

export interface ApiLogRun {
  readonly design: ApiLogDesign;
  readonly counts: ApiLogCounts;
  /** Every write attempt, by outcome; latency over the acknowledged ones. */
  readonly attempts: OperationStats;
  readonly timeline: readonly TimelineSecond[];
  readonly hints: { readonly stored: number; readonly replayed: number };
  readonly nodes: readonly { readonly id: string; readonly rows: number }[];
  /** Whether the write and read-back levels overlap (W + R > rf), so a lost ack is a violation. */
  readonly overlapping: boolean;
  /** Virtual ms at which the read-back started. */
  readonly readBackAtMs: number;
}

export interface ApiLogEstimate {
  readonly seconds: number;
  readonly describe: string;
}

/**
 * CPU seconds per time-plane write at rf 3 (an attempt: messages, queues, the timer) and per
 * partition read back, measured on this driver on a loaded 2-core machine and rounded up.
 */
const WRITE_SECONDS = 60e-6;
const READ_BACK_SECONDS = 200e-6;

export function estimateApiLog(experiment: ApiLogExperiment): ApiLogEstimate {
  const replicas = experiment.cluster.rf! * experiment.cluster.dcs!;
  const days = Math.ceil(spanMsOf(experiment) / DAY_MS) + 1;
  const partitions = Math.min(experiment.requests, experiment.users * days);
  const designs = experiment.designs.length;
  const writeSeconds = designs * experiment.requests * 1.2 * WRITE_SECONDS * (replicas / 3);
  const readSeconds = designs * partitions * READ_BACK_SECONDS * (replicas / 3);
  return {
    seconds: writeSeconds + readSeconds,
    describe: `${Math.ceil(writeSeconds)} s for the writes of ${designs} designs, ${Math.ceil(readSeconds)} s to read back ${partitions.toLocaleString('en-US')} partitions each`,
  };
}

/** After the workload, how long retries and hint replay may take before the read-back. */
const DRAIN_MS = 300_000;

export function runApiLog(experiment: ApiLogExperiment, options: KataRunOptions): KataReport {
  const progress = options.progress ?? noProgress;
  const root = createRandom(experiment.seed);
  const { config, placement } = placementOfKata(experiment.cluster, experiment.seed, root);
  const faults = parseFaults(experiment.faults, {
    nodes: topologyOf(config).map((node) => node.id),
    endMs: spanMsOf(experiment),
  });
  const runs = experiment.designs.map((design, i) => {
    const run = runDesign(experiment, design, placement, faults, root);
    progress(i + 1, experiment.designs.length);
    return run;
  });
  return apiLogReport(experiment, runs, faults.map(describeFault));
}

export function userDayPartitioner(tokenFunction = getTokenFunction('murmur3')) {
  return composite({
    name: 'user-day',
    tokenFunction,
    components: [
      { kind: 'text', column: 'user_id' },
      { kind: 'bucket', column: 'request_ts', label: 'day', unit: { kind: 'fixed', ms: DAY_MS } },
    ],
  });
}

function runDesign(
  experiment: ApiLogExperiment,
  design: ApiLogDesign,
  placement: Placement,
  faults: readonly Fault[],
  root: Random,
): ApiLogRun {
  const partitioner = userDayPartitioner(getTokenFunction(experiment.cluster.partitioner!));
  const sim = createSimulation({
    placement,
    partitioner,
    table: apiLogTable,
    storage: 'rows',
    random: root.fork('simulation'),
    hints: { enabled: design.hints },
  });
  const coordinators = placement.ring.nodes.map((node) =>
    createTimeCoordinator(sim, { node: node.id }),
  );
  const client = roundRobin(sim, coordinators);
  scheduleFaults(sim, faults);

  const spanMs = spanMsOf(experiment);
  const backoffMs = parseDuration('retryBackoff', experiment.retryBackoff);
  const requests: ApiRequest[] = [];
  const acked = new Uint8Array(experiment.requests);
  const partitions = new Map<string, PartitionKey>();
  const attempts = createOperationRecorder();
  const timeline = createTimeline();
  let outstanding = 0;
  let gaveUp = 0;

  const attempt = (request: ApiRequest, index: number, k: number): void => {
    const entry = logEntryOf(request, k, DEFAULT_START_MS + Math.floor(sim.scheduler.now));
    if (k === 1) {
      const key = partitioner.keyOf(entry);
      if (!partitions.has(key.text)) partitions.set(key.text, key);
    }
    attempts.issue();
    const failed = (kind: 'unavailable' | 'timeout', latencyMs: number): void => {
      attempts.answer(kind, latencyMs, 0, 0);
      timeline.record(sim.scheduler.now, false, latencyMs);
      if (k < experiment.maxAttempts) {
        sim.scheduler.after(backoffMs * k, () => attempt(request, index, k + 1));
        return;
      }
      gaveUp++;
      outstanding--;
    };
    const coordinator = client();
    if (coordinator === undefined) return failed('unavailable', 0);
    coordinator.write(entry, design.writeCl, (result) => {
      if (result.kind !== 'ok') {
        return failed(result.kind, 'latencyMs' in result ? result.latencyMs : 0);
      }
      acked[index] = 1;
      outstanding--;
      attempts.answer('ok', result.latencyMs, 1, result.acked);
      timeline.record(sim.scheduler.now, true, result.latencyMs);
    });
  };

  const stream = createApiRequests(
    {
      requests: experiment.requests,
      users: experiment.users,
      theta: experiment.theta,
      instances: experiment.instances,
      ratePerSec: experiment.ratePerSec,
      startMs: DEFAULT_START_MS,
    },
    root.fork('requests'),
  );
  const scheduleNext = (): void => {
    const request = stream.next();
    if (request === undefined) return;
    const index = requests.length;
    requests.push(request);
    sim.scheduler.at(request.ts - DEFAULT_START_MS, () => {
      outstanding++;
      attempt(request, index, 1);
      scheduleNext();
    });
  };
  scheduleNext();

  const hintsPending = (): number =>
    coordinators.reduce((sum, coordinator) => sum + coordinator.hintsPending(), 0);
  const settled = (): boolean =>
    outstanding === 0 &&
    hintsPending() === 0 &&
    sim.running.every((running, node) => running === 0 || sim.detector.believedUp[node] === 1);
  sim.runUntil(spanMs);
  let atMs = runUntilSettled(sim, spanMs, settled, DRAIN_MS) + 1000;
  sim.runUntil(atMs);
  if (experiment.repair) {
    for (const id of new Set(faults.filter((f) => f.kind === 'crash').map((f) => f.node))) {
      if (sim.running[sim.nodeIndex(id)] === 1) sim.repair(id);
    }
  }

  const requestIndex = new Map<string, number>();
  requests.forEach((request, i) => requestIndex.set(request.request_id, i));
  const stores = lookAtStores(sim, requestIndex);

  // The read-back: every partition written, a millisecond apart.
  const found = new Uint16Array(requests.length);
  const unread = new Uint8Array(requests.length);
  let unreadPartitions = 0;
  let outOfOrder = 0;
  let reading = 0;
  const readBackAtMs = atMs;
  const markUnread = (keyText: string): void => {
    requests.forEach((request, i) => {
      if (partitioner.keyOf(logEntryOf(request, 1, 0)).text === keyText) unread[i] = 1;
    });
  };
  let offsetMs = 0;
  for (const key of partitions.values()) {
    sim.scheduler.at(atMs + offsetMs++, () => {
      const coordinator = client();
      if (coordinator === undefined) {
        unreadPartitions++;
        return;
      }
      reading++;
      coordinator.read(key, experiment.readCl, (result) => {
        reading--;
        if (result.kind !== 'ok') {
          unreadPartitions++;
          markUnread(key.text);
          return;
        }
        let maxSeq = 0;
        for (const row of result.rows) {
          const index = requestIndex.get(row['request_id'] as string)!;
          const times = found[index]!;
          found[index] = times + 1;
          if (times > 0) continue;
          const seq = row['seq'] as number;
          if (seq < maxSeq) outOfOrder++;
          else maxSeq = seq;
        }
      });
    });
  }
  atMs = runUntilSettled(sim, atMs + offsetMs, () => reading === 0, DRAIN_MS);

  let ackedCount = 0;
  let lostAcked = 0;
  let lostUnacked = 0;
  let unackedPresent = 0;
  let duplicates = 0;
  let duplicatedEntries = 0;
  let missedByRead = 0;
  let unreadEntries = 0;
  for (let i = 0; i < requests.length; i++) {
    if (acked[i] === 1) ackedCount++;
    if (unread[i] === 1) {
      unreadEntries++;
      continue;
    }
    const times = found[i]!;
    if (times === 0) {
      if (acked[i] === 1) lostAcked++;
      else lostUnacked++;
    } else if (acked[i] === 0) unackedPresent++;
    if (times > 1) {
      duplicates += times - 1;
      duplicatedEntries++;
    }
    if (times === 0 && stores.present[i] === 1) missedByRead++;
  }
  const local = placement.ring.nodes[0]!.dc;
  const overlapping =
    blockFor(design.writeCl, placement.strategy, local) +
      blockFor(experiment.readCl, placement.strategy, local) >
    placement.rf;
  return {
    design,
    counts: {
      entries: requests.length,
      acked: ackedCount,
      gaveUp,
      lostAcked,
      lostUnacked,
      unackedPresent,
      duplicates,
      duplicatedEntries,
      outOfOrder,
      stored: stores.stored,
      underReplicated: stores.underReplicated,
      missedByRead,
      unreadPartitions,
      unreadEntries,
    },
    attempts: attempts.stats(),
    timeline: timeline.seconds(readBackAtMs),
    hints: {
      stored: coordinators.reduce((sum, c) => sum + c.counters.hintsStored, 0),
      replayed: coordinators.reduce((sum, c) => sum + c.counters.hintsReplayed, 0),
    },
    nodes: sim.cluster.nodes.map((node, i) => ({
      id: placement.ring.nodes[i]!.id,
      rows: node.rows,
    })),
    overlapping,
    readBackAtMs,
  };
}

/**
 * The stores, looked at directly (not through a read): per request, whether some replica holds
 * a row of it, and whether some row of it is on fewer than rf of its partition's replicas.
 */
function lookAtStores(
  sim: Simulation,
  requestIndex: ReadonlyMap<string, number>,
): { present: Uint8Array; stored: number; underReplicated: number } {
  const present = new Uint8Array(requestIndex.size);
  const under = new Uint8Array(requestIndex.size);
  // Per partition, per row (its clustering key), the replicas holding it.
  const holders = new Map<string, Map<string, { index: number; count: number }>>();
  for (const node of sim.cluster.nodes) {
    for (const [keyText, partition] of node.partitions) {
      let rows = holders.get(keyText);
      if (rows === undefined) holders.set(keyText, (rows = new Map()));
      for (const row of partition.rows) {
        const clustering = `${row['logged_at']}|${row['seq']}|${row['attempt']}`;
        const held = rows.get(clustering);
        if (held !== undefined) held.count++;
        else {
          rows.set(clustering, {
            index: requestIndex.get(row['request_id'] as string)!,
            count: 1,
          });
        }
      }
    }
  }
  const rf = sim.cluster.placement.rf;
  for (const rows of holders.values()) {
    for (const { index, count } of rows.values()) {
      present[index] = 1;
      if (count < rf) under[index] = 1;
    }
  }
  let stored = 0;
  let underReplicated = 0;
  for (let i = 0; i < present.length; i++) {
    stored += present[i]!;
    underReplicated += under[i]!;
  }
  return { present, stored, underReplicated };
}
