import { describe, expect, it } from 'vitest';
import { createWindowTracker, wholeWindows } from '../../../bench/skew/windows.js';

/** Two nodes; `write(node)` bumps one counter, as a replica write would. */
function twoNodes() {
  const nodes = [{ writes: 0 }, { writes: 0 }];
  return { nodes, write: (node: number) => nodes[node]!.writes++ };
}

describe('window tracker', () => {
  it('counts only whole windows inside the span, the last one included', () => {
    const { nodes, write } = twoNodes();
    // Span [5, 35) with windows of 10: [10, 20) and [20, 30) are whole; [0, 10) and [30, 40) are cut.
    const tracker = createWindowTracker(nodes, 10, 5, 35);
    const events: [number, number][] = [
      [5, 0],
      [12, 0],
      [13, 1],
      [21, 0],
      [22, 0],
      [23, 0],
      [24, 1],
      [31, 0],
    ];
    for (const [ts, node] of events) {
      tracker.observe(ts);
      write(node);
    }
    // [10, 20): 1 and 1, max/mean 1. [20, 30): 3 and 1, max/mean 1.5.
    expect(tracker.stats()).toEqual({ meanMaxOverMean: 1.25, worstMaxOverMean: 1.5, windows: 2 });
    expect(wholeWindows(10, 5, 35)).toBe(2);
    expect(wholeWindows(10, 0, 30)).toBe(3);
    expect(wholeWindows(50, 5, 35)).toBe(0);
  });

  it('keeps a few numbers whatever the number of windows: a million 1 ms windows', () => {
    const { nodes, write } = twoNodes();
    const windows = 1_000_000;
    const tracker = createWindowTracker(nodes, 1, 0, windows);
    for (let ts = 0; ts < windows; ts++) {
      tracker.observe(ts);
      write(ts % 2);
      write(0);
    }
    // Each window: node 0 takes 2 writes and node 1 none, or 1 each.
    const stats = tracker.stats();
    expect(stats.windows).toBe(windows);
    expect(stats.worstMaxOverMean).toBe(2);
    expect(stats.meanMaxOverMean).toBeCloseTo(1.5, 9);
  });
});
