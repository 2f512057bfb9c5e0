import { mean } from '../../engine/stats.js';

export interface WindowStats {
  /** Mean over the counted windows of each window's max/mean node writes. */
  readonly meanMaxOverMean: number;
  /** The worst window's max/mean. */
  readonly worstMaxOverMean: number;
  readonly windows: number;
}

/**
 * Per-window node writes: the deltas of each node's write counter between window boundaries.
 * Windows are aligned to multiples of their width, as buckets are, and only those wholly inside
 * the run's span [startMs, endMs) count: a window cut by either end holds fewer events, and its
 * max/mean would be noisier than the rest. Windows without writes are skipped. Memory is a few
 * numbers per node whatever the number of windows: ratios are summed as they close, never kept.
 */
export interface WindowTracker {
  /** Called with each event's time, in time order, before the event is written. */
  observe(ts: number): void;
  /** Closes the last window; call once, after the last write. */
  stats(): WindowStats;
}

/** Whole windows of `windowMs` inside [startMs, endMs), aligned as the tracker aligns them. */
export function wholeWindows(windowMs: number, startMs: number, endMs: number): number {
  return Math.max(0, Math.floor(endMs / windowMs) - Math.ceil(startMs / windowMs));
}

/** `nodes` are read, never written: each one's `writes` counter as the cluster keeps it. */
export function createWindowTracker(
  nodes: readonly { readonly writes: number }[],
  windowMs: number,
  startMs: number,
  endMs: number,
): WindowTracker {
  const firstWhole = Math.ceil(startMs / windowMs);
  const endWhole = Math.floor(endMs / windowMs);
  const before = Float64Array.from(nodes, (node) => node.writes);
  const delta = new Float64Array(nodes.length);
  let current = Number.NaN;
  let sum = 0;
  let worst = 0;
  let windows = 0;

  const close = (): void => {
    let max = 0;
    for (let i = 0; i < nodes.length; i++) {
      const writes = nodes[i]!.writes;
      const d = writes - before[i]!;
      delta[i] = d;
      before[i] = writes;
      if (d > max) max = d;
    }
    if (max === 0 || current < firstWhole || current >= endWhole) return;
    // max / mean as engine/stats' imbalance() computes it, bit for bit.
    const ratio = max / mean(delta);
    sum += ratio;
    if (ratio > worst) worst = ratio;
    windows++;
  };

  return {
    observe(ts) {
      const window = Math.floor(ts / windowMs);
      if (window === current) return;
      if (!Number.isNaN(current)) close();
      current = window;
    },
    stats() {
      if (!Number.isNaN(current)) close();
      current = Number.NaN;
      return {
        meanMaxOverMean: windows === 0 ? 0 : sum / windows,
        worstMaxOverMean: worst,
        windows,
      };
    },
  };
}
