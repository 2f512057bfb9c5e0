/**
 * Summary statistics shared by every report. One copy of each idea: the CLI and the benchmarks
 * call these rather than computing their own.
 */
export interface Imbalance {
  /** Largest value over the mean: 1 is perfect balance. */
  readonly maxOverMean: number;
  readonly minOverMean: number;
  /** Coefficient of variation: population standard deviation over the mean. */
  readonly cv: number;
  /** Gini coefficient in [0, 1): 0 when every value is equal. */
  readonly gini: number;
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

export function imbalance(values: ArrayLike<number>): Imbalance {
  const n = values.length;
  const m = mean(values);
  if (n === 0 || m === 0)
    return { maxOverMean: n === 0 ? 0 : 1, minOverMean: n === 0 ? 0 : 1, cv: 0, gini: 0 };
  let max = -Infinity;
  let min = Infinity;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v > max) max = v;
    if (v < min) min = v;
    squares += (v - m) * (v - m);
  }
  return {
    maxOverMean: max / m,
    minOverMean: min / m,
    cv: Math.sqrt(squares / n) / m,
    gini: gini(values),
  };
}

/** Gini coefficient from the sorted values: sum((2i - n + 1) x_i) / (n * sum x). */
export function gini(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const n = sorted.length;
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    weighted += (2 * i - n + 1) * sorted[i]!;
    total += sorted[i]!;
  }
  return total === 0 ? 0 : weighted / (n * total);
}

/**
 * The q-quantile (0 <= q <= 1) by the nearest-rank method on a copy: the smallest value with at
 * least q of the values at or below it. Exact and free of interpolation, which keeps reports
 * reproducible across platforms.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return quantileSorted(sorted, q);
}

export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** The largest value, or -Infinity for none; a loop, where `Math.max(...values)` would overflow the stack on long arrays. */
export function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}
