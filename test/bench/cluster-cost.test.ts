import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  checkClusterCost,
  CLUSTER_BUDGET,
  clusterCost,
  resolveClusterConfig,
  type ClusterConfig,
  type ClusterOptionsInput,
} from '../../bench/cluster-config.js';
import { ringReport } from '../../bench/ring-report.js';
import { expectRinglabError } from '../helpers/errors.js';

/** A resolved config without the cost check, to ask the model about any size. */
function configOf(input: ClusterOptionsInput): ClusterConfig {
  const small = resolveClusterConfig({ ...input, nodes: 6, vnodes: 4, dcs: 1, racks: 1 });
  const dcs = input.dcs ?? 1;
  const racks = input.racks ?? 1;
  return {
    ...small,
    nodes: input.nodes ?? 6,
    vnodes: input.vnodes ?? 16,
    dcs,
    racks,
    replication: dcs === 1 && racks === 1 ? 'simple' : 'network-topology',
  };
}

describe('resolveClusterConfig: refusing up front what would not finish', () => {
  it('refuses 1,000 nodes × 1,024 balanced vnodes, naming vnodes', () => {
    expectRinglabError(
      () => resolveClusterConfig({ nodes: 1000, vnodes: 1024, allocator: 'balanced' }),
      'INVALID_CONFIG',
      'vnodes',
    );
  });

  it('accepts 10,000 nodes × 1 balanced vnode, which the scaled allocator builds in about 6 s', () => {
    // Before the allocator kept its state between joins this was refused (naming --allocator).
    const config = resolveClusterConfig({ nodes: 10_000, vnodes: 1, allocator: 'balanced' });
    expect(clusterCost(config, { grow: false }).seconds).toBeLessThan(60);
  });

  it('refuses 10,000 nodes × 1,024 random vnodes (74 s measured), naming vnodes', () => {
    expectRinglabError(
      () => resolveClusterConfig({ nodes: 10_000, vnodes: 1024, allocator: 'random' }),
      'INVALID_CONFIG',
      'vnodes',
    );
  });

  it('accepts what the README and the perf suite run', () => {
    expect(resolveClusterConfig({}).nodes).toBe(6);
    expect(resolveClusterConfig({ nodes: 250 }).nodes).toBe(250);
    expect(resolveClusterConfig({ nodes: 1000, vnodes: 16, allocator: 'random' }).nodes).toBe(1000);
    expect(resolveClusterConfig({ nodes: 1000, vnodes: 16 }).allocator).toBe('balanced');
    expect(resolveClusterConfig({ nodes: 1000, vnodes: 1024, allocator: 'random' }).vnodes).toBe(
      1024,
    );
    expect(resolveClusterConfig({ nodes: 1000, vnodes: 16, dcs: 2, racks: 3 }).replication).toBe(
      'network-topology',
    );
  });
});

describe('ringReport --grow: refusing a growth curve that would not finish', () => {
  it('refuses 1,000 × 1,024 random with grow, naming grow, before any work', () => {
    const config = resolveClusterConfig({ nodes: 1000, vnodes: 1024, allocator: 'random' });
    expectRinglabError(() => ringReport(config, { grow: true }), 'INVALID_CONFIG', 'grow');
  });

  it('accepts the README growth run, 250 balanced nodes', () => {
    const config = resolveClusterConfig({ nodes: 250 });
    expect(() => checkClusterCost(config, { grow: true })).not.toThrow();
  });
});

describe('clusterCost', () => {
  const shapeArb = fc.record({
    nodes: fc.integer({ min: 1, max: 10_000 }),
    vnodes: fc.integer({ min: 1, max: 1024 }),
    rf: fc.integer({ min: 1, max: 5 }),
    dcs: fc.constantFrom(1, 2, 3),
    racks: fc.constantFrom(1, 3),
    allocator: fc.constantFrom('random', 'balanced'),
    grow: fc.boolean(),
  });

  it('grows with nodes and vnodes; balanced and grow only add', () => {
    fc.assert(
      fc.property(shapeArb, ({ grow, ...input }) => {
        const config = configOf(input);
        const cost = clusterCost(config, { grow });
        const more = (changes: Partial<ClusterConfig>) =>
          clusterCost({ ...config, ...changes }, { grow });
        expect(more({ nodes: config.nodes + 1 }).seconds).toBeGreaterThan(cost.seconds);
        expect(more({ vnodes: config.vnodes + 1 }).seconds).toBeGreaterThan(cost.seconds);
        expect(more({ nodes: config.nodes + 1 }).bytes).toBeGreaterThan(cost.bytes);
        expect(more({ allocator: 'balanced' }).seconds).toBeGreaterThanOrEqual(cost.seconds);
        expect(clusterCost(config, { grow: true }).seconds).toBeGreaterThanOrEqual(cost.seconds);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses exactly what exceeds the budget', () => {
    fc.assert(
      fc.property(shapeArb, ({ grow, ...input }) => {
        const config = configOf(input);
        const cost = clusterCost(config, { grow });
        const within = cost.seconds <= CLUSTER_BUDGET.seconds && cost.bytes <= CLUSTER_BUDGET.bytes;
        if (within) {
          expect(() => checkClusterCost(config, { grow })).not.toThrow();
        } else {
          const field = grow
            ? ['grow', 'vnodes', 'allocator', 'nodes']
            : ['vnodes', 'allocator', 'nodes'];
          try {
            checkClusterCost(config, { grow });
            expect.unreachable('an over-budget config was accepted');
          } catch (error) {
            expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
            expect(field).toContain((error as { field: string }).field);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
