/**
 * Tokens are signed 64-bit integers, as in Cassandra's Murmur3Partitioner: the ring is
 * [-2^63, 2^63 - 1] and a vnode at token t owns the range (previous token, t].
 *
 * The public form of a token is a bigint. The hot path (hash, ring lookup) works on the two
 * 32-bit halves instead, because creating a bigint per key costs more than the hash itself.
 */
export const MIN_TOKEN = -(2n ** 63n);
export const MAX_TOKEN = 2n ** 63n - 1n;
export const RING_SIZE = 2n ** 64n;

/** The two halves of a token: `hi` is the signed high word, `lo` the unsigned low word. */
export interface TokenParts {
  hi: number;
  lo: number;
}

export function newTokenParts(): TokenParts {
  return { hi: 0, lo: 0 };
}

/**
 * A token function turns the serialised bytes of a partition key into a ring position. It is
 * pure and synchronous; implementations live in partitioners/.
 */
export interface TokenFunction {
  readonly name: string;
  /** True when byte order of keys is preserved by token order (range partitioning). */
  readonly orderPreserving: boolean;
  /** The key's position on the 64-bit ring. */
  token(key: Uint8Array): bigint;
  /** The same position written as halves into `out`; allocation-free. */
  tokenParts(key: Uint8Array, out: TokenParts): void;
  /**
   * Optional: `tokenParts` of the UTF-8 of `text`, read from the string itself when it is ASCII
   * (then its code units are its bytes), returning true; false, with `out` untouched, for any
   * other text, which the caller encodes and hashes with `tokenParts`. The write path keys most
   * rows by ASCII ids, and skipping the encoding is a large part of its cost.
   */
  readonly asciiTokenParts?: (text: string, out: TokenParts) => boolean;
  /**
   * The token as the real partitioner prints it. Equal to `token` for 64-bit partitioners;
   * RandomPartitioner's tokens live in [0, 2^127] and are projected onto the 64-bit ring.
   */
  nativeToken(key: Uint8Array): bigint;
}

export function tokenFromParts(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

export function tokenToParts(token: bigint, out: TokenParts): void {
  out.hi = Number(BigInt.asIntN(32, token >> 32n));
  out.lo = Number(BigInt.asUintN(32, token));
}

/** Converts any integer to the signed 64-bit token with the same low 64 bits. */
export function toSigned64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

export function isToken(value: bigint): boolean {
  return value >= MIN_TOKEN && value <= MAX_TOKEN;
}

/**
 * Size of the range (from, to] on the ring, in tokens. A range from a token to itself is the
 * whole ring (a ring of one vnode owns everything).
 */
export function rangeSize(from: bigint, to: bigint): bigint {
  const size = (to - from) % RING_SIZE;
  return size <= 0n ? size + RING_SIZE : size;
}

/** Parses a decimal token, throwing RangeError when it is not a signed 64-bit integer. */
export function parseToken(text: string): bigint {
  if (!/^-?\d+$/.test(text)) throw new RangeError(`not a decimal integer: ${text}`);
  const value = BigInt(text);
  if (!isToken(value)) throw new RangeError(`outside [-2^63, 2^63-1]: ${text}`);
  return value;
}
