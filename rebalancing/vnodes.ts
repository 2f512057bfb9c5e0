import { allocateTokens, tokensForNewNode, type AllocatorName } from '../engine/allocation.js';
import { handOver, memberIndexes, type RebalanceStrategy } from '../engine/rebalance.js';
import { buildRing, type Ring } from '../engine/ring.js';

/**
 * `vnodes-random` and `vnodes-balanced`: Cassandra's way. A joining node takes `vnodes` tokens,
 * random (before 4.0) or chosen by the replication-aware allocator (4.0's
 * allocate_tokens_for_local_replication_factor); each splits an existing range, so data moves
 * only to the new node. A leaving node's ranges fall to the next tokens clockwise.
 */
function vnodes(allocator: AllocatorName, summary: string): RebalanceStrategy {
  return {
    name: `vnodes-${allocator}`,
    summary,
    wholePartitions: false,
    initial(roster, members, context) {
      const specs = members.map((m) => roster[m]!);
      const tokens = allocateTokens({
        nodes: specs,
        vnodes: context.vnodes,
        allocator,
        strategy: context.replication,
        random: context.random,
      });
      const byNode: bigint[][] = roster.map(() => []);
      members.forEach((m, i) => (byNode[m] = tokens[i]!));
      return buildRing(roster, byNode, { tokenless: true });
    },
    join(ring, node, context) {
      const { compact } = membersRing(ring);
      const tokens = tokensForNewNode({
        ring: compact,
        node: ring.nodes[node]!,
        vnodes: context.vnodes,
        allocator,
        strategy: context.replication,
        random: context.random,
      });
      return withTokens(ring, node, tokens);
    },
    leave: (ring, node) => withTokens(ring, node, []),
    replace: (ring, node, by) => handOver(ring, node, by),
  };
}

export const vnodesRandom = vnodes('random', 'each joining node takes num_tokens random tokens');
export const vnodesBalanced = vnodes(
  'balanced',
  'each joining node takes num_tokens tokens from the replication-aware allocator',
);

/** The ring of the members alone: what the allocators know of. */
function membersRing(ring: Ring): { compact: Ring } {
  const members = memberIndexes(ring);
  const local = new Map(members.map((m, i) => [m, i]));
  const byMember: bigint[][] = members.map(() => []);
  ring.tokens.forEach((token, i) => byMember[local.get(ring.owners[i]!)!]!.push(token));
  return {
    compact: buildRing(
      members.map((m) => ring.nodes[m]!),
      byMember,
    ),
  };
}

/** The ring with `node`'s tokens set to `tokens` (none: it leaves). */
function withTokens(ring: Ring, node: number, tokens: bigint[]): Ring {
  const byNode: bigint[][] = ring.nodes.map(() => []);
  ring.tokens.forEach((token, i) => byNode[ring.owners[i]!]!.push(token));
  byNode[node] = tokens;
  return buildRing(ring.nodes, byNode, { tokenless: true });
}
