import { describe, expect, it } from 'vitest';

import { placementOf, resolveClusterConfig } from '../../bench/cluster-config.js';
import { ringReport } from '../../bench/ring-report.js';
import { growthCurve } from '../../engine/allocation.js';
import { createRandom } from '../../engine/random.js';
import { simpleStrategy } from '../../engine/replication.js';

describe('ringReport', () => {
  it.each(['random', 'balanced'] as const)(
    "lists each node's tokens as the ring holds them (%s)",
    (allocator) => {
      const config = resolveClusterConfig({ nodes: 7, vnodes: 5, allocator, seed: 3 });
      const { ring } = placementOf(config);
      const report = ringReport(config);
      expect(report.nodes.map((node) => node.tokens)).toEqual(
        ring.nodes.map((_, i) => ring.tokensOf(i)),
      );
    },
  );

  it('with grow, reports the same ring and the growth curve of the same tokens', () => {
    const config = resolveClusterConfig({ nodes: 9, vnodes: 4, rf: 2, seed: 4 });
    const plain = ringReport(config);
    const grown = ringReport(config, { grow: true });
    expect(grown.nodes).toEqual(plain.nodes);
    expect(grown.imbalance).toEqual(plain.imbalance);
    const nodes = plain.nodes.map(({ id, dc, rack }) => ({ id, dc, rack }));
    expect(grown.growth).toEqual(
      growthCurve({
        nodes,
        vnodes: 4,
        allocator: 'balanced',
        strategy: simpleStrategy(2),
        random: createRandom(4).fork('tokens'),
      }),
    );
    expect(plain.growth).toBeUndefined();
  });

  it.each([false, true])('tells progress in nodes, increasing up to all (grow %s)', (grow) => {
    const config = resolveClusterConfig({ nodes: 30, vnodes: 4, seed: 5 });
    const seen: [number, number][] = [];
    ringReport(config, { grow, progress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every(([, total]) => total === 30)).toBe(true);
    seen.slice(1).forEach(([done], i) => expect(done).toBeGreaterThan(seen[i]![0]));
    expect(seen.at(-1)).toEqual([30, 30]);
  });
});
