/**
 * The rebalancing contract, checked on every strategy in the registry, and what each promises
 * of its own: vnodes keep every old token, fixed partitions keep their boundaries and counts
 * even to one, mod-n places by the unsigned token modulo the members.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../engine/random.js';
import { memberIndexes, NO_DATA, type RebalanceContext } from '../../engine/rebalance.js';
import { createPlacement, simpleStrategy } from '../../engine/replication.js';
import { primaryOwnership, type NodeSpec, type Ring } from '../../engine/ring.js';
import { tokenToParts, newTokenParts } from '../../engine/token.js';
import {
  getRebalanceStrategy,
  moduloRing,
  rebalanceStrategyNames,
} from '../../rebalancing/index.js';

const roster: NodeSpec[] = Array.from({ length: 14 }, (_, i) => ({
  id: `n${i + 1}`,
  dc: 'dc1',
  rack: 'r1',
}));
const context = (partitions = 1024): RebalanceContext => ({
  replication: simpleStrategy(3),
  vnodes: 16,
  partitions,
  splitBytes: 1e9,
  random: createRandom(3).fork('tokens'),
  splitKeySpace: undefined,
});
const first = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function ownsSumToOne(ring: Ring): void {
  expect(primaryOwnership(ring).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
  createPlacement(ring, simpleStrategy(3)); // every range finds rf distinct replicas
}

function ownersByToken(ring: Ring): Map<bigint, number> {
  return new Map(Array.from(ring.tokens, (token, i) => [token, ring.owners[i]!]));
}

describe.each(rebalanceStrategyNames)('%s keeps the contract', (name) => {
  const strategy = getRebalanceStrategy(name);
  const ctx = context(name === 'dynamic' ? 10 : 1024);
  const ring = strategy.initial(roster, first(10), ctx);

  it('lays out the members over the whole roster', () => {
    expect(ring.nodes).toBe(roster);
    expect(memberIndexes(ring)).toEqual(first(10));
    ownsSumToOne(ring);
  });

  it('a join makes the node a member and keeps the others', () => {
    const joined = strategy.join(ring, 10, ctx, NO_DATA);
    expect(joined.nodes).toBe(roster);
    expect(memberIndexes(joined)).toEqual(first(11));
    ownsSumToOne(joined);
  });

  it('a leave takes every position from the node and keeps the others', () => {
    const left = strategy.leave(ring, 4, ctx, NO_DATA);
    expect(memberIndexes(left)).toEqual(first(10).filter((n) => n !== 4));
    ownsSumToOne(left);
  });

  it('a replacement takes exactly the positions of the node it replaces', () => {
    const replaced = strategy.replace(ring, 4, 12, ctx);
    expect(memberIndexes(replaced)).toEqual([...first(10).filter((n) => n !== 4), 12]);
    expect(replaced.size).toBe(ring.size);
    for (let p = 0; p < ring.size; p++) {
      expect(replaced.owners[p]).toBe(ring.owners[p] === 4 ? 12 : ring.owners[p]);
    }
  });
});

describe('what each strategy promises', () => {
  it.each(['vnodes-random', 'vnodes-balanced'])(
    '%s: a join keeps every old token with its owner, so data moves only to the new node',
    (name) => {
      const strategy = getRebalanceStrategy(name);
      const ring = strategy.initial(roster, first(10), context());
      const joined = strategy.join(ring, 10, context(), NO_DATA);
      const after = ownersByToken(joined);
      for (const [token, owner] of ownersByToken(ring)) expect(after.get(token)).toBe(owner);
      expect(joined.size).toBe(ring.size + 16);
    },
  );

  it('fixed-partitions: boundaries never change, and counts end within one of each other', () => {
    const strategy = getRebalanceStrategy('fixed-partitions');
    let ring = strategy.initial(roster, first(10), context());
    const tokens = Array.from(ring.tokens);
    for (const node of [10, 11, 12]) {
      ring = strategy.join(ring, node, context(), NO_DATA);
      expect(Array.from(ring.tokens)).toEqual(tokens);
      const counts = memberIndexes(ring).map((m) => ring.owners.filter((o) => o === m).length);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    ring = strategy.leave(ring, 3, context(), NO_DATA);
    const counts = memberIndexes(ring).map((m) => ring.owners.filter((o) => o === m).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('fixed-partitions refuses a node that would hold no partition', () => {
    const strategy = getRebalanceStrategy('fixed-partitions');
    const ring = strategy.initial(roster, first(4), context(4));
    expect(() => strategy.join(ring, 4, context(4), NO_DATA)).toThrow(/raise --partitions/);
  });

  it('mod-n: position is the unsigned 64-bit token modulo the members', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 14 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (n, token) => {
          const ring = moduloRing(roster, first(n));
          const parts = newTokenParts();
          tokenToParts(token, parts);
          const expected = Number(BigInt.asUintN(64, token) % BigInt(n));
          expect(ring.positionOfParts(parts)).toBe(expected);
          expect(ring.positionOf(token)).toBe(expected);
        },
      ),
    );
  });
});
