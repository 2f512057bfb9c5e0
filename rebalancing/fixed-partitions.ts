import { RinglabError } from '../engine/errors.js';
import {
  handOver,
  memberIndexes,
  ringOfOwners,
  type RebalanceContext,
  type RebalanceStrategy,
} from '../engine/rebalance.js';
import { totalRf } from '../engine/replication.js';
import type { Ring } from '../engine/ring.js';
import { dealRoundRobin, evenCounts, evenTokens, handOut } from './whole-partitions.js';

/**
 * `fixed-partitions`: P partitions made up front, never split; nodes hold whole partitions, and a
 * joining node takes partitions from the others until every node holds P/N, give or take one
 * (Riak, Elasticsearch shards, Couchbase vbuckets). Only whole partitions move, and only as many
 * as balance needs: about P/(N+1) on a join.
 */
export const fixedPartitions: RebalanceStrategy = {
  name: 'fixed-partitions',
  summary: 'P partitions made up front; a joining node takes whole partitions until balanced',
  wholePartitions: true,
  initial(roster, members, context) {
    const tokens = partitionTokens(context.partitions, context);
    return ringOfOwners(roster, tokens, dealRoundRobin(tokens.length, members));
  },
  join: (ring, node, context) =>
    reassign(ring, context, (owners, members) => {
      if (owners.length <= members.length) {
        throw new RinglabError(
          'INVALID_CONFIG',
          `fixed-partitions has ${owners.length} partitions, one per node already; a node beyond that would hold none (raise --partitions)`,
          'partitions',
        );
      }
      evenCounts(owners, [...members, node], spreadOf(context));
    }),
  leave: (ring, node, context) =>
    reassign(ring, context, (owners, members) => {
      handOut(owners, node, members, spreadOf(context));
    }),
  replace: (ring, node, by) => handOver(ring, node, by),
};

/** The ring's partitions re-dealt by `change`, which edits the owners in place. */
export function reassign(
  ring: Ring,
  _context: RebalanceContext,
  change: (owners: Int32Array, members: number[]) => void,
): Ring {
  const owners = Int32Array.from(ring.owners);
  change(owners, memberIndexes(ring));
  return ringOfOwners(ring.nodes, Array.from(ring.tokens), owners);
}

/** Partition boundaries: the key strategy's split of its key space, or an even cut of the ring. */
export function partitionTokens(count: number, context: RebalanceContext): bigint[] {
  return context.splitKeySpace?.(count) ?? evenTokens(count);
}

/** How far a recipient should not already hold a partition: the replica walk's reach. */
export function spreadOf(context: RebalanceContext): number {
  return totalRf(context.replication) - 1;
}
