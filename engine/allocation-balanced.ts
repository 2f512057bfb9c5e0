/**
 * The replication-aware ("balanced") token allocator, in the spirit of Cassandra 4.0's
 * `allocate_tokens_for_local_replication_factor`. It chooses the tokens of one joining node so
 * that replicated ownership stays even, working on one allocation *domain*: the tokens of the nodes
 * the joining node shares replicas with (the whole ring for SimpleStrategy, its own DC for
 * NetworkTopologyStrategy). Positions are float64 fractions of the ring; only the chosen tokens
 * are turned back into distinct bigints.
 *
 * Model. Replicas follow `placeReplicas` exactly. Walking clockwise from a range's end, a node
 * (at its first token met) is a replica unless rf replicas are already found, or its rack was
 * already met and the rack repeats are used up: NetworkTopologyStrategy allows rf - racks repeats
 * (none when the DC has at least rf racks). SimpleStrategy is the same rule with every node its
 * own rack. Both conditions only grow as the walk goes on, so each token replicates one
 * contiguous *span* of ranges before it: walking back from the token, up to the first token of its
 * own node or the first token whose addition blocks it. A node's replicated ownership is the sum
 * of its tokens' spans; a test checks this against `replicatedOwnership`.
 *
 * Local evaluation. Putting a token t into the gap (a, b] changes only the span of t and those of
 * the gap's replica tokens (each replica's first token from b on): t's node joins what each of
 * them walks past, so a span may now stop at t (cut back to t) or at some earlier token. Each
 * change is linear in u = t - a, so the objective is a quadratic in u and the best split of a gap
 * has a closed form. Evaluating a gap walks O(rf) spans instead of recomputing the ring.
 *
 * Objective, to minimise: the sum over nodes of (ownership / tokens - T)^2 plus a tenth of the sum
 * over tokens of (span - T)^2 / tokens^2, where T = replicas / all tokens is the ideal span. The
 * node term is what we want even; the small token term keeps spans even so that later joins have
 * ranges worth splitting. The weight 0.1 was chosen by growing clusters to 250 nodes (rf 1 and 3,
 * two DCs with racks): with 1 the worst max/mean is 0.005 to 0.015 higher, with 0 about 0.06.
 *
 * A joining node gets its tokens in two steps, over a set of candidate gaps (below):
 * 1. Greedy: every candidate is evaluated once and kept in a max-heap; each token goes to the top
 *    gap after re-evaluating it (lazy greedy: taken when still at least the next entry, which may
 *    be stale). While placing its p-th token the newcomer aims at p/vnodes of its final share, so
 *    each token is asked for about one token's worth: its first tokens relieve the most loaded
 *    nodes instead of grabbing the largest spans, and heap entries stay comparable as it grows.
 * 2. Polish: up to POLISH_PASSES rounds of taking each new token out and putting it back in the
 *    best gap, now aiming at the final share (coordinate descent). A token only moves to a gap at
 *    least as good as the one it left. Measured over growth to 250 nodes with rf 3, this takes
 *    the worst max/mean from about 1.05 to 1.03, and it removes the greedy's rare bad joins.
 * A node that replicates everything whatever its tokens (alone in its rack, with no more racks
 * than rf) cannot be balanced yet; its tokens instead split the largest gaps at random ratios, so
 * that the ring starts with varied range sizes for later joins to even out (equal ranges from the
 * start lock the ring into a doubling pattern). The first node of a domain gets evenly spaced
 * tokens from a random offset.
 *
 * Candidates. A domain of at most EXHAUSTIVE_GAPS gaps (256 nodes of 16 vnodes) is searched
 * whole: every gap is a candidate of both steps. A larger one would make every join cost time in
 * proportion to the ring (growing 1,000 nodes took seconds), so its greedy considers the gaps
 * whose replicas include a token of one of the vnodes x LOADED_NODES_PER_VNODE most loaded nodes
 * (ownership per token), the gaps the join can relieve most, found from the nodes alone; and its
 * polish the best vnodes x POLISH_GAPS_PER_VNODE of those by their first evaluation, with the gaps
 * near the new tokens. Each step also keeps every gap it evaluated on the way. Growing to 1,000
 * nodes with rf 3 (seeds 1 to 3), the joins past 256 nodes had a worst max/mean of 1.025 to
 * 1.030 and a mean of 1.020, against 1.027 to 1.030 and 1.021 when every join searched every gap;
 * more loaded nodes (2 or 3 per vnode) or more polish gaps (64) were no better.
 *
 * Records. Evaluating a gap has two parts: walks along the ring (what the insertion changes:
 * spans, their slopes, which nodes gain or lose) and arithmetic on the targets and the nodes'
 * ownership. The walks' results are kept per gap (see the record layout below) and walked again
 * only when the ring changes within their reach (`gapsNear`), or when the joining node's rack
 * or the rack repeats change what a walk stops at; so re-evaluating a gap, as the lazy greedy
 * and the polish do all the time, is arithmetic. The results are the same as walking every time.
 *
 * Growing. `balancedTokens` builds the domain's state from a ring, for one node joining it;
 * `createBalancedDomain` keeps it from one join to the next, for a cluster grown node by node.
 * Both give the same tokens (tests hold them to it): after each join a grown domain sums the
 * ownership of every node whose spans changed afresh, in token order as a built one does, and a
 * rack that changes the repeats has every span computed again.
 */
import type { Random } from './random.js';
import { MIN_TOKEN, RING_SIZE, toSigned64 } from './token.js';

/** The tokens of an allocation domain, ascending, with their ring fractions and owners. */
export interface DomainRing {
  readonly tokens: ArrayLike<bigint>;
  /** `fractionOfToken` of each token. */
  readonly fractions: ArrayLike<number>;
  /** Domain-local index of each token's node. */
  readonly owners: ArrayLike<number>;
}

export interface BalancedRequest {
  readonly ring: DomainRing;
  /**
   * Rack of each domain-local node (dense ids from 0), the joining node included. For
   * SimpleStrategy every node is its own rack.
   */
  readonly racks: readonly number[];
  /** Domain-local index of the joining node; it owns no token yet. */
  readonly newNode: number;
  /** Replicas per range inside the domain. */
  readonly rf: number;
  readonly vnodes: number;
  /** The joining node's own stream. */
  readonly random: Random;
  /** True for a token used anywhere on the ring, other domains included. */
  readonly isTaken: (token: bigint) => boolean;
}

const TWO_POW_32 = 2 ** 32;
const TWO_POW_64 = 2 ** 64;
/** Gaps narrower than this (about 4096 tokens) are not split: float positions are too coarse. */
const MIN_GAP = 2 ** -52;
const TOKEN_TERM_WEIGHT = 0.1;
const POLISH_PASSES = 3;
/** A domain with at most this many gaps is searched whole (see the file comment). */
const EXHAUSTIVE_GAPS = 4096;
/** In a larger one, the greedy considers the gaps of this many most loaded nodes per vnode... */
const LOADED_NODES_PER_VNODE = 1;
/** ...and the polish the best of those, this many per vnode, and the gaps near the new tokens. */
const POLISH_GAPS_PER_VNODE = 32;
/** Split ratios for the tokens of nodes that cannot be balanced yet. */
const SPLIT_RATIO_MIN = 0.3;
const SPLIT_RATIO_MAX = 0.7;

/**
 * A token's position as a fraction of the ring in [0, 1]: (token - MIN_TOKEN) / 2^64, correctly
 * rounded. Takes the halves so that callers holding a Ring's `tokenHi`/`tokenLo` need no bigint.
 */
export function fractionOfParts(hi: number, lo: number): number {
  return ((hi + 2147483648) * TWO_POW_32 + (lo >>> 0)) / TWO_POW_64;
}

export function fractionOfToken(token: bigint): number {
  return fractionOfParts(
    Number(BigInt.asIntN(32, token >> 32n)),
    Number(BigInt.asUintN(32, token)),
  );
}

/** Tokens for the joining node described by `request`. */
export function balancedTokens(request: BalancedRequest): bigint[] {
  const { ring, racks, newNode, rf, vnodes, random, isTaken } = request;
  if (ring.tokens.length === 0) return evenTokens(vnodes, random.nextFloat(), isTaken);
  const s = createState(ring, racks, rf, newNode, ring.tokens.length + vnodes);
  const newRack = racks[newNode]!;
  const rackmates = racks.filter((rack) => rack === newRack).length - 1;
  return allocate(s, rackmates, racks.length, vnodes, random, isTaken);
}

/**
 * One allocation domain grown one node at a time (see "Growing" in the file comment): what
 * `balancedTokens` gives for each join, without building the domain's state for every join.
 */
export interface BalancedDomain {
  /**
   * Tokens for the next node of the domain, of rack `rack` (dense ids from 0, in the order the
   * racks first join). `isTaken` says which tokens are used anywhere on the ring.
   */
  join(rack: number, vnodes: number, random: Random, isTaken: (token: bigint) => boolean): bigint[];
}

/** An empty domain with `rf` replicas per range, to be grown with `join`. */
export function createBalancedDomain(rf: number): BalancedDomain {
  const s = createState({ tokens: [], fractions: [], owners: [] }, [], rf, -1, 64);
  /** Domain nodes per rack. */
  const rackSizes: number[] = [];
  return {
    join(rack, vnodes, random, isTaken) {
      const node = addNode(s, rack);
      const firstSlot = s.used;
      rackSizes[rack] = (rackSizes[rack] ?? 0) + 1;
      setCount(s, node, vnodes);
      ensureCapacity(s, s.used + vnodes);
      const rackmates = rackSizes[rack]! - 1;
      let tokens: bigint[];
      if (s.size === 0) {
        tokens = evenTokens(vnodes, random.nextFloat(), isTaken);
        placeFirstTokens(s, tokens);
      } else {
        useRecordsFor(s, rackmates === 0 ? -1 : rack);
        tokens = allocate(s, rackmates, node + 1, vnodes, random, isTaken);
      }
      settleJoin(s, firstSlot);
      return tokens;
    },
  };
}

/** What `balancedTokens` does once the joining node is in `s`. */
function allocate(
  s: State,
  rackmates: number,
  nodes: number,
  vnodes: number,
  random: Random,
  isTaken: (token: bigint) => boolean,
): bigint[] {
  // Targets count the joining node's tokens from the start: its share is vnodes tokens' worth.
  setCount(s, s.newNode, vnodes);
  if (rackmates === 0 && s.rackCount <= s.rf) return splitTokens(s, vnodes, random, isTaken);
  // Replicas per range (a DC with fewer nodes than rf has fewer), shared by all tokens.
  s.tokenTarget = Math.min(s.rf, nodes) / (s.size + vnodes);
  s.newTokenWeight = TOKEN_TERM_WEIGHT / (vnodes * vnodes);
  return greedyThenPolish(s, vnodes, isTaken);
}

/**
 * The domain ring as a cyclic doubly linked list over slots (indexes into the arrays), so that a
 * token can be inserted or removed in O(1) and a gap keeps its identity: the slot of its end.
 * Slot arrays have room for `capacity` tokens and node arrays for `nodeCapacity` nodes; a growing
 * domain replaces them with larger copies.
 */
interface State {
  /** Live tokens. */
  size: number;
  /** Next unused slot. */
  used: number;
  capacity: number;
  /** Slot of the smallest token: where `createState` would start the list. */
  first: number;
  readonly rf: number;
  /** Rack repeats NetworkTopologyStrategy allows: rf - racks, at least 0. */
  repeats: number;
  rackCount: number;
  /** Nodes in the domain, the joining one included. */
  nodeCount: number;
  nodeCapacity: number;
  newNode: number;
  newRack: number;
  pos: Float64Array;
  readonly tok: bigint[];
  owner: Int32Array;
  rack: Int32Array;
  next: Int32Array;
  prev: Int32Array;
  /** Replicated ownership through each token: the size of its span. */
  span: Float64Array;
  ownership: Float64Array;
  /** Tokens per node; the joining node counts its final number from the start. */
  count: Int32Array;
  /** 1 / tokens^2 of each node, the weight of its node term (see `setCount`). */
  nodeWeight: Float64Array;
  /** Rack of each node. */
  nodeRack: Int32Array;
  /** Each node's token slots, ascending by token. */
  readonly slotsOf: number[][];
  /**
   * The current walk: nodes and racks met are marked with `stamp` and counted. Walks never nest;
   * each starts with `beginWalk`.
   */
  nodeMark: Int32Array;
  rackMark: Int32Array;
  stamp: number;
  walkNodes: number;
  walkRacks: number;
  tokenTarget: number;
  /** Weight of the joining node's token terms: TOKEN_TERM_WEIGHT / its tokens^2. */
  newTokenWeight: number;
  /** Ownership the joining node aims at (see the greedy step in the file comment). */
  newTarget: number;
  /** Scratch of `evaluate`: the best offset u of the last gap evaluated. */
  offset: number;
  readonly replicas: Int32Array;
  /** 1 for a slot whose token is in the ring. */
  inRing: Uint8Array;
  /**
   * Each gap's record (see "Records" in the file comment), by the slot of its end, in two parts:
   * `hotStride` numbers of `hot` and `coldStride` numbers of `cold` from slot x stride. `fresh`
   * is 0 for a gap whose record must be walked again before it is read.
   */
  fresh: Uint8Array;
  hot: Float64Array;
  cold: Float64Array;
  readonly hotStride: number;
  readonly coldStride: number;
  /** The rack the records were walked for, -1 for a rack no other node has. */
  recordsRack: number;
  recordsRepeats: number;
  /** Scratch of `gapsNear`. */
  readonly near: number[];
  /**
   * The current step's candidate gaps (see "Candidates" in the file comment), which the lazy
   * greedy refills its heap from; `candidateMark[slot]` is `candidateStamp` for each.
   */
  readonly candidates: number[];
  candidateMark: Int32Array;
  candidateStamp: number;
  /** Each candidate's value when the heap was last refilled, by slot. */
  value: Float64Array;
  /** Scratch of `bestGaps` and `gapsOfLoadedNodes`. */
  selection: Float64Array;
  /** Nodes whose spans changed since the last `settleJoin` (`changedMark` says which). */
  readonly changed: number[];
  changedMark: Uint8Array;
  heap: GapHeap | undefined;
}

/**
 * Replicated ownership of each node of a domain as the allocator's model sees it: the sum of its
 * tokens' spans. Exported for the tests that hold the model against `replicatedOwnership`.
 */
export function spanOwnership(
  ring: DomainRing,
  racks: readonly number[],
  rf: number,
): Float64Array {
  return createState(ring, racks, rf, -1, ring.tokens.length).ownership.slice(0, racks.length);
}

/** The state of a domain ring, with room for `capacity` tokens; `newNode` may be -1 (none). */
function createState(
  ring: DomainRing,
  racks: readonly number[],
  rf: number,
  newNode: number,
  capacity: number,
): State {
  const n = ring.tokens.length;
  const rackCount = new Set(racks).size;
  let rackIds = 0;
  for (const rack of racks) rackIds = Math.max(rackIds, rack + 1);
  const nodeCapacity = Math.max(racks.length, 1);
  const s: State = {
    size: n,
    used: n,
    capacity,
    first: 0,
    rf,
    repeats: Math.max(0, rf - rackCount),
    rackCount,
    nodeCount: racks.length,
    nodeCapacity,
    newNode,
    newRack: racks[newNode] ?? -1,
    pos: new Float64Array(capacity),
    tok: new Array<bigint>(capacity),
    owner: new Int32Array(capacity),
    rack: new Int32Array(capacity),
    next: new Int32Array(capacity),
    prev: new Int32Array(capacity),
    span: new Float64Array(capacity),
    ownership: new Float64Array(nodeCapacity),
    count: new Int32Array(nodeCapacity),
    nodeWeight: new Float64Array(nodeCapacity),
    nodeRack: Int32Array.from({ length: nodeCapacity }, (_, i) => racks[i] ?? 0),
    slotsOf: Array.from({ length: racks.length }, (): number[] => []),
    nodeMark: new Int32Array(nodeCapacity),
    rackMark: new Int32Array(Math.max(rackIds, 1)),
    stamp: 0,
    walkNodes: 0,
    walkRacks: 0,
    tokenTarget: 0,
    newTokenWeight: 0,
    newTarget: 0,
    offset: 0,
    replicas: new Int32Array(rf),
    inRing: new Uint8Array(capacity),
    fresh: new Uint8Array(capacity),
    hot: new Float64Array(capacity * hotStride(rf)),
    cold: new Float64Array(capacity * coldStride(rf)),
    hotStride: hotStride(rf),
    coldStride: coldStride(rf),
    recordsRack: -1,
    recordsRepeats: 0,
    near: [],
    candidates: [],
    candidateMark: new Int32Array(capacity),
    candidateStamp: 0,
    value: new Float64Array(capacity),
    selection: new Float64Array(capacity),
    changed: [],
    changedMark: new Uint8Array(nodeCapacity),
    heap: undefined,
  };
  for (let i = 0; i < n; i++) {
    const owner = ring.owners[i]!;
    s.tok[i] = ring.tokens[i]!;
    s.pos[i] = ring.fractions[i]!;
    s.owner[i] = owner;
    s.rack[i] = racks[owner]!;
    s.next[i] = i + 1 === n ? 0 : i + 1;
    s.prev[i] = i === 0 ? n - 1 : i - 1;
    s.inRing[i] = 1;
    s.count[owner]!++;
    s.slotsOf[owner]!.push(i);
  }
  for (let i = 0; i < n; i++) {
    s.span[i] = spanOf(s, i);
    s.ownership[s.owner[i]!]! += s.span[i]!;
  }
  for (let node = 0; node < racks.length; node++) setCount(s, node, s.count[node]!);
  return s;
}

/** Sets a node's token count and the weight of its node term. */
function setCount(s: State, node: number, count: number): void {
  s.count[node] = count;
  s.nodeWeight[node] = 1 / (count * count);
}

/** A copy of `array` with room for `length` elements. */
function resized<T extends Float64Array | Int32Array | Int8Array | Uint8Array>(
  array: T,
  length: number,
): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array.subarray(0, Math.min(array.length, length)));
  return bigger;
}

/** Grows the slot arrays to hold at least `tokens` tokens. */
function ensureCapacity(s: State, tokens: number): void {
  if (tokens <= s.capacity) return;
  const capacity = Math.max(tokens, s.capacity * 2);
  s.pos = resized(s.pos, capacity);
  s.owner = resized(s.owner, capacity);
  s.rack = resized(s.rack, capacity);
  s.next = resized(s.next, capacity);
  s.prev = resized(s.prev, capacity);
  s.span = resized(s.span, capacity);
  s.inRing = resized(s.inRing, capacity);
  s.fresh = resized(s.fresh, capacity);
  s.hot = resized(s.hot, capacity * s.hotStride);
  s.cold = resized(s.cold, capacity * s.coldStride);
  s.candidateMark = resized(s.candidateMark, capacity);
  s.value = resized(s.value, capacity);
  s.selection = new Float64Array(capacity);
  s.capacity = capacity;
}

/** Adds the next node of a growing domain, of rack `rack`, as the joining node. */
function addNode(s: State, rack: number): number {
  const node = s.nodeCount++;
  if (node >= s.nodeCapacity) {
    const capacity = s.nodeCapacity * 2;
    s.ownership = resized(s.ownership, capacity);
    s.count = resized(s.count, capacity);
    s.nodeWeight = resized(s.nodeWeight, capacity);
    s.nodeRack = resized(s.nodeRack, capacity);
    s.nodeMark = resized(s.nodeMark, capacity);
    s.changedMark = resized(s.changedMark, capacity);
    s.nodeCapacity = capacity;
  }
  if (rack >= s.rackMark.length)
    s.rackMark = resized(s.rackMark, Math.max(rack + 1, s.rackMark.length * 2));
  let known = false;
  for (let other = 0; other < node && !known; other++) known = s.nodeRack[other] === rack;
  if (!known) s.rackCount++;
  s.nodeRack[node] = rack;
  s.slotsOf[node] = [];
  const repeats = Math.max(0, s.rf - s.rackCount);
  if (repeats !== s.repeats) {
    // Fewer repeats block walks sooner: every span may change, as in a state built afresh.
    s.repeats = repeats;
    respanAll(s);
  }
  s.newNode = node;
  s.newRack = rack;
  return node;
}

/** Computes every span and ownership afresh, as `createState` does. */
function respanAll(s: State): void {
  for (let b = 0; b < s.used; b++) if (s.inRing[b] === 1) s.span[b] = spanOf(s, b);
  for (let node = 0; node < s.nodeCount; node++) s.ownership[node] = summedOwnership(s, node);
}

/**
 * A node's ownership summed afresh from its spans in token order, the order `createState` sums
 * them in (floating-point sums depend on their order).
 */
function summedOwnership(s: State, node: number): number {
  let sum = 0;
  for (const slot of s.slotsOf[node]!) sum += s.span[slot]!;
  return sum;
}

/**
 * Makes the records valid for a joining node of rack `rack` (-1: a rack of its own). They depend
 * on the joining node only through its rack and the repeats; otherwise they stay.
 */
function useRecordsFor(s: State, rack: number): void {
  if (rack === s.recordsRack && s.repeats === s.recordsRepeats) return;
  s.fresh.fill(0);
  s.recordsRack = rack;
  s.recordsRepeats = s.repeats;
}

/** Links the first node's tokens (ascending) into the empty list of a growing domain. */
function placeFirstTokens(s: State, tokens: readonly bigint[]): void {
  const sorted = [...tokens].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const n = sorted.length;
  for (let i = 0; i < n; i++) {
    const slot = s.used + i;
    s.tok[slot] = sorted[i]!;
    s.pos[slot] = fractionOfToken(sorted[i]!);
    s.owner[slot] = s.newNode;
    s.rack[slot] = s.newRack;
    s.next[slot] = s.used + (i + 1 === n ? 0 : i + 1);
    s.prev[slot] = s.used + (i === 0 ? n - 1 : i - 1);
    s.inRing[slot] = 1;
  }
  s.first = s.used;
  s.used += n;
  s.size = n;
  for (let i = 0; i < n; i++) setSpan(s, s.first + i, spanOf(s, s.first + i));
  s.fresh.fill(0);
}

/**
 * Ends a join of a growing domain: each node whose spans changed gets its ownership summed
 * afresh in token order, as `createState` sums it, so that the next join starts from what
 * `balancedTokens` would compute from the ring (floating-point sums depend on their order); and
 * the records near the new tokens, walked with the joining node as the newcomer, are dropped.
 */
function settleJoin(s: State, firstSlot: number): void {
  const { slotsOf } = s;
  // The joining node's tokens took the slots from `firstSlot` on, and kept them while moving.
  const mine = Array.from({ length: s.used - firstSlot }, (_, i) => firstSlot + i);
  mine.sort((x, y) => (s.tok[x]! < s.tok[y]! ? -1 : 1));
  slotsOf[s.newNode] = mine;
  for (const node of s.changed) {
    s.ownership[node] = summedOwnership(s, node);
    s.changedMark[node] = 0;
  }
  s.changed.length = 0;
  for (const slot of mine) markNear(s, slot);
}

/**
 * Clockwise distance, as a fraction of the ring, from the token in slot `from` to the one in slot
 * `to`; from a token to itself it is the whole ring. Tokens closer than a float can tell apart
 * share a fraction; their bigints then say whether the way round is nearly nothing or nearly all.
 */
function distance(s: State, from: number, to: number): number {
  const d = s.pos[to]! - s.pos[from]!;
  if (d > 0) return d;
  if (d < 0) return d + 1;
  return s.tok[to]! > s.tok[from]! ? 0 : 1;
}

function beginWalk(s: State): void {
  s.stamp++;
  s.walkNodes = 0;
  s.walkRacks = 0;
}

/** Adds a node (of a token met) to the current walk. */
function meet(s: State, node: number, rack: number): void {
  if (s.nodeMark[node] !== s.stamp) {
    s.nodeMark[node] = s.stamp;
    s.walkNodes++;
  }
  if (s.rackMark[rack] !== s.stamp) {
    s.rackMark[rack] = s.stamp;
    s.walkRacks++;
  }
}

/** Replicas found among the nodes met: one per rack, plus the repeats allowed (capped at rf). */
function accepted(s: State): number {
  return s.walkRacks + Math.min(s.repeats, s.walkNodes - s.walkRacks);
}

/** Whether a new node of `rack`, met after the walk's nodes, would not be a replica. */
function blocked(s: State, rack: number): boolean {
  return (
    accepted(s) >= s.rf || (s.rackMark[rack] === s.stamp && s.walkNodes - s.walkRacks >= s.repeats)
  );
}

/**
 * Continues the current walk back from slot `from` (inclusive) and returns where the span of a
 * token of (`node`, `rack`) starts: at the node's own token or at the first token that blocks it.
 * Returns -1 when the walk covers the ring without stopping.
 */
function walkBack(s: State, from: number, node: number, rack: number): number {
  let j = from;
  for (let step = 0; step < s.size; step++) {
    const owner = s.owner[j]!;
    if (owner === node) return j;
    meet(s, owner, s.rack[j]!);
    if (blocked(s, rack)) return j;
    j = s.prev[j]!;
  }
  return -1;
}

/** Size of the span (start, end]; a span from a token to itself (or unbounded) is the ring. */
function spanFrom(s: State, start: number, end: number): number {
  return start < 0 ? 1 : distance(s, start, end);
}

function spanOf(s: State, i: number): number {
  beginWalk(s);
  return spanFrom(s, walkBack(s, s.prev[i]!, s.owner[i]!, s.rack[i]!), i);
}

/** Sets a token's span, keeping its node's ownership and noting that the node changed. */
function setSpan(s: State, slot: number, span: number): void {
  const node = s.owner[slot]!;
  s.ownership[node]! += span - s.span[slot]!;
  s.span[slot] = span;
  if (s.changedMark[node] === 0) {
    s.changedMark[node] = 1;
    s.changed.push(node);
  }
}

/**
 * Fills `s.replicas` with the replica tokens of the gap ending at `b` (each replica node's first
 * token from b on), in placement order, and returns how many there are.
 */
function findReplicas(s: State, b: number): number {
  beginWalk(s);
  let found = 0;
  for (let j = b, step = 0; step < s.size && found < s.rf; step++, j = s.next[j]!) {
    const owner = s.owner[j]!;
    if (s.nodeMark[owner] === s.stamp) continue;
    const isReplica = !blocked(s, s.rack[j]!);
    meet(s, owner, s.rack[j]!);
    if (isReplica) s.replicas[found++] = j;
  }
  return found;
}

/** Recomputes the spans of the replica tokens of the gap ending at `b` after a change there. */
function updateReplicaSpans(s: State, b: number): void {
  const found = findReplicas(s, b);
  for (let k = 0; k < found; k++) {
    const j = s.replicas[k]!;
    setSpan(s, j, spanOf(s, j));
  }
}

/**
 * Inserts a token of the joining node into the gap ending at `b`, `offset` (a fraction of the
 * ring) after the gap's start, in slot `slot`. The bigint is the offset rounded, kept strictly
 * inside the gap and off tokens taken elsewhere on the ring.
 */
function insertToken(
  s: State,
  b: number,
  offset: number,
  slot: number,
  isTaken: (token: bigint) => boolean,
): void {
  const a = s.prev[b]!;
  const start = s.tok[a]!;
  let width = BigInt.asUintN(64, s.tok[b]! - start);
  if (width === 0n) width = RING_SIZE;
  let step = BigInt(Math.round(offset * TWO_POW_64));
  if (step > width - 1n) step = width - 1n;
  if (step < 1n) step = 1n;
  let token = toSigned64(start + step);
  while (isTaken(token) && step < width - 1n) token = toSigned64(start + ++step);
  s.tok[slot] = token;
  s.pos[slot] = fractionOfToken(token);
  s.owner[slot] = s.newNode;
  s.rack[slot] = s.newRack;
  s.prev[slot] = a;
  s.next[slot] = b;
  s.next[a] = slot;
  s.prev[b] = slot;
  s.inRing[slot] = 1;
  s.size++;
  if (token < s.tok[s.first]!) s.first = slot;
  s.span[slot] = 0;
  setSpan(s, slot, spanOf(s, slot));
  updateReplicaSpans(s, b);
  markNear(s, slot);
}

function removeToken(s: State, slot: number): void {
  const a = s.prev[slot]!;
  const b = s.next[slot]!;
  s.next[a] = b;
  s.prev[b] = a;
  s.inRing[slot] = 0;
  s.size--;
  if (s.first === slot) s.first = b;
  setSpan(s, slot, 0);
  updateReplicaSpans(s, b);
  markNear(s, b);
}

/**
 * Record layout. Hot part, read by every evaluation: the gap's width; the ideal span (NaN: none
 * yet) and the joining node's token count that the token terms' part of c, bq and aq (see
 * `evaluate`) was summed for, and that part; then the nodes whose ownership the insertion changes,
 * each as (node, -1 for the joining one; gain at offset 0; slope). Cold
 * part, read when the ideal span changes: the new token's span at offset 0 and its slope; then
 * each replica token whose span changes as (its node's tokens, its span now, its span at offset
 * 0, slope).
 */
const HOT_WIDTH = 0;
const HOT_TARGET = 1;
const HOT_VNODES = 2;
const HOT_TERMS = 3;
const HOT_TOUCHED = 6;
const TOUCHED_STRIDE = 3;
const COLD_NEW_BASE = 0;
const COLD_NEW_SLOPE = 1;
const COLD_REPLICAS = 2;

function hotStride(rf: number): number {
  return HOT_TOUCHED + 1 + TOUCHED_STRIDE * (rf + 1);
}

function coldStride(rf: number): number {
  return COLD_REPLICAS + 1 + 4 * rf;
}

/**
 * Walks the record of the gap ending at `b` (see "Records" in the file comment): what inserting
 * a token of the joining node there changes, as linear functions of the token's offset u from the
 * gap's start. The ring's state is all it reads, none of the targets.
 */
function walkRecord(s: State, b: number): void {
  const { newNode, newRack, replicas, hot, cold } = s;
  const h = b * s.hotStride;
  const k = b * s.coldStride;
  const a = s.prev[b]!;
  hot[h + HOT_WIDTH] = distance(s, a, b);
  // The new token: its span reaches back from t to where a walk from a stops.
  beginWalk(s);
  const start = walkBack(s, a, newNode, newRack);
  const newBase = start < 0 ? 1 : start === a ? 0 : distance(s, start, a);
  const newSlope = start < 0 ? 0 : 1;
  hot[h + HOT_TARGET] = Number.NaN;
  cold[k + COLD_NEW_BASE] = newBase;
  cold[k + COLD_NEW_SLOPE] = newSlope;
  hot[h + HOT_TOUCHED + 1] = -1;
  hot[h + HOT_TOUCHED + 2] = newBase;
  hot[h + HOT_TOUCHED + 3] = newSlope;
  let touchedCount = 1;
  let changes = 0;

  const replicaCount = findReplicas(s, b);
  for (let i = 0; i < replicaCount; i++) {
    const r = replicas[i]!;
    const owner = s.owner[r]!;
    const rack = s.rack[r]!;
    // Walk back from r as if t were in place: the tokens from b on, then t, then a and before.
    beginWalk(s);
    for (let j = s.prev[r]!; j !== a; j = s.prev[j]!) meet(s, s.owner[j]!, s.rack[j]!);
    let cut = owner === newNode;
    if (!cut) {
      meet(s, newNode, newRack);
      cut = blocked(s, rack);
    }
    // Cut back to t, it keeps (t, r]; otherwise it stops where it stops, t or not.
    const base = cut ? distance(s, a, r) : spanFrom(s, walkBack(s, a, owner, rack), r);
    const slope = cut ? -1 : 0;
    const old = s.span[r]!;
    if (slope === 0 && base === old) continue;
    const at = k + COLD_REPLICAS + 1 + 4 * changes++;
    const count = s.count[owner]!;
    cold[at] = TOKEN_TERM_WEIGHT / (count * count);
    cold[at + 1] = old;
    cold[at + 2] = base;
    cold[at + 3] = slope;
    const node = owner === newNode ? -1 : owner;
    let m = 0;
    while (m < touchedCount && hot[h + HOT_TOUCHED + 1 + TOUCHED_STRIDE * m] !== node) m++;
    const t = h + HOT_TOUCHED + 1 + TOUCHED_STRIDE * m;
    if (m === touchedCount) {
      hot[t] = node;
      hot[t + 1] = 0;
      hot[t + 2] = 0;
      touchedCount++;
    }
    hot[t + 1]! += base - old;
    hot[t + 2]! += slope;
  }
  hot[h + HOT_TOUCHED] = touchedCount;
  cold[k + COLD_REPLICAS] = changes;
  s.fresh[b] = 1;
}

/**
 * Sums the token terms of the gap ending at `b` for the current ideal span into its record:
 * (span - T)^2 / tokens^2 of the new token and of each replica token whose span changes.
 */
function sumTokenTerms(s: State, b: number): void {
  const { hot, cold, tokenTarget } = s;
  const h = b * s.hotStride;
  const k = b * s.coldStride;
  const vnodes = s.count[s.newNode]!;
  let c = 0;
  let bq = 0;
  let aq = 0;
  {
    const newBase = cold[k + COLD_NEW_BASE]!;
    const newSlope = cold[k + COLD_NEW_SLOPE]!;
    const w = s.newTokenWeight;
    const d0 = newBase - tokenTarget;
    c -= w * d0 * d0;
    bq += w * newSlope * d0;
    aq += w * newSlope * newSlope;
  }
  const changes = cold[k + COLD_REPLICAS]!;
  for (let i = 0, at = k + COLD_REPLICAS + 1; i < changes; i++, at += 4) {
    const w = cold[at]!;
    const o = cold[at + 1]! - tokenTarget;
    const d0 = cold[at + 2]! - tokenTarget;
    const slope = cold[at + 3]!;
    c += w * (o * o - d0 * d0);
    bq += w * slope * d0;
    aq += w * slope * slope;
  }
  hot[h + HOT_TERMS] = c;
  hot[h + HOT_TERMS + 1] = bq;
  hot[h + HOT_TERMS + 2] = aq;
  hot[h + HOT_TARGET] = tokenTarget;
  hot[h + HOT_VNODES] = vnodes;
}

/**
 * How much inserting a token of the joining node into the gap ending at `b` lowers the objective,
 * at the best offset in the gap (left in `s.offset`). Returns -Infinity for a gap too narrow to
 * split. improvement(u) = c - 2 * bq * u - aq * u^2, summed over every term the insertion
 * changes: the token terms from the record, then the node terms from the nodes' ownership now.
 */
function evaluate(s: State, b: number): number {
  if (s.fresh[b] === 0) walkRecord(s, b);
  const { hot, newNode, tokenTarget } = s;
  const h = b * s.hotStride;
  const gap = hot[h + HOT_WIDTH]!;
  if (gap < MIN_GAP) return -Infinity;
  if (hot[h + HOT_TARGET] !== tokenTarget || hot[h + HOT_VNODES] !== s.count[newNode]) {
    sumTokenTerms(s, b);
  }
  let c = hot[h + HOT_TERMS]!;
  let bq = hot[h + HOT_TERMS + 1]!;
  let aq = hot[h + HOT_TERMS + 2]!;
  const touchedCount = hot[h + HOT_TOUCHED]!;
  for (let m = 0, t = h + HOT_TOUCHED + 1; m < touchedCount; m++, t += TOUCHED_STRIDE) {
    const id = hot[t]!;
    const node = id < 0 ? newNode : id;
    const w = s.nodeWeight[node]!;
    const o = s.ownership[node]! - (id < 0 ? s.newTarget : s.count[node]! * tokenTarget);
    const d0 = o + hot[t + 1]!;
    const slope = hot[t + 2]!;
    c += w * (o * o - d0 * d0);
    bq += w * slope * d0;
    aq += w * slope * slope;
  }

  let u = gap / 2;
  if (aq > 0) u = Math.min(gap * 0.95, Math.max(gap * 0.05, -bq / aq));
  s.offset = u;
  return c - 2 * bq * u - aq * u * u;
}

function greedyThenPolish(s: State, vnodes: number, isTaken: (token: bigint) => boolean): bigint[] {
  const heap = (s.heap ??= createGapHeap(s));
  const push = (b: number): void => heap.push(b, evaluate(s, b));
  const { candidates } = s;
  s.candidateStamp++;
  candidates.length = 0;
  const addCandidate = (b: number): void => {
    if (s.candidateMark[b] === s.candidateStamp) return;
    s.candidateMark[b] = s.candidateStamp;
    candidates.push(b);
  };
  const pushCandidate = (b: number): void => {
    addCandidate(b);
    push(b);
  };
  const pushCandidates = (): void => {
    heap.clear();
    for (const b of candidates) if (s.inRing[b] === 1) s.value[b] = heap.add(b, evaluate(s, b));
    heap.order();
  };
  /**
   * Lazy greedy: re-evaluate the top gap and take it if it still beats the next (stale) entry.
   * When stale entries keep overestimating, re-evaluating every candidate afresh is cheaper than
   * popping through them, so that bounds the work per token at O(candidates); `gaps` is how many
   * of them are gaps now.
   */
  const takeBest = (slot: number, gaps: number): void => {
    const patience = Math.max(64, gaps >> 2);
    for (let tries = 1; ; tries++) {
      if (tries > patience) {
        pushCandidates();
        tries = 1;
      }
      const b = heap.pop();
      const value = evaluate(s, b);
      const offset = s.offset;
      if (heap.isEmpty() || value >= heap.topValue()) {
        if (value === -Infinity) throw new Error('balanced allocation found no gap to split');
        insertToken(s, b, offset, slot, isTaken);
        return;
      }
      heap.push(b, value);
    }
  };

  // Candidates (see the file comment).
  const exhaustive = s.size <= EXHAUSTIVE_GAPS;
  if (exhaustive) {
    // In slot order, which reads the records in memory order; the heap's order is the same.
    for (let b = 0; b < s.used; b++) if (s.inRing[b] === 1) addCandidate(b);
  } else {
    gapsOfLoadedNodes(s, LOADED_NODES_PER_VNODE * vnodes, addCandidate);
  }
  const finalTarget = vnodes * s.tokenTarget;
  s.newTarget = finalTarget / vnodes;
  pushCandidates();
  const first = exhaustive ? [] : candidates.slice();
  const firstValues = first.map((b) => s.value[b]!);
  const mine: number[] = [];
  for (let placed = 1; placed <= vnodes; placed++) {
    s.newTarget = (finalTarget * placed) / vnodes;
    const slot = s.used++;
    // Every candidate is a gap: the greedy takes no token out.
    takeBest(slot, candidates.length);
    mine.push(slot);
    if (placed < vnodes) {
      s.newTarget = (finalTarget * (placed + 1)) / vnodes;
      pushCandidate(slot);
      pushCandidate(s.next[slot]!);
    }
  }

  if (!exhaustive) {
    // The polish keeps the best of the greedy's first candidates, by their first evaluation.
    const best = bestGaps(s, first, firstValues, POLISH_GAPS_PER_VNODE * vnodes);
    s.candidateStamp++;
    candidates.length = 0;
    for (const b of best) addCandidate(b);
  }
  for (const slot of mine) {
    for (let i = 0, n = gapsNear(s, slot); i < n; i++) addCandidate(s.near[i]!);
  }
  // The polish heap is evaluated as if one token of the new node were out, as one is while it
  // is being re-placed, so that its stale entries stay comparable.
  s.newTarget = finalTarget;
  const complete = s.ownership[s.newNode]!;
  s.ownership[s.newNode] = complete - complete / vnodes;
  pushCandidates();
  s.ownership[s.newNode] = complete;
  for (let pass = 0; pass < POLISH_PASSES; pass++) {
    let moved = false;
    for (const slot of mine) {
      const before = s.tok[slot];
      const b = s.next[slot]!;
      removeToken(s, slot);
      heap.forget(slot);
      for (let i = 0, n = gapsNear(s, b); i < n; i++) pushCandidate(s.near[i]!);
      // Every candidate but the token's own slot, out of the ring for now, is a gap.
      takeBest(slot, candidates.length - 1);
      for (let i = 0, n = gapsNear(s, slot); i < n; i++) pushCandidate(s.near[i]!);
      if (s.tok[slot] !== before) moved = true;
    }
    if (!moved) break;
  }
  return mine.map((slot) => s.tok[slot]!);
}

/**
 * The `count` gaps of `gaps` with the best `values` (the value of each), and any tied with the
 * last of them (all of them if there are no more): O(gaps), by selecting the count-th largest.
 */
function bestGaps(
  s: State,
  gaps: readonly number[],
  values: readonly number[],
  count: number,
): number[] {
  if (gaps.length <= count) return [...gaps];
  const scratch = s.selection;
  values.forEach((value, i) => (scratch[i] = value));
  const threshold = kthLargest(scratch, gaps.length, count);
  return gaps.filter((_, i) => values[i]! >= threshold);
}

/**
 * Hands `visit` the gaps whose replicas include a token of one of the `count` most loaded nodes
 * (by ownership per token; any tied with the last of them too), the joining node aside: the
 * gaps of each such token's span.
 */
function gapsOfLoadedNodes(s: State, count: number, visit: (b: number) => void): void {
  const loads = s.selection;
  let n = 0;
  for (let node = 0; node < s.nodeCount; node++) {
    if (node !== s.newNode && s.count[node]! > 0) loads[n++] = s.ownership[node]! / s.count[node]!;
  }
  const threshold = count < n ? kthLargest(loads, n, count) : -Infinity;
  for (let node = 0; node < s.nodeCount; node++) {
    if (node === s.newNode || s.count[node] === 0) continue;
    if (s.ownership[node]! / s.count[node]! < threshold) continue;
    for (const r of s.slotsOf[node]!) {
      beginWalk(s);
      const start = walkBack(s, s.prev[r]!, node, s.rack[r]!);
      let b = r;
      for (let step = 0; step < s.size && b !== start; step++, b = s.prev[b]!) visit(b);
    }
  }
}

/**
 * The k-th largest of `values[0..n)` (1 <= k <= n), reordering them: Hoare's selection with the
 * median of three as pivot, deterministic.
 */
function kthLargest(values: Float64Array, n: number, k: number): number {
  let low = 0;
  let high = n - 1;
  const target = k - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    const x = values[low]!;
    const y = values[mid]!;
    const z = values[high]!;
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : x > z ? x : y > z ? z : y;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else return values[target]!;
  }
  return values[target]!;
}

/**
 * The gaps whose evaluation may read what changed at slot `t`, into `s.near` (returns how many):
 * every walk an evaluation makes (forward to find a gap's replicas, backward along spans) ends
 * once it has met rf replicas, so only gaps within that reach of t on either side can see it.
 */
function gapsNear(s: State, t: number): number {
  const gaps = s.near;
  gaps.length = 0;
  gaps.push(t);
  reach(s, t, s.prev);
  reach(s, t, s.next);
  return gaps.length;
}

/** Adds to `s.near` the gaps from t on in `direction` until rf replicas are met. */
function reach(s: State, t: number, direction: Int32Array): void {
  beginWalk(s);
  let j = direction[t]!;
  for (let step = 1; step < s.size && accepted(s) < s.rf; step++, j = direction[j]!) {
    meet(s, s.owner[j]!, s.rack[j]!);
    s.near.push(j);
  }
}

/** Marks the records of the gaps near slot `t` for walking again (see `gapsNear`). */
function markNear(s: State, t: number): void {
  for (let i = 0, n = gapsNear(s, t); i < n; i++) s.fresh[s.near[i]!] = 0;
}

type GapHeap = ReturnType<typeof createGapHeap>;

/**
 * A max-heap of gaps by improvement, ties to the lower ring position (so the order never depends on
 * slot numbers or on the order entries came in). Each gap has one live entry: pushing a gap again
 * supersedes its older entries, which are dropped when they reach the top.
 */
function createGapHeap(s: State) {
  let value = new Float64Array(s.size * 2 + 16);
  let gap = new Int32Array(value.length);
  let version = new Int32Array(value.length);
  let live = new Int32Array(s.capacity);
  let size = 0;

  /** Whether entry i comes before an entry of value v and gap g. */
  const before = (i: number, v: number, g: number): boolean =>
    value[i]! > v || (value[i] === v && s.pos[gap[i]!]! < s.pos[g]!);
  const move = (to: number, from: number): void => {
    value[to] = value[from]!;
    gap[to] = gap[from]!;
    version[to] = version[from]!;
  };
  /** Sinks the entry (v, g, r) from position `from` of a heap of `size` entries. */
  const siftDown = (from: number, v: number, g: number, r: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const child = l + 1 < size && before(l + 1, value[l]!, gap[l]!) ? l + 1 : l;
      if (!before(child, v, g)) break;
      move(i, child);
      i = child;
    }
    value[i] = v;
    gap[i] = g;
    version[i] = r;
  };
  const removeTop = (): void => {
    size--;
    if (size > 0) siftDown(0, value[size]!, gap[size]!, version[size]!);
  };
  const dropStale = (): void => {
    while (size > 0 && version[0] !== live[gap[0]!]) removeTop();
  };
  /** Appends an entry without restoring the heap order. */
  const add = (b: number, improvement: number): number => {
    if (size === value.length) {
      value = resized(value, size * 2);
      gap = resized(gap, size * 2);
      version = resized(version, size * 2);
    }
    if (b >= live.length) live = resized(live, s.capacity);
    const i = size++;
    value[i] = improvement;
    gap[i] = b;
    version[i] = ++live[b]!;
    return i;
  };

  return {
    push(b: number, improvement: number): void {
      let i = add(b, improvement);
      const r = version[i]!;
      const at = s.pos[b]!;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const v = value[parent]!;
        if (!(improvement > v || (improvement === v && at < s.pos[gap[parent]!]!))) break;
        move(i, parent);
        i = parent;
      }
      value[i] = improvement;
      gap[i] = b;
      version[i] = r;
    },
    /** Appends an entry and returns its value; `order` must follow before the heap is read. */
    add(b: number, improvement: number): number {
      add(b, improvement);
      return improvement;
    },
    /** Restores the heap order after `add`s (Floyd's heap construction, linear). */
    order(): void {
      for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, value[i]!, gap[i]!, version[i]!);
    },
    /** Removes and returns the best live gap; the heap must hold one. */
    pop(): number {
      dropStale();
      const b = gap[0]!;
      removeTop();
      return b;
    },
    isEmpty(): boolean {
      dropStale();
      return size === 0;
    },
    topValue(): number {
      dropStale();
      return value[0]!;
    },
    /** Invalidates every entry of a gap (its end token was removed). */
    forget(b: number): void {
      live[b]!++;
    },
    clear(): void {
      size = 0;
    },
  };
}

/** Evenly spaced tokens from a random offset: the first node of a domain. */
function evenTokens(vnodes: number, offset: number, isTaken: (token: bigint) => boolean): bigint[] {
  const tokens: bigint[] = [];
  for (let i = 0; i < vnodes; i++) {
    const step = BigInt(Math.floor(((offset + i) / vnodes) * TWO_POW_64));
    let token = toSigned64(MIN_TOKEN + step);
    while (isTaken(token)) token = toSigned64(token + 1n);
    tokens.push(token);
  }
  return tokens;
}

/** Each token splits the currently largest gap at a random ratio (see the file comment). */
function splitTokens(
  s: State,
  vnodes: number,
  random: Random,
  isTaken: (token: bigint) => boolean,
): bigint[] {
  const tokens: bigint[] = [];
  for (let placed = 0; placed < vnodes; placed++) {
    let widest = 0;
    let widestGap = -1;
    for (let b = s.first, i = 0; i < s.size; i++, b = s.next[b]!) {
      const a = s.prev[b]!;
      const gap = distance(s, a, b);
      if (gap > widestGap) {
        widestGap = gap;
        widest = b;
      }
    }
    const ratio = SPLIT_RATIO_MIN + (SPLIT_RATIO_MAX - SPLIT_RATIO_MIN) * random.nextFloat();
    const slot = s.used++;
    insertToken(s, widest, widestGap * ratio, slot, isTaken);
    tokens.push(s.tok[slot]!);
  }
  return tokens;
}
