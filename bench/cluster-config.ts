import { allocateTokens, allocatorNames, type AllocatorName } from '../engine/allocation.js';
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
  const nodes = integerIn('nodes', input.nodes ?? 6, 1, 10_000);
  const vnodes = integerIn('vnodes', input.vnodes ?? 16, 1, 1024);
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
  return { nodes, vnodes, rf, dcs, racks, allocator, partitioner, replication, seed };
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

/** The ring and replica table for a config; tokens come from the `tokens` stream of the seed. */
export function placementOf(
  config: ClusterConfig,
  random: Random = createRandom(config.seed),
): Placement {
  const nodes = topologyOf(config);
  const strategy = strategyOf(config);
  const tokens = allocateTokens({
    nodes,
    vnodes: config.vnodes,
    allocator: config.allocator,
    strategy,
    random: random.fork('tokens'),
  });
  const ring: Ring = buildRing(nodes, tokens);
  return createPlacement(ring, strategy);
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
