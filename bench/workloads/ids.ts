/**
 * Event-id generators. Every id comes from the seeded `Random` passed in and the event's simulated
 * time, never from a clock or global randomness, so a seed reproduces the ids exactly.
 *
 * One contract for all kinds: `next(tsMs)` returns the id of an event that happened at `tsMs`
 * (unix milliseconds, an integer). UUID v4 ignores the time; UUID v7 and Snowflake embed it, which
 * makes their ids sort by time, and so makes them cluster (or hot-spot) on an order-preserving
 * token function.
 */
import { invalidConfig, RinglabError } from '../../engine/errors.js';
import type { Random } from '../../engine/random.js';

export const idKinds = ['uuid-v4', 'uuid-v7', 'snowflake'] as const;
export type IdKind = (typeof idKinds)[number];

export interface IdGenerator {
  readonly kind: IdKind;
  /** The id of the next event, which happened at `tsMs` (integer unix milliseconds). */
  next(tsMs: number): string;
}

/** A generator of `kind` with its defaults (Snowflake: Twitter's epoch, machine 0). */
export function createIdGenerator(kind: IdKind, random: Random): IdGenerator {
  switch (kind) {
    case 'uuid-v4':
      return createUuidV4(random);
    case 'uuid-v7':
      return createUuidV7(random);
    case 'snowflake':
      return createSnowflake();
  }
}

/** The ASCII codes of the lowercase hex digits. */
const HEX_CODES = Uint8Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

/** Where `formatUuid` writes the 36 characters; the dashes never move, so they are set once. */
const uuidScratch = Buffer.alloc(36);
for (const at of [8, 13, 18, 23]) uuidScratch[at] = 0x2d; // '-'

/** Writes the low `digits` hex digits of `word` at `at`, most significant first. */
function putHex(word: number, at: number, digits: number): void {
  for (let k = digits - 1; k >= 0; k--) {
    uuidScratch[at + k] = HEX_CODES[word & 15]!;
    word >>>= 4;
  }
}

/**
 * Formats 128 bits, given as four 32-bit words most significant first, as
 * xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
 *
 * The digits are written into a byte buffer and read out as one string, rather than joined from
 * pieces: a joined id is a V8 cons string (a tree of its pieces), which everything downstream
 * (encoding it to hash, comparing it, using it as a Map key) must first flatten. The flat id
 * measured about 1.5 times faster through the write path's encode-and-hash, and this formatting
 * about 3 times faster than the join it replaced.
 */
function formatUuid(w0: number, w1: number, w2: number, w3: number): string {
  putHex(w0, 0, 8);
  putHex(w1 >>> 16, 9, 4);
  putHex(w1 & 0xffff, 14, 4);
  putHex(w2 >>> 16, 19, 4);
  putHex(w2 & 0xffff, 24, 4);
  putHex(w3, 28, 8);
  return uuidScratch.toString('latin1', 0, 36);
}

/**
 * RFC 9562 UUID version 4: 122 random bits, version nibble 0100 (bits 48-51) and variant 10
 * (bits 64-65).
 */
export function createUuidV4(random: Random): IdGenerator {
  return {
    kind: 'uuid-v4',
    next: () => {
      const w0 = random.nextUint32();
      const w1 = ((random.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0;
      const w2 = ((random.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0;
      const w3 = random.nextUint32();
      return formatUuid(w0, w1, w2, w3);
    },
  };
}

const MAX_UUID_V7_MS = 2 ** 48 - 1;
/** rand_a is a 12-bit counter; each new millisecond seeds it below 2^11 (RFC 9562 rollover guard). */
const V7_COUNTER_MAX = 0xfff;
const V7_COUNTER_SEED_MASK = 0x7ff;

/**
 * RFC 9562 UUID version 7: unix_ts_ms (48 bits, big-endian) | ver 0111 | rand_a (12) | var 10 |
 * rand_b (62).
 *
 * Monotonic within a generator (RFC 9562 section 6.2, method 1, "fixed bit-length dedicated
 * counter"): rand_a is a counter, seeded randomly with its top bit clear at each new millisecond
 * and incremented for each further id in the same millisecond, so ids sort in generation order.
 * When the counter would pass 4095 (after at least 2,048 ids in one millisecond) the id's
 * timestamp moves one millisecond ahead of the event's, as the RFC allows; an event whose time is
 * behind the last id's (clock went back, or time was borrowed) takes the last id's millisecond.
 * So the embedded time is the event's `tsMs` except under those two conditions. rand_b is fresh
 * randomness for every id, which keeps ids from different generators distinct.
 */
export function createUuidV7(random: Random): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  return {
    kind: 'uuid-v7',
    next: (tsMs) => {
      if (!Number.isSafeInteger(tsMs) || tsMs < 0 || tsMs > MAX_UUID_V7_MS) {
        throw new RinglabError(
          'INVALID_ARGUMENT',
          `ts must be an integer in [0, 2^48) milliseconds for a UUID v7, got ${tsMs}`,
          'ts',
        );
      }
      if (tsMs > lastMs) {
        lastMs = tsMs;
        counter = random.nextUint32() & V7_COUNTER_SEED_MASK;
      } else if (counter < V7_COUNTER_MAX) {
        counter++;
      } else {
        if (lastMs === MAX_UUID_V7_MS) {
          throw new RinglabError('INVALID_ARGUMENT', 'UUID v7 timestamp space exhausted', 'ts');
        }
        lastMs++;
        counter = random.nextUint32() & V7_COUNTER_SEED_MASK;
      }
      const msHigh = Math.floor(lastMs / 65536); // top 32 of the 48 bits
      const msLow = lastMs % 65536;
      const w1 = ((msLow << 16) | 0x7000 | counter) >>> 0;
      const w2 = ((random.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0;
      const w3 = random.nextUint32();
      return formatUuid(msHigh, w1, w2, w3);
    },
  };
}

/** The unix-millisecond timestamp in the first 48 bits of a UUID v7. */
export function uuidV7TimestampMs(id: string): number {
  if (!UUID_PATTERN.test(id) || id[14] !== '7') {
    throw new RinglabError('INVALID_ARGUMENT', `not a UUID v7: ${id}`, 'id');
  }
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** A lowercase RFC 9562 UUID of any version with the 10 variant. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Twitter's Snowflake epoch, 2010-11-04T01:42:54.657Z: the default custom epoch. */
export const TWITTER_EPOCH_MS = 1288834974657;
const SNOWFLAKE_MS_LIMIT = 2 ** 41;
const SNOWFLAKE_MAX_MACHINE = 1023;
const SNOWFLAKE_MAX_SEQUENCE = 4095;
/** Decimal digits of the largest id, 2^63 - 1; every id is zero-padded to this width. */
const SNOWFLAKE_DIGITS = 19;

export interface SnowflakeOptions {
  /** Unix ms that timestamp 0 stands for; default Twitter's epoch (ids then stay 19 digits). */
  readonly epochMs?: number | undefined;
  /** Which generator this is, 0..1023: ids from different machines never collide. Default 0. */
  readonly machineId?: number | undefined;
}

export interface SnowflakeParts {
  readonly tsMs: number;
  readonly machineId: number;
  readonly sequence: number;
}

/**
 * Twitter's Snowflake: 0 | 41-bit milliseconds since `epochMs` | 10-bit machine id | 12-bit
 * sequence, as a decimal string.
 *
 * Within one millisecond the sequence counts 0..4095; past 4095 the generator moves to the next
 * millisecond, as Twitter's does (it waits for its clock; simulated time can simply be borrowed).
 * An event whose time is behind the last id's takes the last id's millisecond, where Twitter's
 * refuses to generate ("clock moved backwards"), so ids strictly increase in every case. The
 * decimal string is zero-padded to 19 digits so that string order equals numeric order, hence
 * time order, even with a recent custom epoch; with the default epoch, real ids from mid-2018 on
 * have 19 digits anyway.
 */
/** A Snowflake generator that also tells the millisecond its last id carries. */
export interface SnowflakeGenerator extends IdGenerator {
  /** Unix ms of the last id generated (past `next`'s `tsMs` when the sequence ran out). */
  readonly lastTsMs: number;
}

export function createSnowflake(options: SnowflakeOptions = {}): SnowflakeGenerator {
  const epochMs = options.epochMs ?? TWITTER_EPOCH_MS;
  const machineId = options.machineId ?? 0;
  if (!Number.isSafeInteger(epochMs) || epochMs < 0) {
    throw invalidConfig('epochMs', `must be a non-negative integer, got ${epochMs}`);
  }
  if (!Number.isInteger(machineId) || machineId < 0 || machineId > SNOWFLAKE_MAX_MACHINE) {
    throw invalidConfig('machineId', `must be an integer in [0, 1023], got ${machineId}`);
  }
  const machineBits = machineId * 4096;
  let lastMs = -1;
  let sequence = 0;
  return {
    kind: 'snowflake',
    next: (tsMs) => {
      const ms = tsMs - epochMs;
      if (!Number.isSafeInteger(tsMs) || ms < 0 || ms >= SNOWFLAKE_MS_LIMIT) {
        throw new RinglabError(
          'INVALID_ARGUMENT',
          `ts must be an integer within 2^41 ms from the epoch ${epochMs}, got ${tsMs}`,
          'ts',
        );
      }
      if (ms > lastMs) {
        lastMs = ms;
        sequence = 0;
      } else if (sequence < SNOWFLAKE_MAX_SEQUENCE) {
        sequence++;
      } else {
        if (lastMs === SNOWFLAKE_MS_LIMIT - 1) {
          throw new RinglabError('INVALID_ARGUMENT', 'Snowflake timestamp space exhausted', 'ts');
        }
        lastMs++;
        sequence = 0;
      }
      return snowflakeDecimal(lastMs, machineBits + sequence);
    },
    get lastTsMs() {
      return lastMs + epochMs;
    },
  };
}

/**
 * The decimal digits of ms * 2^22 + low22, padded to 19, in doubles: with ms = a * 10^7 + b the
 * value is (a * 2^22) * 10^7 + (b * 2^22 + low22), and each part stays below 2^53.
 */
function snowflakeDecimal(ms: number, low22: number): string {
  const a = Math.floor(ms / 1e7);
  const b = ms - a * 1e7;
  const tail = b * 4194304 + low22; // < 4.2e13
  const carry = Math.floor(tail / 1e7);
  const low7 = tail - carry * 1e7;
  const high = a * 4194304 + carry; // < 9.3e11: the leading 12 digits
  return String(high).padStart(SNOWFLAKE_DIGITS - 7, '0') + String(low7).padStart(7, '0');
}

/** Splits a Snowflake id back into its timestamp (unix ms), machine id and sequence. */
export function decodeSnowflake(id: string, epochMs: number = TWITTER_EPOCH_MS): SnowflakeParts {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) >= 1n << 63n) {
    throw new RinglabError('INVALID_ARGUMENT', `not a Snowflake id: ${id}`, 'id');
  }
  const value = BigInt(id);
  return {
    tsMs: epochMs + Number(value >> 22n),
    machineId: Number((value >> 12n) & 1023n),
    sequence: Number(value & 4095n),
  };
}
