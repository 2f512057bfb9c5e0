import xxhash from 'xxhash-wasm';
import type { TokenFunction, TokenParts } from '../engine/token.js';

/**
 * xxHash64 with seed 0, its unsigned result reinterpreted as a signed 64-bit token. Not a
 * Cassandra partitioner: it is here to compare a modern non-cryptographic hash with Murmur3 on
 * the same ring (spread, speed), so only the xxHash64 specification constrains it. In
 * particular it is pure xxHash64 everywhere: the empty key hashes like any other (to
 * 0xef46db3751d8e999), and no token is reserved, unlike Murmur3Partitioner's minimum token.
 *
 * The hash runs in WebAssembly (`xxhash-wasm`). The package's only byte-input entry point,
 * `h64Raw`, returns a bigint, so one bigint per key is unavoidable here; `tokenParts` splits it
 * through a shared 8-byte buffer instead of bigint shifts and `BigInt.asIntN`, which would
 * allocate several more.
 *
 * The package instantiates its WebAssembly module asynchronously; the top-level await makes
 * this module usable synchronously once imported, as the TokenFunction contract requires. The
 * instance is immutable from our side (each call overwrites its input area), so sharing it
 * holds no state between calls.
 */
const { h64Raw } = await xxhash();

// One 64-bit slot seen as a bigint and as two 32-bit words. Which word is high depends on the
// platform's byte order, detected once.
const word64 = new BigUint64Array(1);
const halvesUnsigned = new Uint32Array(word64.buffer);
const halvesSigned = new Int32Array(word64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

function xxhash64TokenParts(key: Uint8Array, out: TokenParts): void {
  word64[0] = h64Raw(key);
  out.hi = halvesSigned[HI]!;
  out.lo = halvesUnsigned[LO]!;
}

function xxhash64Token(key: Uint8Array): bigint {
  return BigInt.asIntN(64, h64Raw(key));
}

export const xxhash64TokenFunction: TokenFunction = Object.freeze({
  name: 'xxhash64',
  orderPreserving: false,
  token: xxhash64Token,
  tokenParts: xxhash64TokenParts,
  nativeToken: xxhash64Token,
});
