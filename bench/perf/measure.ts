import Benchmark from 'benchmark';
import { quantileSorted } from '../../engine/stats.js';

/** How long benchmark.js may spend on one row in one round. */
export interface Timing {
  /** Rounds each row is measured in; the rows take turns, round by round. */
  readonly rounds: number;
  /** Seconds of timed cycles per row and round (benchmark.js `maxTime`), at least. */
  readonly maxTimeSec: number;
  /** Timed cycles per row and round at least (benchmark.js `minSamples`). */
  readonly minSamples: number;
  /** Seconds one timed cycle lasts at least (benchmark.js `minTime`); it repeats the op to get there. */
  readonly minTimeSec: number;
}

/**
 * Times `operation` with benchmark.js, synchronously, and returns its cycles: each one cycle's
 * mean time per operation, in seconds.
 */
export function timeCycles(name: string, operation: () => void, timing: Timing): number[] {
  const bench = new Benchmark(name, operation, {
    maxTime: timing.maxTimeSec,
    minSamples: timing.minSamples,
    minTime: timing.minTimeSec,
  });
  bench.run();
  if (bench.error) throw bench.error;
  const cycles = bench.stats.sample as number[];
  if (cycles.length === 0) throw new Error(`benchmark.js timed no cycles of ${name}`);
  return cycles;
}

export interface Rate {
  /** Items per second: items per operation over the median time of one operation. */
  readonly opsPerSec: number;
  /** Half the interquartile range of the cycle times, as a percentage of their median. */
  readonly spreadPercent: number;
  /** Cycles the median is taken over. */
  readonly cycles: number;
}

/**
 * The rate from a row's cycles, by their median: it ignores the cycles that a garbage collection
 * or a neighbour on the machine happened to slow down, which the mean (and benchmark.js's own
 * `hz`) would not.
 */
export function rateOf(cycles: readonly number[], itemsPerOperation: number): Rate {
  const sorted = Float64Array.from(cycles).sort();
  const median = quantileSorted(sorted, 0.5);
  const spread = (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) / 2;
  return {
    opsPerSec: itemsPerOperation / median,
    spreadPercent: (100 * spread) / median,
    cycles: sorted.length,
  };
}
