import { RinglabError } from '../engine/errors.js';
import { utf8Length } from '../engine/row.js';
import type { TokenFunction, TokenParts } from '../engine/token.js';

/**
 * How partition key values become the bytes a token function hashes, exactly as Cassandra
 * serialises them (and as cassandra-driver encodes routing keys), so that a key's token here is
 * its token in a real cluster:
 *
 * - text: UTF-8;
 * - bigint, timestamp: 8 bytes, big-endian two's complement (a timestamp is milliseconds since
 *   the epoch);
 * - int: 4 bytes, big-endian two's complement;
 * - uuid / timeuuid: the 16 bytes in the order they are written;
 * - several partition key columns: Cassandra's CompositeType, each component as
 *   `<uint16 BE length><bytes><0x00>`; a single column is hashed raw, without that framing.
 *
 * Bad input (a value out of the type's range, a malformed uuid, a key Cassandra would refuse)
 * throws RinglabError with code 'INVALID_KEY': it is a bug in the workload, not an outcome.
 */

/** Cassandra refuses partition keys (and CompositeType components) longer than this. */
export const MAX_KEY_BYTES = 0xffff;

const TWO_POW_32 = 4294967296;
const MIN_BIGINT = -(2n ** 63n);
const MAX_BIGINT = 2n ** 63n - 1n;

function invalidKey(message: string): RinglabError {
  return new RinglabError('INVALID_KEY', message, 'key');
}

const utf8 = new TextEncoder();

/**
 * Scratch for `encodeInto`: Node 20's `TextEncoder.encode` costs more than the copy out of a
 * reused buffer. It holds no state between calls (each call overwrites what it reads back).
 */
const utf8Scratch = new Uint8Array(3 * 1024);

/**
 * UTF-8 bytes of `text`, always in a fresh array of exactly that length. Short ASCII text (ids,
 * the common case) is copied code unit by code unit, which measured about twice as fast as the
 * encoder for 8-24 characters; other text goes through `encodeInto` and a copy. A lone surrogate
 * (not valid Unicode) becomes U+FFFD, as TextEncoder and the driver's Buffer encoding do.
 */
export function textBytes(text: string): Uint8Array {
  const length = text.length;
  // Every UTF-16 code unit takes at least one byte, so only long text can pass the limit.
  if (length > MAX_KEY_BYTES / 3) return checkedKeyBytes(utf8.encode(text));
  if (length <= 24) {
    const bytes = new Uint8Array(length);
    let i = 0;
    for (; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      bytes[i] = code;
    }
    if (i === length) return bytes;
  }
  if (3 * length <= utf8Scratch.length) {
    const { written } = utf8.encodeInto(text, utf8Scratch);
    return utf8Scratch.slice(0, written);
  }
  return utf8.encode(text);
}

/**
 * Cassandra refuses a partition key, or one component of it, over 65,535 bytes: its length is
 * written as an unsigned short. Every path that turns text into key bytes goes through here.
 */
function checkedKeyBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_KEY_BYTES) {
    throw invalidKey(
      `a partition key (or component) may be at most ${MAX_KEY_BYTES} bytes, as in Cassandra; got ${bytes.length}`,
    );
  }
  return bytes;
}

/** The longest text, in UTF-16 code units, that `transientTextBytes` encodes without allocating. */
const TRANSIENT_MAX_LENGTH = 64;

/** Room for the UTF-8 of any text of that length: at most 3 bytes per UTF-16 code unit. */
const transientBuffer = new ArrayBuffer(3 * TRANSIENT_MAX_LENGTH);
/**
 * The same memory as a Buffer, for `write`: it returns the byte count as a number, where
 * `TextEncoder.encodeInto` allocates a `{ read, written }` object per call.
 */
const transientWriter = Buffer.from(transientBuffer);

/**
 * One reused array per byte length, all views of `transientBuffer`. A token function hashes a
 * whole array, so a key encoded only to be hashed needs an array of exactly its length; taking
 * it from this table allocates nothing, where `new Uint8Array`, `slice` or `subarray` allocate a
 * typed array per call, which costs about as much as encoding a 36-character id.
 */
const transientViews: readonly Uint8Array[] = Array.from(
  { length: transientBuffer.byteLength + 1 },
  (_, length) => new Uint8Array(transientBuffer, 0, length),
);

/**
 * The text `transientTextBytes` encoded last and its byte length: on the write path a row is
 * placed, then sized, so the sizing of its key column (`textByteLength`) finds its length here
 * instead of measuring the text again. Only a cache: the length is the text's, whichever string
 * asks.
 */
let lastEncoded: string | undefined;
let lastEncodedBytes = 0;

/**
 * The bytes `textBytes(text)` returns, for immediate use only: text of up to 64 code units is
 * encoded into a buffer owned by this module that the next call overwrites, so hash it (or copy
 * it) before calling again, and never keep it. Longer text gets a fresh array from `textBytes`.
 *
 * This goes through the native encoder even for ASCII: event ids built by string concatenation
 * are cons strings, on which a `charCodeAt` loop measured 2-3 times slower than the encoder
 * (about 60 ns against 130-250 ns for a 36-character id). Together with the reused array this
 * took about a fifth off the hash-event-id write path (bench perf). `Buffer#write` encodes as
 * TextEncoder does (a lone surrogate becomes U+FFFD) and never splits a character here: the
 * buffer has room for 3 bytes per code unit.
 */
export function transientTextBytes(text: string): Uint8Array {
  if (text.length > TRANSIENT_MAX_LENGTH) return textBytes(text);
  const written = transientWriter.write(text);
  lastEncoded = text;
  lastEncodedBytes = written;
  return transientViews[written]!;
}

/**
 * Writes the token of the UTF-8 of `text` into `out`, as `tokenFunction.tokenParts(textBytes(text),
 * out)` would: from the string itself when the token function can read ASCII text and the text
 * is short ASCII, else from `transientTextBytes`. Either way the text's byte length is
 * remembered for `textByteLength`.
 */
export function textTokenParts(tokenFunction: TokenFunction, text: string, out: TokenParts): void {
  if (
    text.length <= TRANSIENT_MAX_LENGTH &&
    tokenFunction.asciiTokenParts !== undefined &&
    tokenFunction.asciiTokenParts(text, out)
  ) {
    lastEncoded = text;
    lastEncodedBytes = text.length;
    return;
  }
  tokenFunction.tokenParts(transientTextBytes(text), out);
}

/**
 * The UTF-8 length of `text`, as `utf8Length` gives it; without measuring when `text` is the
 * text `transientTextBytes` encoded last (the key column of the row being written).
 */
export function textByteLength(text: string): number {
  return text === lastEncoded ? lastEncodedBytes : utf8Length(text);
}

function writeInt64(hi: number, lo: number): Uint8Array {
  const bytes = new Uint8Array(8);
  bytes[0] = hi >>> 24;
  bytes[1] = hi >>> 16;
  bytes[2] = hi >>> 8;
  bytes[3] = hi;
  bytes[4] = lo >>> 24;
  bytes[5] = lo >>> 16;
  bytes[6] = lo >>> 8;
  bytes[7] = lo;
  return bytes;
}

/**
 * A CQL `bigint`: 8 bytes, big-endian, signed. Accepts a bigint in [-2^63, 2^63 - 1] or a
 * number that is a safe integer (beyond 2^53 a number no longer names one integer).
 */
export function bigintBytes(value: bigint | number): Uint8Array {
  if (typeof value === 'bigint') {
    if (value < MIN_BIGINT || value > MAX_BIGINT) {
      throw invalidKey(`a bigint key must lie in [-2^63, 2^63-1], got ${value}`);
    }
    return writeInt64(Number(BigInt.asIntN(32, value >> 32n)), Number(BigInt.asUintN(32, value)));
  }
  if (!Number.isSafeInteger(value)) {
    throw invalidKey(`a bigint key given as a number must be a safe integer, got ${value}`);
  }
  const hi = Math.floor(value / TWO_POW_32);
  return writeInt64(hi, value - hi * TWO_POW_32);
}

/** A CQL `int`: 4 bytes, big-endian, signed; `value` must be an integer in [-2^31, 2^31 - 1]. */
export function intBytes(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw invalidKey(`an int key must be an integer in [-2^31, 2^31-1], got ${value}`);
  }
  const bytes = new Uint8Array(4);
  bytes[0] = value >>> 24;
  bytes[1] = value >>> 16;
  bytes[2] = value >>> 8;
  bytes[3] = value;
  return bytes;
}

/**
 * A CQL `timestamp`: whole milliseconds since the Unix epoch, serialised like a bigint. A
 * fractional value is refused rather than silently truncated.
 */
export function timestampBytes(ms: number): Uint8Array {
  if (!Number.isSafeInteger(ms)) {
    throw invalidKey(`a timestamp key must be whole milliseconds (a safe integer), got ${ms}`);
  }
  return bigintBytes(ms);
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  const lower = code | 0x20; // folds A-F onto a-f
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

/**
 * A CQL `uuid` or `timeuuid` from its canonical text form, 8-4-4-4-12 hex digits (either case),
 * as CQL literals and the driver's `Uuid.fromString` require it: 16 bytes in text order.
 */
export function uuidBytes(uuid: string): Uint8Array {
  const malformed = (): RinglabError =>
    invalidKey(`a uuid key must look like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, got "${uuid}"`);
  if (uuid.length !== 36) throw malformed();
  const bytes = new Uint8Array(16);
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (at === 8 || at === 13 || at === 18 || at === 23) {
      if (uuid.charCodeAt(at) !== 45) throw malformed(); // '-'
      at++;
    }
    const high = hexValue(uuid.charCodeAt(at));
    const low = hexValue(uuid.charCodeAt(at + 1));
    if (high < 0 || low < 0) throw malformed();
    bytes[i] = (high << 4) | low;
    at += 2;
  }
  return bytes;
}

/**
 * The key of a table whose partition key has these columns, each already serialised. One
 * column is the key itself (the same array is returned); several are framed as Cassandra's
 * CompositeType: `<uint16 BE length><bytes><0x00>` per component, concatenated.
 *
 * Throws for no components, a component over 65535 bytes (its length must fit the uint16),
 * and for a key Cassandra refuses: empty ("Key may not be empty") or over 65535 bytes.
 */
export function compositeKeyBytes(components: readonly Uint8Array[]): Uint8Array {
  if (components.length === 0) {
    throw invalidKey('a partition key needs at least one component');
  }
  if (components.length === 1) {
    const only = components[0]!;
    if (only.length === 0) throw invalidKey('a partition key may not be empty');
    if (only.length > MAX_KEY_BYTES) {
      throw invalidKey(`a partition key may be at most ${MAX_KEY_BYTES} bytes, got ${only.length}`);
    }
    return only;
  }
  let total = 0;
  for (let i = 0; i < components.length; i++) {
    const length = components[i]!.length;
    if (length > MAX_KEY_BYTES) {
      throw invalidKey(
        `partition key component ${i} may be at most ${MAX_KEY_BYTES} bytes, got ${length}`,
      );
    }
    total += length + 3;
  }
  if (total > MAX_KEY_BYTES) {
    throw invalidKey(`a partition key may be at most ${MAX_KEY_BYTES} bytes, got ${total}`);
  }
  const bytes = new Uint8Array(total); // zero-filled, so each end-of-component byte is 0x00
  let at = 0;
  for (const component of components) {
    bytes[at] = component.length >>> 8;
    bytes[at + 1] = component.length;
    bytes.set(component, at + 2);
    at += component.length + 3;
  }
  return bytes;
}
