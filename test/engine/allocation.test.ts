import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { fractionOfToken, spanOwnership } from '../../engine/allocation-balanced.js';
import {
  allocateTokens,
  allocatorNames,
  growCluster,
  growthCurve,
  tokensForNewNode,
  type AllocationOptions,
  type AllocatorName,
  type GrowthPoint,
} from '../../engine/allocation.js';
import { createRandom, type Random } from '../../engine/random.js';
import {
  createPlacement,
  networkTopologyStrategy,
  replicatedOwnership,
  simpleStrategy,
  type ReplicationStrategy,
} from '../../engine/replication.js';
import { buildRing, primaryOwnership, type NodeSpec, type Ring } from '../../engine/ring.js';
import { imbalance } from '../../engine/stats.js';
import { isToken } from '../../engine/token.js';
import {
  ntsStrategyArb,
  ringArb,
  simpleStrategyArb,
  topologyArb,
  type Topology,
} from '../helpers/arbitraries.js';
import { expectRinglabError } from '../helpers/errors.js';

/** Nodes n1..nN dealt round-robin to DCs, and inside each DC round-robin to racks. */
function topology(nodes: number, dcs = 1, racks = 1): NodeSpec[] {
  const perDc = new Array<number>(dcs).fill(0);
  return Array.from({ length: nodes }, (_, i) => {
    const dc = i % dcs;
    const rack = perDc[dc]!++ % racks;
    return { id: `n${i + 1}`, dc: `dc${dc + 1}`, rack: `r${rack + 1}` };
  });
}

/** Cassandra's allocator test bound: max/mean at most 1 + 4s/(vnodes rf), s = 1.5 with racks. */
function cassandraBound(vnodes: number, rf: number, racks: boolean): number {
  return 1 + (4 * (racks ? 1.5 : 1)) / (vnodes * rf);
}

function curves(options: Omit<AllocationOptions, 'allocator'>) {
  const of = (allocator: AllocatorName): GrowthPoint[] => growthCurve({ ...options, allocator });
  return { balanced: of('balanced'), random: of('random') };
}

function expectBalancedBeatsRandom(
  balanced: readonly GrowthPoint[],
  random: readonly GrowthPoint[],
  from: number,
): void {
  const losses = balanced
    .filter((point, i) => point.nodes >= from && point.maxOverMean >= random[i]!.maxOverMean)
    .map((point) => point.nodes);
  expect(losses).toEqual([]);
}

/** A strategy for a generated topology: SimpleStrategy or NetworkTopologyStrategy. */
function strategyArb(shape: Topology): fc.Arbitrary<ReplicationStrategy> {
  return fc.oneof(simpleStrategyArb(shape), ntsStrategyArb(shape));
}

describe('allocateTokens: validation', () => {
  const nodes = topology(3);
  const base = { nodes, strategy: simpleStrategy(3), random: createRandom(1) };

  it.each([0, -1, 1.5, 1025, Number.NaN])('refuses vnodes %s', (vnodes) => {
    for (const allocator of allocatorNames) {
      expectRinglabError(
        () => allocateTokens({ ...base, vnodes, allocator }),
        'INVALID_CONFIG',
        'vnodes',
      );
      expectRinglabError(
        () => tokensForNewNode({ ...base, ring: undefined, node: nodes[0]!, vnodes, allocator }),
        'INVALID_CONFIG',
        'vnodes',
      );
    }
  });

  it('accepts vnodes from 1 to 1024', () => {
    expect(allocateTokens({ ...base, vnodes: 1, allocator: 'balanced' })).toHaveLength(3);
    expect(allocateTokens({ ...base, vnodes: 1024, allocator: 'random' })[2]).toHaveLength(1024);
  });

  it('refuses a bad replication factor and duplicate node ids', () => {
    expectRinglabError(
      () =>
        allocateTokens({ ...base, vnodes: 4, allocator: 'balanced', strategy: simpleStrategy(0) }),
      'INVALID_CONFIG',
      'rf',
    );
    expectRinglabError(
      () =>
        allocateTokens({
          ...base,
          vnodes: 4,
          allocator: 'balanced',
          strategy: networkTopologyStrategy({ dc1: -1 }),
        }),
      'INVALID_CONFIG',
      'rf',
    );
    expectRinglabError(
      () =>
        allocateTokens({ ...base, nodes: [...nodes, nodes[0]!], vnodes: 4, allocator: 'random' }),
      'INVALID_CONFIG',
      'nodes',
    );
  });

  it('refuses a joining node that is already in the ring', () => {
    const tokens = allocateTokens({ ...base, vnodes: 4, allocator: 'balanced' });
    const ring = buildRing(nodes, tokens);
    expectRinglabError(
      () => tokensForNewNode({ ...base, ring, node: nodes[1]!, vnodes: 4, allocator: 'balanced' }),
      'INVALID_ARGUMENT',
      'node',
    );
  });
});

describe.each(allocatorNames)('%s allocator: tokens and joins', (allocator) => {
  const caseArb = topologyArb({ maxNodes: 10, maxRacksPerDc: 3 }).chain((shape) =>
    fc.record({
      nodes: fc.constant(shape.nodes),
      strategy: strategyArb(shape),
      vnodes: fc.integer({ min: 1, max: 8 }),
      seed: fc.nat(1000),
    }),
  );

  it('gives every node vnodes distinct tokens, the same for the same seed', () => {
    fc.assert(
      fc.property(caseArb, ({ nodes, strategy, vnodes, seed }) => {
        const options = { nodes, vnodes, allocator, strategy, random: createRandom(seed) };
        const tokens = allocateTokens(options);
        expect(tokens.map((own) => own.length)).toEqual(nodes.map(() => vnodes));
        const all = tokens.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(all.every(isToken)).toBe(true);
        expect(allocateTokens({ ...options, random: createRandom(seed) })).toEqual(tokens);
      }),
      { numRuns: 60 },
    );
  });

  it('never changes existing nodes when one joins, and joining a ring gives the same tokens', () => {
    fc.assert(
      fc.property(caseArb, ({ nodes, strategy, vnodes, seed }) => {
        const options = { vnodes, allocator, strategy, random: createRandom(seed) };
        const all = allocateTokens({ ...options, nodes });
        const last = nodes.length - 1;
        expect(allocateTokens({ ...options, nodes: nodes.slice(0, last) })).toEqual(
          all.slice(0, last),
        );
        const ring = last === 0 ? undefined : buildRing(nodes.slice(0, last), all.slice(0, last));
        expect(tokensForNewNode({ ...options, ring, node: nodes[last]! })).toEqual(all[last]);
      }),
      { numRuns: 60 },
    );
  });

  it('depends on the seed', () => {
    const options = { nodes: topology(4), vnodes: 8, allocator, strategy: simpleStrategy(2) };
    const one = allocateTokens({ ...options, random: createRandom(1) });
    const two = allocateTokens({ ...options, random: createRandom(2) });
    expect(one.flat()).not.toEqual(two.flat());
  });
});

describe('random allocator', () => {
  it("draws a node's tokens from its own stream, whatever the other nodes", () => {
    const random = createRandom(7);
    const alone = allocateTokens({
      nodes: [{ id: 'x', dc: 'dc1', rack: 'r1' }],
      vnodes: 16,
      allocator: 'random',
      strategy: simpleStrategy(1),
      random,
    });
    const among = allocateTokens({
      nodes: [...topology(5), { id: 'x', dc: 'dc1', rack: 'r1' }],
      vnodes: 16,
      allocator: 'random',
      strategy: simpleStrategy(3),
      random,
    });
    expect(among[5]).toEqual(alone[0]);
  });

  it.each([4, 16, 64])(
    'gives primary ownership a relative standard deviation of about 1/sqrt(vnodes) (%i vnodes)',
    (vnodes) => {
      // With n nodes of v uniform tokens, a node owns the sum of v of the n*v spacings of the
      // ring: Beta(v, (n - 1) v), mean 1/n, relative variance (n - 1)/(n v + 1), about 1/v.
      // The mean is exactly 1/n (ownership sums to 1), so the pooled squared deviations of
      // seeds * n nodes estimate that variance; its relative standard error is about
      // sqrt((2 + kurtosis) / samples) with the Beta's excess kurtosis close to 6/v. Seeds are
      // fixed, so the check is deterministic; the tolerance (4 standard errors) says how close
      // to theory the draws must be, not how often a run may fail.
      const n = 64;
      const seeds = 12;
      let squares = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const nodes = topology(n);
        const random = createRandom(seed);
        const tokens = allocateTokens({
          nodes,
          vnodes,
          allocator: 'random',
          strategy: simpleStrategy(1),
          random,
        });
        for (const share of primaryOwnership(buildRing(nodes, tokens))) {
          squares += (share * n - 1) ** 2;
        }
      }
      const samples = seeds * n;
      const relativeVariance = squares / samples;
      const theory = (n - 1) / (n * vnodes + 1);
      const standardError = theory * Math.sqrt((2 + 6 / vnodes) / samples);
      expect(Math.abs(relativeVariance - theory)).toBeLessThan(4 * standardError);
      expect(Math.sqrt(relativeVariance) * Math.sqrt(vnodes)).toBeGreaterThan(0.8);
      expect(Math.sqrt(relativeVariance) * Math.sqrt(vnodes)).toBeLessThan(1.2);
    },
  );
});

/**
 * The random allocator as it was first written: each node's draws are checked against the
 * tokens taken and its own so far, and every token is spliced into a sorted ring. Kept as the
 * reference that the linear version must reproduce exactly.
 */
function referenceRandomTokens(
  nodes: readonly NodeSpec[],
  vnodes: number,
  random: Random,
): bigint[][] {
  const taken = new Set<bigint>();
  const sorted: bigint[] = [];
  return nodes.map((node) => {
    const stream = random.fork(`tokens/${node.id}`);
    const tokens: bigint[] = [];
    while (tokens.length < vnodes) {
      const token = BigInt.asIntN(64, stream.nextUint64());
      if (!taken.has(token) && !tokens.includes(token)) tokens.push(token);
    }
    for (const token of tokens) {
      taken.add(token);
      let at = 0;
      while (at < sorted.length && sorted[at]! < token) at++;
      sorted.splice(at, 0, token);
    }
    return tokens;
  });
}

/**
 * A Random whose 64-bit draws come from a pool of `pool` values, the same for every fork: the
 * nodes' draws then collide with each other's and with their own, which real draws never do.
 */
function collidingRandom(pool: number, seed: number): Random {
  const values = Array.from({ length: pool }, (_, i) => BigInt(i * 7919 - 40_000));
  const make = (path: string): Random => {
    const inner = createRandom(seed).fork(path);
    return {
      seed,
      path,
      nextUint32: () => inner.nextUint32(),
      nextFloat: () => inner.nextFloat(),
      nextInt: (bound) => inner.nextInt(bound),
      nextUint64: () => BigInt.asUintN(64, values[inner.nextInt(pool)]!),
      fork: (name) => make(path === '' ? name : `${path}/${name}`),
    };
  };
  return make('');
}

describe('random allocator: linear in the tokens', () => {
  it('gives the tokens the splicing version gave', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(1000),
        (count, vnodes, seed) => {
          const nodes = topology(count);
          const options = { nodes, vnodes, strategy: simpleStrategy(1) } as const;
          expect(
            allocateTokens({ ...options, allocator: 'random', random: createRandom(seed) }),
          ).toEqual(referenceRandomTokens(nodes, vnodes, createRandom(seed)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('redraws collisions, with other nodes and with its own tokens, as the splicing version did', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(1000), (count, seed) => {
        const nodes = topology(count);
        // 8 tokens per node from a pool of 64: collisions on nearly every node.
        const tokens = allocateTokens({
          nodes,
          vnodes: 8,
          allocator: 'random',
          strategy: simpleStrategy(1),
          random: collidingRandom(64, seed),
        });
        expect(tokens).toEqual(referenceRandomTokens(nodes, 8, collidingRandom(64, seed)));
        expect(new Set(tokens.flat()).size).toBe(count * 8);
      }),
      { numRuns: 100 },
    );
  });

  it('pins the tokens of a small seed', () => {
    const tokens = allocateTokens({
      nodes: topology(3),
      vnodes: 2,
      allocator: 'random',
      strategy: simpleStrategy(1),
      random: createRandom(42),
    });
    expect(tokens).toEqual([
      [3664603842105063704n, -8596747009736162216n],
      [-8320911000886761491n, 2024118845888714767n],
      [-4245370156463059070n, -3566164003433900819n],
    ]);
  });

  it('regression: allocates 1,000 nodes x 1,024 vnodes (it was quadratic, minutes)', () => {
    const nodes = topology(1000);
    const tokens = allocateTokens({
      nodes,
      vnodes: 1024,
      allocator: 'random',
      strategy: simpleStrategy(3),
      random: createRandom(1),
    });
    expect(tokens).toHaveLength(1000);
    expect(tokens.every((own) => own.length === 1024)).toBe(true);
    const all = tokens.flat();
    expect(new Set(all).size).toBe(1000 * 1024);
    // A node's tokens do not depend on how many nodes join: the last node's equal a lone one's.
    const alone = allocateTokens({
      nodes: [nodes[999]!],
      vnodes: 1024,
      allocator: 'random',
      strategy: simpleStrategy(1),
      random: createRandom(1),
    });
    expect(alone[0]).toEqual(tokens[999]);
  });
});

describe('progress', () => {
  function calls(run: (progress: (done: number, total: number) => void) => void) {
    const seen: [number, number][] = [];
    run((done, total) => seen.push([done, total]));
    return seen;
  }

  function expectIncreasingToTotal(seen: readonly [number, number][], total: number): void {
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([, t]) => t === total)).toBe(true);
    const done = seen.map(([d]) => d);
    done.slice(1).forEach((d, i) => expect(d).toBeGreaterThan(done[i]!));
    expect(done.at(-1)).toBe(total);
  }

  it.each(allocatorNames)(
    'allocateTokens (%s) tells done increasing up to the nodes',
    (allocator) => {
      const nodes = topology(40);
      const seen = calls((progress) =>
        allocateTokens({
          nodes,
          vnodes: 4,
          allocator,
          strategy: simpleStrategy(3),
          random: createRandom(1),
          progress,
        }),
      );
      expectIncreasingToTotal(seen, 40);
    },
  );

  it('allocateTokens (random) calls at most every few thousand tokens', () => {
    const seen = calls((progress) =>
      allocateTokens({
        nodes: topology(100),
        vnodes: 16,
        allocator: 'random',
        strategy: simpleStrategy(3),
        random: createRandom(1),
        progress,
      }),
    );
    expectIncreasingToTotal(seen, 100);
    // 4,096 tokens are 256 nodes of 16: one call, at the end.
    expect(seen).toEqual([[100, 100]]);
  });

  it('growthCurve tells every measured join, and does not change the curve', () => {
    const options = {
      nodes: topology(12),
      vnodes: 4,
      allocator: 'random',
      strategy: simpleStrategy(2),
    } as const;
    let curve: GrowthPoint[] = [];
    const seen = calls((progress) => {
      curve = growthCurve({ ...options, random: createRandom(3), progress });
    });
    expect(seen.map(([done]) => done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expectIncreasingToTotal(seen, 12);
    expect(curve).toEqual(growthCurve({ ...options, random: createRandom(3) }));
  });
});

describe('growCluster', () => {
  it.each(allocatorNames)(
    'gives the tokens of allocateTokens, and each point measures its prefix of them (%s)',
    (allocator) => {
      const nodes = topology(9);
      const options = { nodes, vnodes: 4, allocator, strategy: simpleStrategy(2) } as const;
      const grown = growCluster({ ...options, random: createRandom(5) });
      expect(grown.tokens).toEqual(allocateTokens({ ...options, random: createRandom(5) }));
      grown.curve.forEach((point, i) => {
        const count = i + 1;
        const ring = buildRing(nodes.slice(0, count), grown.tokens.slice(0, count));
        const placement = createPlacement(ring, simpleStrategy(Math.min(2, count)));
        expect(point).toEqual({
          nodes: count,
          maxOverMean: imbalance(replicatedOwnership(placement)).maxOverMean,
        });
      });
    },
  );
});

describe('balanced allocator: tokens', () => {
  it('pins the tokens of a small seed (the same before and after it kept its state between joins)', () => {
    const tokens = allocateTokens({
      nodes: topology(5),
      vnodes: 2,
      allocator: 'balanced',
      strategy: simpleStrategy(3),
      random: createRandom(42),
    });
    expect(tokens).toEqual([
      [-7391070111278067712n, 1832301925576708096n],
      [6624480168537420800n, -4219234736776717312n],
      [-540244114208786944n, 4816253035917145088n],
      [9037484063448922624n, -202455412041595136n],
      [-5583575276369097728n, 3858815990767554304n],
    ]);
  });

  // Past 4,096 gaps (256 nodes of 16 vnodes) a join no longer searches every gap, only those of
  // the most loaded nodes; a cluster grown node by node keeps its state from one join to the
  // next, a node joining a ring starts from the ring. Both must give the same tokens.
  it.each([
    ['SimpleStrategy rf 3', topology(300), simpleStrategy(3)],
    ['one DC of 3 racks, rf 3', topology(270, 1, 3), networkTopologyStrategy({ dc1: 3 })],
  ])(
    'gives a node joining a ring of more than 4,096 gaps the tokens the grown cluster gave it (%s)',
    (_name, nodes, strategy) => {
      const options = { vnodes: 16, allocator: 'balanced', strategy } as const;
      const all = allocateTokens({ ...options, nodes, random: createRandom(6) });
      for (const joining of [258, nodes.length - 5, nodes.length]) {
        const ring = buildRing(nodes.slice(0, joining - 1), all.slice(0, joining - 1));
        const node = nodes[joining - 1]!;
        expect(tokensForNewNode({ ...options, ring, node, random: createRandom(6) })).toEqual(
          all[joining - 1],
        );
      }
      expect(new Set(all.flat()).size).toBe(nodes.length * 16);
    },
  );
});

describe('balanced allocator: a grown cluster and a joining node agree', () => {
  it('regression: a rack joining a DC with fewer racks than rf changes every span (racks in turn)', () => {
    // 15 nodes of rack r1, then r2, then r3: the 16th and the 31st node each bring a rack while
    // there are fewer than rf, so fewer repeats are allowed and every span shrinks. A grown
    // cluster that kept its spans from before gave different tokens from the 16th node on.
    const nodes = Array.from({ length: 45 }, (_, i) => ({
      id: `n${i + 1}`,
      dc: 'dc1',
      rack: `r${1 + Math.floor(i / 15)}`,
    }));
    const options = {
      vnodes: 4,
      allocator: 'balanced',
      strategy: networkTopologyStrategy({ dc1: 3 }),
    } as const;
    const all = allocateTokens({ ...options, nodes, random: createRandom(1) });
    for (const joining of [16, 17, 30, 31, 32, 45]) {
      const ring = buildRing(nodes.slice(0, joining - 1), all.slice(0, joining - 1));
      const node = nodes[joining - 1]!;
      expect(tokensForNewNode({ ...options, ring, node, random: createRandom(1) })).toEqual(
        all[joining - 1],
      );
    }
  });
});

describe('balanced allocator: its model of replica placement', () => {
  /** The model's ownership of every node, domain by domain, in ring node order. */
  function modelOwnership(ring: Ring, strategy: ReplicationStrategy): Float64Array {
    const result = new Float64Array(ring.nodes.length);
    const domains =
      strategy.class === 'SimpleStrategy'
        ? [{ members: ring.nodes.map((_, i) => i), rf: strategy.rf, rackOf: (i: number) => i }]
        : Object.entries(strategy.rfByDc).map(([dc, rf]) => {
            const members = ring.nodes.flatMap((node, i) => (node.dc === dc ? [i] : []));
            const rackNames = [...new Set(members.map((i) => ring.nodes[i]!.rack))];
            return { members, rf, rackOf: (i: number) => rackNames.indexOf(ring.nodes[i]!.rack) };
          });
    for (const { members, rf, rackOf } of domains) {
      const local = new Map(members.map((node, index) => [node, index]));
      const positions = Array.from(ring.owners.keys()).filter((p) => local.has(ring.owners[p]!));
      const tokens = positions.map((p) => ring.tokens[p]!);
      const ownership = spanOwnership(
        {
          tokens,
          fractions: tokens.map(fractionOfToken),
          owners: positions.map((p) => local.get(ring.owners[p]!)!),
        },
        members.map(rackOf),
        rf,
      );
      members.forEach((node, index) => (result[node] = ownership[index]!));
    }
    return result;
  }

  it('matches replicatedOwnership: SimpleStrategy and NetworkTopologyStrategy, racks below rf too', () => {
    const caseArb = ringArb({ maxNodes: 12, maxVnodes: 6, maxRacksPerDc: 4 }).chain((built) =>
      strategyArb(built.spec.topology).map((strategy) => ({ ...built, strategy })),
    );
    fc.assert(
      fc.property(caseArb, ({ ring, strategy }) => {
        const expected = replicatedOwnership(createPlacement(ring, strategy));
        const actual = modelOwnership(ring, strategy);
        expected.forEach((share, node) => expect(actual[node]).toBeCloseTo(share, 9));
      }),
      { numRuns: 300 },
    );
  });
});

describe('balanced allocator: growing to 250 nodes (and one test to 320), 16 vnodes', () => {
  const vnodes = 16;

  it('keeps max/mean within 1 + 4/(vnodes rf) at every size with SimpleStrategy rf 3', () => {
    const { balanced, random } = curves({
      nodes: topology(250),
      vnodes,
      strategy: simpleStrategy(3),
      random: createRandom(1),
    });
    const bound = cassandraBound(vnodes, 3, false);
    expect(balanced.at(-1)!.maxOverMean).toBeLessThanOrEqual(bound);
    expect(balanced.filter((point) => point.maxOverMean > bound)).toEqual([]);
    // Below 4 nodes every node holds everything, whatever the tokens.
    expectBalancedBeatsRandom(balanced, random, 4);
  });

  it('keeps max/mean within the bound past 4,096 gaps too: every size up to 320 nodes, rf 3', () => {
    const curve = growthCurve({
      nodes: topology(320),
      vnodes,
      allocator: 'balanced',
      strategy: simpleStrategy(3),
      random: createRandom(4),
    });
    const bound = cassandraBound(vnodes, 3, false);
    expect(curve).toHaveLength(320);
    expect(curve.filter((point) => point.maxOverMean > bound)).toEqual([]);
  });

  it('keeps max/mean within 1 + 4/vnodes at every size with rf 1', () => {
    const { balanced, random } = curves({
      nodes: topology(250),
      vnodes,
      strategy: simpleStrategy(1),
      random: createRandom(2),
    });
    const bound = cassandraBound(vnodes, 1, false);
    expect(balanced.filter((point) => point.maxOverMean > bound)).toEqual([]);
    expectBalancedBeatsRandom(balanced, random, 2);
  });

  it('stays within the racks bound of the best possible with 2 DCs x 3 racks, rf 3 per DC', () => {
    const nodes = topology(250, 2, 3);
    const { balanced, random } = curves({
      nodes,
      vnodes,
      strategy: networkTopologyStrategy({ dc1: 3, dc2: 3 }),
      random: createRandom(3),
    });
    // With as many racks as rf, each rack holds one replica of everything, so a node's share
    // is at least its rack's 1 / (nodes in the rack): uneven racks are imbalanced whatever the
    // tokens. Measure against that floor.
    const floor = (count: number): number => {
      let worst = 1;
      for (const dc of ['dc1', 'dc2']) {
        const members = nodes.slice(0, count).filter((node) => node.dc === dc);
        if (members.length < 3) continue;
        const smallestRack = Math.min(
          ...['r1', 'r2', 'r3'].map((rack) => members.filter((node) => node.rack === rack).length),
        );
        worst = Math.max(worst, members.length / 3 / smallestRack);
      }
      return worst;
    };
    const bound = cassandraBound(vnodes, 3, true);
    const over = balanced.filter((point) => point.maxOverMean > floor(point.nodes) * bound);
    expect(over).toEqual([]);
    // Until every rack has two nodes, the lone nodes' racks decide both curves alike.
    expectBalancedBeatsRandom(balanced, random, 12);
  });
});
