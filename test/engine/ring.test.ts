import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  buildRing,
  primaryOwnership,
  rangeAt,
  rangeFractions,
  type NodeSpec,
  type Ring,
} from '../../engine/ring.js';
import {
  MAX_TOKEN,
  MIN_TOKEN,
  RING_SIZE,
  newTokenParts,
  rangeSize,
  tokenFromParts,
  tokenToParts,
} from '../../engine/token.js';
import { ringArb, ringSpecArb, tokenArb, type RingSpec } from '../helpers/arbitraries.js';
import { expectRinglabError } from '../helpers/errors.js';

const RUNS = 300;

const compareTokens = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every token of the spec, sorted: computed from the input, not from the ring under test. */
function sortedTokensOf(spec: RingSpec): bigint[] {
  return spec.tokensByNode.flat().sort(compareTokens);
}

/** Reference lookup by linear scan: the first token >= the key's, wrapping to position 0. */
function positionByScan(sortedTokens: readonly bigint[], token: bigint): number {
  const position = sortedTokens.findIndex((t) => t >= token);
  return position === -1 ? 0 : position;
}

/** Whether `token` lies in the ring range (start, end]; a range from a token to itself is all. */
function rangeContains(start: bigint, end: bigint, token: bigint): boolean {
  if (start === end) return true;
  return start < end ? start < token && token <= end : token > start || token <= end;
}

function maxAbsDifference(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual).toHaveLength(expected.length);
  return expected.reduce((max, value, i) => Math.max(max, Math.abs(actual[i]! - value)), 0);
}

/** The tokens where ring lookups go wrong if they go wrong anywhere. */
function edgeTokensOf(ring: Ring): bigint[] {
  const edges = [MIN_TOKEN, MIN_TOKEN + 1n, -1n, 0n, 1n, MAX_TOKEN - 1n, MAX_TOKEN];
  for (const token of ring.tokens) {
    edges.push(token);
    if (token < MAX_TOKEN) edges.push(token + 1n);
    if (token > MIN_TOKEN) edges.push(token - 1n);
  }
  return edges;
}

const ringWithQueries = ringArb().chain((built) =>
  fc.array(tokenArb(), { minLength: 1, maxLength: 20 }).map((queries) => ({ ...built, queries })),
);

describe('buildRing sorts every vnode token with its owner', () => {
  it('lists the input tokens ascending, each with the node that brought it', () => {
    fc.assert(
      fc.property(ringArb(), ({ spec, ring }) => {
        const ownerOf = new Map<bigint, number>();
        spec.tokensByNode.forEach((tokens, node) => tokens.forEach((t) => ownerOf.set(t, node)));

        const tokens = Array.from(ring.tokens);
        expect(tokens).toEqual(sortedTokensOf(spec));
        expect(ring.size).toBe(ownerOf.size);
        expect(ring.nodes).toEqual(spec.topology.nodes);
        expect(Array.from(ring.owners)).toEqual(tokens.map((token) => ownerOf.get(token)));
        // The halves used by the allocation-free lookup encode the same tokens.
        expect(tokens.map((_, i) => tokenFromParts(ring.tokenHi[i]!, ring.tokenLo[i]!))).toEqual(
          tokens,
        );
        expect(spec.tokensByNode.map((_, node) => ring.tokensOf(node))).toEqual(
          spec.tokensByNode.map((own) => [...own].sort(compareTokens)),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('positionOf finds the range that holds a token', () => {
  it('agrees with a linear scan and with positionOfParts, and the range contains the token', () => {
    fc.assert(
      fc.property(ringWithQueries, ({ spec, ring, queries }) => {
        const sorted = sortedTokensOf(spec);
        const parts = newTokenParts();
        const lookups = [...queries, ...edgeTokensOf(ring)];
        const positions = lookups.map((token) => ring.positionOf(token));
        expect(positions).toEqual(lookups.map((token) => positionByScan(sorted, token)));
        const byParts = lookups.map((token) => {
          tokenToParts(token, parts);
          return ring.positionOfParts(parts);
        });
        expect(byParts).toEqual(positions);
        const outside = lookups.filter((token, i) => {
          const { start, end } = rangeAt(ring, positions[i]!);
          return !rangeContains(start, end, token);
        });
        expect(outside).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('positionOf at the edges of ranges and of the ring', () => {
  it('maps a ring token to its own position and the next token up to the next position', () => {
    fc.assert(
      fc.property(ringArb(), ({ ring }) => {
        const last = ring.size - 1;
        const tokens = Array.from(ring.tokens);
        expect(tokens.map((token) => ring.positionOf(token))).toEqual(tokens.map((_, i) => i));
        const belowMax = tokens.filter((token) => token < MAX_TOKEN);
        expect(belowMax.map((token) => ring.positionOf(token + 1n))).toEqual(
          belowMax.map((_, i) => (i + 1) % ring.size),
        );
        // Every vnode token is >= -2^63, so the minimum always falls in position 0's range.
        expect(ring.positionOf(MIN_TOKEN)).toBe(0);
        // Above the last vnode, the walk wraps to position 0.
        expect(ring.positionOf(MAX_TOKEN)).toBe(ring.tokens[last] === MAX_TOKEN ? last : 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('handles vnodes placed on -2^63 and 2^63 - 1 themselves', () => {
    const nodes: NodeSpec[] = [
      { id: 'a', dc: 'dc1', rack: 'r1' },
      { id: 'b', dc: 'dc1', rack: 'r1' },
    ];
    const ring = buildRing(nodes, [[MAX_TOKEN], [MIN_TOKEN]]);
    expect(Array.from(ring.tokens)).toEqual([MIN_TOKEN, MAX_TOKEN]);
    expect(ring.positionOf(MIN_TOKEN)).toBe(0);
    expect(ring.positionOf(MIN_TOKEN + 1n)).toBe(1);
    expect(ring.positionOf(MAX_TOKEN)).toBe(1);
    // (2^63 - 1, -2^63] is a single token; (-2^63, 2^63 - 1] is the rest.
    expect(rangeSize(rangeAt(ring, 0).start, rangeAt(ring, 0).end)).toBe(1n);
    expect(rangeSize(rangeAt(ring, 1).start, rangeAt(ring, 1).end)).toBe(RING_SIZE - 1n);
  });

  it('gives a one-vnode ring the whole ring', () => {
    const ring = buildRing([{ id: 'solo', dc: 'dc1', rack: 'r1' }], [[42n]]);
    for (const token of [MIN_TOKEN, 41n, 42n, 43n, MAX_TOKEN])
      expect(ring.positionOf(token)).toBe(0);
    const { start, end } = rangeAt(ring, 0);
    expect(rangeSize(start, end)).toBe(RING_SIZE);
    expect(Array.from(rangeFractions(ring))).toEqual([1]);
  });
});

describe('rangeAt partitions the ring', () => {
  it('chains the ranges end to start and their sizes sum to exactly 2^64', () => {
    fc.assert(
      fc.property(ringArb(), ({ ring }) => {
        const ranges = Array.from(ring.tokens, (_, position) => rangeAt(ring, position));
        expect(ranges.map((range) => range.end)).toEqual(Array.from(ring.tokens));
        // Each range starts where the one before it (wrapping) ends: no gap, no overlap.
        expect(ranges.map((range) => range.start)).toEqual(
          ranges.map((_, i) => ranges[(i - 1 + ranges.length) % ranges.length]!.end),
        );
        const total = ranges.reduce((sum, { start, end }) => sum + rangeSize(start, end), 0n);
        expect(total).toBe(RING_SIZE);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('rangeFractions and primaryOwnership measure the ring', () => {
  it('give each range its share of 2^64, and each node the sum of its ranges; both sum to 1', () => {
    fc.assert(
      fc.property(ringArb(), ({ ring }) => {
        // Exact sizes in bigint, converted once: the reference the float shares are held to.
        const sizes = Array.from(ring.tokens, (_, position) => {
          const { start, end } = rangeAt(ring, position);
          return rangeSize(start, end);
        });
        const ownedByNode = new Array<bigint>(ring.nodes.length).fill(0n);
        sizes.forEach((size, position) => (ownedByNode[ring.owners[position]!]! += size));
        const share = (size: bigint): number => Number(size) / Number(RING_SIZE);

        const fractions = rangeFractions(ring);
        expect(fractions).toHaveLength(ring.size);
        expect(maxAbsDifference(fractions, sizes.map(share))).toBeLessThan(1e-12);
        expect(fractions.reduce((sum, f) => sum + f, 0)).toBeCloseTo(1, 9);

        const ownership = primaryOwnership(ring);
        expect(ownership).toHaveLength(ring.nodes.length);
        expect(maxAbsDifference(ownership, ownedByNode.map(share))).toBeLessThan(1e-12);
        // Every node holds at least one token, hence a non-empty range.
        expect(Math.min(...ownership)).toBeGreaterThan(0);
        expect(ownership.reduce((sum, f) => sum + f, 0)).toBeCloseTo(1, 9);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('buildRing refuses a ring Cassandra would refuse', () => {
  const twoNodes: NodeSpec[] = [
    { id: 'a', dc: 'dc1', rack: 'r1' },
    { id: 'b', dc: 'dc1', rack: 'r1' },
  ];

  it('refuses a token taken twice, by two nodes or by one', () => {
    const specWithDuplicate = ringSpecArb().chain((spec) => {
      const all = spec.tokensByNode.flat();
      return fc
        .tuple(
          fc.integer({ min: 0, max: all.length - 1 }),
          fc.integer({ min: 0, max: spec.topology.nodes.length - 1 }),
        )
        .map(([tokenIndex, receiver]) => ({
          spec,
          tokensByNode: spec.tokensByNode.map((tokens, node) =>
            node === receiver ? [...tokens, all[tokenIndex]!] : tokens,
          ),
        }));
    });
    fc.assert(
      fc.property(specWithDuplicate, ({ spec, tokensByNode }) => {
        expectRinglabError(
          () => buildRing(spec.topology.nodes, tokensByNode),
          'INVALID_CONFIG',
          'tokens',
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a node with an empty token list', () => {
    fc.assert(
      fc.property(
        ringSpecArb().chain((spec) =>
          fc
            .integer({ min: 0, max: spec.topology.nodes.length - 1 })
            .map((emptied) => ({ spec, emptied })),
        ),
        ({ spec, emptied }) => {
          const tokensByNode = spec.tokensByNode.map((tokens, node) =>
            node === emptied ? [] : tokens,
          );
          expectRinglabError(
            () => buildRing(spec.topology.nodes, tokensByNode),
            'INVALID_CONFIG',
            'tokens',
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses an empty node list, a missing token list and a repeated node id', () => {
    expectRinglabError(() => buildRing([], []), 'INVALID_CONFIG', 'nodes');
    expectRinglabError(() => buildRing(twoNodes, [[1n]]), 'INVALID_CONFIG', 'tokens');
    expectRinglabError(
      () =>
        buildRing(
          [
            { id: 'a', dc: 'dc1', rack: 'r1' },
            { id: 'a', dc: 'dc2', rack: 'r2' },
          ],
          [[1n], [2n]],
        ),
      'INVALID_CONFIG',
      'nodes',
    );
  });

  // Regression, found by this suite: buildRing once accepted 2^63 (stored as -2^63, leaving the
  // ring unsorted) and 2^64 (stored as 0, an undetected duplicate).
  it('refuses a token outside the signed 64-bit ring', () => {
    expectRinglabError(
      () => buildRing(twoNodes, [[MAX_TOKEN + 1n], [0n]]),
      'INVALID_CONFIG',
      'tokens',
    );
    expectRinglabError(
      () => buildRing(twoNodes, [[MIN_TOKEN - 1n], [0n]]),
      'INVALID_CONFIG',
      'tokens',
    );
    expectRinglabError(() => buildRing(twoNodes, [[RING_SIZE], [0n]]), 'INVALID_CONFIG', 'tokens');
  });
});
