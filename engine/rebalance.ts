import type { Random } from './random.js';
import type { ReplicationStrategy } from './replication.js';
import { buildRing, membersOf, type NodeSpec, type Ring } from './ring.js';

/**
 * The rebalancing contract: how a strategy lays out a ring and changes it when nodes join and
 * leave. A strategy only plans rings; engine/streaming.ts works out what moves between two of
 * them and moves it, and the cluster installs the new one as the next epoch.
 *
 * Every ring a strategy returns lists the same nodes, in the same order, as the one it was given
 * (the cluster's roster, every node it will ever have): a node joins by gaining positions and
 * leaves by losing them all, so a node's index means the same node in every epoch.
 */
export interface RebalanceStrategy {
  readonly name: string;
  /** One line for help texts and reports. */
  readonly summary: string;
  /** Whether data moves only in whole partitions (ring positions that a join never splits). */
  readonly wholePartitions: boolean;
  /** The first ring, over the roster's `members`. */
  initial(roster: readonly NodeSpec[], members: readonly number[], context: RebalanceContext): Ring;
  /** The ring once `node` (a roster node that owns nothing) has joined. */
  join(ring: Ring, node: number, context: RebalanceContext, data: DataShape): Ring;
  /** The ring once `node` (a member) has left; its positions go to the others. */
  leave(ring: Ring, node: number, context: RebalanceContext, data: DataShape): Ring;
  /** The ring once `by` (a roster node that owns nothing) has taken every position of `node`. */
  replace(ring: Ring, node: number, by: number, context: RebalanceContext): Ring;
  /**
   * Splits partitions grown past the threshold, merges small neighbours and evens the partition
   * counts, as range-partitioned stores do as data arrives (only `dynamic` does).
   */
  reshape?(ring: Ring, context: RebalanceContext, data: DataShape): Reshape;
}

export interface RebalanceContext {
  readonly replication: ReplicationStrategy;
  /** Tokens a vnode strategy gives each node (num_tokens). */
  readonly vnodes: number;
  /** Partitions a `fixed-partitions` ring has, and a `dynamic` ring starts pre-split into. */
  readonly partitions: number;
  /** A `dynamic` partition splits once it holds more bytes than this. */
  readonly splitBytes: number;
  /** Where a strategy draws random tokens; forked per node id so a join moves no one else. */
  readonly random: Random;
  /**
   * How an order-preserving key strategy splits its key space into ranges of equal expected
   * load (`Partitioner.splitKeySpace`); undefined for hashed keys, whose ring is cut evenly.
   */
  readonly splitKeySpace: ((count: number) => bigint[]) | undefined;
}

/** What a strategy may know of the data when it decides: its bytes by ring position. */
export interface DataShape {
  /** Bytes stored in each position's range of `ring` (one copy). */
  bytesAt(ring: Ring): Float64Array;
  /**
   * A token splitting the data of `position` into two halves by bytes (the range becomes
   * (start, token] and (token, end]), or undefined when it cannot be split (one partition).
   */
  splitPoint(ring: Ring, position: number): bigint | undefined;
}

/** What a `reshape` did. */
export interface Reshape {
  readonly ring: Ring;
  readonly splits: number;
  readonly merges: number;
  /**
   * Partitions given to another node. Splitting a range or merging two neighbours held by one
   * node changes no replica set (the walk clockwise meets the same nodes in the same order), so
   * when this is 0 no data moves and the new ring can be installed without streaming.
   */
  readonly moves: number;
}

/** A data shape that knows of no data: for rings planned before anything is written. */
export const NO_DATA: DataShape = {
  bytesAt: (ring) => new Float64Array(ring.size),
  splitPoint: () => undefined,
};

/** The roster indexes of a ring's members, ascending. */
export function memberIndexes(ring: Ring): number[] {
  const members = membersOf(ring);
  const result: number[] = [];
  members.forEach((member, i) => {
    if (member === 1) result.push(i);
  });
  return result;
}

/**
 * A ring over the whole roster from ascending tokens and the owner of each: what strategies that
 * assign partitions to nodes (rather than tokens to nodes) build.
 */
export function ringOfOwners(
  roster: readonly NodeSpec[],
  tokens: readonly bigint[],
  owners: ArrayLike<number>,
): Ring {
  const byNode: bigint[][] = roster.map(() => []);
  tokens.forEach((token, i) => byNode[owners[i]!]!.push(token));
  return buildRing(roster, byNode, { tokenless: true });
}

/** `ring` with every position of `node` given to `by`: how a replacement takes a dead node's place. */
export function handOver(ring: Ring, node: number, by: number): Ring {
  const owners = Int32Array.from(ring.owners, (owner) => (owner === node ? by : owner));
  return ringOfOwners(ring.nodes, Array.from(ring.tokens), owners);
}
