import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { buildRing, searchPositionOfParts, type NodeSpec } from '../../engine/ring.js';
import { MAX_TOKEN, MIN_TOKEN, newTokenParts, tokenToParts } from '../../engine/token.js';
import { tokenArb } from '../helpers/arbitraries.js';

/**
 * The ring's lookup starts from a table of buckets on the token's top bits. These properties
 * hold it to the plain binary search over every token, on rings of every density: random tokens
 * (a token or two per bucket), tokens crowded into a narrow span (one bucket holding many), and
 * tokens on the extremes of the ring.
 */

const RUNS = 300;

/** A token near `center`, within `spread` either side, clamped to the ring. */
function near(center: bigint, spread: bigint): fc.Arbitrary<bigint> {
  return fc.bigInt({ min: -spread, max: spread }).map((offset) => {
    const token = center + offset;
    return token < MIN_TOKEN ? MIN_TOKEN : token > MAX_TOKEN ? MAX_TOKEN : token;
  });
}

/**
 * Distinct ring tokens, `size` drawn before duplicates are dropped: spread over the ring,
 * crowded around one point, or both, and on the extremes.
 */
function ringTokensArb(size: fc.Arbitrary<number>): fc.Arbitrary<bigint[]> {
  return fc
    .record({
      center: tokenArb(),
      spread: fc.constantFrom(0n, 1n, 1000n, 2n ** 32n, 2n ** 40n, 2n ** 48n),
      size,
    })
    .chain(({ center, spread, size }) =>
      fc
        .array(
          fc.oneof(
            { weight: 4, arbitrary: tokenArb() },
            { weight: 4, arbitrary: near(center, spread) },
            { weight: 1, arbitrary: fc.constantFrom(MIN_TOKEN, MIN_TOKEN + 1n, MAX_TOKEN - 1n) },
            { weight: 1, arbitrary: fc.constant(MAX_TOKEN) },
          ),
          { minLength: size, maxLength: size },
        )
        .map((tokens) => [...new Set(tokens)]),
    );
}

/** Rings up to a few thousand positions: the bucket table has two buckets per position. */
const smallRings = ringTokensArb(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 64 }) },
    { weight: 1, arbitrary: fc.integer({ min: 65, max: 3000 }) },
  ),
);
/** Rings beyond 2^16 / 2 positions, where the table stops growing and buckets fill up. */
const largeRings = ringTokensArb(fc.integer({ min: 20_000, max: 70_000 }));

function ringOfTokens(tokens: readonly bigint[]) {
  const nodeCount = Math.min(tokens.length, 4);
  const nodes: NodeSpec[] = Array.from({ length: nodeCount }, (_, i) => ({
    id: `n${i}`,
    dc: 'dc1',
    rack: 'r1',
  }));
  const byNode = nodes.map((_, n) => tokens.filter((_, i) => i % nodeCount === n));
  return buildRing(nodes, byNode);
}

/**
 * The property: for a ring and queries (the extremes, random tokens, each `every`-th vnode token
 * exactly and one either side of it, and tokens near the lowest one), the bucketed lookup, by
 * halves and by bigint, gives the plain search's position. Tokens above the highest vnode token
 * wrap around to position 0.
 */
function lookupsAgree(rings: fc.Arbitrary<bigint[]>, every: number) {
  return fc.property(
    rings,
    fc.array(tokenArb(), { maxLength: 50 }),
    fc.array(fc.bigInt({ min: -(2n ** 20n), max: 2n ** 20n }), { maxLength: 20 }),
    (tokens, randomQueries, offsets) => {
      const ring = ringOfTokens(tokens);
      const queries = [MIN_TOKEN, MIN_TOKEN + 1n, -1n, 0n, 1n, MAX_TOKEN - 1n, MAX_TOKEN];
      queries.push(...randomQueries);
      for (let i = 0; i < ring.size; i += every) {
        const token = ring.tokens[i]!;
        queries.push(token);
        if (token > MIN_TOKEN) queries.push(token - 1n);
        if (token < MAX_TOKEN) queries.push(token + 1n);
      }
      const last = ring.tokens[ring.size - 1]!;
      if (last < MAX_TOKEN) queries.push(last + 1n);
      const first = ring.tokens[0]!;
      for (const offset of offsets) {
        const query = first + offset;
        if (query >= MIN_TOKEN && query <= MAX_TOKEN) queries.push(query);
      }

      const parts = newTokenParts();
      const mismatches = queries.filter((query) => {
        tokenToParts(query, parts);
        const expected = searchPositionOfParts(ring.tokenHi, ring.tokenLo, parts);
        return ring.positionOfParts(parts) !== expected || ring.positionOf(query) !== expected;
      });
      expect(mismatches).toEqual([]);
    },
  );
}

describe('the bucketed ring lookup', () => {
  it('equals the plain binary search for random rings and tokens, edges included', () => {
    fc.assert(lookupsAgree(smallRings, 1), { numRuns: RUNS });
  });

  it('equals it on rings too large for a bucket per token', () => {
    // No shrinking: a counterexample of tens of thousands of tokens would take minutes to shrink;
    // the seed and path fast-check prints replay it.
    fc.assert(lookupsAgree(largeRings, 50), { numRuns: 8, endOnFailure: true });
  });

  it('keeps the plain search itself right: the first token >= the key, wrapping to 0', () => {
    fc.assert(
      fc.property(smallRings, fc.array(tokenArb(), { maxLength: 20 }), (tokens, queries) => {
        const ring = ringOfTokens(tokens);
        const sorted = Array.from(ring.tokens);
        const parts = newTokenParts();
        for (const query of [MIN_TOKEN, MAX_TOKEN, ...sorted, ...queries]) {
          tokenToParts(query, parts);
          const index = sorted.findIndex((token) => token >= query);
          expect(searchPositionOfParts(ring.tokenHi, ring.tokenLo, parts)).toBe(
            index === -1 ? 0 : index,
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('wraps past the highest token to position 0, and finds the ring extremes', () => {
    const nodes: NodeSpec[] = [
      { id: 'a', dc: 'dc1', rack: 'r1' },
      { id: 'b', dc: 'dc1', rack: 'r1' },
    ];
    const ring = buildRing(nodes, [
      [MIN_TOKEN, 5n],
      [-5n, MAX_TOKEN - 1n],
    ]);
    expect(
      [MIN_TOKEN, MIN_TOKEN + 1n, -5n, -4n, 5n, 6n, MAX_TOKEN - 1n, MAX_TOKEN].map(ring.positionOf),
    ).toEqual([0, 1, 1, 2, 2, 3, 3, 0]);
  });
});
