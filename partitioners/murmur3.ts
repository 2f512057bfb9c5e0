import { tokenFromParts, type TokenFunction, type TokenParts } from '../engine/token.js';

/**
 * Cassandra's Murmur3Partitioner, bit for bit: the first 64-bit word of
 * `MurmurHash.hash3_x64_128(key, 0)` read as a signed long, with Cassandra's two deviations
 * from the textbook MurmurHash3:
 *
 * - tail bytes (the last `length % 16`) are read as signed Java bytes and sign-extended before
 *   they are shifted into place, so a tail byte >= 0x80 sets every higher bit of its word
 *   (body blocks are read masked, as unsigned bytes);
 * - the partitioner, not the hash, maps the empty key to the minimum token -2^63 and a hash
 *   equal to Long.MIN_VALUE to Long.MAX_VALUE, so that no real key sits on the minimum token
 *   (the range (MIN, x] must be able to select "everything up to x").
 *
 * The arithmetic works on 32-bit halves, never on bigints: a 64-bit value is a pair
 * (hi, lo) of int32s, multiplication is three `Math.imul`s plus the high word of an unsigned
 * 32x32 product computed on 16-bit pieces. This keeps `tokenParts` allocation-free and fast
 * enough for the data plane, which must place millions of writes per second (ARCHITECTURE.md).
 */

// Multiplicative constants, split into (hi, lo) halves.
const C1_HI = 0x87c37b91 | 0; // c1 = 0x87c37b91114253d5
const C1_LO = 0x114253d5 | 0;
const C2_HI = 0x4cf5ad43 | 0; // c2 = 0x4cf5ad432745937f
const C2_LO = 0x2745937f | 0;
const F1_HI = 0xff51afd7 | 0; // fmix64's first multiplier, 0xff51afd7ed558ccd
const F1_LO = 0xed558ccd | 0;
const F2_HI = 0xc4ceb9fe | 0; // fmix64's second multiplier, 0xc4ceb9fe1a85ec53
const F2_LO = 0x1a85ec53 | 0;
const H1_ADD = 0x52dce729; // added to h1 after each block
const H2_ADD = 0x38495ab5; // added to h2 after each block

const TWO_POW_32 = 4294967296;
const MIN_HI = -0x80000000;

/**
 * High 32 bits of the unsigned 64-bit product a * b (both read as uint32). Each operand is cut
 * into 16-bit pieces so that every partial product is exact in a double.
 */
function mulHi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/**
 * The hash's running state, h1 and h2 as (hi, lo) halves: one module-level record, reset at the
 * start of every hash, so that the byte and the text entry points share one block mixer and one
 * finaliser. Nothing is kept between hashes.
 */
const h = { h1h: 0, h1l: 0, h2h: 0, h2l: 0 };

/**
 * One 16-byte block, as the little-endian words k1 = (k1h, k1l) and k2 = (k2h, k2l). The steps
 * on k1 and k2 repeat in `finish` for the tail: kept inline in both, since calls sharing them
 * through the state record measured about a fifth slower.
 */
function mixBlock(k1l: number, k1h: number, k2l: number, k2h: number): void {
  let { h1h, h1l, h2h, h2l } = h;
  let t = 0; // scratch for the new high word of a product or a rotation
  let s = 0; // scratch for an unsigned low-word sum

  // k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1
  t = (mulHi(k1l, C1_LO) + Math.imul(k1h, C1_LO) + Math.imul(k1l, C1_HI)) | 0;
  k1l = Math.imul(k1l, C1_LO);
  k1h = t;
  t = (k1h << 31) | (k1l >>> 1);
  k1l = (k1l << 31) | (k1h >>> 1);
  k1h = t;
  t = (mulHi(k1l, C2_LO) + Math.imul(k1h, C2_LO) + Math.imul(k1l, C2_HI)) | 0;
  k1l = Math.imul(k1l, C2_LO);
  k1h = t;
  h1h ^= k1h;
  h1l ^= k1l;

  // h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
  t = (h1h << 27) | (h1l >>> 5);
  h1l = (h1l << 27) | (h1h >>> 5);
  h1h = t;
  s = (h1l >>> 0) + (h2l >>> 0);
  h1h = (h1h + h2h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  h1l = s | 0;
  s = (h1l >>> 0) * 5;
  h1h = (Math.imul(h1h, 5) + Math.floor(s / TWO_POW_32)) | 0;
  s = (s >>> 0) + H1_ADD;
  h1h = (h1h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  h1l = s | 0;

  // k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2
  t = (mulHi(k2l, C2_LO) + Math.imul(k2h, C2_LO) + Math.imul(k2l, C2_HI)) | 0;
  k2l = Math.imul(k2l, C2_LO);
  k2h = t;
  t = (k2l << 1) | (k2h >>> 31); // rotl 33 = swap the halves, then rotl 1
  k2l = (k2h << 1) | (k2l >>> 31);
  k2h = t;
  t = (mulHi(k2l, C1_LO) + Math.imul(k2h, C1_LO) + Math.imul(k2l, C1_HI)) | 0;
  k2l = Math.imul(k2l, C1_LO);
  k2h = t;
  h2h ^= k2h;
  h2l ^= k2l;

  // h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
  t = (h2h << 31) | (h2l >>> 1);
  h2l = (h2l << 31) | (h2h >>> 1);
  h2h = t;
  s = (h2l >>> 0) + (h1l >>> 0);
  h2h = (h2h + h1h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  h2l = s | 0;
  s = (h2l >>> 0) * 5;
  h2h = (Math.imul(h2h, 5) + Math.floor(s / TWO_POW_32)) | 0;
  s = (s >>> 0) + H2_ADD;
  h2h = (h2h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  h2l = s | 0;

  h.h1h = h1h;
  h.h1l = h1l;
  h.h2h = h2h;
  h.h2l = h2l;
}

/**
 * The tail (the last `length % 16` bytes, already read into the words k1 and k2, zero where the
 * tail is shorter) and the finalisation; writes the first output word into `out`.
 */
function finish(
  tail: number,
  k1l: number,
  k1h: number,
  k2l: number,
  k2h: number,
  length: number,
  out: TokenParts,
): void {
  let { h1h, h1l, h2h, h2l } = h;
  let t = 0;
  let s = 0;
  if (tail > 8) {
    t = (mulHi(k2l, C2_LO) + Math.imul(k2h, C2_LO) + Math.imul(k2l, C2_HI)) | 0;
    k2l = Math.imul(k2l, C2_LO);
    k2h = t;
    t = (k2l << 1) | (k2h >>> 31); // rotl 33 = swap the halves, then rotl 1
    k2l = (k2h << 1) | (k2l >>> 31);
    k2h = t;
    t = (mulHi(k2l, C1_LO) + Math.imul(k2h, C1_LO) + Math.imul(k2l, C1_HI)) | 0;
    k2l = Math.imul(k2l, C1_LO);
    k2h = t;
    h2h ^= k2h;
    h2l ^= k2l;
  }
  if (tail > 0) {
    t = (mulHi(k1l, C1_LO) + Math.imul(k1h, C1_LO) + Math.imul(k1l, C1_HI)) | 0;
    k1l = Math.imul(k1l, C1_LO);
    k1h = t;
    t = (k1h << 31) | (k1l >>> 1);
    k1l = (k1l << 31) | (k1h >>> 1);
    k1h = t;
    t = (mulHi(k1l, C2_LO) + Math.imul(k1h, C2_LO) + Math.imul(k1l, C2_HI)) | 0;
    k1l = Math.imul(k1l, C2_LO);
    k1h = t;
    h1h ^= k1h;
    h1l ^= k1l;
  }

  // Finalisation. Java's `length` is an int, widened to a long: keys are far below 2^31 bytes,
  // so only the low word changes.
  h1l ^= length;
  h2l ^= length;
  s = (h1l >>> 0) + (h2l >>> 0); // h1 += h2
  h1h = (h1h + h2h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  h1l = s | 0;
  s = (h2l >>> 0) + (h1l >>> 0); // h2 += h1
  h2h = (h2h + h1h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  h2l = s | 0;

  // fmix64(h1): k ^= k >>> 33; k *= f1; k ^= k >>> 33; k *= f2; k ^= k >>> 33. A shift right by
  // 33 moves the high word, shifted by one, into the low word and leaves zero above.
  h1l ^= h1h >>> 1;
  t = (mulHi(h1l, F1_LO) + Math.imul(h1h, F1_LO) + Math.imul(h1l, F1_HI)) | 0;
  h1l = Math.imul(h1l, F1_LO);
  h1h = t;
  h1l ^= h1h >>> 1;
  t = (mulHi(h1l, F2_LO) + Math.imul(h1h, F2_LO) + Math.imul(h1l, F2_HI)) | 0;
  h1l = Math.imul(h1l, F2_LO);
  h1h = t;
  h1l ^= h1h >>> 1;

  h2l ^= h2h >>> 1;
  t = (mulHi(h2l, F1_LO) + Math.imul(h2h, F1_LO) + Math.imul(h2l, F1_HI)) | 0;
  h2l = Math.imul(h2l, F1_LO);
  h2h = t;
  h2l ^= h2h >>> 1;
  t = (mulHi(h2l, F2_LO) + Math.imul(h2h, F2_LO) + Math.imul(h2l, F2_HI)) | 0;
  h2l = Math.imul(h2l, F2_LO);
  h2h = t;
  h2l ^= h2h >>> 1;

  // h1 += h2 is the first output word; the second (h2 += h1) is not part of the token.
  s = (h1l >>> 0) + (h2l >>> 0);
  out.hi = (h1h + h2h + (s >= TWO_POW_32 ? 1 : 0)) | 0;
  out.lo = s >>> 0;
}

/**
 * Writes the first word of Cassandra's `hash3_x64_128(key, 0)` into `out`, without the
 * partitioner's treatment of the empty key and of Long.MIN_VALUE. This is the value
 * cassandra-driver's `Murmur3Tokenizer.hash` returns.
 */
export function murmur3HashParts(key: Uint8Array, out: TokenParts): void {
  const length = key.length;
  h.h1h = 0;
  h.h1l = 0;
  h.h2h = 0;
  h.h2l = 0;
  const bodyEnd = length & ~15;
  for (let i = 0; i < bodyEnd; i += 16) {
    // Little-endian 64-bit blocks; `key[j]!` is safe because j < bodyEnd <= length.
    mixBlock(
      key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24),
      key[i + 4]! | (key[i + 5]! << 8) | (key[i + 6]! << 16) | (key[i + 7]! << 24),
      key[i + 8]! | (key[i + 9]! << 8) | (key[i + 10]! << 16) | (key[i + 11]! << 24),
      key[i + 12]! | (key[i + 13]! << 8) | (key[i + 14]! << 16) | (key[i + 15]! << 24),
    );
  }

  // Tail. Cassandra reads each byte as a signed Java byte and widens it to a long before the
  // shift: `(b << 24) >> 24` is that signed byte; below bit 32 its sign fills the high word.
  const tail = length & 15;
  let k1l = 0;
  let k1h = 0;
  let k2l = 0;
  let k2h = 0;
  for (let j = tail - 1; j >= 8; j--) {
    const b = (key[bodyEnd + j]! << 24) >> 24;
    const shift = (j - 8) * 8;
    if (shift >= 32) k2h ^= b << (shift - 32);
    else {
      k2l ^= b << shift;
      k2h ^= b >> 31;
    }
  }
  for (let j = (tail > 8 ? 8 : tail) - 1; j >= 0; j--) {
    const b = (key[bodyEnd + j]! << 24) >> 24;
    const shift = j * 8;
    if (shift >= 32) k1h ^= b << (shift - 32);
    else {
      k1l ^= b << shift;
      k1h ^= b >> 31;
    }
  }
  finish(tail, k1l, k1h, k2l, k2h, length, out);
}

/** The code units `asciiWord` has read since it was reset, ORed together. */
let lastUnits = 0;

/**
 * Four code units from `at` as a little-endian word of their low bytes; every unit is also ORed
 * into `lastUnits` for the ASCII check, so a unit over 0xff cannot pass as two bytes.
 */
function asciiWord(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const c = text.charCodeAt(at + 2);
  const d = text.charCodeAt(at + 3);
  lastUnits |= a | b | c | d;
  return a | (b << 8) | (c << 16) | (d << 24);
}

/**
 * `murmur3HashParts` of the UTF-8 of `text`, read straight from the string when it is ASCII
 * (its UTF-8 is then its UTF-16 code units, one byte each): no encoding, no buffer. Returns
 * false, having written nothing to `out`, when `text` holds any code unit of 0x80 or more; the
 * caller then encodes it and hashes the bytes. ASCII bytes are below 0x80, so the tail's sign
 * extension never applies.
 */
export function murmur3HashAsciiParts(text: string, out: TokenParts): boolean {
  const length = text.length;
  h.h1h = 0;
  h.h1l = 0;
  h.h2h = 0;
  h.h2l = 0;
  lastUnits = 0;
  const bodyEnd = length & ~15;
  for (let i = 0; i < bodyEnd; i += 16) {
    mixBlock(
      asciiWord(text, i),
      asciiWord(text, i + 4),
      asciiWord(text, i + 8),
      asciiWord(text, i + 12),
    );
    // Text that is not ASCII is hashed again from its bytes: stop at the first block that says so.
    if (lastUnits >= 0x80) return false;
  }
  // Every code unit read is ORed in here; the text was ASCII if no bit above the seventh is set.
  let seen = lastUnits;
  const tail = length & 15;
  let k1l = 0;
  let k1h = 0;
  let k2l = 0;
  let k2h = 0;
  for (let j = 0; j < tail; j++) {
    const code = text.charCodeAt(bodyEnd + j);
    seen |= code;
    if (j < 4) k1l |= code << (8 * j);
    else if (j < 8) k1h |= code << (8 * (j - 4));
    else if (j < 12) k2l |= code << (8 * (j - 8));
    else k2h |= code << (8 * (j - 12));
  }
  if (seen >= 0x80) return false;
  finish(tail, k1l, k1h, k2l, k2h, length, out);
  return true;
}

/**
 * Applies Murmur3Partitioner's `normalize`: the hash Long.MIN_VALUE becomes Long.MAX_VALUE, so
 * the minimum token is reserved for the empty key.
 */
export function normaliseMurmur3Parts(out: TokenParts): void {
  if (out.hi === MIN_HI && out.lo === 0) {
    out.hi = 0x7fffffff;
    out.lo = 0xffffffff;
  }
}

function murmur3TokenParts(key: Uint8Array, out: TokenParts): void {
  if (key.length === 0) {
    out.hi = MIN_HI;
    out.lo = 0;
    return;
  }
  murmur3HashParts(key, out);
  normaliseMurmur3Parts(out);
}

/** `murmur3TokenParts` of the UTF-8 of ASCII `text`; false (and `out` untouched) otherwise. */
function murmur3AsciiTokenParts(text: string, out: TokenParts): boolean {
  if (text.length === 0) {
    out.hi = MIN_HI;
    out.lo = 0;
    return true;
  }
  if (!murmur3HashAsciiParts(text, out)) return false;
  normaliseMurmur3Parts(out);
  return true;
}

function murmur3Token(key: Uint8Array): bigint {
  const parts: TokenParts = { hi: 0, lo: 0 };
  murmur3TokenParts(key, parts);
  return tokenFromParts(parts.hi, parts.lo);
}

export const murmur3TokenFunction: TokenFunction = Object.freeze({
  name: 'murmur3',
  orderPreserving: false,
  token: murmur3Token,
  tokenParts: murmur3TokenParts,
  asciiTokenParts: murmur3AsciiTokenParts,
  nativeToken: murmur3Token,
});
