import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isRinglabError } from '../../../engine/errors.js';
import { createRandom, type Random } from '../../../engine/random.js';
import {
  createDistribution,
  DEFAULT_THETA,
  distributionNames,
  fnvhash64,
  MAX_ITEMS,
  checkSample,
  largestSampleCount,
  MAX_SAMPLE_COUNT,
  resolveDistribution,
  SAMPLE_BUDGET,
  sampleCost,
  sampleTop,
  SCRAMBLED_ITEM_COUNT,
  SCRAMBLED_ZETAN,
  zeta,
  type DistributionOptions,
  type ItemCount,
} from '../../../bench/workloads/distributions.js';

/**
 * Statistical checks use bounds derived from theory, not tuned to a seed: a count of an event of
 * probability p over n draws is within 5 standard deviations of n * p (a false alarm about once
 * in 3.5 million), and a chi-square statistic within its two-sided 1e-6 quantiles.
 */
function expectBinomial(observed: number, n: number, p: number, sds = 5): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(observed - n * p)).toBeLessThanOrEqual(sds * sd);
}

/** Wilson-Hilferty: the chi-square quantile with `df` degrees of freedom at standard normal z. */
function chiSquareQuantile(df: number, z: number): number {
  const c = 2 / (9 * df);
  return df * Math.pow(1 - c + z * Math.sqrt(c), 3);
}
const Z_1E6 = 4.753; // the upper 1e-6 point of the standard normal

function tally(options: DistributionOptions, draws: number, seed: number): Uint32Array {
  const distribution = createDistribution(options, createRandom(seed));
  const counts = new Uint32Array(distribution.spec.items);
  for (let i = 0; i < draws; i++) counts[distribution.next()]!++;
  return counts;
}

function directZeta(n: number, theta: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += 1 / Math.pow(i, theta);
  return sum;
}

function expectConfigError(run: () => unknown, field: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isRinglabError(caught)).toBe(true);
  if (isRinglabError(caught)) {
    expect(caught.code).toBe('INVALID_CONFIG');
    expect(caught.field).toBe(field);
  }
}

const MILLION = 1_000_000;

/** A Random whose every float is `u`: drives a sampler to a chosen edge. */
function stubRandom(u: number): Random {
  const stub: Random = {
    seed: 0,
    path: 'stub',
    nextFloat: () => u,
    nextUint32: () => Math.floor(u * 2 ** 32),
    nextInt: (bound) => Math.floor(u * bound),
    nextUint64: () => 0n,
    fork: () => stub,
  };
  return stub;
}

describe('zeta', () => {
  it('equals direct summation below and above the Euler-Maclaurin switch', () => {
    for (const n of [1, 2, 3, 10, 1024, 1025, 5000, 100_000]) {
      for (const theta of [0.01, 0.5, 0.99, 0.999999]) {
        const expected = directZeta(n, theta);
        expect(Math.abs(zeta(n, theta) - expected) / expected).toBeLessThan(1e-12);
      }
    }
  });

  it('agrees with direct summation for any n and theta', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        (n, theta) => {
          const expected = directZeta(n, theta);
          return Math.abs(zeta(n, theta) - expected) / expected < 1e-12;
        },
      ),
      { numRuns: 60 },
    );
  });

  it("matches YCSB's precomputed zeta(10^10, 0.99)", () => {
    expect(Math.abs(zeta(SCRAMBLED_ITEM_COUNT, 0.99) / SCRAMBLED_ZETAN - 1)).toBeLessThan(1e-11);
  });

  it('rejects a non-integer n or a negative theta', () => {
    for (const [n, theta] of [
      [0, 0.5],
      [1.5, 0.5],
      [10, -0.1],
      [10, Number.NaN],
    ] as const) {
      expect(() => zeta(n, theta)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

/**
 * P(item k) under Gray's closed form, computed independently of the sampler: items 0 and 1 are
 * exact, item k >= 2 takes the u in [(1 + 2^-theta) / zetan, 1) whose image
 * n * (eta * u - eta + 1)^(1 / (1 - theta)) lies in [k, k + 1).
 */
function grayProbability(n: number, theta: number, k: number): number {
  const zetan = zeta(n, theta);
  if (k === 0) return 1 / zetan;
  if (k === 1) return Math.pow(0.5, theta) / zetan;
  const eta = (1 - Math.pow(2 / n, 1 - theta)) / (1 - zeta(2, theta) / zetan);
  const lower = (1 + Math.pow(0.5, theta)) / zetan;
  const uAt = (x: number): number =>
    Math.min(1, Math.max(lower, (Math.pow(x / n, 1 - theta) - 1 + eta) / eta));
  return uAt(k + 1) - uAt(k);
}

describe('zipfian', () => {
  for (const n of [10_000, 100]) {
    it(`draws item 0 with frequency 1/zeta(${n}, 0.99) within 2% on a million samples`, () => {
      const counts = tally({ kind: 'zipfian', items: n }, MILLION, 1);
      const expected = MILLION / zeta(n, DEFAULT_THETA);
      expect(Math.abs(counts[0]! / expected - 1)).toBeLessThan(0.02);
      // Item 1 is also exact in Gray's algorithm.
      const expected1 = (MILLION * Math.pow(2, -DEFAULT_THETA)) / zeta(n, DEFAULT_THETA);
      expect(Math.abs(counts[1]! / expected1 - 1)).toBeLessThan(0.02);
    });

    it(`follows Gray's closed form for ranks 2..7 and roughly Zipf's law (n = ${n})`, () => {
      const counts = tally({ kind: 'zipfian', items: n }, MILLION, 2);
      const zetan = zeta(n, DEFAULT_THETA);
      for (let k = 2; k < 8; k++) {
        expectBinomial(counts[k]!, MILLION, grayProbability(n, DEFAULT_THETA, k));
        // Gray's approximation over-weights the first ranks after 1 (YCSB inherits this): up to
        // +18% at rank 2 for n = 10,000, shrinking with rank.
        const pureZipf = MILLION / Math.pow(k + 1, DEFAULT_THETA) / zetan;
        expect(counts[k]! / pureZipf).toBeGreaterThan(0.97);
        expect(counts[k]! / pureZipf).toBeLessThan(1.25);
      }
      // Popularity falls with rank.
      for (let k = 1; k < 8; k++) expect(counts[k]!).toBeLessThan(counts[k - 1]!);
    });
  }

  it('honours a configured theta', () => {
    const n = 1000;
    const theta = 0.5;
    const counts = tally({ kind: 'zipfian', items: n, theta }, MILLION, 3);
    expectBinomial(counts[0]!, MILLION, 1 / zeta(n, theta));
    expectBinomial(counts[1]!, MILLION, Math.pow(0.5, theta) / zeta(n, theta));
  });

  it('regression: u within an ulp of 1 stays below items', () => {
    // Gray's closed form gives exactly `items` at u = 1 - 2^-53 for theta 0.99 and items 3, 10,
    // 1000, 2^32 (YCSB's ZipfianGenerator can return itemcount there); the sampler clamps it.
    const largestFloat = stubRandom(1 - 2 ** -53);
    for (const kind of ['zipfian', 'latest', 'scrambled-zipfian'] as const) {
      for (const items of [3, 10, 1000, MAX_ITEMS]) {
        for (const theta of [0.5, 0.9, 0.99]) {
          const item = createDistribution({ kind, items, theta }, largestFloat).next();
          expect(item).toBeGreaterThanOrEqual(0);
          expect(item).toBeLessThan(items);
        }
      }
    }
    expect(createDistribution({ kind: 'zipfian', items: 10 }, largestFloat).next()).toBe(9);
    expect(createDistribution({ kind: 'latest', items: 10 }, largestFloat).next()).toBe(0);
  });

  it('handles one and two items exactly', () => {
    expect(Array.from(tally({ kind: 'zipfian', items: 1 }, 1000, 4))).toEqual([1000]);
    const two = tally({ kind: 'zipfian', items: 2 }, 100_000, 5);
    expectBinomial(two[1]!, 100_000, Math.pow(0.5, 0.99) / (1 + Math.pow(0.5, 0.99)));
  });
});

describe('uniform', () => {
  it('passes a two-sided chi-square test over 1,000 buckets', () => {
    const buckets = 1000;
    const counts = tally({ kind: 'uniform', items: buckets }, MILLION, 6);
    const expected = MILLION / buckets;
    let chiSquare = 0;
    for (const observed of counts) chiSquare += (observed - expected) ** 2 / expected;
    expect(chiSquare).toBeLessThan(chiSquareQuantile(buckets - 1, Z_1E6));
    expect(chiSquare).toBeGreaterThan(chiSquareQuantile(buckets - 1, -Z_1E6));
  });
});

describe('hotspot', () => {
  it('sends the hot operation fraction to the hot data fraction, uniformly within each set', () => {
    for (const [hotDataFraction, hotOpFraction] of [
      [0.2, 0.8],
      [0.01, 0.99],
      [0.5, 0.1],
    ] as const) {
      const items = 10_000;
      const draws = 500_000;
      const counts = tally({ kind: 'hotspot', items, hotDataFraction, hotOpFraction }, draws, 7);
      const hotItems = Math.floor(items * hotDataFraction);
      let hot = 0;
      let hotLowerHalf = 0;
      for (let i = 0; i < hotItems; i++) {
        hot += counts[i]!;
        if (i < hotItems / 2) hotLowerHalf += counts[i]!;
      }
      expectBinomial(hot, draws, hotOpFraction);
      expectBinomial(hotLowerHalf, hot, 0.5);
      let coldLowerHalf = 0;
      const coldItems = items - hotItems;
      for (let i = hotItems; i < hotItems + coldItems / 2; i++) coldLowerHalf += counts[i]!;
      expectBinomial(coldLowerHalf, draws - hot, 0.5);
    }
  });

  it("defaults to YCSB's 20% of data taking 80% of operations", () => {
    expect(resolveDistribution({ kind: 'hotspot', items: 10 })).toEqual({
      kind: 'hotspot',
      items: 10,
      hotDataFraction: 0.2,
      hotOpFraction: 0.8,
    });
  });

  it('keeps at least one hot item when the hot fraction rounds to none', () => {
    const counts = tally({ kind: 'hotspot', items: 3, hotDataFraction: 0.1 }, 100_000, 8);
    expectBinomial(counts[0]!, 100_000, 0.8);
    expect(Array.from(tally({ kind: 'hotspot', items: 1 }, 100, 8))).toEqual([100]);
  });
});

describe('latest', () => {
  it('is zipfian in the distance from the newest item', () => {
    const n = 10_000;
    const latest = createDistribution({ kind: 'latest', items: n }, createRandom(9));
    const zipfian = createDistribution({ kind: 'zipfian', items: n }, createRandom(9));
    let mismatches = 0;
    for (let i = 0; i < 10_000; i++) if (latest.next() !== n - 1 - zipfian.next()) mismatches++;
    expect(mismatches).toBe(0);
    const counts = tally({ kind: 'latest', items: n }, MILLION, 10);
    expect(Math.abs(counts[n - 1]! / (MILLION / zeta(n, DEFAULT_THETA)) - 1)).toBeLessThan(0.02);
    expect(counts[n - 2]!).toBeGreaterThan(counts[n - 3]!);
  });
});

/** FNV-1a 64 over bytes, in BigInt: an oracle independent of the 32-bit-word implementation. */
function fnv1a64(bytes: readonly number[]): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

/** YCSB's fnvhash64: FNV-1a over the long's 8 bytes, low first, then Java's Math.abs. */
function ycsbFnvOracle(value: number): bigint {
  const bytes: number[] = [];
  let v = BigInt(value);
  for (let i = 0; i < 8; i++) {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  }
  const signed = BigInt.asIntN(64, fnv1a64(bytes));
  return signed < 0n ? -signed : signed;
}

describe('fnvhash64', () => {
  it('oracle matches the published FNV-1a 64 test vectors', () => {
    const text = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
    expect(fnv1a64([])).toBe(0xcbf29ce484222325n);
    expect(fnv1a64(text('a'))).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64(text('foobar'))).toBe(0x85944171f73967e8n);
  });

  it('matches values computed with Java long arithmetic (YCSB Utils.fnvhash64)', () => {
    // Pinned from a javac-compiled run of YCSB's loop: signed long overflow and Math.abs.
    expect(fnvhash64(0)).toBe(0x573807cdd7e5c63bn);
    expect(fnvhash64(1)).toBe(0x7632ced6e2d5105cn);
    expect(fnvhash64(255)).toBe(0x6fe94e691cb65ce6n);
    expect(fnvhash64(123456789)).toBe(0x209fb53a28d931e7n);
    expect(fnvhash64(10_000_000_000)).toBe(0x10abf36308de12a4n);
  });

  it('agrees with the BigInt oracle on any non-negative safe integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: SCRAMBLED_ITEM_COUNT }),
          fc.maxSafeNat(),
          fc.integer({ min: 0, max: 300 }),
        ),
        (value) => fnvhash64(value) === ycsbFnvOracle(value),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('scrambled-zipfian', () => {
  it("keeps the zipfian head's shape but scatters it, as YCSB does", () => {
    const n = 10_000;
    const top = sampleTop({ kind: 'scrambled-zipfian', items: n }, MILLION, 3, createRandom(11));
    // The hidden zipfian's item 0 lands on fnvhash64(0) mod n, item 1 on fnvhash64(1) mod n.
    expect(top[0]!.item).toBe(Number(fnvhash64(0) % BigInt(n)));
    expect(top[0]!.item).not.toBe(0);
    expect(top[1]!.item).toBe(Number(fnvhash64(1) % BigInt(n)));
    // The head's weight is 1/ZETAN whatever n is (YCSB's fixed 10^10 space), plus about 1/n of
    // the tail folding onto the same item.
    const expected = MILLION * (1 / SCRAMBLED_ZETAN + 1 / n);
    expect(Math.abs(top[0]!.count / expected - 1)).toBeLessThan(0.02);
    const expected1 = MILLION * (Math.pow(0.5, 0.99) / SCRAMBLED_ZETAN + 1 / n);
    expect(Math.abs(top[1]!.count / expected1 - 1)).toBeLessThan(0.03);
  });

  it('supports a theta other than 0.99 without summing 10^10 terms', () => {
    const n = 1000;
    const theta = 0.9;
    const top = sampleTop(
      { kind: 'scrambled-zipfian', items: n, theta },
      200_000,
      1,
      createRandom(12),
    );
    const p = 1 / zeta(SCRAMBLED_ITEM_COUNT + 1, theta);
    // The tail folds roughly evenly onto every item: at most p + (1 - p) / n plus noise on top.
    expect(top[0]!.item).toBe(Number(fnvhash64(0) % BigInt(n)));
    expect(top[0]!.count).toBeGreaterThan(200_000 * p);
  });
});

describe('createDistribution', () => {
  const specArbitrary = fc.oneof(
    fc.record({
      kind: fc.constant('uniform' as const),
      items: fc.integer({ min: 1, max: MAX_ITEMS }),
    }),
    ...(['zipfian', 'scrambled-zipfian', 'latest'] as const).map((kind) =>
      fc.record({
        kind: fc.constant(kind),
        items: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: MAX_ITEMS })),
        theta: fc.double({ min: 0.01, max: 0.999, noNaN: true }),
      }),
    ),
    fc.record({
      kind: fc.constant('hotspot' as const),
      items: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: MAX_ITEMS })),
      hotDataFraction: fc.double({ min: 0.001, max: 0.999, noNaN: true }),
      hotOpFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  );

  it('draws integers in [0, items) for any spec and seed', () => {
    fc.assert(
      fc.property(specArbitrary, fc.nat(), (spec, seed) => {
        const distribution = createDistribution(spec, createRandom(seed));
        for (let i = 0; i < 500; i++) {
          const item = distribution.next();
          if (!Number.isInteger(item) || item < 0 || item >= spec.items) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('reproduces the same stream from the same seed', () => {
    for (const kind of distributionNames) {
      const a = createDistribution({ kind, items: 1000 }, createRandom(13));
      const b = createDistribution({ kind, items: 1000 }, createRandom(13));
      for (let i = 0; i < 1000; i++) expect(a.next()).toBe(b.next());
    }
  });

  it('returns the resolved spec, which resolves to itself', () => {
    const distribution = createDistribution({ kind: 'latest', items: 7 }, createRandom(1));
    expect(distribution.spec).toEqual({ kind: 'latest', items: 7, theta: 0.99 });
    expect(resolveDistribution(distribution.spec)).toEqual(distribution.spec);
  });
});

describe('resolveDistribution', () => {
  it('names the offending field', () => {
    const cases: [DistributionOptions, string][] = [
      [{ kind: 'zipfian', items: 10, theta: 0 }, 'theta'],
      [{ kind: 'zipfian', items: 10, theta: 1 }, 'theta'],
      [{ kind: 'latest', items: 10, theta: Number.NaN }, 'theta'],
      [{ kind: 'scrambled-zipfian', items: 10, theta: 1.5 }, 'theta'],
      [{ kind: 'uniform', items: 10, theta: 0.5 }, 'theta'],
      [{ kind: 'zipfian', items: 0 }, 'items'],
      [{ kind: 'zipfian', items: 2.5 }, 'items'],
      [{ kind: 'uniform', items: MAX_ITEMS + 1 }, 'items'],
      [{ kind: 'uniform', items: Number.NaN }, 'items'],
      [{ kind: 'hotspot', items: 10, hotDataFraction: 0 }, 'hotDataFraction'],
      [{ kind: 'hotspot', items: 10, hotDataFraction: 1 }, 'hotDataFraction'],
      [{ kind: 'hotspot', items: 10, hotOpFraction: 1.01 }, 'hotOpFraction'],
      [{ kind: 'zipfian', items: 10, hotOpFraction: 0.5 }, 'hotOpFraction'],
      [{ kind: 'gaussian' as 'uniform', items: 10 }, 'dist'],
    ];
    for (const [options, field] of cases)
      expectConfigError(() => resolveDistribution(options), field);
  });

  it('names fields as the user knows them: the flag, never a path into a config', () => {
    // The skew bench resolves its server distribution with the items being servers.
    const servers = { items: 'servers' };
    expectConfigError(
      () => resolveDistribution({ kind: 'zipfian', items: 10, theta: 2 }, servers),
      'theta',
    );
    expectConfigError(() => resolveDistribution({ kind: 'zipfian', items: 0 }, servers), 'servers');
    expectConfigError(
      () => resolveDistribution({ kind: 'hotspot', items: 10, hotOpFraction: 2 }, servers),
      'hotOpFraction',
    );
  });
});

/** Counts every draw and sorts all items: the obvious implementation sampleTop must agree with. */
function naiveTop(
  options: DistributionOptions,
  count: number,
  top: number,
  seed: number,
): ItemCount[] {
  const distribution = createDistribution(options, createRandom(seed));
  const counts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const item = distribution.next();
    counts.set(item, (counts.get(item) ?? 0) + 1);
  }
  return [...counts]
    .map(([item, n]) => ({ item, count: n }))
    .sort((a, b) => b.count - a.count || a.item - b.item)
    .slice(0, top);
}

/**
 * naiveTop for samples too large for a Map to be quick: the built-in sort puts equal draws in
 * runs, and only the runs at least as long as the top-th longest are ranked.
 */
function sortedTop(
  options: DistributionOptions,
  count: number,
  top: number,
  seed: number,
): ItemCount[] {
  const distribution = createDistribution(options, createRandom(seed));
  const draws = new Float64Array(count);
  for (let i = 0; i < count; i++) draws[i] = distribution.next();
  draws.sort();
  const runs: ItemCount[] = [];
  for (let start = 0, end = 1; start < count; start = end, end = start + 1) {
    while (end < count && draws[end] === draws[start]) end++;
    runs.push({ item: draws[start]!, count: end - start });
  }
  const lengths = Float64Array.from(runs, (run) => run.count).sort();
  const shortest = lengths[Math.max(0, lengths.length - top)]!;
  return runs
    .filter((run) => run.count >= shortest)
    .sort((a, b) => b.count - a.count || a.item - b.item)
    .slice(0, top);
}

describe('sampleTop', () => {
  it('agrees with counting everything and sorting', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...distributionNames),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        (kind, items, count, top, seed) => {
          const options = { kind, items };
          expect(sampleTop(options, count, top, createRandom(seed))).toEqual(
            naiveTop(options, count, top, seed),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('handles item spaces too large to tally densely', () => {
    const options: DistributionOptions = { kind: 'scrambled-zipfian', items: MAX_ITEMS };
    expect(sampleTop(options, 20_000, 10, createRandom(14))).toEqual(
      naiveTop(options, 20_000, 10, 14),
    );
  });

  it('orders ties by item', () => {
    const result = sampleTop({ kind: 'uniform', items: 3 }, 3, 3, createRandom(15));
    for (let i = 1; i < result.length; i++) {
      const a = result[i - 1]!;
      const b = result[i]!;
      expect(a.count > b.count || (a.count === b.count && a.item < b.item)).toBe(true);
    }
  });

  it('tallies densely a large item space that the draws cover enough, and agrees', () => {
    // Just above the always-dense size, with half as many draws as items: a dense tally takes
    // no more memory than sorting the draws, so it is chosen.
    const options: DistributionOptions = { kind: 'zipfian', items: 2 ** 22 + 2 };
    expect(sampleTop(options, 2 ** 21 + 1, 20, createRandom(16))).toEqual(
      sortedTop(options, 2 ** 21 + 1, 20, 16),
    );
  });

  it('regression: more than 2^24 distinct items (a Map stops there) are counted exactly', () => {
    // `workload sample --items 4294967296 --count 20000000` died with "Map maximum size
    // exceeded": every uniform draw over 2^32 items is nearly always a new item.
    const options: DistributionOptions = { kind: 'uniform', items: MAX_ITEMS };
    const count = 2 ** 24 + 2 ** 20;
    const top = sampleTop(options, count, 5, createRandom(17));
    expect(top).toHaveLength(5);
    // Recount the items returned in a second pass over the same stream: the counts are exact,
    // and, with count^2 / (2 items) = 3.6e4 expected pairs, the top items were drawn twice or
    // more.
    const exact = new Map(top.map((entry) => [entry.item, 0]));
    const again = createDistribution(options, createRandom(17));
    for (let i = 0; i < count; i++) {
      const item = again.next();
      const seen = exact.get(item);
      if (seen !== undefined) exact.set(item, seen + 1);
    }
    for (const entry of top) {
      expect(entry.count).toBe(exact.get(entry.item));
      expect(entry.count).toBeGreaterThanOrEqual(2);
    }
  });

  it('returns what was drawn, whatever top asks for', () => {
    const few = sampleTop(
      { kind: 'uniform', items: 10 },
      1000,
      Number.MAX_SAFE_INTEGER,
      createRandom(18),
    );
    expect(few.map((entry) => entry.item).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(few.reduce((sum, entry) => sum + entry.count, 0)).toBe(1000);
    const sparse = sampleTop(
      { kind: 'uniform', items: MAX_ITEMS },
      1000,
      10 ** 15,
      createRandom(18),
    );
    expect(sparse.reduce((sum, entry) => sum + entry.count, 0)).toBe(1000);
  });

  it.each(distributionNames)('draws item 0 every time from one %s item', (kind) => {
    expect(sampleTop({ kind, items: 1 }, 5000, 3, createRandom(19))).toEqual([
      { item: 0, count: 5000 },
    ]);
  });

  it('rejects a bad count or top', () => {
    expectConfigError(
      () => sampleTop({ kind: 'uniform', items: 3 }, 0, 3, createRandom(1)),
      'count',
    );
    expectConfigError(
      () => sampleTop({ kind: 'uniform', items: 3 }, 10, 0, createRandom(1)),
      'top',
    );
    expectConfigError(
      () => sampleTop({ kind: 'uniform', items: 3 }, 10, 1.5, createRandom(1)),
      'top',
    );
    expectConfigError(
      () => sampleTop({ kind: 'uniform', items: 3 }, 10, 2 ** 53, createRandom(1)),
      'top',
    );
  });
});

describe('checkSample: refusing up front what would not finish', () => {
  it.each(distributionNames)('refuses 10^12 draws from %s, naming count', (kind) => {
    const spec = resolveDistribution({ kind, items: 10_000 });
    expect(sampleCost(spec, 10 ** 12, 100).seconds).toBeGreaterThan(SAMPLE_BUDGET.seconds);
    expectConfigError(() => checkSample(spec, 10 ** 12, 100), 'count');
    // sampleTop refuses before drawing: a stream that throws on use is never touched.
    expectConfigError(() => sampleTop(spec, 10 ** 12, 100, throwingRandom), 'count');
  });

  it('refuses what would not fit in memory', () => {
    // 2^31 draws from a uniform over 2^32 items: the draws alone take 16 GiB to sort.
    const spec = resolveDistribution({ kind: 'uniform', items: MAX_ITEMS });
    expect(sampleCost(spec, 2 ** 31, 10).bytes).toBeGreaterThan(SAMPLE_BUDGET.bytes);
    expectConfigError(() => checkSample(spec, 2 ** 31, 10), 'count');
  });

  it('accepts the default sample and the README one on every distribution', () => {
    for (const kind of distributionNames) {
      for (const items of [1, 10_000, MAX_ITEMS]) {
        const spec = resolveDistribution({ kind, items });
        expect(() => checkSample(spec, MILLION, 100)).not.toThrow();
      }
    }
  });

  it('suggests a count that it accepts, and refuses more than it suggests by half', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...distributionNames),
        fc.integer({ min: 1, max: MAX_ITEMS }),
        fc.integer({ min: 1, max: 10 ** 6 }),
        (kind, items, top) => {
          const spec = resolveDistribution({ kind, items });
          const largest = largestSampleCount(spec, top);
          expect(() => checkSample(spec, largest, top)).not.toThrow();
          const cost = sampleCost(spec, largest, top);
          expect(cost.seconds).toBeLessThanOrEqual(SAMPLE_BUDGET.seconds);
          expect(cost.bytes).toBeLessThanOrEqual(SAMPLE_BUDGET.bytes);
          const over = Math.ceil(largest * 1.5);
          if (over <= MAX_SAMPLE_COUNT && !fitsBudget(sampleCost(spec, over, top))) {
            expectConfigError(() => checkSample(spec, over, top), 'count');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

function fitsBudget(cost: { seconds: number; bytes: number }): boolean {
  return cost.seconds <= SAMPLE_BUDGET.seconds && cost.bytes <= SAMPLE_BUDGET.bytes;
}

/** A stream that fails the test if anything draws from it. */
const throwingRandom: Random = {
  seed: 0,
  path: 'throwing',
  nextFloat: () => expect.unreachable('drew a float'),
  nextUint32: () => expect.unreachable('drew a uint32'),
  nextInt: () => expect.unreachable('drew an int'),
  nextUint64: () => expect.unreachable('drew a uint64'),
  fork: () => throwingRandom,
};

/**
 * P(item < x) for 2 <= x <= n under Gray's closed form, in a form that keeps its precision as
 * theta nears 1: the draw is below x when u < 1 - (1 - (x/n)^(1-theta)) / eta.
 */
function grayBelow(n: number, theta: number, x: number): number {
  const oneMinus = 1 - theta;
  const denominator = 1 - zeta(2, theta) / zeta(n, theta);
  const eta = -Math.expm1(oneMinus * Math.log(2 / n)) / denominator;
  return 1 + Math.expm1(oneMinus * Math.log(x / n)) / eta;
}

describe('theta at the ends of (0, 1)', () => {
  const THETA_KINDS = ['zipfian', 'scrambled-zipfian', 'latest'] as const;
  const extremes = [Number.MIN_VALUE, 1e-12, 1 - 1e-9, 1 - 2 ** -53];

  it.each(THETA_KINDS)('%s draws valid items at every extreme and item count', (kind) => {
    for (const theta of extremes) {
      for (const items of [1, 2, 3, 1000, MAX_ITEMS]) {
        const distribution = createDistribution({ kind, items, theta }, createRandom(20));
        for (let i = 0; i < 2000; i++) {
          const item = distribution.next();
          expect(Number.isInteger(item) && item >= 0 && item < items).toBe(true);
        }
      }
    }
  });

  it('is nearly uniform as theta nears 0', () => {
    const n = 1000;
    const counts = tally({ kind: 'zipfian', items: n, theta: Number.MIN_VALUE }, MILLION, 21);
    const expected = MILLION / n;
    let chiSquare = 0;
    for (const observed of counts) chiSquare += (observed - expected) ** 2 / expected;
    expect(chiSquare).toBeLessThan(chiSquareQuantile(n - 1, Z_1E6));
  });

  it('regression: keeps its tail as theta nears 1', () => {
    // At theta = 1 - 2^-53 the closed form's base rounded to a handful of doubles, so 10,000
    // items gave 11 distinct draws, none between 2 and 1,352. Each cut below must hold the
    // share of draws Gray's law gives it.
    const draws = 200_000;
    for (const theta of [1 - 1e-6, 1 - 1e-9, 1 - 2 ** -53]) {
      for (const n of [10_000, MAX_ITEMS]) {
        const distribution = createDistribution(
          { kind: 'zipfian', items: n, theta },
          createRandom(22),
        );
        const cuts = [3, 10, 100, Math.floor(n / 100), Math.floor(n / 2)];
        const below = cuts.map(() => 0);
        for (let i = 0; i < draws; i++) {
          const item = distribution.next();
          cuts.forEach((cut, k) => {
            if (item < cut) below[k]!++;
          });
        }
        cuts.forEach((cut, k) => expectBinomial(below[k]!, draws, grayBelow(n, theta, cut)));
      }
    }
  });

  it('scrambled-zipfian scatters its tail as theta nears 1', () => {
    // The hidden zipfian over 10^10 + 1 items puts D ln(n / x) / ln(n / 2) of its draws at or
    // above x (D = 1 - zeta(2) / zeta(n), here 0.94); with x = 10^6 that is 0.39, and those
    // items are drawn so rarely that nearly every such draw is a new item.
    const draws = 100_000;
    const distribution = createDistribution(
      { kind: 'scrambled-zipfian', items: MAX_ITEMS, theta: 1 - 2 ** -53 },
      createRandom(23),
    );
    const seen = new Set<number>();
    for (let i = 0; i < draws; i++) seen.add(distribution.next());
    expect(seen.size).toBeGreaterThan(0.35 * draws);
  });
});
