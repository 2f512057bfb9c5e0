import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  HISTOGRAM_RELATIVE_ERROR,
  createHistogram,
  type Histogram,
} from '../../engine/histogram.js';
import { quantile } from '../../engine/stats.js';
import { expectRinglabError } from '../helpers/errors.js';

/** The stated bound, with room for the rounding of one multiplication. */
const BOUND = HISTOGRAM_RELATIVE_ERROR * (1 + 1e-12);

/** Latencies over many orders of magnitude, log-uniform, with exact zeros and repeats. */
const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -9, max: 12, noNaN: true }).map((e) => 2 ** e) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 0.5, 1000, 2 ** -64, 2 ** 63) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => n / 100) },
);
const valuesArb = fc.array(valueArb, { minLength: 1, maxLength: 500 });
const qArb = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 0.5, 0.99, 1));

function histogramOf(values: readonly number[]): Histogram {
  const histogram = createHistogram();
  for (const v of values) histogram.record(v);
  return histogram;
}

function expectWithinBound(measured: number, exact: number): void {
  if (exact === 0) expect(measured).toBe(0);
  else expect(Math.abs(measured - exact) / exact).toBeLessThanOrEqual(BOUND);
}

describe('quantiles against the exact nearest-rank quantile of stats.ts', () => {
  it('agree within the stated relative error', () => {
    fc.assert(
      fc.property(valuesArb, fc.array(qArb, { minLength: 1, maxLength: 10 }), (values, qs) => {
        const histogram = histogramOf(values);
        for (const q of qs) expectWithinBound(histogram.quantile(q), quantile(values, q));
      }),
      { numRuns: 300 },
    );
  });

  it('are exact for the first and last ranks (the minimum and the maximum)', () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const histogram = histogramOf(values);
        expect(histogram.quantile(0)).toBe(Math.min(...values));
        expect(histogram.quantile(1 / values.length)).toBe(Math.min(...values));
        expect(histogram.quantile(1)).toBe(Math.max(...values));
      }),
    );
  });

  it('reach the bound: two values in one bucket are reported as its midpoint', () => {
    // [1, 1 + 1/128) is one bucket; its midpoint is 1 + 1/256. The median of three is neither
    // the first nor the last rank, which are exact.
    const histogram = histogramOf([1, 1, 1.0078]);
    expect(histogram.quantile(0.5)).toBe(1 + 1 / 256);
    expect(histogram.quantile(0.5) - 1).toBeCloseTo(HISTOGRAM_RELATIVE_ERROR, 15);
  });

  it('tell apart values either side of a power of two and of a bucket edge', () => {
    const below = 2 - 2 ** -40;
    const next = 2 * (1 + 1 / 128);
    const histogram = histogramOf([0, below, 2, next, 10]);
    expect(histogram.quantile(0.4)).toBeLessThan(2);
    expectWithinBound(histogram.quantile(0.4), below);
    expect(histogram.quantile(0.6)).toBe(2 * (1 + 1 / 256));
    expect(histogram.quantile(0.8)).toBe(2 * (1 + 1.5 / 128));
  });
});

describe('count, min, max and mean', () => {
  it('are exact', () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const histogram = histogramOf(values);
        expect(histogram.count).toBe(values.length);
        expect(histogram.min).toBe(Math.min(...values));
        expect(histogram.max).toBe(Math.max(...values));
        const sum = values.reduce((a, b) => a + b, 0);
        expect(histogram.mean).toBe(sum / values.length);
      }),
    );
  });

  it('are 0 for an empty histogram, as are its quantiles', () => {
    const histogram = createHistogram();
    expect([histogram.count, histogram.min, histogram.max, histogram.mean]).toEqual([0, 0, 0, 0]);
    expect(histogram.quantile(0.5)).toBe(0);
    expect(histogram.summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('merge', () => {
  it('gives the histogram of all the values recorded into either', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, qArb, (left, right, q) => {
        const merged = histogramOf(left);
        merged.merge(histogramOf(right));
        const whole = histogramOf([...left, ...right]);
        expect(merged.count).toBe(whole.count);
        expect(merged.min).toBe(whole.min);
        expect(merged.max).toBe(whole.max);
        expect(merged.quantile(q)).toBe(whole.quantile(q));
        expect(merged.summary()).toEqual(whole.summary());
      }),
    );
  });

  it('of an empty histogram changes nothing; into an empty one copies', () => {
    const histogram = histogramOf([3, 4]);
    histogram.merge(createHistogram());
    expect(histogram.summary()).toEqual(histogramOf([3, 4]).summary());
    const empty = createHistogram();
    empty.merge(histogram);
    expect(empty.summary()).toEqual(histogram.summary());
    expect(empty.min).toBe(3);
  });
});

describe('summary', () => {
  it('is {count, p50, p95, p99, max}, and survives JSON', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i + 1) / 10);
    const summary = histogramOf(values).summary();
    expect(Object.keys(summary)).toEqual(['count', 'p50', 'p95', 'p99', 'max']);
    expect(summary.count).toBe(1000);
    expectWithinBound(summary.p50, 50);
    expectWithinBound(summary.p95, 95);
    expectWithinBound(summary.p99, 99);
    expect(summary.max).toBe(100);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});

describe('misuse', () => {
  it('refuses values that are negative, not finite or too large, and q outside [0, 1]', () => {
    const histogram = createHistogram();
    for (const v of [-1, -0.0001, NaN, Infinity, 2 ** 64]) {
      expectRinglabError(() => histogram.record(v), 'INVALID_ARGUMENT', 'valueMs');
    }
    expect(histogram.count).toBe(0);
    for (const q of [-0.1, 1.1, NaN]) {
      expectRinglabError(() => histogram.quantile(q), 'INVALID_ARGUMENT', 'q');
    }
  });

  it('refuses to merge something that is not one of its histograms', () => {
    const lookalike = { ...createHistogram() } as Histogram;
    expectRinglabError(() => createHistogram().merge(lookalike), 'INVALID_ARGUMENT', 'other');
  });
});
