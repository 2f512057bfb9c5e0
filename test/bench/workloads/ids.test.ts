import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createRandom } from '../../../engine/random.js';
import {
  createIdGenerator,
  createSnowflake,
  createUuidV4,
  createUuidV7,
  decodeSnowflake,
  idKinds,
  TWITTER_EPOCH_MS,
  UUID_PATTERN,
  uuidV7TimestampMs,
} from '../../../bench/workloads/ids.js';

const START_MS = Date.UTC(2026, 0, 1);

/** Non-decreasing timestamps from a start and a list of gaps (zeros make same-ms runs). */
const timestampsArbitrary = fc
  .tuple(
    fc.integer({ min: START_MS - 1e11, max: START_MS + 1e11 }),
    fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 5000 })), {
      minLength: 1,
      maxLength: 300,
    }),
  )
  .map(([start, gaps]) => {
    let ts = start;
    return gaps.map((gap) => (ts += gap));
  });

function expectStrictlyIncreasing(ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!).toBe(true);
}

describe('UUID v4', () => {
  it('sets the version and variant and nothing else is fixed', () => {
    const generator = createUuidV4(createRandom(1));
    const ids = Array.from({ length: 20_000 }, () => generator.next(0));
    expect(ids.filter((id) => !UUID_PATTERN.test(id) || id[14] !== '4')).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // Every one of the 122 random bits varies: over 20,000 ids each hex digit position outside
    // the fixed nibbles takes all 16 values, and the variant digit all of 8, 9, a, b.
    for (let position = 0; position < 36; position++) {
      if ([8, 13, 14, 18, 23].includes(position)) continue;
      const digits = new Set(ids.map((id) => id[position]));
      expect(digits.size).toBe(position === 19 ? 4 : 16);
    }
  });

  it('is reproducible from the seed', () => {
    const a = createUuidV4(createRandom(2));
    const b = createUuidV4(createRandom(2));
    for (let i = 0; i < 100; i++) expect(a.next(i)).toBe(b.next(i + 1));
  });
});

describe('UUID v7', () => {
  it('embeds the timestamp, version 7 and variant 10', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.nat(), (ts, seed) => {
        const id = createUuidV7(createRandom(seed)).next(ts);
        expect(id).toMatch(UUID_PATTERN);
        expect(id[14]).toBe('7');
        expect(uuidV7TimestampMs(id)).toBe(ts);
      }),
    );
  });

  it('sorts in generation order, also within a millisecond', () => {
    fc.assert(
      fc.property(timestampsArbitrary, fc.nat(), (timestamps, seed) => {
        const generator = createUuidV7(createRandom(seed));
        const ids = timestamps.map((ts) => generator.next(ts));
        expectStrictlyIncreasing(ids);
        // No counter overflow at these rates, so every id carries its event's time.
        ids.forEach((id, i) => expect(uuidV7TimestampMs(id)).toBe(timestamps[i]));
      }),
      { numRuns: 200 },
    );
  });

  it('moves to the next millisecond when the counter overflows', () => {
    const generator = createUuidV7(createRandom(3));
    const ids = Array.from({ length: 5000 }, () => generator.next(START_MS));
    expectStrictlyIncreasing(ids);
    const times = ids.map(uuidV7TimestampMs);
    // The counter starts below 2048 (rollover guard), so at least 2048 ids fit in the millisecond.
    expect(times.slice(0, 2048).every((t) => t === START_MS)).toBe(true);
    expect(times.at(-1)).toBeGreaterThan(START_MS);
    expect(times.at(-1)).toBeLessThanOrEqual(START_MS + 3);
    // An event behind the last id takes the last id's millisecond and still sorts after it.
    const late = generator.next(START_MS);
    expect(late > ids.at(-1)!).toBe(true);
  });

  it('rejects a timestamp outside 48 bits', () => {
    const generator = createUuidV7(createRandom(4));
    for (const ts of [-1, 2 ** 48, 1.5, Number.NaN]) {
      expect(() => generator.next(ts)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'ts' }),
      );
    }
    expect(() => uuidV7TimestampMs(createUuidV4(createRandom(4)).next(0))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'id' }),
    );
  });
});

/** The id as the BigInt oracle computes it: (ms << 22) | (machine << 12) | sequence. */
function snowflakeOracle(ms: number, machineId: number, sequence: number): string {
  const value = (BigInt(ms) << 22n) | (BigInt(machineId) << 12n) | BigInt(sequence);
  return value.toString().padStart(19, '0');
}

describe('Snowflake', () => {
  it('lays out 41-bit time, 10-bit machine and 12-bit sequence as 19 decimal digits', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 2 ** 41 - 1 }), fc.constantFrom(0, 2 ** 41 - 1)),
        fc.integer({ min: 0, max: 1023 }),
        fc.integer({ min: 1, max: 6 }),
        (ms, machineId, repeats) => {
          const generator = createSnowflake({ epochMs: 0, machineId });
          for (let sequence = 0; sequence < repeats; sequence++) {
            const id = generator.next(ms);
            expect(id).toBe(snowflakeOracle(ms, machineId, sequence));
            expect(decodeSnowflake(id, 0)).toEqual({ tsMs: ms, machineId, sequence });
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is strictly increasing per machine, numerically and as strings', () => {
    fc.assert(
      fc.property(
        timestampsArbitrary,
        fc.integer({ min: 0, max: 1023 }),
        (timestamps, machineId) => {
          const generator = createSnowflake({ machineId });
          const ids = timestamps.map((ts) => generator.next(ts));
          expectStrictlyIncreasing(ids);
          for (let i = 1; i < ids.length; i++)
            expect(BigInt(ids[i - 1]!) < BigInt(ids[i]!)).toBe(true);
          ids.forEach((id, i) => expect(decodeSnowflake(id).tsMs).toBe(timestamps[i]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is unique across machines', () => {
    const ids = new Set<string>();
    for (const machineId of [0, 1, 2, 1023]) {
      const generator = createSnowflake({ machineId });
      for (let i = 0; i < 5000; i++) ids.add(generator.next(START_MS + Math.floor(i / 3)));
    }
    expect(ids.size).toBe(4 * 5000);
  });

  it('moves to the next millisecond when the sequence overflows', () => {
    const generator = createSnowflake({ machineId: 7 });
    const ids = Array.from({ length: 4097 }, () => generator.next(START_MS));
    expect(decodeSnowflake(ids[0]!)).toEqual({ tsMs: START_MS, machineId: 7, sequence: 0 });
    expect(decodeSnowflake(ids[4095]!)).toEqual({ tsMs: START_MS, machineId: 7, sequence: 4095 });
    expect(decodeSnowflake(ids[4096]!)).toEqual({ tsMs: START_MS + 1, machineId: 7, sequence: 0 });
    // The borrowed millisecond carries on for events still at START_MS, or behind it ...
    expect(decodeSnowflake(generator.next(START_MS)).sequence).toBe(1);
    expect(decodeSnowflake(generator.next(START_MS - 10))).toEqual({
      tsMs: START_MS + 1,
      machineId: 7,
      sequence: 2,
    });
    // ... and a later event starts its own millisecond at sequence 0.
    expect(decodeSnowflake(generator.next(START_MS + 5))).toEqual({
      tsMs: START_MS + 5,
      machineId: 7,
      sequence: 0,
    });
  });

  it('tells the millisecond of its last id, borrowed ones included', () => {
    const generator = createSnowflake({ epochMs: 1_000, machineId: 3 });
    for (const ts of [5_000, 5_000, 4_000, 9_000, 9_000]) {
      const id = generator.next(ts);
      expect(generator.lastTsMs).toBe(decodeSnowflake(id, 1_000).tsMs);
    }
    const full = createSnowflake();
    for (let i = 0; i < 4097; i++) full.next(START_MS);
    expect(full.lastTsMs).toBe(START_MS + 1);
  });

  it('uses the Twitter epoch by default', () => {
    const id = createSnowflake().next(TWITTER_EPOCH_MS + 1);
    expect(id).toBe(snowflakeOracle(1, 0, 0));
  });

  it('rejects a bad machine id, epoch or timestamp', () => {
    for (const machineId of [-1, 1024, 1.5]) {
      expect(() => createSnowflake({ machineId })).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG', field: 'machineId' }),
      );
    }
    expect(() => createSnowflake({ epochMs: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'epochMs' }),
    );
    const generator = createSnowflake({ epochMs: 1000 });
    for (const ts of [999, 1000 + 2 ** 41, 1000.5]) {
      expect(() => generator.next(ts)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'ts' }),
      );
    }
    expect(() => decodeSnowflake('9223372036854775808')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'id' }),
    );
  });
});

describe('createIdGenerator', () => {
  it('returns a generator of each kind', () => {
    for (const kind of idKinds) {
      const generator = createIdGenerator(kind, createRandom(5));
      expect(generator.kind).toBe(kind);
      expect(typeof generator.next(START_MS)).toBe('string');
    }
  });
});
