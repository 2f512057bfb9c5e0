import { tokenFromParts, type TokenFunction, type TokenParts } from '../engine/token.js';

/**
 * An order-preserving token function in the spirit of Cassandra's ByteOrderedPartitioner:
 * the ring position is the key's first 8 bytes read big-endian as an unsigned integer (a
 * shorter key is padded with zero bytes on the right), minus 2^63 so that it lands on the
 * signed ring. Comparing keys bytewise (unsigned, a proper prefix first) therefore never
 * disagrees with comparing their tokens: range queries over keys become token ranges.
 *
 * Unlike Cassandra's ByteOrderedPartitioner, whose token is the whole key, this is not
 * injective: keys sharing their first 8 bytes share a token (and so a replica set), and so do
 * keys that differ only by trailing zero bytes within the first 8 ('a' and 'a\0'). That is the
 * price of a fixed-width ring; it only coarsens placement, never reorders it. The empty key
 * maps to the minimum token -2^63, as in the hashing partitioners.
 *
 * Order preservation is also what makes it a lab specimen: sequential or clustered keys
 * (timestamps, common prefixes) pile onto a few ranges, which is the hot spot it exists to show.
 */

function byteAt(key: Uint8Array, index: number): number {
  return index < key.length ? key[index]! : 0;
}

function byteOrderedTokenParts(key: Uint8Array, out: TokenParts): void {
  if (key.length >= 8) {
    out.hi = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) ^ 0x80000000;
    out.lo = ((key[4]! << 24) | (key[5]! << 16) | (key[6]! << 8) | key[7]!) >>> 0;
    return;
  }
  out.hi =
    ((byteAt(key, 0) << 24) | (byteAt(key, 1) << 16) | (byteAt(key, 2) << 8) | byteAt(key, 3)) ^
    0x80000000;
  out.lo =
    ((byteAt(key, 4) << 24) | (byteAt(key, 5) << 16) | (byteAt(key, 6) << 8) | byteAt(key, 7)) >>>
    0;
}

function byteOrderedToken(key: Uint8Array): bigint {
  const parts: TokenParts = { hi: 0, lo: 0 };
  byteOrderedTokenParts(key, parts);
  return tokenFromParts(parts.hi, parts.lo);
}

export const byteOrderedTokenFunction: TokenFunction = Object.freeze({
  name: 'byte-ordered',
  orderPreserving: true,
  token: byteOrderedToken,
  tokenParts: byteOrderedTokenParts,
  nativeToken: byteOrderedToken,
});
