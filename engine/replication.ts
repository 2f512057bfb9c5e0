import { invalidConfig } from './errors.js';
import { membersOf, rangeFractions, type Ring } from './ring.js';

/**
 * Replica placement, as Cassandra's replication strategies compute it. A strategy is a plain
 * value; `placeReplicas` walks the ring from a position and returns node indexes in the order
 * Cassandra would list them (the first is the primary replica).
 */
export type ReplicationStrategy =
  | { readonly class: 'SimpleStrategy'; readonly rf: number }
  | {
      readonly class: 'NetworkTopologyStrategy';
      readonly rfByDc: Readonly<Record<string, number>>;
    };

export function simpleStrategy(rf: number): ReplicationStrategy {
  return { class: 'SimpleStrategy', rf };
}

export function networkTopologyStrategy(rfByDc: Record<string, number>): ReplicationStrategy {
  return { class: 'NetworkTopologyStrategy', rfByDc: { ...rfByDc } };
}

/** Replicas per range: the sum of the per-DC factors for NetworkTopologyStrategy. */
export function totalRf(strategy: ReplicationStrategy): number {
  if (strategy.class === 'SimpleStrategy') return strategy.rf;
  return Object.values(strategy.rfByDc).reduce((sum, rf) => sum + rf, 0);
}

/** The replication factor that applies inside one DC (for LOCAL_* consistency levels). */
export function rfInDc(strategy: ReplicationStrategy, dc: string): number {
  if (strategy.class === 'SimpleStrategy') return strategy.rf;
  // hasOwn: a DC named like an Object.prototype key ("constructor") must not find a function.
  return Object.hasOwn(strategy.rfByDc, dc) ? strategy.rfByDc[dc]! : 0;
}

/**
 * Checks that the strategy can be satisfied by the ring's nodes: Cassandra tolerates rf above
 * the node count (it places fewer replicas), but a simulator that silently does so would give
 * misleading numbers, so it is refused with the field named.
 */
export function validateStrategy(strategy: ReplicationStrategy, ring: Ring): void {
  if (strategy.class === 'SimpleStrategy') {
    if (!Number.isInteger(strategy.rf) || strategy.rf < 1) {
      throw invalidConfig('rf', `must be a positive integer, got ${strategy.rf}`);
    }
    const members = membersOf(ring).reduce((sum, member) => sum + member, 0);
    if (strategy.rf > members) {
      throw invalidConfig(
        'rf',
        `must be at most the number of nodes (${members}), got ${strategy.rf}`,
      );
    }
    return;
  }
  const nodesPerDc = countBy(ring, (n) => n.dc);
  const entries = Object.entries(strategy.rfByDc);
  if (entries.length === 0)
    throw invalidConfig('rf', 'needs a replication factor for at least one DC');
  for (const [dc, rf] of entries) {
    if (!Number.isInteger(rf) || rf < 0)
      throw invalidConfig('rf', `for ${dc} must be a non-negative integer, got ${rf}`);
    const available = nodesPerDc.get(dc) ?? 0;
    if (available === 0 && rf > 0) throw invalidConfig('rf', `names DC ${dc}, which has no nodes`);
    if (rf > available) {
      throw invalidConfig(
        'rf',
        `for ${dc} must be at most the nodes in that DC (${available}), got ${rf}`,
      );
    }
  }
  if (totalRf(strategy) === 0) throw invalidConfig('rf', 'must place at least one replica');
}

/** Members (nodes owning tokens) counted by `key`. */
function countBy(ring: Ring, key: (node: Ring['nodes'][number]) => string): Map<string, number> {
  const counts = new Map<string, number>();
  const members = membersOf(ring);
  ring.nodes.forEach((node, i) => {
    if (members[i] === 1) counts.set(key(node), (counts.get(key(node)) ?? 0) + 1);
  });
  return counts;
}

/** The replicas of the range ending at `position`, in Cassandra's order. */
export function placeReplicas(
  strategy: ReplicationStrategy,
  ring: Ring,
  position: number,
): number[] {
  return strategy.class === 'SimpleStrategy'
    ? placeSimple(strategy.rf, ring, position)
    : placeNetworkTopology(strategy.rfByDc, ring, position);
}

/** SimpleStrategy: walk clockwise, taking each node not yet taken, until rf are found. */
function placeSimple(rf: number, ring: Ring, position: number): number[] {
  const replicas: number[] = [];
  for (let step = 0; step < ring.size && replicas.length < rf; step++) {
    const node = ring.owners[(position + step) % ring.size]!;
    if (!replicas.includes(node)) replicas.push(node);
  }
  return replicas;
}

/**
 * NetworkTopologyStrategy (Cassandra 4.0's calculateNaturalReplicas): walk clockwise once; in
 * each DC, a node from a rack not yet used there is taken; a node from a used rack is taken
 * only while the DC still has "acceptable rack repeats" (rf minus the DC's rack count), so
 * with racks >= rf the replicas sit on distinct racks and with fewer racks the first nodes met
 * fill the difference.
 */
function placeNetworkTopology(
  rfByDc: Readonly<Record<string, number>>,
  ring: Ring,
  position: number,
): number[] {
  const topology = topologyOf(ring);
  const dcs = new Map<string, { rfLeft: number; repeatsLeft: number; racks: Set<string> }>();
  let pending = 0;
  for (const [dc, rf] of Object.entries(rfByDc)) {
    const info = topology.get(dc);
    if (!info || rf <= 0) continue;
    const rfLeft = Math.min(rf, info.nodes);
    dcs.set(dc, { rfLeft, repeatsLeft: rf - info.racks, racks: new Set() });
    pending += rfLeft;
  }
  const replicas: number[] = [];
  for (let step = 0; step < ring.size && pending > 0; step++) {
    const node = ring.owners[(position + step) % ring.size]!;
    const spec = ring.nodes[node]!;
    const dc = dcs.get(spec.dc);
    if (!dc || dc.rfLeft === 0 || replicas.includes(node)) continue;
    if (!dc.racks.has(spec.rack)) {
      dc.racks.add(spec.rack);
    } else if (dc.repeatsLeft > 0) {
      dc.repeatsLeft--;
    } else {
      continue;
    }
    replicas.push(node);
    dc.rfLeft--;
    pending--;
  }
  return replicas;
}

const topologyCache = new WeakMap<Ring, Map<string, { nodes: number; racks: number }>>();

function topologyOf(ring: Ring): Map<string, { nodes: number; racks: number }> {
  let topology = topologyCache.get(ring);
  if (topology) return topology;
  const racks = new Map<string, Set<string>>();
  const nodes = new Map<string, number>();
  const members = membersOf(ring);
  for (const [i, node] of ring.nodes.entries()) {
    if (members[i] !== 1) continue;
    nodes.set(node.dc, (nodes.get(node.dc) ?? 0) + 1);
    if (!racks.has(node.dc)) racks.set(node.dc, new Set());
    racks.get(node.dc)!.add(node.rack);
  }
  topology = new Map(
    [...nodes].map(([dc, count]) => [dc, { nodes: count, racks: racks.get(dc)!.size }]),
  );
  topologyCache.set(ring, topology);
  return topology;
}

/**
 * A ring with a strategy applied: the replica list of every range, computed once, so a lookup
 * is a binary search plus a slice of a flat table.
 */
export interface Placement {
  readonly ring: Ring;
  readonly strategy: ReplicationStrategy;
  /** Replicas per range (the same for every range once the strategy is validated). */
  readonly rf: number;
  /** `table[position * rf + k]` is the k-th replica of the range ending at `position`. */
  readonly table: Int32Array;
  /** The replicas of the range ending at `position`, primary first. */
  replicasAt(position: number): number[];
  /** The replicas of a token, primary first. */
  replicasOf(token: bigint): number[];
  /**
   * While ranges move (engine/transition.ts), the replicas gaining each range: writes go to them
   * too and wait for them as Cassandra counts pending replicas; reads do not ask them. Undefined
   * when nothing is moving.
   */
  readonly pending?: PendingReplicas | undefined;
}

/** Per position, up to `width` replicas gaining its range; -1 fills the unused slots. */
export interface PendingReplicas {
  readonly width: number;
  /** `table[position * width + j]`: the j-th pending replica of the position, or -1. */
  readonly table: Int32Array;
}

export function createPlacement(ring: Ring, strategy: ReplicationStrategy): Placement {
  validateStrategy(strategy, ring);
  const rf = totalRf(strategy);
  const table = new Int32Array(ring.size * rf);
  for (let position = 0; position < ring.size; position++) {
    const replicas = placeReplicas(strategy, ring, position);
    if (replicas.length !== rf) {
      // validateStrategy guarantees enough nodes per DC, so this is a bug, not a user error.
      throw new Error(
        `placement found ${replicas.length} replicas for rf ${rf} at position ${position}`,
      );
    }
    table.set(replicas, position * rf);
  }
  const replicasAt = (position: number): number[] =>
    Array.from(table.subarray(position * rf, position * rf + rf));
  return {
    ring,
    strategy,
    rf,
    table,
    replicasAt,
    replicasOf: (token) => replicasAt(ring.positionOf(token)),
  };
}

/**
 * Fraction of the ring's data each node holds a replica of. With rf 3 on 3 nodes every node
 * holds everything (1.0); the values sum to rf.
 */
export function replicatedOwnership(placement: Placement): Float64Array {
  const { ring, rf, table } = placement;
  const fractions = rangeFractions(ring);
  const result = new Float64Array(ring.nodes.length);
  for (let position = 0; position < ring.size; position++) {
    for (let k = 0; k < rf; k++) result[table[position * rf + k]!]! += fractions[position]!;
  }
  return result;
}
