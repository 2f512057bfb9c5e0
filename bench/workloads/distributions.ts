/**
 * Key distributions over the items [0, items), in the manner of YCSB's generators, each driven by
 * the `Random` passed in (never an implicit one), so a seed reproduces a key stream exactly.
 *
 * - `uniform`: every item equally likely.
 * - `zipfian`: item i drawn with probability about (1/(i+1)^theta) / zeta(items, theta), item 0 the
 *   most popular. Gray et al.'s algorithm ("Quickly Generating Billion-Record Synthetic Databases",
 *   SIGMOD 1994), as YCSB's ZipfianGenerator uses it. Its closed form is exact for items 0 and 1
 *   and approximate beyond: at items = 10,000 and theta = 0.99 it draws item 2 about 18% more often
 *   than a pure Zipf law would, item 7 about 4% more, and the excess shrinks with the rank. We keep
 *   it because matching YCSB's key stream is the point; the tests pin both facts.
 * - `scrambled-zipfian`: YCSB's ScrambledZipfianGenerator: a zipfian over a fixed space of 10^10 + 1
 *   items, each drawn item hashed with YCSB's 64-bit FNV-1a (`Utils.fnvhash64`) and taken mod
 *   items. The popular items land anywhere, but note what this inherits from YCSB: the skew does
 *   not depend on `items` (the hottest item gets about 1/zeta(10^10, theta), 3.8% at 0.99, whether
 *   there are 100 items or 10 million), and the tail folds onto every item, so a small item space
 *   is much flatter than `zipfian` over the same items.
 * - `hotspot`: YCSB's HotspotIntegerGenerator: a fraction `hotOpFraction` of draws goes uniformly to
 *   the lowest `hotDataFraction` of the items, the rest uniformly to the others.
 * - `latest`: YCSB's SkewedLatestGenerator over a fixed item count: the distance back from the
 *   newest item (items - 1) is zipfian, so the highest indexes are the most popular.
 *
 * Where this differs from YCSB (each noted again where it happens):
 * - zeta is summed exactly for up to 1,024 items and with an Euler-Maclaurin tail beyond (relative
 *   error below 1e-13), so any (items, theta) costs microseconds instead of YCSB's minutes for large
 *   item counts; YCSB sums every term. Scrambled zipfian at theta 0.99 uses YCSB's own precomputed
 *   constant, so that stream is YCSB's exactly.
 * - The item count is fixed per distribution: YCSB's zipfian can grow its item count and `latest`
 *   follows a growing insert counter; here a workload that grows creates a new distribution.
 * - hotspot guarantees a non-empty hot set (at least one item), where YCSB would divide by zero.
 * - fnvhash64's `Math.abs` keeps Java's result for every hash but Long.MIN_VALUE, which Java leaves
 *   negative (and YCSB would then return a negative item); we take its magnitude, 2^63.
 *
 * Every `next()` is allocation-free: the state lives in the closure and zeta is computed once, when
 * the distribution is created.
 */
import { invalidConfig, RinglabError } from '../../engine/errors.js';
import type { Random } from '../../engine/random.js';

export const distributionNames = [
  'uniform',
  'zipfian',
  'scrambled-zipfian',
  'hotspot',
  'latest',
] as const;
export type DistributionName = (typeof distributionNames)[number];

/** YCSB's ZIPFIAN_CONSTANT: the default skew of `zipfian`, `scrambled-zipfian` and `latest`. */
export const DEFAULT_THETA = 0.99;
/** YCSB's defaults (hotspotdatafraction, hotspotopnfraction): 80% of operations on 20% of data. */
export const DEFAULT_HOT_DATA_FRACTION = 0.2;
export const DEFAULT_HOT_OP_FRACTION = 0.8;

/**
 * The largest item count: counts fit a uint32, and the scrambled modulus stays below 2^37, where
 * its 16-bit-limb remainder is exact in doubles.
 */
export const MAX_ITEMS = 2 ** 32;

/** ScrambledZipfianGenerator.ITEM_COUNT: the hidden zipfian draws from [0, 10^10] (inclusive). */
export const SCRAMBLED_ITEM_COUNT = 10_000_000_000;
/** ScrambledZipfianGenerator.ZETAN: YCSB's zeta(10^10, 0.99), used whenever theta is 0.99. */
export const SCRAMBLED_ZETAN = 26.46902820178302;

/**
 * Raw options, as the CLI collects them (`--dist`, `--items`, `--theta`, ...). A parameter that
 * does not apply to the kind is rejected rather than ignored, so a mistyped flag is not silent.
 */
export interface DistributionOptions {
  readonly kind: DistributionName;
  readonly items: number;
  readonly theta?: number | undefined;
  readonly hotDataFraction?: number | undefined;
  readonly hotOpFraction?: number | undefined;
}

/** A validated, fully defaulted distribution. Every spec is also valid `DistributionOptions`. */
export type DistributionSpec =
  | { readonly kind: 'uniform'; readonly items: number }
  | { readonly kind: 'zipfian'; readonly items: number; readonly theta: number }
  | { readonly kind: 'scrambled-zipfian'; readonly items: number; readonly theta: number }
  | {
      readonly kind: 'hotspot';
      readonly items: number;
      readonly hotDataFraction: number;
      readonly hotOpFraction: number;
    }
  | { readonly kind: 'latest'; readonly items: number; readonly theta: number };

export interface Distribution {
  readonly spec: DistributionSpec;
  /** The next item, an integer in [0, spec.items). Allocation-free. */
  next(): number;
}

const THETA_KINDS: readonly DistributionName[] = ['zipfian', 'scrambled-zipfian', 'latest'];

/**
 * Validates and defaults raw options. Errors are `INVALID_CONFIG` naming the field, prefixed by
 * `fieldPrefix` when the options are nested in a larger config (e.g. 'serverDistribution.').
 */
export function resolveDistribution(raw: DistributionOptions, fieldPrefix = ''): DistributionSpec {
  const field = (name: string): string => `${fieldPrefix}${name}`;
  const kind = raw.kind as unknown;
  if (typeof kind !== 'string' || !(distributionNames as readonly string[]).includes(kind)) {
    throw invalidConfig(
      field('kind'),
      `must be one of ${distributionNames.join(', ')}, got ${String(kind)}`,
    );
  }
  const items = raw.items;
  if (!Number.isSafeInteger(items) || items < 1 || items > MAX_ITEMS) {
    throw invalidConfig(
      field('items'),
      `must be a positive integer no larger than ${MAX_ITEMS}, got ${items}`,
    );
  }
  if (raw.theta !== undefined && !THETA_KINDS.includes(raw.kind)) {
    throw invalidConfig(
      field('theta'),
      `applies only to ${THETA_KINDS.join(', ')}, not to ${raw.kind}`,
    );
  }
  if (
    raw.kind !== 'hotspot' &&
    (raw.hotDataFraction !== undefined || raw.hotOpFraction !== undefined)
  ) {
    const name = raw.hotDataFraction !== undefined ? 'hotDataFraction' : 'hotOpFraction';
    throw invalidConfig(field(name), `applies only to hotspot, not to ${raw.kind}`);
  }

  switch (raw.kind) {
    case 'uniform':
      return { kind: 'uniform', items };
    case 'zipfian':
    case 'scrambled-zipfian':
    case 'latest': {
      const theta = raw.theta ?? DEFAULT_THETA;
      // Gray's algorithm needs 0 < theta < 1: alpha = 1 / (1 - theta) and the eta term break at 1.
      if (!Number.isFinite(theta) || theta <= 0 || theta >= 1) {
        throw invalidConfig(field('theta'), `must be in (0, 1), got ${theta}`);
      }
      return { kind: raw.kind, items, theta };
    }
    case 'hotspot': {
      const hotDataFraction = raw.hotDataFraction ?? DEFAULT_HOT_DATA_FRACTION;
      const hotOpFraction = raw.hotOpFraction ?? DEFAULT_HOT_OP_FRACTION;
      // A hot set of all the data is a uniform distribution in disguise; an empty one is no hotspot.
      if (!Number.isFinite(hotDataFraction) || hotDataFraction <= 0 || hotDataFraction >= 1) {
        throw invalidConfig(field('hotDataFraction'), `must be in (0, 1), got ${hotDataFraction}`);
      }
      if (!Number.isFinite(hotOpFraction) || hotOpFraction < 0 || hotOpFraction > 1) {
        throw invalidConfig(field('hotOpFraction'), `must be in [0, 1], got ${hotOpFraction}`);
      }
      return { kind: 'hotspot', items, hotDataFraction, hotOpFraction };
    }
  }
}

/** Resolves `options` and returns a distribution drawing from `random`. */
export function createDistribution(options: DistributionOptions, random: Random): Distribution {
  const spec = resolveDistribution(options);
  return { spec, next: sampler(spec, random) };
}

function sampler(spec: DistributionSpec, random: Random): () => number {
  const items = spec.items;
  switch (spec.kind) {
    case 'uniform':
      return () => random.nextInt(items);
    case 'zipfian':
      return zipfianSampler(items, spec.theta, zeta(items, spec.theta), random);
    case 'latest': {
      const distance = zipfianSampler(items, spec.theta, zeta(items, spec.theta), random);
      const newest = items - 1;
      return () => newest - distance();
    }
    case 'scrambled-zipfian': {
      // YCSB builds ZipfianGenerator(0, ITEM_COUNT): ITEM_COUNT + 1 items, but its ZETAN constant
      // is zeta(ITEM_COUNT); the one-term difference is 1e-10 relative, so we keep its constant.
      const baseItems = SCRAMBLED_ITEM_COUNT + 1;
      const zetan = spec.theta === DEFAULT_THETA ? SCRAMBLED_ZETAN : zeta(baseItems, spec.theta);
      const base = zipfianSampler(baseItems, spec.theta, zetan, random);
      const words = new Uint32Array(2);
      return () => fnvhash64Mod(base(), items, words);
    }
    case 'hotspot': {
      // The hot set is the lowest indexes, as in YCSB; at least one item, at most all of them.
      const hotItems = Math.min(items, Math.max(1, Math.floor(items * spec.hotDataFraction)));
      const coldItems = items - hotItems;
      const hotOpFraction = spec.hotOpFraction;
      return () => {
        if (coldItems === 0 || random.nextFloat() < hotOpFraction) return random.nextInt(hotItems);
        return hotItems + random.nextInt(coldItems);
      };
    }
  }
}

/**
 * Gray et al.'s zipfian sampler, as YCSB's ZipfianGenerator.nextLong: one uniform draw u; items 0
 * and 1 take the exact slices [0, 1) and [1, 1 + 2^-theta) of u * zetan, the rest come from the
 * closed-form inverse items * (eta * u - eta + 1)^(1 / (1 - theta)).
 */
function zipfianSampler(items: number, theta: number, zetan: number, random: Random): () => number {
  const alpha = 1 / (1 - theta);
  const secondLimit = 1 + Math.pow(0.5, theta);
  // With one or two items u * zetan never reaches secondLimit, and eta would be 0 / 0.
  const eta = items > 2 ? (1 - Math.pow(2 / items, 1 - theta)) / (1 - zeta(2, theta) / zetan) : 0;
  const last = items - 1;
  return () => {
    const u = random.nextFloat();
    const uz = u * zetan;
    if (uz < 1) return 0;
    if (uz < secondLimit) return 1;
    const item = Math.floor(items * Math.pow(eta * u - eta + 1, alpha));
    // The product can round up to `items` when u is within an ulp of 1.
    return item < last ? item : last;
  };
}

/** Terms summed directly before the Euler-Maclaurin tail takes over. */
const ZETA_EXACT_TERMS = 1024;

/**
 * The generalised harmonic number zeta(n, theta) = sum over i in [1, n] of 1 / i^theta, the
 * normalising constant of a zipfian over n items (YCSB's `zetastatic(n, theta)`).
 *
 * Up to 1,024 terms are summed in YCSB's order. Beyond, the remaining terms are the integral plus
 * Euler-Maclaurin corrections through the fifth derivative; the first omitted term is below
 * 1024^-(theta + 7), so the result agrees with exact summation to about 1e-13 relative (closer than
 * a naive float sum of 10^10 terms agrees with itself) at a cost independent of n.
 */
export function zeta(n: number, theta: number): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RinglabError('INVALID_ARGUMENT', `n must be a positive integer, got ${n}`, 'n');
  }
  if (!Number.isFinite(theta) || theta < 0) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `theta must be a finite number >= 0, got ${theta}`,
      'theta',
    );
  }
  const m = Math.min(n, ZETA_EXACT_TERMS);
  let sum = 0;
  for (let i = 1; i <= m; i++) sum += 1 / Math.pow(i, theta);
  if (n === m) return sum;

  // Sum over i in (m, n] of f(i), f(x) = x^-theta:
  //   integral_m^n f + (f(n) - f(m)) / 2 + sum_k B_2k / (2k)! (f^(2k-1)(n) - f^(2k-1)(m)).
  const oneMinus = 1 - theta;
  const logRatio = Math.log(n / m);
  // m^(1-theta) * expm1(...) avoids cancelling n^(1-theta) - m^(1-theta) when theta is near 1.
  const integral =
    oneMinus === 0
      ? logRatio
      : (Math.pow(m, oneMinus) * Math.expm1(oneMinus * logRatio)) / oneMinus;
  const f = (x: number): number => Math.pow(x, -theta);
  const d1 = (x: number): number => -theta * Math.pow(x, -theta - 1);
  const c3 = -theta * (theta + 1) * (theta + 2);
  const d3 = (x: number): number => c3 * Math.pow(x, -theta - 3);
  const c5 = c3 * (theta + 3) * (theta + 4);
  const d5 = (x: number): number => c5 * Math.pow(x, -theta - 5);
  return (
    sum +
    integral +
    (f(n) - f(m)) / 2 +
    (d1(n) - d1(m)) / 12 -
    (d3(n) - d3(m)) / 720 +
    (d5(n) - d5(m)) / 30240
  );
}

/** Utils.FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325, as two 32-bit words. */
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
/** The low part of FNV_PRIME_64 = 2^40 + 0x1B3; the 2^40 part is a shift. */
const FNV_PRIME_LOW = 0x1b3;
const TWO_POW_32 = 4294967296;

/**
 * YCSB's `Utils.fnvhash64(value)`: FNV-1a over the eight bytes of the long, least significant
 * first, then `Math.abs` of the signed result. `value` is a non-negative safe integer. Written into
 * `out` as [high word, low word], in 32-bit halves so the hot path needs no BigInt.
 */
function fnvhash64Words(value: number, out: Uint32Array): void {
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  const valueLo = value >>> 0;
  const valueHi = Math.floor(value / TWO_POW_32) >>> 0;
  for (let i = 0; i < 8; i++) {
    const octet = i < 4 ? (valueLo >>> (8 * i)) & 0xff : (valueHi >>> (8 * (i - 4))) & 0xff;
    lo = (lo ^ octet) >>> 0;
    // (hi, lo) * (2^40 + 0x1b3) mod 2^64. lo * 0x1b3 < 2^41 is exact; its carry and lo * 2^8 (the
    // part of lo * 2^40 below 2^64) go to the high word, where only the low 32 bits survive.
    const product = lo * FNV_PRIME_LOW;
    const carry = Math.floor(product / TWO_POW_32);
    hi = (Math.imul(hi, FNV_PRIME_LOW) + carry + (lo << 8)) >>> 0;
    lo = product >>> 0;
  }
  if (hi >= 0x80000000) {
    // Math.abs of a negative long: two's-complement negation. Long.MIN_VALUE negates to itself,
    // read here as the unsigned 2^63 (Java keeps it negative).
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  out[0] = hi;
  out[1] = lo;
}

/** `fnvhash64(value) % modulus` for a modulus in [1, MAX_ITEMS]; `words` is scratch space. */
function fnvhash64Mod(value: number, modulus: number, words: Uint32Array): number {
  fnvhash64Words(value, words);
  const hi = words[0]!;
  const lo = words[1]!;
  // Horner over 16-bit limbs: the running remainder stays below 2^32, so r * 2^16 + limb < 2^48.
  let r = (hi >>> 16) % modulus;
  r = (r * 65536 + (hi & 0xffff)) % modulus;
  r = (r * 65536 + (lo >>> 16)) % modulus;
  return (r * 65536 + (lo & 0xffff)) % modulus;
}

/** YCSB's `Utils.fnvhash64(value)` for a non-negative safe integer, as an unsigned bigint. */
export function fnvhash64(value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `value must be a non-negative safe integer, got ${value}`,
      'value',
    );
  }
  const words = new Uint32Array(2);
  fnvhash64Words(value, words);
  return (BigInt(words[0]!) << 32n) | BigInt(words[1]!);
}

export interface ItemCount {
  readonly item: number;
  readonly count: number;
}

/** Item counts up to this size are tallied in a dense array (16 MiB); larger ones in a Map. */
const DENSE_TALLY_LIMIT = 1 << 22;

/**
 * Draws `count` items from the distribution and returns the `top` most frequent, sorted by count
 * descending, then item ascending (so ties are deterministic). Fewer than `top` entries come back
 * when fewer distinct items were drawn. Backs `ringlab workload sample`.
 */
export function sampleTop(
  options: DistributionOptions,
  count: number,
  top: number,
  random: Random,
): ItemCount[] {
  if (!Number.isSafeInteger(count) || count < 1 || count >= 2 ** 32) {
    throw invalidConfig('count', `must be a positive integer below 2^32, got ${count}`);
  }
  if (!Number.isSafeInteger(top) || top < 1) {
    throw invalidConfig('top', `must be a positive integer, got ${top}`);
  }
  const distribution = createDistribution(options, random);
  const items = distribution.spec.items;
  const best = createTopHeap(top);
  if (items <= DENSE_TALLY_LIMIT) {
    const tally = new Uint32Array(items);
    for (let i = 0; i < count; i++) tally[distribution.next()]!++;
    for (let item = 0; item < items; item++) {
      const n = tally[item]!;
      if (n > 0) best.offer(item, n);
    }
  } else {
    const tally = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const item = distribution.next();
      tally.set(item, (tally.get(item) ?? 0) + 1);
    }
    for (const [item, n] of tally) best.offer(item, n);
  }
  return best.sorted();
}

/** `a` ranks before `b`: more draws first, then the lower item. */
function ranksBefore(a: ItemCount, b: ItemCount): boolean {
  return a.count !== b.count ? a.count > b.count : a.item < b.item;
}

/** A bounded heap keeping the `capacity` best entries; its root is the worst one kept. */
function createTopHeap(capacity: number): {
  offer(item: number, count: number): void;
  sorted(): ItemCount[];
} {
  const heap: ItemCount[] = [];
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && ranksBefore(heap[worst]!, heap[left]!)) worst = left;
      if (right < heap.length && ranksBefore(heap[worst]!, heap[right]!)) worst = right;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  };
  return {
    offer(item, count) {
      const entry = { item, count };
      if (heap.length < capacity) {
        heap.push(entry);
        let i = heap.length - 1;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!ranksBefore(heap[parent]!, heap[i]!)) break;
          [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
          i = parent;
        }
      } else if (ranksBefore(entry, heap[0]!)) {
        heap[0] = entry;
        siftDown(0);
      }
    },
    sorted: () => heap.slice().sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0)),
  };
}
