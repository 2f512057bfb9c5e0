import { memberIndexes, ringOfOwners, type RebalanceStrategy } from '../engine/rebalance.js';
import type { NodeSpec, Ring } from '../engine/ring.js';
import type { TokenParts } from '../engine/token.js';
import { evenTokens } from './whole-partitions.js';

/**
 * `mod-n`: a key lives on node `hash(key) mod N`, and its other replicas on the next nodes in
 * order, the baseline every textbook warns about: change N and almost every key moves. The ring
 * has one position per member, in the order they joined; position i holds the tokens whose
 * unsigned 64-bit value is i modulo N. Its tokens are only labels, spaced evenly so that each
 * position reports 1/N of the ring, which is what each holds.
 */
export const modN: RebalanceStrategy = {
  name: 'mod-n',
  summary: 'hash(key) mod N: changing N moves about N/(N+1) of the data',
  wholePartitions: false,
  initial: (roster, members) => moduloRing(roster, members),
  join: (ring, node) => moduloRing(ring.nodes, [...orderOf(ring), node]),
  leave: (ring, node) =>
    moduloRing(
      ring.nodes,
      orderOf(ring).filter((m) => m !== node),
    ),
  replace: (ring, node, by) =>
    moduloRing(
      ring.nodes,
      orderOf(ring).map((m) => (m === node ? by : m)),
    ),
};

/** The members in position order. */
function orderOf(ring: Ring): number[] {
  if (ring.size !== memberIndexes(ring).length) {
    throw new Error('mod-n changes only rings it made (one position per member)');
  }
  return Array.from(ring.owners);
}

/** A ring on which position i is node `order[i]` and holds the tokens congruent to i mod N. */
export function moduloRing(roster: readonly NodeSpec[], order: readonly number[]): Ring {
  const n = order.length;
  const base = ringOfOwners(roster, evenTokens(n), order);
  // 2^32 mod n, so that (hi * 2^32 + lo) mod n needs no number past 2^53.
  const high = 2 ** 32 % n;
  const positionOfParts = (parts: TokenParts): number =>
    (((parts.hi >>> 0) % n) * high + ((parts.lo >>> 0) % n)) % n;
  const scratch: TokenParts = { hi: 0, lo: 0 };
  const positionOf = (token: bigint): number => {
    scratch.hi = Number(BigInt.asIntN(32, token >> 32n));
    scratch.lo = Number(BigInt.asUintN(32, token));
    return positionOfParts(scratch);
  };
  return { ...base, positionOf, positionOfParts, modulo: true };
}
