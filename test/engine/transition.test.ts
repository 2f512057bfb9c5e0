/**
 * The transition placement of a move: every token keeps its old replicas until its new range
 * switches, its pending replicas are exactly the new ones it lacks, and once every range has
 * switched it has the new replicas. Checked token by token against both placements, for a vnode
 * join (the joint ring of both rings' tokens) and for mod-n (pairs of residues).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../engine/random.js';
import { NO_DATA, type RebalanceContext } from '../../engine/rebalance.js';
import { createPlacement, simpleStrategy, type Placement } from '../../engine/replication.js';
import type { NodeSpec } from '../../engine/ring.js';
import { newTokenParts, tokenToParts } from '../../engine/token.js';
import { createTransition } from '../../engine/transition.js';
import { getRebalanceStrategy } from '../../rebalancing/index.js';

const roster: NodeSpec[] = Array.from({ length: 8 }, (_, i) => ({
  id: `n${i + 1}`,
  dc: 'dc1',
  rack: 'r1',
}));
const context: RebalanceContext = {
  replication: simpleStrategy(3),
  vnodes: 8,
  partitions: 64,
  splitBytes: 1e9,
  random: createRandom(9).fork('tokens'),
  splitKeySpace: undefined,
};

function placements(name: string): { from: Placement; to: Placement } {
  const strategy = getRebalanceStrategy(name);
  const ring = strategy.initial(roster, [0, 1, 2, 3, 4], context);
  const joined = strategy.join(ring, 5, context, NO_DATA);
  return {
    from: createPlacement(ring, simpleStrategy(3)),
    to: createPlacement(joined, simpleStrategy(3)),
  };
}

const tokens = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe.each(['vnodes-random', 'fixed-partitions', 'mod-n'])('a %s join in transition', (name) => {
  const { from, to } = placements(name);

  it('keeps old replicas and names the gaining ones as pending until the range switches', () => {
    const transition = createTransition(from, to);
    const placement = transition.placement();
    const parts = newTokenParts();
    fc.assert(
      fc.property(tokens, (token) => {
        tokenToParts(token, parts);
        const j = placement.ring.positionOfParts(parts);
        const old = from.replicasOf(token);
        const next = to.replicasOf(token);
        expect(placement.replicasAt(j)).toEqual(old);
        const pending = Array.from(placement.pending!.table.subarray(j * 3, j * 3 + 3)).filter(
          (n) => n >= 0,
        );
        expect(pending).toEqual(next.filter((n) => !old.includes(n)));
      }),
    );
  });

  it('switches a range to its new replicas, and only that range', () => {
    const transition = createTransition(from, to);
    const switchedRange = 0;
    transition.switched[switchedRange] = 1;
    const placement = transition.placement();
    fc.assert(
      fc.property(tokens, (token) => {
        const j = placement.ring.positionOf(token);
        const inSwitched = to.ring.positionOf(token) === switchedRange;
        const expected = inSwitched ? to.replicasOf(token) : from.replicasOf(token);
        expect(placement.replicasAt(j)).toEqual(expected);
        if (inSwitched) expect(placement.pending!.table[j * 3]).toBe(-1);
      }),
    );
  });

  it('once every range has switched, places as the new placement does', () => {
    const transition = createTransition(from, to);
    transition.switched.fill(1);
    const placement = transition.placement();
    fc.assert(
      fc.property(tokens, (token) => {
        expect(placement.replicasOf(token)).toEqual(to.replicasOf(token));
      }),
    );
  });
});
