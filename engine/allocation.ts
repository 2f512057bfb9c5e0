/**
 * Token allocation: which tokens a node takes when it joins.
 *
 * - `random`: Cassandra before 4.0. `vnodes` uniform random tokens per node, drawn from a stream
 *   forked per node id, so adding a node never changes another node's tokens. A node's ownership
 *   then has a relative standard deviation of about 1/sqrt(vnodes).
 * - `balanced`: replication-aware, in the spirit of Cassandra 4.0's
 *   `allocate_tokens_for_local_replication_factor` (see allocation-balanced.ts): each joining
 *   node's tokens are chosen to even out replicated ownership among the nodes it shares replicas
 *   with: the whole ring for SimpleStrategy, its own DC (with that DC's rf) for
 *   NetworkTopologyStrategy.
 *
 * Both are deterministic for a seed, and a cluster is always grown one node at a time in array
 * order, so `allocateTokens(nodes)[i]` equals `tokensForNewNode` on the ring of nodes 0..i-1.
 */
import type { Progress } from './progress.js';
import {
  balancedTokens,
  createBalancedDomain,
  fractionOfParts,
  type BalancedDomain,
  type DomainRing,
} from './allocation-balanced.js';
import { invalidConfig, RinglabError } from './errors.js';
import type { Random } from './random.js';
import { createPlacement, replicatedOwnership, type ReplicationStrategy } from './replication.js';
import { buildRing, type NodeSpec, type Ring } from './ring.js';
import { imbalance } from './stats.js';
import { toSigned64 } from './token.js';

export const allocatorNames = ['random', 'balanced'] as const;
export type AllocatorName = (typeof allocatorNames)[number];

/** The most vnodes a node may have. */
export const MAX_VNODES = 1024;

export interface AllocationOptions {
  /** The nodes in the order they join. */
  readonly nodes: readonly NodeSpec[];
  readonly vnodes: number;
  readonly allocator: AllocatorName;
  readonly strategy: ReplicationStrategy;
  /** Each node draws from `random.fork('tokens/<node id>')`. */
  readonly random: Random;
  /**
   * Told the nodes done so far (joined, and measured for `growthCurve`) out of all, every few
   * nodes and once at the end.
   */
  readonly progress?: Progress | undefined;
}

export interface NewNodeOptions {
  /** The ring the node joins; undefined for the first node. */
  readonly ring: Ring | undefined;
  readonly node: NodeSpec;
  readonly vnodes: number;
  readonly allocator: AllocatorName;
  readonly strategy: ReplicationStrategy;
  readonly random: Random;
}

export interface GrowthPoint {
  readonly nodes: number;
  /** Largest replicated ownership over the mean (of the node's DC for NetworkTopologyStrategy). */
  readonly maxOverMean: number;
}

/** Tokens for every node, growing the cluster one node at a time in array order. */
export function allocateTokens(options: AllocationOptions): bigint[][] {
  const tokens: bigint[][] = [];
  joinAll(options, (own) => tokens.push(own));
  return tokens;
}

/** Tokens for one node joining an existing ring (or starting one). */
export function tokensForNewNode(options: NewNodeOptions): bigint[] {
  const { ring, node, vnodes, allocator, strategy, random } = options;
  checkOptions(vnodes, strategy);
  if (ring?.nodes.some((other) => other.id === node.id)) {
    throw new RinglabError('INVALID_ARGUMENT', `node ${node.id} is already in the ring`, 'node');
  }
  const stream = random.fork(`tokens/${node.id}`);
  if (allocator === 'random') return randomTokens(vnodes, stream, new Set<bigint>(ring?.tokens));
  return joinBalanced(ring, node, vnodes, strategy, stream);
}

/**
 * max/mean of replicated ownership after each node joins (index i: i + 1 nodes), with the tokens
 * `allocateTokens` gives. While a DC has fewer nodes than its rf, its replicas are capped at its
 * node count (as Cassandra places fewer). With NetworkTopologyStrategy each node is measured
 * against the mean of its own DC, because DCs are balanced separately; with exactly rf racks in a
 * DC each rack holds one replica of everything, so uneven rack sizes show as imbalance that no
 * allocator can remove.
 */
export function growthCurve(options: AllocationOptions): GrowthPoint[] {
  return growCluster(options).curve;
}

export interface Growth {
  /** What `allocateTokens` gives. */
  readonly tokens: bigint[][];
  /** What `growthCurve` gives. */
  readonly curve: GrowthPoint[];
}

/** The tokens and the growth curve in one pass, for callers that want both. */
export function growCluster(options: AllocationOptions): Growth {
  const { nodes, strategy } = options;
  const tokens: bigint[][] = [];
  const curve: GrowthPoint[] = [];
  // Measuring a join builds a ring and a placement of every token so far, so progress is told
  // after every measured join; the allocation inside reports nothing of its own.
  const { progress, ...allocation } = options;
  joinAll(allocation, (own) => {
    tokens.push(own);
    const count = tokens.length;
    const ring = buildRing(nodes.slice(0, count), tokens);
    curve.push({ nodes: count, maxOverMean: replicatedMaxOverMean(ring, strategy) });
    progress?.(count, nodes.length);
  });
  return { tokens, curve };
}

/**
 * Allocates every node in array order, handing each node's tokens to `joined` as soon as they
 * are chosen. The random allocator only needs the set of tokens taken (each node draws from its
 * own stream), so it keeps no ring: `buildRing` sorts once at the end. The balanced allocator
 * keeps each allocation domain's state from one join to the next (`createBalancedDomain`), which
 * gives the tokens `tokensForNewNode` would give on the ring so far.
 */
function joinAll(options: AllocationOptions, joined: (tokens: bigint[]) => void): void {
  const { nodes, vnodes, allocator, strategy, random, progress } = options;
  checkOptions(vnodes, strategy);
  const ids = new Set<string>();
  for (const node of nodes) {
    if (ids.has(node.id)) throw invalidConfig('nodes', `has duplicate node id ${node.id}`);
    ids.add(node.id);
  }
  const every = progressEvery(options);
  const taken = new Set<bigint>();
  const isTaken = (token: bigint): boolean => taken.has(token);
  const domains = new Map<string, { domain: BalancedDomain; racks: Map<string, number> }>();
  nodes.forEach((node, index) => {
    const stream = random.fork(`tokens/${node.id}`);
    if (allocator === 'random') {
      joined(randomTokens(vnodes, stream, taken));
    } else {
      const { rf, dc, rack } = domainOf(node, strategy);
      let entry = domains.get(dc);
      if (entry === undefined) {
        entry = { domain: createBalancedDomain(rf), racks: new Map() };
        domains.set(dc, entry);
      }
      let rackId = entry.racks.get(rack);
      if (rackId === undefined) {
        rackId = entry.racks.size;
        entry.racks.set(rack, rackId);
      }
      const tokens = entry.domain.join(rackId, vnodes, stream, isTaken);
      for (const token of tokens) taken.add(token);
      joined(tokens);
    }
    const done = index + 1;
    if (progress && (done % every === 0 || done === nodes.length)) progress(done, nodes.length);
  });
}

/** Tokens between progress calls for the random allocator, which draws a node in microseconds. */
const PROGRESS_TOKENS = 4096;

/**
 * Nodes between progress calls: every node for the balanced allocator (each join costs work
 * proportional to the ring), about PROGRESS_TOKENS tokens' worth for the random one.
 */
function progressEvery({ allocator, vnodes }: AllocationOptions): number {
  return allocator === 'balanced' ? 1 : Math.max(1, Math.floor(PROGRESS_TOKENS / vnodes));
}

function checkOptions(vnodes: number, strategy: ReplicationStrategy): void {
  if (!Number.isInteger(vnodes) || vnodes < 1 || vnodes > MAX_VNODES) {
    throw invalidConfig('vnodes', `must be an integer between 1 and ${MAX_VNODES}, got ${vnodes}`);
  }
  if (strategy.class === 'SimpleStrategy') {
    if (!Number.isInteger(strategy.rf) || strategy.rf < 1) {
      throw invalidConfig('rf', `must be a positive integer, got ${strategy.rf}`);
    }
    return;
  }
  for (const [dc, rf] of Object.entries(strategy.rfByDc)) {
    if (!Number.isInteger(rf) || rf < 0) {
      throw invalidConfig('rf', `for ${dc} must be a non-negative integer, got ${rf}`);
    }
  }
}

/**
 * Uniform tokens; a draw that hits a token already taken (by another node or by this one) is
 * drawn again. Each token is added to `taken`.
 */
function randomTokens(vnodes: number, random: Random, taken: Set<bigint>): bigint[] {
  const tokens: bigint[] = [];
  while (tokens.length < vnodes) {
    const token = toSigned64(random.nextUint64());
    if (taken.has(token)) continue;
    taken.add(token);
    tokens.push(token);
  }
  return tokens;
}

/**
 * The allocation domain of a node: NetworkTopologyStrategy replicates each DC on its own, so only
 * the node's DC, its racks and that DC's rf matter (a DC without replicas is balanced as rf 1).
 * SimpleStrategy sees the whole ring, each node its own rack.
 */
function domainOf(
  node: NodeSpec,
  strategy: ReplicationStrategy,
): { readonly rf: number; readonly dc: string; readonly rack: string } {
  if (strategy.class === 'SimpleStrategy') return { rf: strategy.rf, dc: '', rack: node.id };
  const rf = Object.hasOwn(strategy.rfByDc, node.dc) ? strategy.rfByDc[node.dc]! : 0;
  return { rf: Math.max(1, rf), dc: node.dc, rack: node.rack };
}

/**
 * Runs the balanced allocator for `joining` on its domain (`domainOf`) of `ring`. A SimpleStrategy
 * domain is the ring itself, read in place; a DC's is the ring's tokens of that DC.
 */
function joinBalanced(
  ring: Ring | undefined,
  joining: NodeSpec,
  vnodes: number,
  strategy: ReplicationStrategy,
  random: Random,
): bigint[] {
  const nodes = ring ? [...ring.nodes, joining] : [joining];
  const { rf, dc } = domainOf(joining, strategy);
  const local = new Int32Array(nodes.length).fill(-1);
  const racks: number[] = [];
  const rackIds = new Map<string, number>();
  nodes.forEach((node, i) => {
    const domain = domainOf(node, strategy);
    if (domain.dc !== dc) return;
    local[i] = racks.length;
    let id = rackIds.get(domain.rack);
    if (id === undefined) {
      id = rackIds.size;
      rackIds.set(domain.rack, id);
    }
    racks.push(id);
  });

  const size = ring?.size ?? 0;
  const inDomain: number[] = [];
  for (let i = 0; i < size; i++) if (local[ring!.owners[i]!]! >= 0) inDomain.push(i);
  const whole = inDomain.length === size && local.every((index, i) => index === i);
  const domain: DomainRing =
    ring === undefined
      ? { tokens: [], fractions: [], owners: [] }
      : whole
        ? {
            tokens: ring.tokens,
            fractions: Float64Array.from(ring.tokenHi, (hi, i) =>
              fractionOfParts(hi, ring.tokenLo[i]!),
            ),
            owners: ring.owners,
          }
        : {
            tokens: inDomain.map((i) => ring.tokens[i]!),
            fractions: inDomain.map((i) => fractionOfParts(ring.tokenHi[i]!, ring.tokenLo[i]!)),
            owners: inDomain.map((i) => local[ring.owners[i]!]!),
          };

  return balancedTokens({
    ring: domain,
    racks,
    newNode: local[nodes.length - 1]!,
    rf,
    vnodes,
    random,
    // Any token of the ring, other domains' too: a binary search of its sorted tokens.
    isTaken: (token) => ring !== undefined && contains(ring.tokens, token),
  });
}

function contains(sorted: BigInt64Array, token: bigint): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < token) low = mid + 1;
    else high = mid;
  }
  return low < sorted.length && sorted[low] === token;
}

function replicatedMaxOverMean(ring: Ring, strategy: ReplicationStrategy): number {
  const nodesPerDc = new Map<string, number>();
  for (const node of ring.nodes) nodesPerDc.set(node.dc, (nodesPerDc.get(node.dc) ?? 0) + 1);
  let capped: ReplicationStrategy;
  if (strategy.class === 'SimpleStrategy') {
    capped = { class: 'SimpleStrategy', rf: Math.min(strategy.rf, ring.nodes.length) };
  } else {
    const rfByDc: Record<string, number> = {};
    for (const [dc, rf] of Object.entries(strategy.rfByDc)) {
      const count = nodesPerDc.get(dc) ?? 0;
      if (count > 0 && rf > 0) rfByDc[dc] = Math.min(rf, count);
    }
    // No replicas anywhere yet: nothing is owned, so nothing is out of balance.
    if (Object.keys(rfByDc).length === 0) return 1;
    capped = { class: 'NetworkTopologyStrategy', rfByDc };
  }
  const ownership = replicatedOwnership(createPlacement(ring, capped));
  if (capped.class === 'SimpleStrategy') return imbalance(ownership).maxOverMean;
  let worst = 1;
  for (const dc of Object.keys(capped.rfByDc)) {
    const values = ring.nodes.flatMap((node, i) => (node.dc === dc ? [ownership[i]!] : []));
    worst = Math.max(worst, imbalance(values).maxOverMean);
  }
  return worst;
}
