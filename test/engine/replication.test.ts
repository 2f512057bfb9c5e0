import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  createPlacement,
  networkTopologyStrategy,
  placeReplicas,
  replicatedOwnership,
  rfInDc,
  simpleStrategy,
  totalRf,
  validateStrategy,
  type Placement,
  type ReplicationStrategy,
} from '../../engine/replication.js';
import { buildRing, rangeFractions, type Ring } from '../../engine/ring.js';
import {
  canRepeatRacks,
  ntsStrategyArb,
  ringArb,
  simpleStrategyArb,
  tokenArb,
  type RackRelation,
  type RingOptions,
  type RingSpec,
} from '../helpers/arbitraries.js';
import { expectRinglabError } from '../helpers/errors.js';

const RUNS = 300;

interface Case {
  readonly spec: RingSpec;
  readonly ring: Ring;
  readonly strategy: ReplicationStrategy;
}

const simpleCaseArb: fc.Arbitrary<Case> = ringArb().chain((built) =>
  simpleStrategyArb(built.spec.topology).map((strategy) => ({ ...built, strategy })),
);

function ntsCaseArb(relation: RackRelation, options: RingOptions = {}): fc.Arbitrary<Case> {
  const rings =
    relation === 'racksBelowRf'
      ? ringArb(options).filter(({ spec }) => canRepeatRacks(spec.topology))
      : ringArb(options);
  return rings.chain((built) =>
    ntsStrategyArb(built.spec.topology, relation).map((strategy) => ({ ...built, strategy })),
  );
}

/** Owners met walking clockwise from `position` once round the ring, duplicates included. */
function walkFrom(ring: Ring, position: number): number[] {
  return Array.from(
    { length: ring.size },
    (_, step) => ring.owners[(position + step) % ring.size]!,
  );
}

function rfByDcOf(strategy: ReplicationStrategy): Readonly<Record<string, number>> {
  if (strategy.class !== 'NetworkTopologyStrategy') throw new Error('expected an NTS strategy');
  return strategy.rfByDc;
}

/** The replicas of every range, by position. */
function allReplicas(placement: Placement): number[][] {
  return Array.from({ length: placement.ring.size }, (_, position) =>
    placement.replicasAt(position),
  );
}

describe('SimpleStrategy takes the first rf distinct nodes clockwise', () => {
  it('equals the deduplicated walk from the range, primary first', () => {
    fc.assert(
      fc.property(simpleCaseArb, ({ ring, strategy }) => {
        const replicas = allReplicas(createPlacement(ring, strategy));
        expect(replicas).toEqual(
          replicas.map((_, position) =>
            [...new Set(walkFrom(ring, position))].slice(0, totalRf(strategy)),
          ),
        );
        expect(replicas.map((list) => list[0])).toEqual(Array.from(ring.owners));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('NetworkTopologyStrategy places exactly each DC its rf', () => {
  it('returns rf distinct nodes per range, rfByDc[dc] of them in each DC', () => {
    fc.assert(
      fc.property(ntsCaseArb('any'), ({ ring, strategy }) => {
        const rfByDc = rfByDcOf(strategy);
        const replicas = allReplicas(createPlacement(ring, strategy));
        expect(replicas.map((list) => new Set(list).size)).toEqual(
          replicas.map(() => totalRf(strategy)),
        );
        const perDc = replicas.map((list) => {
          const counts: Record<string, number> = {};
          for (const node of list) {
            const dc = ring.nodes[node]!.dc;
            counts[dc] = (counts[dc] ?? 0) + 1;
          }
          return counts;
        });
        expect(perDc).toEqual(replicas.map(() => rfByDc));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('NetworkTopologyStrategy spreads replicas over racks', () => {
  /** Racks holding a replica, per DC. */
  function racksUsed(ring: Ring, replicas: readonly number[]): Map<string, string[]> {
    const racks = new Map<string, string[]>();
    for (const node of replicas) {
      const { dc, rack } = ring.nodes[node]!;
      racks.set(dc, [...(racks.get(dc) ?? []), rack]);
    }
    return racks;
  }

  it('puts the replicas of a DC on distinct racks when it has at least rf racks', () => {
    fc.assert(
      fc.property(ntsCaseArb('racksAtLeastRf'), ({ ring, strategy }) => {
        const repeatedRack = allReplicas(createPlacement(ring, strategy)).filter((replicas) =>
          [...racksUsed(ring, replicas).values()].some(
            (racks) => new Set(racks).size < racks.length,
          ),
        );
        expect(repeatedRack).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('uses every rack of a DC that has fewer racks than its rf', () => {
    fc.assert(
      fc.property(ntsCaseArb('racksBelowRf'), ({ spec, ring, strategy }) => {
        const rfByDc = rfByDcOf(strategy);
        const shortOfRacks = spec.topology.dcs.filter(
          (dc) => dc.rackCount < (rfByDc[dc.name] ?? 0),
        );
        expect(shortOfRacks.length).toBeGreaterThan(0);
        const missingARack = allReplicas(createPlacement(ring, strategy)).filter((replicas) => {
          const used = racksUsed(ring, replicas);
          return shortOfRacks.some((dc) => new Set(used.get(dc.name)).size < dc.rackCount);
        });
        expect(missingARack).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('NetworkTopologyStrategy ignores DCs it does not replicate to', () => {
  it('places nothing in a DC left out or given rf 0, and the primary is the first replicated node', () => {
    const withDroppedDc = ntsCaseArb('any', { minDcs: 2 }).chain((c) =>
      fc
        .tuple(fc.integer({ min: 0, max: c.spec.topology.dcs.length - 1 }), fc.boolean())
        .map(([dropped, asZero]) => {
          const droppedDc = c.spec.topology.dcs[dropped]!.name;
          const rfByDc = { ...rfByDcOf(c.strategy) };
          if (asZero) rfByDc[droppedDc] = 0;
          else delete rfByDc[droppedDc];
          return { ...c, droppedDc, strategy: networkTopologyStrategy(rfByDc) };
        }),
    );
    fc.assert(
      fc.property(withDroppedDc, ({ ring, strategy, droppedDc }) => {
        const replicas = allReplicas(createPlacement(ring, strategy));
        expect(replicas.flat().map((node) => ring.nodes[node]!.dc)).not.toContain(droppedDc);
        expect(replicas.map((list) => list[0])).toEqual(
          replicas.map((_, position) =>
            walkFrom(ring, position).find((node) => ring.nodes[node]!.dc !== droppedDc),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('createPlacement tabulates placeReplicas for every range', () => {
  it('answers replicasAt from its table and replicasOf through positionOf', () => {
    const anyCase = fc.oneof(simpleCaseArb, ntsCaseArb('any'));
    fc.assert(
      fc.property(
        anyCase,
        fc.array(tokenArb(), { maxLength: 20 }),
        ({ ring, strategy }, tokens) => {
          const placement = createPlacement(ring, strategy);
          const rf = totalRf(strategy);
          expect(placement.rf).toBe(rf);
          expect(placement.table).toHaveLength(ring.size * rf);
          const replicas = allReplicas(placement);
          expect(replicas).toEqual(replicas.map((_, p) => placeReplicas(strategy, ring, p)));
          expect(Array.from(placement.table)).toEqual(replicas.flat());
          const lookups = [...tokens, ...ring.tokens];
          expect(lookups.map((token) => placement.replicasOf(token))).toEqual(
            lookups.map((token) => replicas[ring.positionOf(token)]),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('replicatedOwnership counts each range once per replica', () => {
  it('sums to rf, never exceeds 1 per node, and matches the ranges each node replicates', () => {
    const anyCase = fc.oneof(simpleCaseArb, ntsCaseArb('any'));
    fc.assert(
      fc.property(anyCase, ({ ring, strategy }) => {
        const placement = createPlacement(ring, strategy);
        const fractions = rangeFractions(ring);
        const expected = new Array<number>(ring.nodes.length).fill(0);
        allReplicas(placement).forEach((replicas, position) => {
          for (const node of replicas) expected[node]! += fractions[position]!;
        });
        const ownership = replicatedOwnership(placement);
        expect(ownership).toHaveLength(ring.nodes.length);
        const worst = expected.reduce(
          (max, e, node) => Math.max(max, Math.abs(ownership[node]! - e)),
          0,
        );
        expect(worst).toBeLessThan(1e-12);
        expect(Math.max(...ownership)).toBeLessThanOrEqual(1 + 1e-9);
        expect(ownership.reduce((sum, f) => sum + f, 0)).toBeCloseTo(totalRf(strategy), 9);
      }),
      { numRuns: RUNS },
    );
  });

  it('gives every node all the data when rf equals the node count', () => {
    fc.assert(
      fc.property(ringArb(), ({ ring }) => {
        const ownership = replicatedOwnership(
          createPlacement(ring, simpleStrategy(ring.nodes.length)),
        );
        expect(Math.min(...ownership)).toBeCloseTo(1, 9);
        expect(Math.max(...ownership)).toBeCloseTo(1, 9);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('validateStrategy refuses a strategy the ring cannot satisfy', () => {
  const ring = buildRing(
    [
      { id: 'a', dc: 'dc1', rack: 'r1' },
      { id: 'b', dc: 'dc1', rack: 'r2' },
      { id: 'c', dc: 'dc2', rack: 'r1' },
    ],
    [[-10n], [0n], [10n]],
  );

  it('refuses SimpleStrategy with rf above the node count, naming rf', () => {
    fc.assert(
      fc.property(
        ringArb().chain((built) =>
          fc
            .integer({ min: built.ring.nodes.length + 1, max: built.ring.nodes.length + 5 })
            .map((rf) => ({ ...built, rf })),
        ),
        ({ ring: generated, rf }) => {
          expectRinglabError(
            () => validateStrategy(simpleStrategy(rf), generated),
            'INVALID_CONFIG',
            'rf',
          );
          expectRinglabError(
            () => createPlacement(generated, simpleStrategy(rf)),
            'INVALID_CONFIG',
            'rf',
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses NetworkTopologyStrategy with rf above the nodes of a DC, naming rf', () => {
    const overfull = ntsCaseArb('any').chain((c) =>
      fc
        .tuple(
          fc.integer({ min: 0, max: c.spec.topology.dcs.length - 1 }),
          fc.integer({ min: 1, max: 5 }),
        )
        .map(([d, excess]) => {
          const dc = c.spec.topology.dcs[d]!;
          return {
            ...c,
            strategy: networkTopologyStrategy({
              ...rfByDcOf(c.strategy),
              [dc.name]: dc.nodeCount + excess,
            }),
          };
        }),
    );
    fc.assert(
      fc.property(overfull, ({ ring: generated, strategy }) => {
        expectRinglabError(() => validateStrategy(strategy, generated), 'INVALID_CONFIG', 'rf');
        expectRinglabError(() => createPlacement(generated, strategy), 'INVALID_CONFIG', 'rf');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses rf that is not a positive integer, an unknown DC, and no replicas at all', () => {
    for (const rf of [0, -1, 1.5, Number.NaN]) {
      expectRinglabError(() => validateStrategy(simpleStrategy(rf), ring), 'INVALID_CONFIG', 'rf');
    }
    for (const rfByDc of [{ dc1: -1 }, { dc1: 1.5 }, { dc1: 1, dc3: 1 }, {}, { dc1: 0, dc2: 0 }]) {
      expectRinglabError(
        () => validateStrategy(networkTopologyStrategy(rfByDc), ring),
        'INVALID_CONFIG',
        'rf',
      );
    }
  });

  it('accepts the largest strategies the ring can hold', () => {
    expect(() => validateStrategy(simpleStrategy(3), ring)).not.toThrow();
    expect(() => validateStrategy(networkTopologyStrategy({ dc1: 2, dc2: 1 }), ring)).not.toThrow();
    expect(() => validateStrategy(networkTopologyStrategy({ dc1: 0, dc2: 1 }), ring)).not.toThrow();
  });
});

describe('totalRf and rfInDc read a strategy', () => {
  it('sums the per-DC factors and reads one DC, 0 for an unnamed DC', () => {
    const nts = networkTopologyStrategy({ dc1: 3, dc2: 2 });
    expect(totalRf(nts)).toBe(5);
    expect(rfInDc(nts, 'dc1')).toBe(3);
    expect(rfInDc(nts, 'dc3')).toBe(0);
    expect(totalRf(simpleStrategy(3))).toBe(3);
    expect(rfInDc(simpleStrategy(3), 'any-dc')).toBe(3);
  });

  it('copies the per-DC map, so later edits to the caller object do not leak in', () => {
    const rfByDc: Record<string, number> = { dc1: 3 };
    const nts = networkTopologyStrategy(rfByDc);
    rfByDc.dc1 = 1;
    expect(rfInDc(nts, 'dc1')).toBe(3);
  });
});
