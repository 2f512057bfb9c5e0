/**
 * A cluster on the time plane. The simulation owns time (the scheduler), the network, each
 * node's service stages, the failure detector and the write clock (virtual microseconds), and
 * hands them to the coordinators it creates, as TigerBeetle's simulator owns time and the packet
 * simulator. Data lives in a data-plane `Cluster` (its nodes' stores), placed by the same
 * placement, so both planes put every row on the same replicas; `cluster.up` mirrors which nodes
 * are running.
 *
 * Faults change the simulation, never a coordinator: `crash` stops a node (its data is kept, as
 * with a commit log) and coordinators notice only after the detection delay; `recover` starts it
 * again; `slow` multiplies its service times; `wipe` loses its data (disk replaced); `repair`
 * rebuilds a node's ranges from the other replicas; partitions and message loss are the
 * network's.
 */
import { createCluster, type Cluster, type ClusterOptions } from '../cluster.js';
import { applyWrite, mergeTimestamped, wipeStore, type Partition } from '../node.js';
import type { Random } from '../random.js';
import { newTokenParts } from '../token.js';
import { createWriteClock } from '../write-clock.js';
import { CROSS_DC_DELAY, NETWORK_DELAY, type DelayInput } from './delay.js';
import {
  createFailureDetector,
  type FailureDetector,
  type FailureDetectorOptions,
} from './failure-detector.js';
import { createNetwork, type Network, type NetworkOptions } from './network.js';
import {
  createScheduler,
  type EventHandler,
  type EventId,
  type FixedDelay,
  type Scheduler,
} from './scheduler.js';
import { createServer, DEFAULT_WORKERS, SERVICE_MS, type Server } from './server.js';

/** Cassandra's default request timeouts. */
export const DEFAULT_TIMEOUTS = { writeMs: 2000, readMs: 5000, rangeMs: 10_000 } as const;

/**
 * Cassandra's hinted_handoff_enabled (true), max_hint_window (3 h) and hinted_handoff_throttle
 * (1024 KiB/s). With `enabled` false no hint is stored: a replica that misses a write keeps
 * missing it until a read repair or a repair.
 */
export const DEFAULT_HINTS = {
  enabled: true as boolean,
  windowMs: 3 * 3_600_000,
  throttleBytesPerSec: 1024 * 1024,
} as const;

export interface SimulationOptions extends Omit<ClusterOptions, 'clock'> {
  readonly random: Random;
  readonly network?: Partial<NetworkOptions>;
  /** Workers per stage (reads and writes each have their own), like concurrent_reads/writes. */
  readonly workers?: number;
  readonly serviceMs?: Partial<typeof SERVICE_MS>;
  readonly timeouts?: Partial<typeof DEFAULT_TIMEOUTS>;
  readonly detector?: FailureDetectorOptions;
  readonly hints?: Partial<typeof DEFAULT_HINTS>;
  /**
   * How a global index is updated: with the write, at its level (`sync`, the default), or after
   * a modelled lag without the write waiting for it (`async`, as DynamoDB's global indexes).
   */
  readonly indexUpdate?: IndexUpdate;
}

export type IndexUpdate =
  { readonly mode: 'sync' } | { readonly mode: 'async'; readonly lag: DelayInput };

/** An asynchronous index's lag by default: exponential with a mean of 100 ms. */
export const DEFAULT_INDEX_LAG: DelayInput = { kind: 'exponential', meanMs: 100 };

/** A node's stages: mutations and reads queue separately, as in Cassandra. */
export interface NodeStages {
  readonly writes: Server;
  readonly reads: Server;
}

export interface Simulation {
  readonly scheduler: Scheduler;
  readonly network: Network;
  readonly detector: FailureDetector;
  /** The data: placement, partitioner, table and every node's stores. */
  readonly cluster: Cluster;
  /** 1 where the node is running (the truth; coordinators see `detector.believedUp`). */
  readonly running: Uint8Array;
  readonly stages: readonly NodeStages[];
  readonly serviceMs: typeof SERVICE_MS;
  readonly timeouts: typeof DEFAULT_TIMEOUTS;
  /**
   * Schedules `handler` one timeout of `kind` from now, as `scheduler.after(timeouts[kind],
   * handler)` does, at the same point in the queue, but through the scheduler's FIFO for that
   * delay: timeouts are the most numerous events and mostly cancelled.
   */
  afterTimeout(kind: keyof typeof DEFAULT_TIMEOUTS, handler: EventHandler): EventId;
  readonly hintOptions: typeof DEFAULT_HINTS;
  readonly indexUpdate: IndexUpdate;
  /** The random stream for a component, forked by name below the simulation's. */
  fork(name: string): Random;
  /** Node index of an id; throws UNKNOWN_NODE naming the known ids. */
  nodeIndex(id: string): number;
  crash(id: string): void;
  recover(id: string): void;
  slow(id: string, factor: number): void;
  wipe(id: string): void;
  /**
   * Rebuilds a node's data from the other replicas of each range it holds (a full repair),
   * through the data plane at once; returns the rows copied in.
   */
  repair(id: string): number;
  /** Runs the simulation until `timeMs` of virtual time. */
  runUntil(timeMs: number): void;
  /** Called when the coordinators' belief about a node changes (for hint replay). */
  onBelief(listener: (node: number, up: boolean) => void): void;
  /**
   * The dynamic snitch's latency score of every replica as one node sees it (0: never heard
   * from), shared by all coordinators on that node, as Cassandra's snitch is per node.
   */
  snitchScores(node: number): Float64Array;
}

export function createSimulation(options: SimulationOptions): Simulation {
  const scheduler = createScheduler();
  const random = options.random;
  // Write timestamps are virtual microseconds, kept unique and increasing by the clock.
  const clock = createWriteClock(() => Math.floor(scheduler.now * 1000));
  const cluster = createCluster({ ...options, clock });
  const nodes = cluster.placement.ring.nodes;
  const network = createNetwork(
    scheduler,
    nodes,
    {
      localDelay: options.network?.localDelay ?? NETWORK_DELAY,
      crossDcDelay: options.network?.crossDcDelay ?? CROSS_DC_DELAY,
      lossProbability: options.network?.lossProbability ?? 0,
    },
    random.fork('network'),
  );
  const listeners: ((node: number, up: boolean) => void)[] = [];
  const detector = createFailureDetector(scheduler, nodes.length, {
    ...options.detector,
  });
  // The detector's belief changes are observed by polling its array on each change event the
  // simulation schedules (crash and recover), so listeners hear of every change in time order.
  const watch = (node: number, afterMs: number): void => {
    scheduler.after(afterMs, () => {
      const up = detector.believedUp[node] === 1;
      for (const listener of listeners) listener(node, up);
    });
  };
  const workers = options.workers ?? DEFAULT_WORKERS;
  const serviceMs = { ...SERVICE_MS, ...options.serviceMs };
  // Every mutation holds a write worker for the same time, a read of nothing a read worker.
  const stages = nodes.map(() => ({
    writes: createServer(scheduler, { workers, usualServiceMs: serviceMs.write }),
    reads: createServer(scheduler, { workers, usualServiceMs: serviceMs.read }),
  }));
  const running = new Uint8Array(nodes.length).fill(1);
  const snitch = new Map<number, Float64Array>();
  const detectionMs = options.detector?.detectionMs ?? 10_000;
  const noticeMs = options.detector?.recoveryNoticeMs ?? 1_000;

  /**
   * Rebuilds one of a node's stores from the other replicas: every partition they hold of a
   * range the node replicates, merged across them and written in with its own timestamps.
   * Returns the rows the node gained.
   */
  const repairStore = (target: number, store: 'base' | 'index'): number => {
    const { ring, rf, table: replicas } = cluster.placement;
    const table = store === 'base' ? cluster.table : cluster.index?.table;
    if (table === undefined) return 0;
    const storeOf = (index: number) =>
      store === 'base' ? cluster.nodes[index]! : cluster.nodes[index]!.indexStore;
    const token = newTokenParts();
    const sources = new Map<string, Partition[]>();
    cluster.nodes.forEach((_, index) => {
      if (index === target || running[index] !== 1) return;
      for (const [keyText, partition] of storeOf(index).partitions) {
        token.hi = partition.tokenHi;
        token.lo = partition.tokenLo;
        const position = ring.positionOfParts(token);
        let holds = false;
        for (let k = position * rf; k < position * rf + rf; k++) {
          if (replicas[k] === target) holds = true;
        }
        if (!holds) continue;
        const list = sources.get(keyText);
        if (list === undefined) sources.set(keyText, [partition]);
        else list.push(partition);
      }
    });
    const into = storeOf(target);
    let copied = 0;
    for (const [keyText, copies] of sources) {
      token.hi = copies[0]!.tokenHi;
      token.lo = copies[0]!.tokenLo;
      for (const { row, timestamp } of mergeTimestamped(copies, table.clustering)) {
        const rowsBefore = into.rows;
        applyWrite(into, cluster.storage, table, keyText, token, row, table.sizeOf(row), timestamp);
        copied += into.rows - rowsBefore;
      }
    }
    return copied;
  };

  /** A full repair of a node: its base table, and its global index's table when there is one. */
  const repair = (id: string): number => {
    const target = cluster.nodeIndex(id);
    const copied = repairStore(target, 'base');
    repairStore(target, 'index');
    return copied;
  };

  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // Made on first use, so that a timeout the scheduler refuses is refused where it was before.
  const timeoutQueues: { -readonly [K in keyof typeof DEFAULT_TIMEOUTS]?: FixedDelay } = {};

  return {
    scheduler,
    network,
    detector,
    cluster,
    running,
    stages,
    serviceMs,
    timeouts,
    afterTimeout: (kind, handler) =>
      (timeoutQueues[kind] ??= scheduler.fixedDelay(timeouts[kind])).after(handler),
    hintOptions: { ...DEFAULT_HINTS, ...options.hints },
    indexUpdate: options.indexUpdate ?? { mode: 'sync' },
    fork: (name) => random.fork(name),
    nodeIndex: (id) => cluster.nodeIndex(id),
    crash(id) {
      const node = cluster.nodeIndex(id);
      if (running[node] === 0) return;
      running[node] = 0;
      cluster.up[node] = 0;
      detector.crashed(node);
      watch(node, detectionMs);
    },
    recover(id) {
      const node = cluster.nodeIndex(id);
      if (running[node] === 1) return;
      running[node] = 1;
      cluster.up[node] = 1;
      detector.recovered(node);
      watch(node, noticeMs);
    },
    slow(id, factor) {
      const node = cluster.nodeIndex(id);
      stages[node]!.writes.setSlowdown(factor);
      stages[node]!.reads.setSlowdown(factor);
    },
    wipe(id) {
      const node = cluster.nodes[cluster.nodeIndex(id)]!;
      wipeStore(node);
      wipeStore(node.indexStore);
    },
    repair,
    runUntil(timeMs) {
      scheduler.runUntil(timeMs);
    },
    onBelief(listener) {
      listeners.push(listener);
    },
    snitchScores(node) {
      let scores = snitch.get(node);
      if (scores === undefined) snitch.set(node, (scores = new Float64Array(nodes.length)));
      return scores;
    },
  };
}
