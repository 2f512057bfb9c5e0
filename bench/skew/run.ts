import { createCluster } from '../../engine/cluster.js';
import { createCoordinator } from '../../engine/coordinator.js';
import type { Partitioner } from '../../engine/partitioner.js';
import { createRandom, type Random } from '../../engine/random.js';
import { createPlacement, type Placement } from '../../engine/replication.js';
import { splitRing } from '../../engine/ring.js';
import { imbalance, maxOf } from '../../engine/stats.js';
import {
  createPartitioner,
  getTokenFunction,
  type SaltMetadata,
  type SaltedPartitioner,
  type StrategyName,
} from '../../partitioners/index.js';
import { placementOf, strategyOf, topologyOf, type ClusterConfig } from '../cluster-config.js';
import { noProgress, type Progress } from '../progress.js';
import { createLogEvents, logTable, type LogEventStream } from '../workloads/log-events.js';
import { saltModeOf, validateSkewConfig, type SkewConfig } from './config.js';
import { fanout, type FanoutStats, type ReadKind } from './fanout.js';
import { createPartitionSizes, type PartitionStats } from './partition-sizes.js';
import { recordKeys } from './key-recorder.js';
import { createWindowTracker } from './windows.js';

export interface SkewResult {
  readonly strategy: StrategyName;
  readonly tokenFunction: string;
  readonly write: {
    readonly maxOverMean: number;
    readonly cv: number;
    readonly gini: number;
    /** Mean over the whole windows inside the span of each window's max/mean node writes. */
    readonly windowMaxOverMean: number;
    /** The worst window's max/mean. */
    readonly worstWindowMaxOverMean: number;
    readonly windows: number;
    /** Fraction of all events the hottest node applied (rf / nodes when balanced). */
    readonly hottestNodeShare: number;
  };
  readonly partitions: PartitionStats;
  readonly readFanout: { readonly byServer: FanoutStats; readonly byTimeRange: FanoutStats };
  readonly salt?: SaltMetadata;
  readonly nodes: readonly {
    readonly id: string;
    readonly writes: number;
    readonly bytes: number;
  }[];
}

export interface SkewRunOptions {
  /**
   * Told the events written so far across all strategies, out of events × strategies, every
   * PROGRESS_EVERY events and at the end of each strategy.
   */
  readonly progress?: Progress | undefined;
}

/** Events between progress calls: often enough for a bar, rare enough to cost nothing. */
export const PROGRESS_EVERY = 65_536;

export interface SkewReport {
  readonly seed: number;
  readonly config: SkewConfig;
  readonly results: readonly SkewResult[];
}

/**
 * Runs every configured strategy over one identical event stream. The stream is never held: each
 * strategy regenerates it from the same seed (cheap next to the writes), and keeps only what its
 * metrics need, node counters, one size slot per partition and per-window sums.
 */
export function runSkew(config: SkewConfig, options: SkewRunOptions = {}): SkewReport {
  validateSkewConfig(config);
  const progress = options.progress ?? noProgress;
  const total = config.events * config.strategies.length;
  const root = createRandom(config.cluster.seed);
  const hashedPlacement = placementOf(config.cluster, root);
  const results = config.strategies.map((strategy, i) => {
    const before = i * config.events;
    return runStrategy(config, strategy, eventsOf(config, root), hashedPlacement, root, (done) =>
      progress(before + done, total),
    );
  });
  return { seed: config.cluster.seed, config, results };
}

/** The run's event stream, afresh: the same seed and options give the same events every time. */
function eventsOf(config: SkewConfig, root: Random): LogEventStream {
  return createLogEvents(
    {
      events: config.events,
      servers: config.servers,
      serverDistribution: config.distribution,
      idKind: config.idKind,
      startMs: config.startMs,
      spanMs: config.spanMs,
    },
    root.fork('workload'),
  );
}

function runStrategy(
  config: SkewConfig,
  strategy: StrategyName,
  stream: LogEventStream,
  hashedPlacement: Placement,
  root: Random,
  progress: (written: number) => void,
): SkewResult {
  const partitioner = createPartitioner(strategy, {
    tokenFunction: getTokenFunction(config.cluster.partitioner),
    salt: saltModeOf(config),
    bucketMs: config.bucketMs,
    startMs: config.startMs,
    spanMs: config.spanMs,
  });
  const placement = partitioner.splitKeySpace
    ? presplitPlacement(config.cluster, partitioner)
    : hashedPlacement;
  const keys = recordKeys(partitioner);
  const cluster = createCluster({
    placement,
    partitioner: keys.partitioner,
    table: logTable,
    storage: 'counters',
  });
  const coordinator = createCoordinator(cluster);
  const windows = createWindowTracker(
    cluster.nodes,
    config.windowMs,
    config.startMs,
    config.startMs + config.spanMs,
  );
  const sizes = createPartitionSizes();
  let firstTs = config.startMs;
  let lastTs = config.startMs;
  let written = 0;
  for (let event = stream.next(); event !== undefined; event = stream.next()) {
    windows.observe(event.ts);
    coordinator.write(event, 'ONE');
    // Every replica is up, so each holds what the partition holds: one count serves them all.
    // keyOf after the write sees the partitioner state the write saw (observe ran first).
    sizes.add(keys.take() ?? partitioner.keyOf(event).text, logTable.sizeOf(event));
    if (written === 0) firstTs = event.ts;
    lastTs = event.ts;
    written++;
    if (written % PROGRESS_EVERY === 0) progress(written);
  }
  if (written % PROGRESS_EVERY !== 0) progress(written);

  const writes = cluster.nodes.map((node) => node.writes);
  const load = imbalance(writes);
  const windowStats = windows.stats();
  const partitions = sizes.finish();
  const reads = root.fork(`reads/${strategy}`);
  const readFanout = (kind: ReadKind): FanoutStats =>
    fanout(
      partitioner,
      coordinator,
      placement.ring.nodes.length,
      partitions.count,
      {
        kind,
        reads: config.readSamples,
        servers: config.servers,
        windowMs: config.windowMs,
        firstTs,
        lastTs,
      },
      reads.fork(kind),
    );
  const result: SkewResult = {
    strategy,
    tokenFunction: partitioner.tokenFunction.name,
    write: {
      maxOverMean: load.maxOverMean,
      cv: load.cv,
      gini: load.gini,
      windowMaxOverMean: windowStats.meanMaxOverMean,
      worstWindowMaxOverMean: windowStats.worstMaxOverMean,
      windows: windowStats.windows,
      hottestNodeShare: written === 0 ? 0 : maxOf(writes) / written,
    },
    partitions,
    readFanout: { byServer: readFanout('by-server'), byTimeRange: readFanout('by-time-range') },
    nodes: cluster.nodes.map((node, i) => ({
      id: placement.ring.nodes[i]!.id,
      writes: node.writes,
      bytes: node.bytes,
    })),
  };
  return isSalted(partitioner) ? { ...result, salt: partitioner.metadata() } : result;
}

function isSalted(partitioner: Partitioner): partitioner is SaltedPartitioner {
  return 'metadata' in partitioner;
}

/**
 * A ring cut from the key space, for order-preserving strategies: nodes × vnodes ranges over the
 * expected span, dealt to nodes round-robin so that consecutive ranges sit on different nodes.
 */
export function presplitPlacement(cluster: ClusterConfig, partitioner: Partitioner): Placement {
  const split = partitioner.splitKeySpace!.bind(partitioner);
  return createPlacement(
    splitRing(topologyOf(cluster), cluster.vnodes, split),
    strategyOf(cluster),
  );
}
