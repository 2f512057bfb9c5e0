import Benchmark from 'benchmark';
import { quantile } from '../../engine/stats.js';

/** How long benchmark.js may spend on one row. */
export interface Timing {
  /** Seconds of timed cycles per row (benchmark.js `maxTime`); it stops after at least this. */
  readonly maxTimeSec: number;
  /** Timed cycles per row at least (benchmark.js `minSamples`). */
  readonly minSamples: number;
  /** Seconds one timed cycle lasts at least (benchmark.js `minTime`); it repeats the op to get there. */
  readonly minTimeSec: number;
}

export interface Measurement {
  /** Items per second: items per operation over the median time of one operation. */
  readonly opsPerSec: number;
  /** Timed cycles the median is taken over. */
  readonly samples: number;
  /** benchmark.js's relative margin of error of the mean at 95%, in percent. */
  readonly rmePercent: number;
}

/**
 * Times `operation` with benchmark.js, synchronously, and reports its rate from the median cycle:
 * every sample is one cycle's mean time per operation, and the median ignores the cycles a
 * garbage collection or a neighbour on the machine happened to slow down, which the mean (and
 * benchmark.js's own `hz`) would not.
 */
export function measure(
  name: string,
  operation: () => void,
  itemsPerOperation: number,
  timing: Timing,
): Measurement {
  const bench = new Benchmark(name, operation, {
    maxTime: timing.maxTimeSec,
    minSamples: timing.minSamples,
    minTime: timing.minTimeSec,
  });
  bench.run();
  if (bench.error) throw bench.error;
  const sample = bench.stats.sample as number[];
  if (sample.length === 0) throw new Error(`benchmark.js took no samples of ${name}`);
  return {
    opsPerSec: itemsPerOperation / quantile(sample, 0.5),
    samples: sample.length,
    rmePercent: bench.stats.rme,
  };
}
