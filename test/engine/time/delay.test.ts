import { describe, expect, it } from 'vitest';

import { createRandom } from '../../../engine/random.js';
import { quantile } from '../../../engine/stats.js';
import {
  CROSS_DC_DELAY,
  NETWORK_DELAY,
  createDelay,
  resolveDelay,
  type DelayInput,
} from '../../../engine/time/delay.js';
import { expectRinglabError } from '../../helpers/errors.js';

const SAMPLES = 200_000;

function draw(input: DelayInput, seed = 11, count = SAMPLES): Float64Array {
  const delay = createDelay(input, createRandom(seed).fork('delay'));
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = delay.sample();
  return out;
}

function sampleMean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Kolmogorov-Smirnov distance between the samples and a CDF. */
function ksDistance(values: Float64Array, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(values).sort();
  let worst = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = cdf(sorted[i]!);
    worst = Math.max(worst, Math.abs(f - i / sorted.length), Math.abs((i + 1) / sorted.length - f));
  }
  return worst;
}

/** The standard normal CDF (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** KS critical distance at the 0.1% level for SAMPLES draws. */
const KS_LIMIT = 1.95 / Math.sqrt(SAMPLES);

describe('samples against theory (seed 11, 200,000 draws)', () => {
  it('constant gives its value', () => {
    expect(new Set(draw({ kind: 'constant', ms: 2.5 }, 11, 1_000))).toEqual(new Set([2.5]));
  });

  it('uniform: mean and median (min + max) / 2, every draw in [min, max)', () => {
    const values = draw({ kind: 'uniform', minMs: 1, maxMs: 3 });
    expect(sampleMean(values)).toBeCloseTo(2, 2);
    expect(quantile(values, 0.5)).toBeCloseTo(2, 2);
    expect(values.every((v) => v >= 1 && v < 3)).toBe(true);
    expect(ksDistance(values, (x) => (x - 1) / 2)).toBeLessThan(KS_LIMIT);
  });

  it('exponential: mean m, median m ln 2, and its CDF', () => {
    const meanMs = 4;
    const values = draw({ kind: 'exponential', meanMs });
    expect(Math.abs(sampleMean(values) / meanMs - 1)).toBeLessThan(0.01);
    expect(Math.abs(quantile(values, 0.5) / (meanMs * Math.LN2) - 1)).toBeLessThan(0.01);
    expect(ksDistance(values, (x) => 1 - Math.exp(-x / meanMs))).toBeLessThan(KS_LIMIT);
  });

  it('lognormal: median, mean median e^(sigma^2 / 2), p99, and its CDF', () => {
    const medianMs = 0.5;
    const sigma = 0.5;
    const values = draw({ kind: 'lognormal', medianMs, sigma });
    expect(Math.abs(quantile(values, 0.5) / medianMs - 1)).toBeLessThan(0.01);
    expect(Math.abs(sampleMean(values) / (medianMs * Math.exp(sigma ** 2 / 2)) - 1)).toBeLessThan(
      0.01,
    );
    const p99 = medianMs * Math.exp(2.326348 * sigma);
    expect(Math.abs(quantile(values, 0.99) / p99 - 1)).toBeLessThan(0.02);
    const cdf = (x: number) => normalCdf(Math.log(x / medianMs) / sigma);
    expect(ksDistance(values, cdf)).toBeLessThan(KS_LIMIT);
  });

  it('states each distribution mean and median', () => {
    const of = (input: DelayInput) => {
      const { meanMs, medianMs } = createDelay(input, createRandom(1));
      return { meanMs, medianMs };
    };
    expect(of({ kind: 'constant', ms: 3 })).toEqual({ meanMs: 3, medianMs: 3 });
    expect(of({ kind: 'uniform', minMs: 1, maxMs: 2 })).toEqual({ meanMs: 1.5, medianMs: 1.5 });
    expect(of({ kind: 'exponential', meanMs: 2 })).toEqual({ meanMs: 2, medianMs: 2 * Math.LN2 });
    const lognormal = of({ kind: 'lognormal', medianMs: 2, sigma: 1 });
    expect(lognormal.medianMs).toBe(2);
    expect(lognormal.meanMs).toBeCloseTo(2 * Math.sqrt(Math.E), 12);
  });
});

describe('defaults', () => {
  it('network: lognormal, median 0.5 ms, sigma 0.5 (also when sigma is left out)', () => {
    expect(NETWORK_DELAY).toEqual({ kind: 'lognormal', medianMs: 0.5, sigma: 0.5 });
    expect(resolveDelay({ kind: 'lognormal', medianMs: 0.5 })).toEqual(NETWORK_DELAY);
  });

  it('cross-DC: about 30 ms with a narrow spread', () => {
    const values = draw(CROSS_DC_DELAY, 3, 20_000);
    expect(Math.abs(quantile(values, 0.5) / 30 - 1)).toBeLessThan(0.01);
    expect(quantile(values, 0.99)).toBeLessThan(40);
  });
});

describe('determinism', () => {
  it('gives the same draws for the same seed and stream, others for another stream', () => {
    const same = draw(NETWORK_DELAY, 5, 1_000);
    expect(draw(NETWORK_DELAY, 5, 1_000)).toEqual(same);
    expect(draw(NETWORK_DELAY, 6, 1_000)).not.toEqual(same);
  });
});

describe('misuse', () => {
  it('names the field at fault', () => {
    const cases: [unknown, string, string][] = [
      [{ kind: 'gamma' }, 'UNKNOWN_NAME', 'net.kind'],
      [{}, 'UNKNOWN_NAME', 'net.kind'],
      [null, 'INVALID_CONFIG', 'net'],
      [{ kind: 'constant', ms: -1 }, 'INVALID_CONFIG', 'net.ms'],
      [{ kind: 'constant' }, 'INVALID_CONFIG', 'net.ms'],
      [{ kind: 'uniform', minMs: 2, maxMs: 1 }, 'INVALID_CONFIG', 'net.maxMs'],
      [{ kind: 'uniform', minMs: NaN, maxMs: 1 }, 'INVALID_CONFIG', 'net.minMs'],
      [{ kind: 'exponential', meanMs: 0 }, 'INVALID_CONFIG', 'net.meanMs'],
      [{ kind: 'exponential', meanMs: Infinity }, 'INVALID_CONFIG', 'net.meanMs'],
      [{ kind: 'lognormal', medianMs: 0 }, 'INVALID_CONFIG', 'net.medianMs'],
      [{ kind: 'lognormal', medianMs: 1, sigma: -0.1 }, 'INVALID_CONFIG', 'net.sigma'],
      [{ kind: 'lognormal', medianMs: 1, sigma: '1' }, 'INVALID_CONFIG', 'net.sigma'],
    ];
    for (const [input, code, field] of cases) {
      expectRinglabError(
        () => createDelay(input as DelayInput, createRandom(1), 'net'),
        code as 'INVALID_CONFIG',
        field,
      );
    }
  });
});
