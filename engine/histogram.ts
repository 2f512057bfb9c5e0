/**
 * A latency histogram with bounded relative error, log-linear like HdrHistogram: every power of
 * two is cut into 128 equal buckets, so a bucket spans at most 1/128 of its lower bound, and a
 * quantile reported as its bucket's midpoint is within 1/256 (0.39%) of the exact value.
 *
 * Quantiles follow the nearest-rank method of `quantile` in stats.ts (the smallest recorded
 * value with at least q of the values at or below it), so the two agree within that error; the
 * count, minimum, maximum and mean are exact. Buckets are found from the bits of the float
 * (exponent and the top 7 bits of the mantissa), with no logarithm, and each power of two's
 * buckets are allocated when it is first recorded into (1 KB each): a histogram of latencies
 * from 0.01 ms to 10 s holds about 20 of them.
 */
import { RinglabError } from './errors.js';

/** Largest relative error of a quantile: half a bucket over its lower bound. */
export const HISTOGRAM_RELATIVE_ERROR = 1 / 256;

/** The summary reports carry: the count, three quantiles and the maximum, ms. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface Histogram {
  /**
   * Records one value, ms: finite, >= 0 and below 2^64. Values below 2^-64 ms (5e-20) count
   * as 0.
   */
  record(valueMs: number): void;
  readonly count: number;
  /** Exact; 0 when empty. */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /**
   * The nearest-rank q-quantile (0 <= q <= 1) within HISTOGRAM_RELATIVE_ERROR, exact for the
   * first and last ranks (the minimum and maximum); 0 when empty.
   */
  quantile(q: number): number;
  /** Adds every value recorded into `other` (another histogram from createHistogram). */
  merge(other: Histogram): void;
  summary(): LatencySummary;
}

const SUB_BITS = 7;
const SUB_BUCKETS = 1 << SUB_BITS;
/** Powers of two kept: 2^-64 to 2^63 (each covering [2^e, 2^(e+1))). */
const MIN_EXPONENT = -64;
const BINADES = 128;
const LIMIT_MS = 2 ** (MIN_EXPONENT + BINADES);
const SMALLEST_MS = 2 ** MIN_EXPONENT;

/** Which 32-bit word of a float64 holds the sign, the exponent and the top of the mantissa. */
const HIGH_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;

export function createHistogram(): Histogram {
  return new LogLinearHistogram();
}

class LogLinearHistogram implements Histogram {
  /** Counts of each power of two's buckets, allocated on first use. */
  readonly #binades: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(
    BINADES,
  ).fill(undefined);
  #zeros = 0;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  readonly #float = new Float64Array(1);
  readonly #words = new Uint32Array(this.#float.buffer);

  record(valueMs: number): void {
    if (!(valueMs >= 0 && valueMs < LIMIT_MS)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `valueMs must be finite, at least 0 and below 2^64, got ${valueMs}`,
        'valueMs',
      );
    }
    this.#count++;
    this.#sum += valueMs;
    if (valueMs < this.#min) this.#min = valueMs;
    if (valueMs > this.#max) this.#max = valueMs;
    if (valueMs < SMALLEST_MS) {
      this.#zeros++;
      return;
    }
    this.#float[0] = valueMs;
    const high = this.#words[HIGH_WORD]!;
    const binade = (high >>> 20) - 1023 - MIN_EXPONENT;
    const sub = (high >>> (20 - SUB_BITS)) & (SUB_BUCKETS - 1);
    let counts = this.#binades[binade];
    if (counts === undefined) {
      counts = new Float64Array(SUB_BUCKETS);
      this.#binades[binade] = counts;
    }
    counts[sub] = counts[sub]! + 1;
  }

  get count(): number {
    return this.#count;
  }

  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  get max(): number {
    return this.#count === 0 ? 0 : this.#max;
  }

  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new RinglabError('INVALID_ARGUMENT', `q must be in [0, 1], got ${q}`, 'q');
    }
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    // The first and last ranks are the minimum and maximum, which are kept exactly.
    if (rank === 1) return this.#min;
    if (rank >= this.#count) return this.#max;
    let seen = this.#zeros;
    if (seen >= rank) return 0;
    for (let binade = 0; binade < BINADES; binade++) {
      const counts = this.#binades[binade];
      if (counts === undefined) continue;
      for (let sub = 0; sub < SUB_BUCKETS; sub++) {
        seen += counts[sub]!;
        if (seen >= rank) {
          const midpointMs = 2 ** (binade + MIN_EXPONENT) * (1 + (sub + 0.5) / SUB_BUCKETS);
          // The exact value lies in this bucket and within [min, max], so clamping to them only
          // brings the answer closer.
          return Math.min(this.#max, Math.max(this.#min, midpointMs));
        }
      }
    }
    return this.#max;
  }

  merge(other: Histogram): void {
    if (!(other instanceof LogLinearHistogram)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        'can merge only histograms made by createHistogram',
        'other',
      );
    }
    if (other.#count === 0) return;
    for (let binade = 0; binade < BINADES; binade++) {
      const from = other.#binades[binade];
      if (from === undefined) continue;
      let counts = this.#binades[binade];
      if (counts === undefined) {
        counts = new Float64Array(SUB_BUCKETS);
        this.#binades[binade] = counts;
      }
      for (let sub = 0; sub < SUB_BUCKETS; sub++) counts[sub] = counts[sub]! + from[sub]!;
    }
    this.#zeros += other.#zeros;
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  summary(): LatencySummary {
    return {
      count: this.#count,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.max,
    };
  }
}
