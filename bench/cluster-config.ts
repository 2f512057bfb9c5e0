import {
  allocateTokens,
  allocatorNames,
  MAX_VNODES,
  type AllocationOptions,
  type AllocatorName,
} from '../engine/allocation.js';
import { createCluster, type Cluster } from '../engine/cluster.js';
import { invalidConfig, RinglabError } from '../engine/errors.js';
import type { StorageMode } from '../engine/node.js';
import type { Partitioner } from '../engine/partitioner.js';
import { createRandom, MAX_SEED, type Random } from '../engine/random.js';
import {
  createPlacement,
  networkTopologyStrategy,
  simpleStrategy,
  type Placement,
  type ReplicationStrategy,
} from '../engine/replication.js';
import { buildRing, type NodeSpec, type Ring } from '../engine/ring.js';
import type { TableSpec } from '../engine/row.js';
import {
  getTokenFunction,
  tokenFunctionNames,
  type TokenFunctionName,
} from '../partitioners/index.js';
import type { Progress } from './progress.js';
import { aboutBytes, aboutDuration, memoryLimitBytes, refuseOversized } from './resources.js';

export { aboutBytes, aboutDuration } from './resources.js';

export const replicationClasses = ['simple', 'network-topology'] as const;
export type ReplicationClass = (typeof replicationClasses)[number];

/** Cluster options as a user gives them: every field optional, nothing validated yet. */
export interface ClusterOptionsInput {
  readonly nodes?: number | undefined;
  readonly vnodes?: number | undefined;
  readonly rf?: number | undefined;
  readonly dcs?: number | undefined;
  readonly racks?: number | undefined;
  readonly allocator?: string | undefined;
  readonly partitioner?: string | undefined;
  readonly replication?: string | undefined;
  readonly seed?: number | undefined;
}

/** Validated and fully defaulted: nothing optional below this point. */
export interface ClusterConfig {
  readonly nodes: number;
  readonly vnodes: number;
  /** Replicas per DC. */
  readonly rf: number;
  readonly dcs: number;
  /** Racks per DC. */
  readonly racks: number;
  readonly allocator: AllocatorName;
  readonly partitioner: TokenFunctionName;
  readonly replication: ReplicationClass;
  readonly seed: number;
}

export const DEFAULT_SEED = 1;

/**
 * Resolves raw options once, at the edge. Defaults follow Cassandra 4.0: 16 vnodes with the
 * replication-aware allocator, Murmur3, rf 3 (or fewer when a DC has fewer nodes); replication is
 * SimpleStrategy for one DC with one rack, NetworkTopologyStrategy otherwise.
 */
export function resolveClusterConfig(input: ClusterOptionsInput): ClusterConfig {
  refuseOversizedRing(input);
  const nodes = integerIn('nodes', input.nodes ?? 6, 1, MAX_NODES);
  const vnodes = integerIn('vnodes', input.vnodes ?? 16, 1, MAX_VNODES);
  const dcs = integerIn('dcs', input.dcs ?? 1, 1, nodes);
  const smallestDc = Math.floor(nodes / dcs);
  const racks = integerIn('racks', input.racks ?? 1, 1, Number.MAX_SAFE_INTEGER);
  if (racks > smallestDc) {
    throw invalidConfig(
      'racks',
      `must be at most the nodes per DC (${smallestDc} with ${nodes} nodes in ${dcs} DCs), got ${racks}`,
    );
  }
  const rf = integerIn('rf', input.rf ?? Math.min(3, smallestDc), 1, Number.MAX_SAFE_INTEGER);
  if (rf > smallestDc) {
    throw invalidConfig(
      'rf',
      dcs === 1
        ? `must be at most the number of nodes (${nodes}), got ${rf}`
        : `must be at most the nodes in each DC (the smallest of ${dcs} DCs has ${smallestDc}), got ${rf}`,
    );
  }
  const allocator = oneOf('allocator', input.allocator ?? 'balanced', allocatorNames);
  const partitioner = oneOf('partitioner', input.partitioner ?? 'murmur3', tokenFunctionNames);
  const defaultReplication: ReplicationClass =
    dcs === 1 && racks === 1 ? 'simple' : 'network-topology';
  const replication = oneOf(
    'replication',
    input.replication ?? defaultReplication,
    replicationClasses,
  );
  if (replication === 'simple' && dcs > 1) {
    throw invalidConfig(
      'replication',
      'simple cannot place replicas per DC; use network-topology with --dcs > 1',
    );
  }
  const seed = integerIn('seed', input.seed ?? DEFAULT_SEED, 0, MAX_SEED);
  const config = { nodes, vnodes, rf, dcs, racks, allocator, partitioner, replication, seed };
  checkClusterCost(config, { grow: false });
  return config;
}

export const MAX_NODES = 10_000;

/**
 * More nodes or vnodes than a cluster may have is refused with what the ring would cost: a
 * million nodes × 256 vnodes is 256 million tokens, tens of GiB and hours even with random
 * tokens, the cheapest allocation.
 */
function refuseOversizedRing(input: ClusterOptionsInput): void {
  const nodes = input.nodes ?? 6;
  const vnodes = input.vnodes ?? 16;
  if (!Number.isSafeInteger(nodes) || !Number.isSafeInteger(vnodes) || nodes < 1 || vnodes < 1) {
    return;
  }
  const over = nodes > MAX_NODES ? 'nodes' : vnodes > MAX_VNODES ? 'vnodes' : undefined;
  if (over === undefined) return;
  const estimate = clusterCost(
    {
      nodes,
      vnodes,
      rf: 1,
      dcs: 1,
      racks: 1,
      allocator: 'random',
      partitioner: 'murmur3',
      replication: 'simple',
      seed: DEFAULT_SEED,
    },
    { grow: false },
  );
  const tokens = `${nodes.toLocaleString('en-US')} nodes × ${vnodes.toLocaleString('en-US')} vnodes is ${(nodes * vnodes).toLocaleString('en-US')} tokens`;
  refuseOversized(
    over === 'nodes'
      ? {
          field: 'nodes',
          value: nodes,
          max: MAX_NODES,
          unit: 'nodes',
          estimate,
          suggestion: `${tokens}; use fewer --nodes, or fewer --vnodes at this size`,
        }
      : {
          field: 'vnodes',
          value: vnodes,
          max: MAX_VNODES,
          unit: 'vnodes per node (num_tokens)',
          estimate,
          suggestion: `${tokens}; use at most ${MAX_VNODES} --vnodes`,
        },
  );
}

function integerIn(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw invalidConfig(field, `must be an integer ${range}, got ${value}`);
  }
  return value;
}

/** The name among `names` equal to `value`, or an UNKNOWN_NAME error naming the field. */
export function oneOf<T extends string>(field: string, value: string, names: readonly T[]): T {
  const found = names.find((name) => name === value);
  if (found === undefined) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `${field} "${value}" is unknown; expected one of ${names.join(', ')}`,
      field,
    );
  }
  return found;
}

/** Node ids n1..nN, dealt round-robin to dc1..dcD, and inside each DC round-robin to r1..rK. */
export function topologyOf(config: ClusterConfig): NodeSpec[] {
  const perDc = new Array<number>(config.dcs).fill(0);
  return Array.from({ length: config.nodes }, (_, i) => {
    const dc = i % config.dcs;
    const rack = perDc[dc]!++ % config.racks;
    return { id: `n${i + 1}`, dc: `dc${dc + 1}`, rack: `r${rack + 1}` };
  });
}

export function strategyOf(config: ClusterConfig): ReplicationStrategy {
  if (config.replication === 'simple') return simpleStrategy(config.rf);
  const rfByDc: Record<string, number> = {};
  for (let dc = 1; dc <= config.dcs; dc++) rfByDc[`dc${dc}`] = config.rf;
  return networkTopologyStrategy(rfByDc);
}

/** What to allocate for a config: its topology and strategy, the `tokens` stream of `random`. */
export function allocationOf(
  config: ClusterConfig,
  random: Random = createRandom(config.seed),
  progress?: Progress,
): AllocationOptions {
  return {
    nodes: topologyOf(config),
    vnodes: config.vnodes,
    allocator: config.allocator,
    strategy: strategyOf(config),
    random: random.fork('tokens'),
    progress,
  };
}

/** The ring and replica table for a config; tokens come from the `tokens` stream of the seed. */
export function placementOf(
  config: ClusterConfig,
  random: Random = createRandom(config.seed),
): Placement {
  const allocation = allocationOf(config, random);
  return placementOfTokens(allocation, allocateTokens(allocation));
}

/** The ring and replica table of tokens allocated for `allocation`. */
export function placementOfTokens(
  allocation: AllocationOptions,
  tokens: readonly (readonly bigint[])[],
): Placement {
  const ring: Ring = buildRing(allocation.nodes, tokens);
  return createPlacement(ring, allocation.strategy);
}

export function clusterOf(
  config: ClusterConfig,
  partitioner: Partitioner,
  table: TableSpec,
  storage: StorageMode,
  placement: Placement = placementOf(config),
): Cluster {
  return createCluster({ placement, partitioner, table, storage });
}

export function tokenFunctionOf(config: ClusterConfig) {
  return getTokenFunction(config.partitioner);
}

/**
 * What building a cluster costs: wall time on one unloaded core and peak memory, estimated from
 * measured constants. Each was measured as the CPU time of `ringReport(config)` (with `grow` for
 * the growth curve) in a fresh Node 20 process on x86-64; the machine's 2 cores were shared with
 * other work, so CPU time rather than wall time was read, which still runs somewhat above an idle
 * machine's wall time. A constant covers the largest per-unit cost seen, rounded up.
 *
 * - Random tokens, ring, replica table and ownership: per token (T = nodes × vnodes), a little
 *   more as T grows (sorting, and a heap that outgrows the caches). SimpleStrategy: 3.3 µs per
 *   token at 1,000 × 1,024 with rf 3, 4.4 µs with rf 1, 3.8 µs at 2,000 × 1,024, 7.2 µs at
 *   10,000 × 1,024 (74 s). NetworkTopologyStrategy (2 DCs × 3 racks), whose placement walks
 *   further and keeps per-DC state: 5.0 µs at 1,000 × 1,024, 7.4 µs at 5,000 × 1,024.
 * - The growth curve builds a ring and a placement after every join, Σ k·vnodes = T (n + 1) / 2
 *   tokens in all: 200 × 64, 400 × 16 and 100 × 256 gave 0.7 to 1.2 µs per token built with
 *   SimpleStrategy, 1.9 µs with NetworkTopologyStrategy.
 * - The balanced allocator: BALANCED_* below.
 * - Memory (peak RSS): 290 MiB at 10^6 tokens, 435 MiB at 2 × 10^6, 1.9 GiB at 10^7; a base
 *   plus bytes per token.
 */
export interface ClusterCost {
  readonly seconds: number;
  readonly bytes: number;
}

/** Beyond either, a cluster is refused up front (see `checkClusterCost`). */
export const CLUSTER_BUDGET: ClusterCost = { seconds: 60, bytes: 4 * 2 ** 30 };

const RANDOM_NS_PER_TOKEN = { simple: 4000, 'network-topology': 5000 } as const;
/** What each further million tokens adds to every token's cost. */
const RANDOM_NS_PER_TOKEN_PER_MILLION = 500;
const GROWTH_NS_PER_TOKEN = { simple: 1300, 'network-topology': 2000 } as const;
const BASE_BYTES = 80 * 2 ** 20;
const BYTES_PER_TOKEN = 210;

/** The estimated cost of `config`, with the growth curve when `grow`. */
export function clusterCost(
  config: ClusterConfig,
  options: { readonly grow: boolean },
): ClusterCost {
  const tokens = config.nodes * config.vnodes;
  const replication = config.replication;
  let ns =
    tokens * (RANDOM_NS_PER_TOKEN[replication] + (RANDOM_NS_PER_TOKEN_PER_MILLION * tokens) / 1e6);
  if (config.allocator === 'balanced') ns += balancedNs(config);
  if (options.grow) ns += ((tokens * (config.nodes + 1)) / 2) * GROWTH_NS_PER_TOKEN[replication];
  return { seconds: ns / 1e9, bytes: BASE_BYTES + tokens * BYTES_PER_TOKEN };
}

/**
 * The balanced allocator: a join re-evaluates only the gaps its tokens change, and once a domain
 * (the ring, or its DC) has more than 4,096 gaps it considers only the gaps near the most loaded
 * nodes, so a cluster costs a term per token, growing with vnodes, and a term in nodes × vnodes
 * over the domain's first 4,096 gaps, where every gap is still weighed. Measured as CPU time of
 * `ring` at rf 3 (SimpleStrategy): 1,000 × 16 2.9 s (the model 3.3 s), 2,000 × 16 4.8 s (6.7 s),
 * 500 × 64 5.4 s (4.8 s), 250 × 256 16.5 s (13.4 s); scaled by rf as before, linear through
 * the earlier runs at rf 1, 3 and 5.
 */
const BALANCED_NS_PER_TOKEN = 100_000;
const BALANCED_NS_PER_TOKEN_VNODE = 400;
const BALANCED_NS_PER_NODE_PAIR_VNODE = 400;
/** Gaps past which a join weighs only the gaps near the most loaded nodes. */
const BALANCED_EXACT_GAPS = 4096;

function balancedNs({ nodes, vnodes, rf, dcs, replication }: ClusterConfig): number {
  const domainNodes = replication === 'simple' ? nodes : nodes / dcs;
  // Linear in rf through the 1,000 × 16 runs at rf 1, 3 and 5; 1 at rf 3, where the fit is.
  const rfScale = 0.176 + 0.275 * rf;
  const perToken = BALANCED_NS_PER_TOKEN + BALANCED_NS_PER_TOKEN_VNODE * vnodes;
  const weighed = Math.min(domainNodes, BALANCED_EXACT_GAPS / vnodes);
  const pairs = BALANCED_NS_PER_NODE_PAIR_VNODE * nodes * weighed * vnodes;
  return rfScale * (nodes * vnodes * perToken + pairs);
}

/** Within CLUSTER_BUDGET, and within the memory this machine allows a run (bench/resources.ts). */
function fits(cost: ClusterCost): boolean {
  const bytes = Math.min(CLUSTER_BUDGET.bytes, memoryLimitBytes());
  return cost.seconds <= CLUSTER_BUDGET.seconds && cost.bytes <= bytes;
}

/**
 * Refuses, with INVALID_CONFIG, a config whose estimated cost exceeds CLUSTER_BUDGET: the field
 * is the flag whose change the message suggests first (`grow`, `vnodes`, `allocator` or
 * `nodes`), and the message gives the estimate and a size that fits.
 */
export function checkClusterCost(config: ClusterConfig, options: { readonly grow: boolean }): void {
  const cost = clusterCost(config, options);
  if (fits(cost)) return;
  const { nodes, vnodes, allocator } = config;
  const estimate = describeCost(cost);
  const size = `${nodes} nodes × ${vnodes} vnode${vnodes === 1 ? '' : 's'}`;
  const fitsWith = (changes: Partial<ClusterConfig>, grow = options.grow): boolean =>
    fits(clusterCost({ ...config, ...changes }, { grow }));
  const mostVnodes = largest(vnodes - 1, (v) => fitsWith({ vnodes: v }), true);
  const mostNodes = largest(nodes - 1, (n) => fitsWith({ nodes: n }), false);
  const atSize = (extra: string): string =>
    mostVnodes > 0
      ? `${extra}at most ${mostVnodes} vnodes at this size`
      : `${extra}at most ${mostNodes} nodes`;
  if (options.grow && fitsWith({}, false)) {
    throw invalidConfig(
      'grow',
      `with ${size} (${allocator}) ${estimate}; drop --grow, or use ${atSize('')}`,
    );
  }
  if (allocator === 'balanced' && fitsWith({ allocator: 'random' })) {
    const random = 'use --allocator random, or ';
    if (mostVnodes > 0) {
      throw invalidConfig(
        'vnodes',
        `${vnodes} with --allocator balanced and ${nodes} nodes ${estimate}; ${atSize(random)}`,
      );
    }
    throw invalidConfig(
      'allocator',
      `balanced with ${size} ${estimate}; ${random}at most ${mostNodes} nodes`,
    );
  }
  if (mostVnodes > 0) {
    throw invalidConfig('vnodes', `${vnodes} with ${nodes} nodes ${estimate}; use ${atSize('')}`);
  }
  throw invalidConfig(
    'nodes',
    `${nodes} with ${vnodes} vnodes ${estimate}; use at most ${mostNodes} nodes at this many vnodes, or fewer --vnodes`,
  );
}

/**
 * The largest value in [1, max] for which `ok` holds (ok is monotone: true up to some value), or
 * 0 when none; rounded down to a power of two (vnodes) or two significant digits (nodes).
 */
function largest(max: number, ok: (value: number) => boolean, powerOfTwo: boolean): number {
  if (max < 1 || !ok(1)) return 0;
  let low = 1;
  let high = max + 1;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (ok(mid)) low = mid;
    else high = mid;
  }
  if (powerOfTwo) return 2 ** Math.floor(Math.log2(low));
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(low)) - 1);
  return Math.floor(low / scale) * scale;
}

function describeCost(cost: ClusterCost): string {
  return cost.seconds > CLUSTER_BUDGET.seconds
    ? `would take about ${aboutDuration(cost.seconds)}`
    : `would need about ${aboutBytes(cost.bytes)} of memory`;
}
