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
 * A joining node gets its tokens in two steps:
 * 1. Greedy: every gap is evaluated once and kept in a max-heap; each token goes to the top gap
 *    after re-evaluating it (lazy greedy: taken when still at least the next entry, which may be
 *    stale). While placing its p-th token the newcomer aims at p/vnodes of its final share, so
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
 */
import type { Random } from './random.js';
import { MIN_TOKEN, RING_SIZE, toSigned64 } from './token.js';

/** The tokens of an allocation domain, ascending, with their ring fractions and owners. */
export interface DomainRing {
  readonly tokens: readonly bigint[];
  /** `fractionOfToken` of each token. */
  readonly fractions: readonly number[];
  /** Domain-local index of each token's node. */
  readonly owners: readonly number[];
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
  // Targets count the joining node's tokens from the start: its share is vnodes tokens' worth.
  s.count[newNode] = vnodes;
  const newRack = racks[newNode]!;
  const rackmates = racks.filter((rack) => rack === newRack).length - 1;
  if (rackmates === 0 && s.rackCount <= rf) return splitTokens(s, vnodes, random, isTaken);
  // Replicas per range (a DC with fewer nodes than rf has fewer), shared by all tokens.
  s.tokenTarget = Math.min(rf, racks.length) / (s.size + vnodes);
  return greedyThenPolish(s, vnodes, isTaken);
}

/**
 * The domain ring as a cyclic doubly linked list over slots (indexes into the arrays), so that a
 * token can be inserted or removed in O(1) and a gap keeps its identity: the slot of its end.
 */
interface State {
  /** Live tokens. */
  size: number;
  /** Next unused slot. */
  used: number;
  readonly rf: number;
  /** Rack repeats NetworkTopologyStrategy allows: rf - racks, at least 0. */
  readonly repeats: number;
  readonly rackCount: number;
  readonly newNode: number;
  readonly newRack: number;
  readonly pos: Float64Array;
  readonly tok: bigint[];
  readonly owner: Int32Array;
  readonly rack: Int32Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** Replicated ownership through each token: the size of its span. */
  readonly span: Float64Array;
  readonly ownership: Float64Array;
  /** Tokens per node; the joining node counts its final number from the start. */
  readonly count: Int32Array;
  /**
   * The current walk: nodes and racks met are marked with `stamp` and counted. Walks never nest;
   * each starts with `beginWalk`.
   */
  readonly nodeMark: Int32Array;
  readonly rackMark: Int32Array;
  stamp: number;
  walkNodes: number;
  walkRacks: number;
  tokenTarget: number;
  /** Ownership the joining node aims at (see the greedy step in the file comment). */
  newTarget: number;
  /** Scratch of `evaluate`: the best offset u of the last gap evaluated. */
  offset: number;
  readonly replicas: Int32Array;
  readonly touched: Int32Array;
  readonly touchedGain: Float64Array;
  readonly touchedSlope: Float64Array;
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
  return createState(ring, racks, rf, -1, ring.tokens.length).ownership;
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
  const s: State = {
    size: n,
    used: n,
    rf,
    repeats: Math.max(0, rf - rackCount),
    rackCount,
    newNode,
    newRack: racks[newNode] ?? -1,
    pos: new Float64Array(capacity),
    tok: new Array<bigint>(capacity),
    owner: new Int32Array(capacity),
    rack: new Int32Array(capacity),
    next: new Int32Array(capacity),
    prev: new Int32Array(capacity),
    span: new Float64Array(capacity),
    ownership: new Float64Array(racks.length),
    count: new Int32Array(racks.length),
    nodeMark: new Int32Array(racks.length),
    rackMark: new Int32Array(rackIds),
    stamp: 0,
    walkNodes: 0,
    walkRacks: 0,
    tokenTarget: 0,
    newTarget: 0,
    offset: 0,
    replicas: new Int32Array(rf),
    touched: new Int32Array(rf + 1),
    touchedGain: new Float64Array(rf + 1),
    touchedSlope: new Float64Array(rf + 1),
  };
  for (let i = 0; i < n; i++) {
    const owner = ring.owners[i]!;
    s.tok[i] = ring.tokens[i]!;
    s.pos[i] = ring.fractions[i]!;
    s.owner[i] = owner;
    s.rack[i] = racks[owner]!;
    s.next[i] = i + 1 === n ? 0 : i + 1;
    s.prev[i] = i === 0 ? n - 1 : i - 1;
    s.count[owner]!++;
  }
  for (let i = 0; i < n; i++) {
    s.span[i] = spanOf(s, i);
    s.ownership[s.owner[i]!]! += s.span[i]!;
  }
  return s;
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
    const span = spanOf(s, j);
    s.ownership[s.owner[j]!]! += span - s.span[j]!;
    s.span[j] = span;
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
  s.size++;
  s.span[slot] = spanOf(s, slot);
  s.ownership[s.newNode]! += s.span[slot]!;
  updateReplicaSpans(s, b);
}

function removeToken(s: State, slot: number): void {
  const a = s.prev[slot]!;
  const b = s.next[slot]!;
  s.next[a] = b;
  s.prev[b] = a;
  s.size--;
  s.ownership[s.owner[slot]!]! -= s.span[slot]!;
  s.span[slot] = 0;
  updateReplicaSpans(s, b);
}

/**
 * How much inserting a token of the joining node into the gap ending at `b` lowers the objective,
 * at the best offset in the gap (left in `s.offset`). Returns -Infinity for a gap too narrow to
 * split.
 */
function evaluate(s: State, b: number): number {
  const a = s.prev[b]!;
  const gap = distance(s, a, b);
  if (gap < MIN_GAP) return -Infinity;
  const { newNode, newRack, tokenTarget, replicas, touched, touchedGain, touchedSlope } = s;
  // improvement(u) = c - 2 * bq * u - aq * u^2, summed over every term the insertion changes.
  let c = 0;
  let bq = 0;
  let aq = 0;

  // The new token: its span reaches back from t to where a walk from a stops.
  beginWalk(s);
  const start = walkBack(s, a, newNode, newRack);
  const newBase = start < 0 ? 1 : start === a ? 0 : distance(s, start, a);
  const newSlope = start < 0 ? 0 : 1;
  {
    const k = s.count[newNode]!;
    const w = TOKEN_TERM_WEIGHT / (k * k);
    const d0 = newBase - tokenTarget;
    c -= w * d0 * d0;
    bq += w * newSlope * d0;
    aq += w * newSlope * newSlope;
  }
  touched[0] = newNode;
  touchedGain[0] = newBase;
  touchedSlope[0] = newSlope;
  let touchedCount = 1;

  const replicaCount = findReplicas(s, b);
  for (let k = 0; k < replicaCount; k++) {
    const r = replicas[k]!;
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
    let base: number;
    let slope: number;
    if (cut) {
      // Cut back to t: it keeps (t, r].
      base = distance(s, a, r);
      slope = -1;
    } else {
      base = spanFrom(s, walkBack(s, a, owner, rack), r);
      slope = 0;
    }
    const old = s.span[r]!;
    if (slope === 0 && base === old) continue;
    const kk = s.count[owner]!;
    const w = TOKEN_TERM_WEIGHT / (kk * kk);
    const o = old - tokenTarget;
    const d0 = base - tokenTarget;
    c += w * (o * o - d0 * d0);
    bq += w * slope * d0;
    aq += w * slope * slope;
    let m = 0;
    while (m < touchedCount && touched[m] !== owner) m++;
    if (m === touchedCount) {
      touched[m] = owner;
      touchedGain[m] = 0;
      touchedSlope[m] = 0;
      touchedCount++;
    }
    touchedGain[m]! += base - old;
    touchedSlope[m]! += slope;
  }

  for (let m = 0; m < touchedCount; m++) {
    const node = touched[m]!;
    const k = s.count[node]!;
    const w = 1 / (k * k);
    const o = s.ownership[node]! - (node === newNode ? s.newTarget : k * tokenTarget);
    const d0 = o + touchedGain[m]!;
    const slope = touchedSlope[m]!;
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
  const heap = createGapHeap(s);
  const push = (b: number): void => heap.push(b, evaluate(s, b));
  const pushAll = (): void => {
    heap.clear();
    for (let b = 0, i = 0; i < s.size; i++, b = s.next[b]!) push(b);
  };
  /**
   * Lazy greedy: re-evaluate the top gap and take it if it still beats the next (stale) entry.
   * When stale entries keep overestimating, re-evaluating every gap afresh is cheaper than
   * popping through them, so that bounds the work per token at O(gaps).
   */
  const takeBest = (slot: number): void => {
    const patience = Math.max(64, s.size >> 2);
    for (let tries = 1; ; tries++) {
      if (tries > patience) {
        pushAll();
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

  const finalTarget = vnodes * s.tokenTarget;
  s.newTarget = finalTarget / vnodes;
  pushAll();
  const mine: number[] = [];
  for (let placed = 1; placed <= vnodes; placed++) {
    s.newTarget = (finalTarget * placed) / vnodes;
    const slot = s.used++;
    takeBest(slot);
    mine.push(slot);
    if (placed < vnodes) {
      s.newTarget = (finalTarget * (placed + 1)) / vnodes;
      push(slot);
      push(s.next[slot]!);
    }
  }

  // The polish heap is evaluated as if one token of the new node were out, as one is while it
  // is being re-placed, so that its stale entries stay comparable.
  s.newTarget = finalTarget;
  const complete = s.ownership[s.newNode]!;
  s.ownership[s.newNode] = complete - complete / vnodes;
  pushAll();
  s.ownership[s.newNode] = complete;
  for (let pass = 0; pass < POLISH_PASSES; pass++) {
    let moved = false;
    for (const slot of mine) {
      const before = s.tok[slot];
      const b = s.next[slot]!;
      removeToken(s, slot);
      heap.forget(slot);
      for (const gap of gapsNear(s, b)) push(gap);
      takeBest(slot);
      for (const gap of gapsNear(s, slot)) push(gap);
      if (s.tok[slot] !== before) moved = true;
    }
    if (!moved) break;
  }
  return mine.map((slot) => s.tok[slot]!);
}

/**
 * The gaps whose evaluation may read what changed at slot `t`: every walk an evaluation makes
 * (forward to find a gap's replicas, backward along spans) ends once it has met rf replicas, so
 * only gaps within that reach of t on either side can see it.
 */
function gapsNear(s: State, t: number): number[] {
  const gaps = [t];
  for (const direction of [s.prev, s.next]) {
    beginWalk(s);
    let j = direction[t]!;
    for (let step = 1; step < s.size && accepted(s) < s.rf; step++, j = direction[j]!) {
      meet(s, s.owner[j]!, s.rack[j]!);
      gaps.push(j);
    }
  }
  return gaps;
}

/**
 * A max-heap of gaps by improvement, ties to the lower ring position (so the order never depends on
 * slot numbers). Each gap has one live entry: pushing a gap again supersedes its older entries,
 * which are dropped when they reach the top.
 */
function createGapHeap(s: State) {
  let value = new Float64Array(s.size * 2 + 16);
  let gap = new Int32Array(value.length);
  let version = new Int32Array(value.length);
  const live = new Int32Array(s.pos.length);
  let size = 0;

  const above = (i: number, j: number): boolean =>
    value[i]! > value[j]! || (value[i] === value[j] && s.pos[gap[i]!]! < s.pos[gap[j]!]!);
  const swap = (i: number, j: number): void => {
    const v = value[i]!;
    value[i] = value[j]!;
    value[j] = v;
    const g = gap[i]!;
    gap[i] = gap[j]!;
    gap[j] = g;
    const r = version[i]!;
    version[i] = version[j]!;
    version[j] = r;
  };
  const removeTop = (): void => {
    size--;
    if (size === 0) return;
    swap(0, size);
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      let best = i;
      if (l < size && above(l, best)) best = l;
      if (l + 1 < size && above(l + 1, best)) best = l + 1;
      if (best === i) return;
      swap(i, best);
      i = best;
    }
  };
  const dropStale = (): void => {
    while (size > 0 && version[0] !== live[gap[0]!]) removeTop();
  };

  return {
    push(b: number, improvement: number): void {
      if (size === value.length) {
        value = grown(value);
        gap = grown(gap);
        version = grown(version);
      }
      let i = size++;
      value[i] = improvement;
      gap[i] = b;
      version[i] = ++live[b]!;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!above(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
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

function grown<T extends Float64Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
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
    for (let b = 0, i = 0; i < s.size; i++, b = s.next[b]!) {
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
