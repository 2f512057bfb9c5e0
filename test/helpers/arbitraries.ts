/**
 * fast-check arbitraries for cluster topologies, rings and replication strategies, shared by the
 * engine, partitioner and bench tests.
 *
 * A topology is generated DC by DC: every rack that exists holds at least one node (Cassandra only
 * learns of a rack from a node in it), so a DC's rack count is at most its node count. Tokens are
 * distinct signed 64-bit integers drawn over the whole ring; fast-check's bigint bias also yields
 * values near 0 and near the ends of the ring, which is where off-by-one bugs in a ring walk hide.
 */
import fc from 'fast-check';

import { buildRing, type NodeSpec, type Ring } from '../../engine/ring.js';
import {
  networkTopologyStrategy,
  simpleStrategy,
  type ReplicationStrategy,
} from '../../engine/replication.js';
import { MAX_TOKEN, MIN_TOKEN } from '../../engine/token.js';

/** The shape of one DC: its name, how many nodes it has and over how many racks they sit. */
export interface DcShape {
  readonly name: string;
  readonly nodeCount: number;
  readonly rackCount: number;
}

export interface Topology {
  /** Nodes grouped by DC, in the order of `dcs`; ids are `n0`, `n1`, ... */
  readonly nodes: readonly NodeSpec[];
  readonly dcs: readonly DcShape[];
}

/** A topology with each node's vnode tokens: the input of `buildRing`. */
export interface RingSpec {
  readonly topology: Topology;
  readonly tokensByNode: readonly (readonly bigint[])[];
}

export interface TopologyOptions {
  /** Total nodes over all DCs; defaults 1 and 12. `minNodes` must be at least 1. */
  readonly minNodes?: number;
  readonly maxNodes?: number;
  /** Number of DCs; defaults 1 and 3. DCs are named `dc1`, `dc2`, ... */
  readonly minDcs?: number;
  readonly maxDcs?: number;
  /** Racks per DC; defaults 1 and 4 (capped by the DC's node count). Racks are `r1`, `r2`, ... */
  readonly minRacksPerDc?: number;
  readonly maxRacksPerDc?: number;
}

export interface RingOptions extends TopologyOptions {
  /** Vnodes (tokens) per node; defaults 1 and 8. */
  readonly minVnodes?: number;
  readonly maxVnodes?: number;
}

/** Any signed 64-bit token, from -2^63 to 2^63 - 1. */
export function tokenArb(): fc.Arbitrary<bigint> {
  return fc.bigInt({ min: MIN_TOKEN, max: MAX_TOKEN });
}

/** Node counts per DC that sum to at most `maxNodes`: trims the largest DCs, keeping each >= 1. */
function capTotal(counts: readonly number[], maxNodes: number): number[] {
  const result = [...counts];
  let total = result.reduce((sum, n) => sum + n, 0);
  while (total > maxNodes) {
    let largest = 0;
    for (let i = 1; i < result.length; i++) if (result[i]! > result[largest]!) largest = i;
    if (result[largest]! <= 1) break;
    result[largest]!--;
    total--;
  }
  return result;
}

export function topologyArb(options: TopologyOptions = {}): fc.Arbitrary<Topology> {
  const minNodes = options.minNodes ?? 1;
  const maxNodes = options.maxNodes ?? 12;
  const minDcs = options.minDcs ?? 1;
  const maxDcs = Math.min(options.maxDcs ?? 3, maxNodes);
  const minRacks = options.minRacksPerDc ?? 1;
  const maxRacks = options.maxRacksPerDc ?? 4;
  if (minNodes < 1 || minNodes > maxNodes || minDcs < 1 || minDcs > maxDcs || minRacks > maxRacks) {
    throw new RangeError('topologyArb: inconsistent options');
  }

  const nodeCountsArb = fc
    .integer({ min: minDcs, max: maxDcs })
    .chain((dcCount) =>
      fc.array(fc.integer({ min: 1, max: maxNodes - dcCount + 1 }), {
        minLength: dcCount,
        maxLength: dcCount,
      }),
    )
    .map((counts) => capTotal(counts, maxNodes))
    .filter((counts) => counts.reduce((sum, n) => sum + n, 0) >= minNodes);

  return nodeCountsArb.chain((nodeCounts) =>
    fc
      .tuple(
        ...nodeCounts.map((nodeCount) => {
          const racksLow = Math.min(minRacks, nodeCount);
          const racksHigh = Math.min(maxRacks, nodeCount);
          return fc.integer({ min: racksLow, max: racksHigh }).chain((rackCount) =>
            fc
              .array(fc.integer({ min: 0, max: rackCount - 1 }), {
                minLength: nodeCount - rackCount,
                maxLength: nodeCount - rackCount,
              })
              // The first `rackCount` nodes open one rack each, so every rack is inhabited.
              .map((extraRacks) => ({
                rackCount,
                racks: [...Array.from({ length: rackCount }, (_, i) => i), ...extraRacks],
              })),
          );
        }),
      )
      .map((perDc): Topology => {
        const nodes: NodeSpec[] = [];
        const dcs: DcShape[] = [];
        perDc.forEach(({ rackCount, racks }, d) => {
          const dc = `dc${d + 1}`;
          dcs.push({ name: dc, nodeCount: racks.length, rackCount });
          for (const rack of racks)
            nodes.push({ id: `n${nodes.length}`, dc, rack: `r${rack + 1}` });
        });
        return { nodes, dcs };
      }),
  );
}

/** A topology plus distinct random tokens for every node. */
export function ringSpecArb(options: RingOptions = {}): fc.Arbitrary<RingSpec> {
  const minVnodes = options.minVnodes ?? 1;
  const maxVnodes = options.maxVnodes ?? 8;
  return topologyArb(options).chain((topology) => ringSpecOn(topology, minVnodes, maxVnodes));
}

/** Distinct random tokens for the nodes of a given topology. */
export function ringSpecOn(
  topology: Topology,
  minVnodes = 1,
  maxVnodes = 8,
): fc.Arbitrary<RingSpec> {
  const nodeCount = topology.nodes.length;
  return fc
    .array(fc.integer({ min: minVnodes, max: maxVnodes }), {
      minLength: nodeCount,
      maxLength: nodeCount,
    })
    .chain((vnodes) => {
      const total = vnodes.reduce((sum, n) => sum + n, 0);
      return fc.uniqueArray(tokenArb(), { minLength: total, maxLength: total }).map((tokens) => {
        const tokensByNode: bigint[][] = [];
        let next = 0;
        for (const count of vnodes) {
          tokensByNode.push(tokens.slice(next, next + count));
          next += count;
        }
        return { topology, tokensByNode };
      });
    });
}

export function ringOf(spec: RingSpec): Ring {
  return buildRing(spec.topology.nodes, spec.tokensByNode);
}

/** A ring together with the spec it was built from (for messages and for oracles). */
export function ringArb(options: RingOptions = {}): fc.Arbitrary<{ spec: RingSpec; ring: Ring }> {
  return ringSpecArb(options).map((spec) => ({ spec, ring: ringOf(spec) }));
}

/** SimpleStrategy with rf between 1 and the node count. */
export function simpleStrategyArb(topology: Topology): fc.Arbitrary<ReplicationStrategy> {
  return fc.integer({ min: 1, max: topology.nodes.length }).map((rf) => simpleStrategy(rf));
}

/**
 * How a DC's replication factor relates to its rack count:
 * - `any`: rf from 1 to the DC's nodes;
 * - `racksAtLeastRf`: rf at most the DC's racks, so replicas must land on distinct racks;
 * - `racksBelowRf`: in every DC that has more nodes than racks, rf exceeds the racks, so racks
 *   repeat; a DC whose nodes all sit on distinct racks falls back to `any`.
 */
export type RackRelation = 'any' | 'racksAtLeastRf' | 'racksBelowRf';

/** NetworkTopologyStrategy naming every DC of the topology, rf per DC chosen by `relation`. */
export function ntsStrategyArb(
  topology: Topology,
  relation: RackRelation = 'any',
): fc.Arbitrary<ReplicationStrategy> {
  return fc
    .tuple(
      ...topology.dcs.map((dc) => {
        const low =
          relation === 'racksBelowRf' && dc.rackCount < dc.nodeCount ? dc.rackCount + 1 : 1;
        const high = relation === 'racksAtLeastRf' ? dc.rackCount : dc.nodeCount;
        return fc.integer({ min: low, max: high });
      }),
    )
    .map((rfs) =>
      networkTopologyStrategy(Object.fromEntries(topology.dcs.map((dc, i) => [dc.name, rfs[i]!]))),
    );
}

/** True when some DC has more nodes than racks, so `racksBelowRf` can force a rack repeat. */
export function canRepeatRacks(topology: Topology): boolean {
  return topology.dcs.some((dc) => dc.rackCount < dc.nodeCount);
}
