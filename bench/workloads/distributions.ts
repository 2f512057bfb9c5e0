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
import { aboutBytes, aboutDuration } from '../cluster-config.js';

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

/** The options of `DistributionOptions`, as errors name them. */
export type DistributionField = 'kind' | 'items' | 'theta' | 'hotDataFraction' | 'hotOpFraction';

/**
 * What each option is called where the user sets it: errors name that, so the CLI can point at
 * the flag (`kind` is `--dist` on the command line). A caller whose user knows an option by
 * another name passes its own, e.g. `{ items: 'servers' }` when the items are servers.
 */
export type DistributionFieldNames = Readonly<Partial<Record<DistributionField, string>>>;

const DEFAULT_FIELD_NAMES: Readonly<Record<DistributionField, string>> = {
  kind: 'dist',
  items: 'items',
  theta: 'theta',
  hotDataFraction: 'hotDataFraction',
  hotOpFraction: 'hotOpFraction',
};

/** Validates and defaults raw options. Errors are `INVALID_CONFIG` naming the field (see above). */
export function resolveDistribution(
  raw: DistributionOptions,
  names: DistributionFieldNames = {},
): DistributionSpec {
  const field = (name: DistributionField): string => names[name] ?? DEFAULT_FIELD_NAMES[name];
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
  const oneMinus = 1 - theta;
  const alpha = 1 / oneMinus;
  const secondLimit = 1 + Math.pow(0.5, theta);
  // With one or two items u * zetan never reaches secondLimit, and eta would be 0 / 0.
  const denominator = 1 - zeta(2, theta) / zetan;
  const last = items - 1;
  if (items > 2 && oneMinus < NEAR_ONE) {
    // Near theta = 1, eta is about (1 - theta) ln(items / 2) and eta * u - eta + 1 rounds to one
    // of a few doubles below 1 (at 1 - 2^-53, a dozen for 10,000 items): the same closed
    // form in log space, with expm1 and log1p, keeps every bit of eta.
    const eta = -Math.expm1(oneMinus * Math.log(2 / items)) / denominator;
    return () => {
      const u = random.nextFloat();
      const uz = u * zetan;
      if (uz < 1) return 0;
      if (uz < secondLimit) return 1;
      const item = Math.floor(items * Math.exp(alpha * Math.log1p(-eta * (1 - u))));
      return item < last ? item : last;
    };
  }
  const eta = items > 2 ? (1 - Math.pow(2 / items, oneMinus)) / denominator : 0;
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

/**
 * Below this 1 - theta the sampler takes the log-space form. Above it YCSB's form is kept, so
 * that streams match YCSB's; the two agree to about 1e-12 relative there.
 */
const NEAR_ONE = 1e-4;

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

/**
 * Item spaces up to this size are always tallied in a dense array (16 MiB); larger ones only when
 * that is no bigger than the other way, sorting the draws (8 bytes each with the sort's scratch)
 * and counting runs of equal items. Either way memory is bounded by items and draws, and no Map
 * (which stops at 2^24 entries) is needed.
 */
const DENSE_TALLY_LIMIT = 1 << 22;

/** The most draws `sampleTop` makes whatever the budget: tallies are uint32. */
export const MAX_SAMPLE_COUNT = 2 ** 32 - 1;

/** What `sampleTop` would cost, from `sampleCost`. */
export interface SampleCost {
  readonly seconds: number;
  readonly bytes: number;
}

/**
 * Refusal budgets: beyond these `sampleTop` refuses up front, so that a command never runs for
 * many minutes or dies out of memory.
 */
export const SAMPLE_BUDGET: SampleCost = { seconds: 60, bytes: 4 * 2 ** 30 };

/**
 * Measured costs, in nanoseconds of CPU time on one core (Node 20, x86-64; the machine was shared,
 * so CPU time rather than wall time was read): `sampleTop` run at 10^7 draws over 1,000 items for
 * each distribution, at 3 × 10^7 draws over 2^32 items (sorted tally), and at 10^8 draws over
 * 10^8 items (dense tally too big for the caches); each constant is the largest seen over
 * several runs, rounded up. Scrambled zipfian hashes every draw with FNV-1a in 32-bit halves.
 */
const DRAW_NS: Readonly<Record<DistributionName, number>> = {
  uniform: 20,
  zipfian: 180,
  'scrambled-zipfian': 520,
  hotspot: 50,
  latest: 180,
};
/** Sorting the draws (a radix sort: linear) and counting their runs, per draw. */
const SORT_NS = 60;
/** Above this many items a dense tally misses the caches on nearly every increment... */
const CACHED_TALLY_ITEMS = 1 << 20;
/** ...which costs this much per draw. */
const TALLY_MISS_NS = 80;
/** Reading one entry of a dense tally back. */
const SCAN_NS = 2;
/** One top entry kept, sorted and returned. */
const TOP_ENTRY_BYTES = 100;

/**
 * The estimated wall time and memory of `sampleTop(spec, count, top)`, from the measured
 * constants above; `count` and `top` are positive integers.
 */
export function sampleCost(spec: DistributionSpec, count: number, top: number): SampleCost {
  const { items } = spec;
  const dense = useDenseTally(items, count);
  const tallyNs = dense
    ? items * SCAN_NS + (items > CACHED_TALLY_ITEMS ? count * TALLY_MISS_NS : 0)
    : count * SORT_NS;
  const kept = Math.min(top, count, items);
  return {
    seconds: (count * DRAW_NS[spec.kind] + tallyNs) / 1e9,
    bytes: (dense ? 4 * items : 8 * count) + kept * TOP_ENTRY_BYTES,
  };
}

function withinBudget(cost: SampleCost): boolean {
  return cost.seconds <= SAMPLE_BUDGET.seconds && cost.bytes <= SAMPLE_BUDGET.bytes;
}

/** Dense when that takes no more memory than sorting the draws (8 bytes each, with scratch). */
function useDenseTally(items: number, count: number): boolean {
  return items <= DENSE_TALLY_LIMIT || items <= 2 * count;
}

/**
 * Checks `count` and `top` for `spec`, refusing with INVALID_CONFIG (field `count` or `top`)
 * what is malformed or would exceed SAMPLE_BUDGET, with the estimate and the largest count that
 * fits. `sampleTop` calls it first; a caller may call it earlier to fail fast.
 */
export function checkSample(spec: DistributionSpec, count: number, top: number): void {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw invalidConfig('count', `must be a positive integer, got ${count}`);
  }
  if (!Number.isSafeInteger(top) || top < 1) {
    throw invalidConfig('top', `must be a positive integer, got ${top}`);
  }
  const cost = sampleCost(spec, count, top);
  if (withinBudget(cost)) {
    if (count > MAX_SAMPLE_COUNT) {
      throw invalidConfig('count', `must be at most ${MAX_SAMPLE_COUNT}, got ${count}`);
    }
    return;
  }
  const fits = largestSampleCount(spec, top);
  const estimate =
    cost.seconds > SAMPLE_BUDGET.seconds
      ? `would take about ${aboutDuration(cost.seconds)}`
      : `would need about ${aboutBytes(cost.bytes)} of memory`;
  throw invalidConfig(
    'count',
    `${count} draws from ${spec.kind} over ${spec.items} items ${estimate}; use at most ${fits} draws`,
  );
}

/**
 * The largest count within budget (and MAX_SAMPLE_COUNT) for `spec` and `top`, rounded down to
 * two significant digits; found by bisection, as the cost is not monotone in the count (a dense
 * tally can be cheaper than sorting fewer draws).
 */
export function largestSampleCount(spec: DistributionSpec, top: number): number {
  const fits = (count: number): boolean => withinBudget(sampleCost(spec, count, top));
  let low = 1;
  let high = MAX_SAMPLE_COUNT;
  if (fits(high)) return high;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid;
  }
  // Two significant digits, rounded down: a count a person would type (if it still fits).
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(low)) - 1);
  const rounded = Math.floor(low / scale) * scale;
  return fits(rounded) ? rounded : low;
}

/**
 * Draws `count` items from the distribution and returns the `top` most frequent, sorted by count
 * descending, then item ascending (so ties are deterministic). Fewer than `top` entries come back
 * when fewer distinct items were drawn. Backs `ringlab workload sample`. Refuses, before drawing,
 * what `checkSample` refuses.
 */
export function sampleTop(
  options: DistributionOptions,
  count: number,
  top: number,
  random: Random,
): ItemCount[] {
  const spec = resolveDistribution(options);
  checkSample(spec, count, top);
  const next = sampler(spec, random);
  const items = spec.items;
  const best = createTopHeap(top);
  if (useDenseTally(items, count)) {
    const tally = new Uint32Array(items);
    for (let i = 0; i < count; i++) tally[next()]!++;
    for (let item = 0; item < items; item++) {
      const n = tally[item]!;
      if (n > 0) best.offer(item, n);
    }
  } else {
    // Items are below 2^32, so every draw fits a uint32; sorted, equal draws form runs.
    const draws = new Uint32Array(count);
    for (let i = 0; i < count; i++) draws[i] = next();
    radixSort(draws);
    let run = 1;
    for (let i = 1; i < count; i++) {
      if (draws[i] === draws[i - 1]) {
        run++;
      } else {
        best.offer(draws[i - 1]!, run);
        run = 1;
      }
    }
    best.offer(draws[count - 1]!, run);
  }
  return best.sorted();
}

/**
 * Sorts uint32 values ascending in place: two stable counting passes on 16-bit digits, with a
 * scratch copy. At 10^7 values it took 0.7 s where `Uint32Array.prototype.sort` took 3.3 s.
 */
function radixSort(values: Uint32Array): void {
  const scratch = new Uint32Array(values.length);
  const offsets = new Uint32Array(65536);
  const pass = (from: Uint32Array, to: Uint32Array, shift: number): void => {
    offsets.fill(0);
    for (let i = 0; i < from.length; i++) offsets[(from[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let digit = 0; digit < 65536; digit++) {
      const n = offsets[digit]!;
      offsets[digit] = sum;
      sum += n;
    }
    for (let i = 0; i < from.length; i++) {
      const value = from[i]!;
      to[offsets[(value >>> shift) & 0xffff]!++] = value;
    }
  };
  pass(values, scratch, 0);
  pass(scratch, values, 16);
}

/** `a` ranks before `b`: more draws first, then the lower item. */
function ranksBefore(a: ItemCount, b: ItemCount): boolean {
  return beats(a.item, a.count, b);
}

/** `ranksBefore` for an entry not made yet, so that a rejected offer allocates nothing. */
function beats(item: number, count: number, b: ItemCount): boolean {
  return count !== b.count ? count > b.count : item < b.item;
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
      if (heap.length < capacity) {
        heap.push({ item, count });
        let i = heap.length - 1;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!ranksBefore(heap[parent]!, heap[i]!)) break;
          [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
          i = parent;
        }
      } else {
        if (beats(item, count, heap[0]!)) {
          heap[0] = { item, count };
          siftDown(0);
        }
      }
    },
    sorted: () => heap.slice().sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0)),
  };
}
