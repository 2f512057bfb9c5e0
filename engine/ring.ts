import { RinglabError } from './errors.js';
import { isToken, RING_SIZE, rangeSize, type TokenParts } from './token.js';

/** A node's identity and place in the topology. Nodes are referred to by index inside. */
export interface NodeSpec {
  readonly id: string;
  readonly dc: string;
  readonly rack: string;
}

/**
 * A ring of vnode tokens, sorted ascending. Position i owns (tokens[i-1], tokens[i]]; position 0
 * owns the wrap-around range from the last token. Immutable: joining or leaving builds a new ring.
 */
export interface Ring {
  readonly nodes: readonly NodeSpec[];
  /** Sorted vnode tokens. */
  readonly tokens: BigInt64Array;
  /** Node index owning each position. */
  readonly owners: Int32Array;
  /** High and low halves of each token, for the allocation-free lookup. */
  readonly tokenHi: Int32Array;
  readonly tokenLo: Uint32Array;
  /** Number of vnodes (positions) on the ring. */
  readonly size: number;
  /** The position whose range holds `token`: the first token >= it, wrapping to 0. */
  positionOf(token: bigint): number;
  /** `positionOf` for a token given as halves. */
  positionOfParts(parts: TokenParts): number;
  /** The tokens of one node, ascending. */
  tokensOf(node: number): bigint[];
  /**
   * True for a ring whose positions are residues, not ranges (`mod-n`: position i holds the
   * tokens congruent to i modulo the positions); its tokens are then only labels.
   */
  readonly modulo?: boolean;
}

export interface RingOptions {
  /**
   * Allows nodes without tokens: nodes known to the cluster that own nothing in this ring, such
   * as one about to join or one that has left. Membership changes keep every node the cluster
   * has ever had in `nodes`, so a node's index means the same node in every epoch.
   */
  readonly tokenless?: boolean;
}

/**
 * Builds a ring from each node's tokens. Tokens must be distinct across the whole ring, as
 * Cassandra refuses a node that would reuse another's token.
 */
export function buildRing(
  nodes: readonly NodeSpec[],
  tokensByNode: readonly (readonly bigint[])[],
  options: RingOptions = {},
): Ring {
  if (nodes.length === 0)
    throw new RinglabError('INVALID_CONFIG', 'a ring needs at least one node', 'nodes');
  if (tokensByNode.length !== nodes.length) {
    throw new RinglabError('INVALID_CONFIG', 'one token list per node is required', 'tokens');
  }
  const ids = new Set<string>();
  for (const node of nodes) {
    if (ids.has(node.id))
      throw new RinglabError('INVALID_CONFIG', `duplicate node id ${node.id}`, 'nodes');
    ids.add(node.id);
  }
  const entries: { token: bigint; owner: number }[] = [];
  tokensByNode.forEach((tokens, owner) => {
    if (tokens.length === 0 && options.tokenless !== true) {
      throw new RinglabError('INVALID_CONFIG', `node ${nodes[owner]?.id} has no tokens`, 'tokens');
    }
    for (const token of tokens) {
      if (!isToken(token)) {
        throw new RinglabError(
          'INVALID_CONFIG',
          `token ${token} of ${nodes[owner]?.id} is outside [-2^63, 2^63-1]`,
          'tokens',
        );
      }
      entries.push({ token, owner });
    }
  });
  if (entries.length === 0)
    throw new RinglabError('INVALID_CONFIG', 'a ring needs at least one token', 'tokens');
  entries.sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));

  const size = entries.length;
  const tokens = new BigInt64Array(size);
  const owners = new Int32Array(size);
  const tokenHi = new Int32Array(size);
  const tokenLo = new Uint32Array(size);
  entries.forEach((entry, i) => {
    if (i > 0 && entries[i - 1]!.token === entry.token) {
      throw new RinglabError(
        'INVALID_CONFIG',
        `token ${entry.token} is taken by both ${nodes[entries[i - 1]!.owner]!.id} and ${nodes[entry.owner]!.id}`,
        'tokens',
      );
    }
    tokens[i] = entry.token;
    owners[i] = entry.owner;
    tokenHi[i] = Number(BigInt.asIntN(32, entry.token >> 32n));
    tokenLo[i] = Number(BigInt.asUintN(32, entry.token));
  });

  const shift = 32 - bucketBits(size);
  const buckets = bucketStarts(tokenHi, shift);

  const positionOfParts = (parts: TokenParts): number => {
    // The bucket of the key's top bits bounds the answer: every token of an earlier bucket is
    // below the key and every token of a later one above it, so the lower bound lies in
    // [first of this bucket, first of the next].
    const hi = parts.hi;
    const bucket = (hi ^ SIGN_BIT) >>> shift;
    const at = lowerBound(
      tokenHi,
      tokenLo,
      hi,
      parts.lo >>> 0,
      buckets[bucket]!,
      buckets[bucket + 1]!,
    );
    return at === size ? 0 : at;
  };

  const scratch: TokenParts = { hi: 0, lo: 0 };
  const positionOf = (token: bigint): number => {
    scratch.hi = Number(BigInt.asIntN(32, token >> 32n));
    scratch.lo = Number(BigInt.asUintN(32, token));
    return positionOfParts(scratch);
  };

  const tokensOf = (node: number): bigint[] => {
    const result: bigint[] = [];
    for (let i = 0; i < size; i++) if (owners[i] === node) result.push(tokens[i]!);
    return result;
  };

  return { nodes, tokens, owners, tokenHi, tokenLo, size, positionOf, positionOfParts, tokensOf };
}

const SIGN_BIT = -0x80000000;
/** The bucket table has at least two buckets per vnode, up to 2^16 buckets (256 KiB). */
const MAX_BUCKET_BITS = 16;

/** Bits of the bucket prefix for a ring of `size` positions: 2^bits >= 2 * size, at most 16. */
function bucketBits(size: number): number {
  let bits = 1;
  while (bits < MAX_BUCKET_BITS && 2 ** bits < 2 * size) bits++;
  return bits;
}

/**
 * Where each bucket of the ring starts, for `positionOfParts`. A bucket is a prefix of the
 * token's top bits, read with the sign bit flipped so that bucket order is signed token order:
 * `starts[b]` is the first position whose token lies in bucket b or later, and `starts[2^k]` is
 * `size`. With two buckets per vnode or more, a random ring's bucket holds half a token on
 * average, so a lookup is a comparison or two instead of log2(size); a ring whose tokens crowd
 * into a few buckets (cut from an order-preserving key space, say) still gets a binary search
 * over the bucket, never worse than over the whole ring.
 */
function bucketStarts(tokenHi: Int32Array, shift: number): Int32Array {
  const size = tokenHi.length;
  const count = 2 ** (32 - shift);
  const starts = new Int32Array(count + 1);
  let position = 0;
  for (let bucket = 0; bucket <= count; bucket++) {
    while (position < size && (tokenHi[position]! ^ SIGN_BIT) >>> shift < bucket) position++;
    starts[bucket] = position;
  }
  return starts;
}

/**
 * The first position in [low, high) whose token is >= (hi signed, lo unsigned), or `high` when
 * none is: a binary search over the ring's token halves.
 */
function lowerBound(
  tokenHi: Int32Array,
  tokenLo: Uint32Array,
  hi: number,
  lo: number,
  low: number,
  high: number,
): number {
  while (low < high) {
    const mid = (low + high) >>> 1;
    const midHi = tokenHi[mid]!;
    if (midHi < hi || (midHi === hi && tokenLo[mid]! < lo)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The plain lookup over a ring's token halves: a binary search over the whole ring for the first
 * position whose token is >= the key's, wrapping to 0. What the bucketed `positionOfParts` must
 * agree with (a property test holds it to this).
 */
export function searchPositionOfParts(
  tokenHi: Int32Array,
  tokenLo: Uint32Array,
  parts: TokenParts,
): number {
  const size = tokenHi.length;
  const at = lowerBound(tokenHi, tokenLo, parts.hi, parts.lo >>> 0, 0, size);
  return at === size ? 0 : at;
}

/** The range (start, end] owned by a position. */
export function rangeAt(ring: Ring, position: number): { start: bigint; end: bigint } {
  const end = ring.tokens[position]!;
  const start = ring.tokens[(position - 1 + ring.size) % ring.size]!;
  return { start, end };
}

/** Fraction of the ring owned by each position's range; sums to 1. */
export function rangeFractions(ring: Ring): Float64Array {
  const fractions = new Float64Array(ring.size);
  const whole = Number(RING_SIZE);
  for (let i = 0; i < ring.size; i++) {
    const { start, end } = rangeAt(ring, i);
    fractions[i] = Number(rangeSize(start, end)) / whole;
  }
  return fractions;
}

/** Fraction of the ring each node owns as primary (sum of its ranges); sums to 1. */
export function primaryOwnership(ring: Ring): Float64Array {
  const fractions = rangeFractions(ring);
  const result = new Float64Array(ring.nodes.length);
  for (let i = 0; i < ring.size; i++) result[ring.owners[i]!]! += fractions[i]!;
  return result;
}

/**
 * A ring cut from the key space, for order-preserving strategies (random tokens would put every
 * key on one node): `nodes.length × vnodes` range ends from `splitKeySpace`, dealt to the nodes
 * round-robin so that consecutive ranges sit on different nodes.
 */
export function splitRing(
  nodes: readonly NodeSpec[],
  vnodes: number,
  splitKeySpace: (count: number) => bigint[],
): Ring {
  const tokens = splitKeySpace(nodes.length * vnodes);
  const byNode = nodes.map((_, n) => tokens.filter((_, i) => i % nodes.length === n));
  return buildRing(nodes, byNode);
}

const memberCache = new WeakMap<Ring, Uint8Array>();

/**
 * 1 for each node that owns at least one position of the ring, 0 for a node the cluster knows
 * that owns nothing in it (joining, or gone). Replica placement counts only members.
 */
export function membersOf(ring: Ring): Uint8Array {
  let members = memberCache.get(ring);
  if (members === undefined) {
    members = new Uint8Array(ring.nodes.length);
    for (let i = 0; i < ring.size; i++) members[ring.owners[i]!] = 1;
    memberCache.set(ring, members);
  }
  return members;
}
