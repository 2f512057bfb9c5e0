import { memoryLimitBytes } from '../resources.js';
import { invalidConfig, RinglabError } from '../../engine/errors.js';
import { strategyNames, type StrategyName } from '../../partitioners/index.js';
import { rebalanceStrategyNames } from '../../rebalancing/index.js';
import {
  aboutBytes,
  aboutDuration,
  oneOf,
  resolveClusterConfig,
  type ClusterOptionsInput,
} from '../cluster-config.js';
import { MAX_SERVERS } from '../workloads/log-events.js';
import { BYTES_PER_EVENT } from '../simulate/budget.js';
import {
  changeKinds,
  DEFAULT_PARTITIONS,
  DEFAULT_STREAM_BYTES_PER_SEC,
  MAX_PARTITIONS,
  MAX_ROWS,
  type ChangeKind,
  type RebalanceConfig,
} from './config.js';

/** Rebalance options as a user gives them; resolved once by `resolveRebalanceConfig`. */
export interface RebalanceOptionsInput extends ClusterOptionsInput {
  readonly strategy?: string | undefined;
  readonly add?: number | undefined;
  readonly remove?: number | undefined;
  readonly decommission?: number | undefined;
  readonly replace?: number | undefined;
  readonly partitions?: number | undefined;
  readonly splitMib?: number | undefined;
  readonly keyStrategy?: string | undefined;
  readonly rows?: number | undefined;
  readonly servers?: number | undefined;
  readonly streamMibps?: number | undefined;
  readonly duringTraffic?: number | undefined;
}

export const REBALANCE_DEFAULTS = {
  nodes: 10,
  strategy: 'vnodes-balanced',
  keyStrategy: 'hash-event-id',
  rows: 100_000,
  servers: 1_000,
  /** A dynamic range splits past this share of a node's expected data. */
  splitsPerNode: 4,
} as const;

/** Key strategies a strategy that places by token (vnodes, mod-n) can spread. */
const ORDERED_KEYS: readonly StrategyName[] = ['time-bucket'];

/**
 * Resolves the flags once, each field named by its flag: the change (exactly one of --add,
 * --remove, --decommission, --replace), the strategy and what only applies to some, and the
 * cluster the change must leave able to hold rf replicas.
 */
export function resolveRebalanceConfig(
  input: RebalanceOptionsInput,
  options: { readonly heapLimitBytes?: number | undefined } = {},
): RebalanceConfig {
  if (input.allocator !== undefined) {
    throw invalidConfig(
      'allocator',
      'does not apply to rebalance: the strategy allocates (vnodes-random or vnodes-balanced); drop --allocator',
    );
  }
  const cluster = resolveClusterConfig({
    ...input,
    nodes: input.nodes ?? REBALANCE_DEFAULTS.nodes,
  });
  const strategy = oneOf(
    'strategy',
    input.strategy ?? REBALANCE_DEFAULTS.strategy,
    rebalanceStrategyNames,
  );
  const change = changeOf(input);
  const after = change.kind === 'add' ? cluster.nodes + change.count : cluster.nodes;
  if (change.kind === 'add' && after > 10_000) {
    throw invalidConfig('add', `would make ${after} nodes; at most 10,000 are simulated`);
  }
  if (change.kind === 'replace' && change.count > cluster.nodes) {
    throw invalidConfig(
      'replace',
      `${change.count} is more than the ${cluster.nodes} nodes there are to replace`,
    );
  }
  if (change.kind === 'remove' || change.kind === 'decommission') {
    const left = cluster.nodes - change.count;
    if (left < cluster.rf * cluster.dcs) {
      throw invalidConfig(
        change.kind,
        `${change.count} of ${cluster.nodes} nodes would leave ${left}, fewer than rf ${cluster.rf}${cluster.dcs > 1 ? ` in each of ${cluster.dcs} DCs` : ''}; remove fewer or raise --nodes`,
      );
    }
  }
  const whole = strategy === 'fixed-partitions' || strategy === 'dynamic';
  if (input.partitions !== undefined && !whole) {
    throw invalidConfig(
      'partitions',
      `applies only with --strategy fixed-partitions or dynamic, not ${strategy}`,
    );
  }
  if (input.splitMib !== undefined && strategy !== 'dynamic') {
    throw invalidConfig('splitMib', `applies only with --strategy dynamic, not ${strategy}`);
  }
  // Fixed partitions never split, so each node the change leaves needs one; dynamic ranges split
  // on a join, but each node needs one to start with.
  const most = strategy === 'fixed-partitions' ? Math.max(after, cluster.nodes) : cluster.nodes;
  const partitions = !whole
    ? DEFAULT_PARTITIONS
    : integerIn(
        'partitions',
        input.partitions ?? (strategy === 'dynamic' ? cluster.nodes : DEFAULT_PARTITIONS),
        most,
        MAX_PARTITIONS,
        ` (every one of the ${most} nodes needs one)`,
      );
  const keys = oneOf(
    'keyStrategy',
    input.keyStrategy ?? REBALANCE_DEFAULTS.keyStrategy,
    strategyNames,
  );
  if (ORDERED_KEYS.includes(keys) && !whole) {
    throw invalidConfig(
      'keyStrategy',
      `${keys} keys are ordered, and ${strategy} places by hashed tokens, so every key would land in one range; use --strategy fixed-partitions or dynamic, whose ranges are cut from the key space`,
    );
  }
  const rows = integerIn('rows', input.rows ?? REBALANCE_DEFAULTS.rows, 1, MAX_ROWS, '');
  const expectedBytes = rows * BYTES_PER_EVENT;
  const splitBytes =
    input.splitMib === undefined
      ? Math.max(64 * 1024, expectedBytes / (cluster.nodes * REBALANCE_DEFAULTS.splitsPerNode))
      : numberIn('splitMib', input.splitMib, 1 / 1024, 1024 * 1024) * 2 ** 20;
  const streamBytesPerSec =
    input.streamMibps === undefined
      ? DEFAULT_STREAM_BYTES_PER_SEC
      : numberIn('streamMibps', input.streamMibps, 1 / 1024, 1024 * 1024) * 2 ** 20;
  const config: RebalanceConfig = {
    cluster,
    strategy,
    change,
    partitions,
    splitBytes,
    keys,
    rows,
    servers: integerIn('servers', input.servers ?? REBALANCE_DEFAULTS.servers, 1, MAX_SERVERS, ''),
    streamBytesPerSec,
    duringTraffic: numberIn('duringTraffic', input.duringTraffic ?? 0, 0, 1_000_000),
  };
  checkRebalanceBudget(config, options.heapLimitBytes ?? memoryLimitBytes());
  return config;
}

/**
 * What a run costs, from constants measured on the 2-core machine (Node 20): loading writes each
 * row copy into a node's store and each change plans and streams over every copy, about 5.5 µs a
 * copy and 2 µs a copy per change; `dynamic` reshapes fifty times while loading, about 3 µs a
 * copy more. Memory: 1,000,000 rows at rf 3 peaked at 650 MB RSS, about 200 bytes a copy over a
 * base of 60 MB.
 */
export function estimateRebalance(config: RebalanceConfig): {
  seconds: number;
  bytes: number;
  /** Of `seconds`, laying out the rings of the changes. */
  layoutSeconds: number;
} {
  const copies = config.rows * config.cluster.rf * config.cluster.dcs;
  // Each change also lays out a ring and its placement, whatever the rows: 80 µs a node for
  // mod-n, 6 µs a token for vnodes, 3 µs a partition for whole partitions (measured adding 300
  // nodes to 10 over 1,000 rows: 4.0 s, 3.7 s, 1.0 s).
  const { kind, count } = config.change;
  const last = kind === 'add' ? config.cluster.nodes + count : config.cluster.nodes;
  const meanNodes = (config.cluster.nodes + last) / 2;
  const perChange =
    config.strategy === 'mod-n'
      ? meanNodes * 80e-6
      : config.strategy === 'fixed-partitions' || config.strategy === 'dynamic'
        ? config.partitions * 3e-6
        : meanNodes * config.cluster.vnodes * 6e-6;
  const layout = count * perChange;
  const perCopy = 5.5e-6 + 2e-6 * config.change.count + (config.strategy === 'dynamic' ? 3e-6 : 0);
  // With traffic: rows are stored whole (about 600 bytes a copy) and the time plane runs the
  // ring delay and the streaming of each change at the traffic's rate, about 8 µs an operation
  // and 4 µs a streamed row.
  if (config.duringTraffic > 0) {
    const streamingSec =
      (copies * BYTES_PER_EVENT) / (config.streamBytesPerSec * config.cluster.nodes);
    const virtualSec = config.change.count * (30 + 11 + streamingSec) + 4;
    return {
      seconds: layout + copies * perCopy + virtualSec * config.duringTraffic * 8e-6 + copies * 4e-6,
      bytes: 80 * 2 ** 20 + copies * 600,
      layoutSeconds: layout,
    };
  }
  return {
    seconds: layout + copies * perCopy,
    bytes: 60 * 2 ** 20 + copies * 200,
    layoutSeconds: layout,
  };
}

const MAX_SECONDS = 300;

function checkRebalanceBudget(config: RebalanceConfig, heapLimitBytes: number): void {
  const { seconds, bytes, layoutSeconds } = estimateRebalance(config);
  if (seconds > MAX_SECONDS) {
    const { kind, count } = config.change;
    // Name what costs most: the rows, or the changes (each lays out a ring of its own).
    throw layoutSeconds > seconds / 2
      ? invalidConfig(
          kind,
          `${count.toLocaleString('en-US')} would take about ${aboutDuration(seconds)}, one ring laid out per node changed (the limit is ${aboutDuration(MAX_SECONDS)}); change fewer nodes`,
        )
      : invalidConfig(
          'rows',
          `${config.rows.toLocaleString('en-US')} rows would take about ${aboutDuration(seconds)} (the limit is ${aboutDuration(MAX_SECONDS)}); lower --rows or the change count`,
        );
  }
  if (bytes > heapLimitBytes * 0.8) {
    throw invalidConfig(
      'rows',
      `${config.rows.toLocaleString('en-US')} rows need about ${aboutBytes(bytes)} of memory, more than this process may use (${aboutBytes(heapLimitBytes)}); lower --rows, or raise the limit with NODE_OPTIONS=--max-old-space-size=<MiB>`,
    );
  }
}

function changeOf(input: RebalanceOptionsInput): RebalanceConfig['change'] {
  const given = changeKinds.filter((kind) => input[kind] !== undefined);
  if (given.length !== 1) {
    throw new RinglabError(
      'INVALID_CONFIG',
      given.length === 0
        ? 'no change given: give one of --add K, --remove K, --decommission K or --replace K'
        : `--${given[0]!} and --${given[1]!} were both given; give one change at a time`,
      'change',
    );
  }
  const kind: ChangeKind = given[0]!;
  return { kind, count: integerIn(kind, input[kind]!, 1, 10_000, '') };
}

function integerIn(field: string, value: number, min: number, max: number, why: string): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidConfig(
      field,
      `must be an integer from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}${why}, got ${value}`,
    );
  }
  return value;
}

function numberIn(field: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw invalidConfig(
      field,
      `must be a number from ${min} to ${max.toLocaleString('en-US')}, got ${value}`,
    );
  }
  return value;
}
