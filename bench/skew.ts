import { createCluster, type Cluster } from '../engine/cluster.js';
import { createCoordinator, type Coordinator } from '../engine/coordinator.js';
import { invalidConfig } from '../engine/errors.js';
import type { Partitioner, Query } from '../engine/partitioner.js';
import { createRandom, type Random } from '../engine/random.js';
import { createPlacement, type Placement } from '../engine/replication.js';
import { buildRing } from '../engine/ring.js';
import { imbalance, mean, quantileSorted } from '../engine/stats.js';
import {
  createPartitioner,
  getTokenFunction,
  isStrategyName,
  strategyNames,
  type SaltMetadata,
  type SaltMode,
  type SaltedPartitioner,
  type StrategyName,
} from '../partitioners/index.js';
import {
  oneOf,
  placementOf,
  resolveClusterConfig,
  strategyOf,
  topologyOf,
  type ClusterConfig,
  type ClusterOptionsInput,
} from './cluster-config.js';
import { formatDuration, parseDuration } from './duration.js';
import { distributionNames, type DistributionOptions } from './workloads/distributions.js';
import { idKinds, type IdKind } from './workloads/ids.js';
import {
  DEFAULT_START_MS,
  generateLogEvents,
  logTable,
  resolveLogEventOptions,
  serverIdOf,
  type LogEvent,
} from './workloads/log-events.js';

/** Cassandra warns about partitions over 100 MB ("large partitions"). */
export const LARGE_PARTITION_BYTES = 100 * 1024 * 1024;

export type SaltSetting =
  { readonly kind: 'fixed'; readonly salts: number } | { readonly kind: 'adaptive' };

/** A skew run, validated and fully defaulted (see resolveSkewConfig in cli/ for the flags). */
export interface SkewConfig {
  readonly cluster: ClusterConfig;
  readonly strategies: readonly StrategyName[];
  readonly events: number;
  readonly servers: number;
  readonly distribution: Omit<DistributionOptions, 'items'>;
  readonly idKind: IdKind;
  readonly salt: SaltSetting;
  readonly bucketMs: number;
  /** Width of the windows over which `windowMaxOverMean` is taken. */
  readonly windowMs: number;
  /** The events are spread evenly (in expectation) over this span of simulated time. */
  readonly spanMs: number;
  readonly startMs: number;
  /** Reads sampled for each read kind. */
  readonly readSamples: number;
}

export interface FanoutStats {
  readonly meanPartitions: number;
  readonly maxPartitions: number;
  /** Distinct nodes holding the touched partitions' primary replicas; every node for a full scan. */
  readonly meanNodes: number;
  /** Fraction of sampled reads that cannot be routed and scan every token range. */
  readonly scanFraction: number;
}

export interface SkewResult {
  readonly strategy: StrategyName;
  readonly tokenFunction: string;
  readonly write: {
    readonly maxOverMean: number;
    readonly cv: number;
    readonly gini: number;
    /** Mean over full windows of each window's max/mean node writes. */
    readonly windowMaxOverMean: number;
    /** The worst window's max/mean. */
    readonly worstWindowMaxOverMean: number;
    readonly windows: number;
    /** Fraction of all events the hottest node applied (rf / nodes when balanced). */
    readonly hottestNodeShare: number;
  };
  readonly partitions: {
    readonly count: number;
    readonly p50Rows: number;
    readonly p99Rows: number;
    readonly maxRows: number;
    readonly p50Bytes: number;
    readonly p99Bytes: number;
    readonly maxBytes: number;
    readonly largestKey: string;
    /** Partitions over Cassandra's 100 MB large-partition line. */
    readonly overLargeLine: number;
  };
  readonly readFanout: { readonly byServer: FanoutStats; readonly byTimeRange: FanoutStats };
  readonly salt?: SaltMetadata;
  readonly nodes: readonly {
    readonly id: string;
    readonly writes: number;
    readonly bytes: number;
  }[];
}

export interface SkewReport {
  readonly seed: number;
  readonly config: SkewConfig;
  readonly results: readonly SkewResult[];
}

export function saltModeOf(config: SkewConfig): SaltMode {
  if (config.salt.kind === 'fixed') return { kind: 'fixed', salts: config.salt.salts };
  // A partition should carry at most 1/200 of a node's fair share of writes, so that a node's
  // load is a sum of many small parts (the law of large numbers does the balancing). A window
  // must be long enough that the hot threshold is at least 20 writes, or sampling noise alone
  // would salt servers; otherwise the detector decides every 1% of the run.
  const hotShare = config.cluster.rf / (config.cluster.nodes * 200);
  return {
    kind: 'adaptive',
    hotShare,
    windowEvents: Math.max(Math.ceil(20 / hotShare), Math.floor(config.events / 100)),
    maxSalts: 4096,
  };
}

export function validateSkewConfig(config: SkewConfig): SkewConfig {
  for (const strategy of config.strategies) {
    if (!isStrategyName(strategy)) {
      throw invalidConfig(
        'strategy',
        `"${strategy}" is unknown; expected one of ${strategyNames.join(', ')}`,
      );
    }
  }
  if (config.spanMs < config.bucketMs) {
    throw invalidConfig('span', `must be at least one bucket (${formatDuration(config.bucketMs)})`);
  }
  if (!Number.isInteger(config.readSamples) || config.readSamples < 1) {
    throw invalidConfig('reads', `must be a positive integer, got ${config.readSamples}`);
  }
  return config;
}

/** Runs every configured strategy over one identical event stream. */
export function runSkew(config: SkewConfig): SkewReport {
  validateSkewConfig(config);
  const root = createRandom(config.cluster.seed);
  const events = generateLogEvents(
    {
      events: config.events,
      servers: config.servers,
      serverDistribution: config.distribution,
      idKind: config.idKind,
      startMs: config.startMs,
      rateEventsPerSec: (config.events / config.spanMs) * 1000,
    },
    root.fork('workload'),
  );
  const hashedPlacement = placementOf(config.cluster, root);
  const results = config.strategies.map((strategy) =>
    runStrategy(config, strategy, events, hashedPlacement, root),
  );
  return { seed: config.cluster.seed, config, results };
}

function runStrategy(
  config: SkewConfig,
  strategy: StrategyName,
  events: readonly LogEvent[],
  hashedPlacement: Placement,
  root: Random,
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
  const cluster = createCluster({ placement, partitioner, table: logTable, storage: 'partitions' });
  const coordinator = createCoordinator(cluster);
  const windows = createWindowTracker(cluster, config.windowMs);
  for (const event of events) {
    windows.observe(event.ts);
    coordinator.write(event, 'ONE');
  }

  const writes = cluster.nodes.map((node) => node.writes);
  const load = imbalance(writes);
  const windowRatios = windows.ratios();
  const partitions = partitionStats(cluster);
  const reads = root.fork(`reads/${strategy}`);
  const result: SkewResult = {
    strategy,
    tokenFunction: partitioner.tokenFunction.name,
    write: {
      maxOverMean: load.maxOverMean,
      cv: load.cv,
      gini: load.gini,
      windowMaxOverMean: mean(windowRatios),
      worstWindowMaxOverMean: windowRatios.length === 0 ? 0 : Math.max(...windowRatios),
      windows: windowRatios.length,
      hottestNodeShare: events.length === 0 ? 0 : Math.max(...writes) / events.length,
    },
    partitions,
    readFanout: {
      byServer: fanout(
        cluster,
        coordinator,
        partitions.count,
        sampleQueries(config, reads.fork('by-server'), 'by-server', events),
      ),
      byTimeRange: fanout(
        cluster,
        coordinator,
        partitions.count,
        sampleQueries(config, reads.fork('by-time-range'), 'by-time-range', events),
      ),
    },
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
  const nodes = topologyOf(cluster);
  const tokens = partitioner.splitKeySpace!(nodes.length * cluster.vnodes);
  const byNode = nodes.map((_, n) => tokens.filter((_, i) => i % nodes.length === n));
  return createPlacement(buildRing(nodes, byNode), strategyOf(cluster));
}

/**
 * Per-window node writes: the deltas of each node's write counter between window boundaries.
 * Windows are aligned to multiples of their width, as buckets are. A window is closed when the
 * next begins, so the last (usually partial) window is left out.
 */
function createWindowTracker(cluster: Cluster, windowMs: number) {
  const ratios: number[] = [];
  let current = -1;
  let before = cluster.nodes.map((node) => node.writes);
  const close = (): void => {
    const now = cluster.nodes.map((node) => node.writes);
    const delta = now.map((writes, i) => writes - before[i]!);
    if (delta.some((d) => d > 0)) ratios.push(imbalance(delta).maxOverMean);
    before = now;
  };
  return {
    observe(ts: number): void {
      const window = Math.floor(ts / windowMs);
      if (window === current) return;
      if (current !== -1) close();
      current = window;
    },
    ratios: () => ratios,
  };
}

function partitionStats(cluster: Cluster): SkewResult['partitions'] {
  // Replicas hold identical copies; count each partition once.
  const sizes = new Map<string, { rows: number; bytes: number }>();
  for (const node of cluster.nodes) {
    for (const [key, partition] of node.partitions) {
      if (!sizes.has(key)) sizes.set(key, { rows: partition.rowCount, bytes: partition.bytes });
    }
  }
  const rows = Float64Array.from([...sizes.values()].map((s) => s.rows)).sort();
  const bytes = Float64Array.from([...sizes.values()].map((s) => s.bytes)).sort();
  let largestKey = '';
  let largestBytes = -1;
  let overLargeLine = 0;
  for (const [key, size] of sizes) {
    if (size.bytes > largestBytes || (size.bytes === largestBytes && key < largestKey)) {
      largestKey = key;
      largestBytes = size.bytes;
    }
    if (size.bytes > LARGE_PARTITION_BYTES) overLargeLine++;
  }
  return {
    count: sizes.size,
    p50Rows: quantileSorted(rows, 0.5),
    p99Rows: quantileSorted(rows, 0.99),
    maxRows: rows.length === 0 ? 0 : rows[rows.length - 1]!,
    p50Bytes: quantileSorted(bytes, 0.5),
    p99Bytes: quantileSorted(bytes, 0.99),
    maxBytes: bytes.length === 0 ? 0 : bytes[bytes.length - 1]!,
    largestKey,
    overLargeLine,
  };
}

/**
 * Reads to measure: by server (servers drawn uniformly, over the whole run) and by time range
 * (one window's worth, starting at a uniformly drawn time in the run).
 */
function sampleQueries(
  config: SkewConfig,
  random: Random,
  kind: 'by-server' | 'by-time-range',
  events: readonly LogEvent[],
): Query[] {
  const first = events[0]?.ts ?? config.startMs;
  const last = events[events.length - 1]?.ts ?? config.startMs;
  return Array.from({ length: config.readSamples }, (): Query => {
    if (kind === 'by-server') {
      const server = serverIdOf(random.nextInt(config.servers), config.servers);
      return { where: { server_id: server }, range: { column: 'ts', from: first, to: last + 1 } };
    }
    const from = first + Math.floor(random.nextFloat() * Math.max(1, last - first));
    return { where: {}, range: { column: 'ts', from, to: from + config.windowMs } };
  });
}

/** Fan-out of sampled reads; a full scan touches all `allPartitions` partitions and every node. */
function fanout(
  cluster: Cluster,
  coordinator: Coordinator,
  allPartitions: number,
  queries: readonly Query[],
): FanoutStats {
  const { placement, partitioner } = cluster;
  let partitions = 0;
  let maxPartitions = 0;
  let nodes = 0;
  let scans = 0;
  for (const query of queries) {
    const route = partitioner.route(query);
    if (route.kind === 'all-ranges') {
      scans++;
      partitions += allPartitions;
      maxPartitions = Math.max(maxPartitions, allPartitions);
      nodes += placement.ring.nodes.length;
      continue;
    }
    const primaries = new Set(route.keys.map((key) => coordinator.locate(key).replicas[0]!));
    partitions += route.keys.length;
    maxPartitions = Math.max(maxPartitions, route.keys.length);
    nodes += primaries.size;
  }
  const n = Math.max(1, queries.length);
  return {
    meanPartitions: partitions / n,
    maxPartitions,
    meanNodes: nodes / n,
    scanFraction: scans / n,
  };
}

/** Skew options as a user gives them; resolved once by `resolveSkewConfig`. */
export interface SkewOptionsInput extends ClusterOptionsInput {
  readonly strategy?: string | undefined;
  /** Run every strategy instead of one. */
  readonly compare?: boolean | undefined;
  /** A salt count, or "adaptive". */
  readonly salt?: string | undefined;
  readonly bucket?: string | undefined;
  readonly window?: string | undefined;
  readonly span?: string | undefined;
  readonly events?: number | undefined;
  readonly servers?: number | undefined;
  readonly dist?: string | undefined;
  readonly theta?: number | undefined;
  readonly ids?: string | undefined;
  readonly reads?: number | undefined;
}

export const SKEW_DEFAULTS = {
  strategy: 'hash-event-id',
  salt: 'adaptive',
  bucket: '1h',
  span: '1d',
  events: 100_000,
  servers: 1_000,
  dist: 'zipfian',
  ids: 'uuid-v4',
  reads: 1_000,
} as const;

export function resolveSkewConfig(input: SkewOptionsInput): SkewConfig {
  const cluster = resolveClusterConfig(input);
  const strategies: StrategyName[] = input.compare
    ? [...strategyNames]
    : [oneStrategy(input.strategy ?? SKEW_DEFAULTS.strategy)];
  const bucketMs = parseDuration('bucket', input.bucket ?? SKEW_DEFAULTS.bucket);
  const resolved: SkewConfig = {
    cluster,
    strategies,
    events: input.events ?? SKEW_DEFAULTS.events,
    servers: input.servers ?? SKEW_DEFAULTS.servers,
    distribution: distributionInput(input),
    idKind: oneOf('ids', input.ids ?? SKEW_DEFAULTS.ids, idKinds),
    salt: parseSalt(input.salt ?? SKEW_DEFAULTS.salt),
    bucketMs,
    windowMs: input.window === undefined ? bucketMs : parseDuration('window', input.window),
    spanMs: parseDuration('span', input.span ?? SKEW_DEFAULTS.span),
    startMs: DEFAULT_START_MS,
    readSamples: input.reads ?? SKEW_DEFAULTS.reads,
  };
  // The workload validates its own fields (events, servers, the distribution) and names them.
  resolveLogEventOptions({
    events: resolved.events,
    servers: resolved.servers,
    serverDistribution: resolved.distribution,
  });
  return validateSkewConfig(resolved);
}

function oneStrategy(name: string): StrategyName {
  return oneOf('strategy', name, strategyNames);
}

function distributionInput(input: SkewOptionsInput): Omit<DistributionOptions, 'items'> {
  const kind = oneOf('dist', input.dist ?? SKEW_DEFAULTS.dist, distributionNames);
  return input.theta === undefined ? { kind } : { kind, theta: input.theta };
}

export function parseSalt(text: string): SaltSetting {
  if (text === 'adaptive') return { kind: 'adaptive' };
  const salts = Number(text);
  if (!/^\d+$/.test(text) || salts < 1 || salts > 65_536) {
    throw invalidConfig(
      'salt',
      `must be a salt count between 1 and 65536, or "adaptive"; got "${text}"`,
    );
  }
  return { kind: 'fixed', salts };
}
