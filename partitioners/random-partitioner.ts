import { hash } from 'node:crypto';
import { MAX_TOKEN, tokenFromParts, type TokenFunction, type TokenParts } from '../engine/token.js';

/**
 * Cassandra's RandomPartitioner. Its native token is `abs(MD5(key))`, the 16-byte digest read
 * as a signed 128-bit big-endian two's-complement integer (Java's `new BigInteger(digest)`),
 * so native tokens lie in [0, 2^127]; the empty key gets the partitioner's minimum token, -1.
 *
 * ringlab's ring is 64-bit, so `token`/`tokenParts` project the native token onto it:
 *
 *   project(n) = min(2^63 - 1, ceil(n / 2^63) - 2^63)
 *
 * Why this projection: embed a 64-bit token t in the 127-bit ring as e(t) = (t + 2^63) * 2^63.
 * Then for every t and native n, `t >= project(n)` exactly when `e(t) >= n`, so the first
 * 64-bit vnode token at or after project(n) is the image of the first 127-bit vnode token at or
 * after n: walking either ring picks the same replicas. The one exception is the clamp: a
 * native token above e(2^63 - 1) (a fraction 2^-64 of the ring) lands on 2^63 - 1 instead of
 * wrapping to the smallest token. The empty key's -1 projects to -2^63, the minimum token, as
 * for Murmur3.
 *
 * MD5 is computed by node:crypto (a pure computation). Unlike murmur3, a digest is a new
 * Buffer per key, so `tokenParts` is not allocation-free; RandomPartitioner is here for
 * faithfulness, not speed.
 */

/** The largest native RandomPartitioner token, 2^127. */
export const RANDOM_MAX_NATIVE_TOKEN = 2n ** 127n;
/** The native token of the empty key (RandomPartitioner.MINIMUM). */
export const RANDOM_MIN_NATIVE_TOKEN = -1n;

const TWO_POW_63 = 2n ** 63n;

/** The projection above, on bigints: a reference for `tokenParts` and a helper for reports. */
export function projectRandomToken(native: bigint): bigint {
  const quotient = native / TWO_POW_63; // truncates toward zero
  const ceiling = quotient * TWO_POW_63 < native ? quotient + 1n : quotient;
  const token = ceiling - TWO_POW_63;
  return token > MAX_TOKEN ? MAX_TOKEN : token;
}

function md5(key: Uint8Array): Buffer {
  return hash('md5', key, 'buffer');
}

function readWord(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  );
}

function randomNativeToken(key: Uint8Array): bigint {
  if (key.length === 0) return RANDOM_MIN_NATIVE_TOKEN;
  const value = BigInt(`0x${md5(key).toString('hex')}`);
  // Signed 128-bit reading, then abs: a negative n is value - 2^128, and |n| = 2^128 - value.
  return value >= RANDOM_MAX_NATIVE_TOKEN ? 2n ** 128n - value : value;
}

/**
 * Writes project(abs(digest as signed 128-bit big-endian)) into `out`, on 32-bit words: the
 * allocation-free core of `tokenParts`, exported so that its edge cases (carries, 2^127, the
 * clamp) can be tested with chosen digests rather than MD5 outputs.
 */
export function projectMd5Digest(digest: Uint8Array, out: TokenParts): void {
  // The digest as four unsigned big-endian words, w0 most significant.
  let w0 = readWord(digest, 0);
  let w1 = readWord(digest, 4);
  let w2 = readWord(digest, 8);
  let w3 = readWord(digest, 12);
  if (w0 >= 0x80000000) {
    // abs of a negative 128-bit value: invert every bit and add one, carrying upward.
    w0 = ~w0 >>> 0;
    w1 = ~w1 >>> 0;
    w2 = ~w2 >>> 0;
    w3 = (~w3 + 1) >>> 0;
    if (w3 === 0) {
      w2 = (w2 + 1) >>> 0;
      if (w2 === 0) {
        w1 = (w1 + 1) >>> 0;
        if (w1 === 0) w0 = (w0 + 1) >>> 0;
      }
    }
  }
  // n <= 2^127 now. q = floor(n / 2^63) = n >> 63 has 65 bits: bit 64 is w0's top bit (set only
  // for n = 2^127), then the 64 bits (qHi, qLo).
  let top = w0 >>> 31;
  let qHi = ((w0 << 1) | (w1 >>> 31)) >>> 0;
  let qLo = ((w1 << 1) | (w2 >>> 31)) >>> 0;
  if ((w2 & 0x7fffffff) !== 0 || w3 !== 0) {
    // A nonzero remainder rounds the quotient up.
    qLo = (qLo + 1) >>> 0;
    if (qLo === 0) {
      qHi = (qHi + 1) >>> 0;
      if (qHi === 0) top = 1;
    }
  }
  if (top !== 0) {
    out.hi = 0x7fffffff; // ceil(n / 2^63) - 2^63 = 2^63 is past the ring: clamp
    out.lo = 0xffffffff;
    return;
  }
  // Subtracting 2^63 from q in [0, 2^64) flips its top bit.
  out.hi = (qHi ^ 0x80000000) | 0;
  out.lo = qLo;
}

function randomTokenParts(key: Uint8Array, out: TokenParts): void {
  if (key.length === 0) {
    out.hi = -0x80000000; // project(-1)
    out.lo = 0;
    return;
  }
  projectMd5Digest(md5(key), out);
}

function randomToken(key: Uint8Array): bigint {
  const parts: TokenParts = { hi: 0, lo: 0 };
  randomTokenParts(key, parts);
  return tokenFromParts(parts.hi, parts.lo);
}

export const randomTokenFunction: TokenFunction = Object.freeze({
  name: 'random',
  orderPreserving: false,
  token: randomToken,
  tokenParts: randomTokenParts,
  nativeToken: randomNativeToken,
});
