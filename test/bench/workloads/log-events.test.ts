import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isRinglabError } from '../../../engine/errors.js';
import { createRandom } from '../../../engine/random.js';
import { compareValues, valueSizeBytes, type Row } from '../../../engine/row.js';
import { zeta } from '../../../bench/workloads/distributions.js';
import {
  decodeSnowflake,
  idKinds,
  UUID_PATTERN,
  uuidV7TimestampMs,
} from '../../../bench/workloads/ids.js';
import {
  createLogEvents,
  DEFAULT_START_MS,
  generateLogEvents,
  logTable,
  resolveLogEventOptions,
  severities,
  type LogEvent,
  serverIdOf,
  type LogEventOptions,
  type Severity,
} from '../../../bench/workloads/log-events.js';

/** Within 5 binomial standard deviations of n * p: a false alarm about once in 3.5 million. */
function expectBinomial(observed: number, n: number, p: number): void {
  expect(Math.abs(observed - n * p)).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p)));
}

function column<K extends keyof LogEvent>(rows: readonly LogEvent[], key: K): LogEvent[K][] {
  return rows.map((row) => row[key]);
}

function expectConfigError(options: LogEventOptions, field: string): void {
  let caught: unknown;
  try {
    resolveLogEventOptions(options);
  } catch (error) {
    caught = error;
  }
  expect(isRinglabError(caught), `expected an error for ${field}`).toBe(true);
  if (isRinglabError(caught)) {
    expect(caught.code).toBe('INVALID_CONFIG');
    expect(caught.field).toBe(field);
  }
}

describe('log events: determinism', () => {
  it('gives the same stream for the same seed, another for another seed', () => {
    const a = generateLogEvents({ events: 2000 }, createRandom(1));
    expect(generateLogEvents({ events: 2000 }, createRandom(1))).toEqual(a);
    expect(generateLogEvents({ events: 2000 }, createRandom(2))).not.toEqual(a);
  });

  it('gives a prefix when asked for fewer events', () => {
    const long = generateLogEvents({ events: 500 }, createRandom(3));
    expect(generateLogEvents({ events: 100 }, createRandom(3))).toEqual(long.slice(0, 100));
  });

  it('keeps server_id, ts, severity and size when only the id kind changes', () => {
    const [first, ...others] = idKinds.map((idKind) =>
      generateLogEvents({ events: 3000, idKind }, createRandom(4)),
    );
    for (const other of others) {
      for (const key of ['server_id', 'ts', 'severity', 'message_bytes'] as const) {
        expect(column(other, key)).toEqual(column(first!, key));
      }
      expect(column(other, 'event_id')).not.toEqual(column(first!, 'event_id'));
    }
  });

  it('keeps every column but ts (and ids) when only the rate changes', () => {
    const slow = generateLogEvents({ events: 1000, rateEventsPerSec: 10 }, createRandom(5));
    const fast = generateLogEvents({ events: 1000, rateEventsPerSec: 1e5 }, createRandom(5));
    for (const key of ['event_id', 'server_id', 'severity', 'message_bytes'] as const) {
      expect(column(fast, key)).toEqual(column(slow, key));
    }
  });
});

describe('log events: columns', () => {
  const events = 200_000;
  const rows = generateLogEvents({ events }, createRandom(6));

  it('has the default severity mix within tolerance', () => {
    const counts = new Map<Severity, number>();
    for (const row of rows) counts.set(row.severity, (counts.get(row.severity) ?? 0) + 1);
    const mix = { DEBUG: 0.4, INFO: 0.45, WARN: 0.1, ERROR: 0.045, FATAL: 0.005 };
    for (const severity of severities)
      expectBinomial(counts.get(severity) ?? 0, events, mix[severity]);
  });

  it('advances ts by Poisson arrivals at the configured rate from startMs', () => {
    let previous = DEFAULT_START_MS;
    let decreases = 0;
    for (const row of rows) {
      if (row.ts < previous || !Number.isInteger(row.ts)) decreases++;
      previous = row.ts;
    }
    expect(decreases).toBe(0);
    // The sum of n exponential gaps has mean n / rate and relative deviation 1 / sqrt(n).
    const elapsedMs = rows.at(-1)!.ts - DEFAULT_START_MS;
    const expectedMs = (events / 1000) * 1000;
    expect(Math.abs(elapsedMs / expectedMs - 1)).toBeLessThan(5 / Math.sqrt(events));
    // Exponential gaps of mean 1 ms leave several events in some milliseconds.
    const distinct = new Set(column(rows, 'ts')).size;
    expect(distinct).toBeLessThan(events * 0.8);
  });

  it('names servers so that they sort, zipfian over 1,000 of them by default', () => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.server_id, (counts.get(row.server_id) ?? 0) + 1);
    expect(
      [...counts.keys()].every((id) => /^srv-\d{5}$/.test(id) && Number(id.slice(4)) < 1000),
    ).toBe(true);
    expectBinomial(counts.get('srv-00000') ?? 0, events, 1 / zeta(1000, 0.99));
    const sample = generateLogEvents(
      { events: 50, servers: 123_456, serverDistribution: { kind: 'uniform' } },
      createRandom(7),
    );
    expect(sample.every((row) => /^srv-\d{6}$/.test(row.server_id))).toBe(true);
    expect(serverIdOf(42, 1000)).toBe('srv-00042');
    expect(serverIdOf(42, 100_001)).toBe('srv-000042');
    const ids = Array.from({ length: 1000 }, (_, i) => serverIdOf(i, 1000));
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws log-normal message sizes with a median of about 200 bytes, clamped', () => {
    const sizes = Float64Array.from(column(rows, 'message_bytes')).sort();
    // The sample median of a continuous distribution: within 5 sd of the 0.5 quantile by rank.
    const spread = 5 * Math.sqrt(events * 0.25);
    expect(sizes[Math.floor(events / 2 - spread)]!).toBeLessThanOrEqual(200);
    expect(sizes[Math.ceil(events / 2 + spread)]!).toBeGreaterThanOrEqual(200);
    expect(sizes[0]!).toBeGreaterThanOrEqual(16);
    expect(sizes.at(-1)!).toBeLessThanOrEqual(65_536);
    // sigma = 1: P(size > 200 * e^2 = 1478) = P(Z > 2) = 0.02275.
    expectBinomial(sizes.filter((s) => s > 200 * Math.exp(2)).length, events, 0.02275);
  });

  it('uses UUID v4 ids by default', () => {
    expect(
      rows
        .slice(0, 1000)
        .every((row) => UUID_PATTERN.test(row.event_id) && row.event_id[14] === '4'),
    ).toBe(true);
  });
});

describe('log events: arrivals over a span', () => {
  const events = 200_000;
  const dayMs = 86_400_000;
  const rows = generateLogEvents({ events, spanMs: dayMs }, createRandom(14));
  const start = DEFAULT_START_MS;

  it('stamps every event inside [startMs, startMs + spanMs), in order, in integer ms', () => {
    expect(rows).toHaveLength(events);
    const outside = rows.filter((row) => !(row.ts >= start && row.ts < start + dayMs));
    expect(outside).toEqual([]);
    const broken = rows.filter(
      (row, i) => !Number.isInteger(row.ts) || row.ts < (rows[i - 1]?.ts ?? start),
    );
    expect(broken).toEqual([]);
  });

  it('fills exactly the 24 hours of a day, each with about a 24th of the events', () => {
    const hourly = new Map<number, number>();
    for (const row of rows) {
      const hour = Math.floor((row.ts - start) / 3_600_000);
      hourly.set(hour, (hourly.get(hour) ?? 0) + 1);
    }
    expect([...hourly.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, h) => h),
    );
    for (const count of hourly.values()) expectBinomial(count, events, 1 / 24);
  });

  it('has Poisson inter-arrival gaps: mean span / N, coefficient of variation 1', () => {
    const gaps = rows.slice(1).map((row, i) => row.ts - rows[i]!.ts);
    const meanGap = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const variance = gaps.reduce((sum, gap) => sum + (gap - meanGap) ** 2, 0) / gaps.length;
    // Exponential gaps: the sample mean's relative error is about 1 / sqrt(N), and flooring to
    // whole ms adds a variance of 1/6 ms^2 to gaps of mean 432 ms, nothing at this tolerance.
    expect(Math.abs(meanGap / (dayMs / events) - 1)).toBeLessThan(5 / Math.sqrt(events));
    expect(Math.abs(Math.sqrt(variance) / meanGap - 1)).toBeLessThan(0.02);
    // Memorylessness: P(gap > mean) = 1/e.
    expectBinomial(gaps.filter((gap) => gap > meanGap).length, gaps.length, Math.exp(-1));
  });

  it('keeps every column but ts (and ids) when a span replaces the rate', () => {
    const atRate = generateLogEvents({ events: 1000 }, createRandom(15));
    for (const idKind of ['uuid-v4', 'uuid-v7'] as const) {
      const spread = generateLogEvents({ events: 1000, spanMs: 60_000, idKind }, createRandom(15));
      const same = idKind === 'uuid-v4' ? (['event_id'] as const) : ([] as const);
      for (const key of [...same, 'server_id', 'severity', 'message_bytes'] as const) {
        expect(column(spread, key)).toEqual(column(atRate, key));
      }
    }
  });

  it('crowds a short span: many events per millisecond, none past its end', () => {
    const dense = generateLogEvents(
      { events: 5000, spanMs: 3, idKind: 'uuid-v7' },
      createRandom(16),
    );
    expect(new Set(column(dense, 'ts'))).toEqual(new Set([start, start + 1, start + 2]));
    expect(dense.every((row) => uuidV7TimestampMs(row.event_id) === row.ts)).toBe(true);
    expect(generateLogEvents({ events: 1, spanMs: 1 }, createRandom(16))[0]!.ts).toBe(start);
  });
});

describe('log events: options', () => {
  it('defaults every option', () => {
    expect(resolveLogEventOptions()).toEqual({
      events: 100_000,
      servers: 1000,
      serverDistribution: { kind: 'zipfian', items: 1000, theta: 0.99 },
      idKind: 'uuid-v4',
      startMs: Date.UTC(2026, 0, 1),
      rateEventsPerSec: 1000,
      severityMix: { DEBUG: 40, INFO: 45, WARN: 10, ERROR: 4.5, FATAL: 0.5 },
      messageBytes: { medianBytes: 200, sigma: 1, minBytes: 16, maxBytes: 65_536 },
    });
  });

  it('resolves idempotently', () => {
    const once = resolveLogEventOptions({
      servers: 10,
      serverDistribution: { kind: 'hotspot', hotOpFraction: 0.9 },
      severityMix: { ERROR: 1, INFO: 3 },
      messageBytes: { sigma: 0 },
    });
    expect(resolveLogEventOptions(once)).toEqual(once);
    const spread = resolveLogEventOptions({ spanMs: 3_600_000 });
    expect(spread).toMatchObject({ spanMs: 3_600_000 });
    expect(spread.rateEventsPerSec).toBeUndefined();
    expect(resolveLogEventOptions(spread)).toEqual(spread);
  });

  it('never emits a severity of zero weight', () => {
    const rows = generateLogEvents(
      { events: 20_000, severityMix: { WARN: 1, FATAL: 3 } },
      createRandom(8),
    );
    const seen = new Set(column(rows, 'severity'));
    expect([...seen].sort()).toEqual(['FATAL', 'WARN']);
    expectBinomial(rows.filter((row) => row.severity === 'FATAL').length, 20_000, 0.75);
  });

  it('uses a constant size when sigma is 0, and clamps to the bounds', () => {
    const constant = generateLogEvents(
      { events: 100, messageBytes: { sigma: 0, medianBytes: 321.4 } },
      createRandom(9),
    );
    expect(new Set(column(constant, 'message_bytes'))).toEqual(new Set([321]));
    const clamped = generateLogEvents(
      { events: 2000, messageBytes: { minBytes: 150, maxBytes: 250 } },
      createRandom(9),
    );
    const sizes = column(clamped, 'message_bytes');
    expect(Math.min(...sizes)).toBe(150);
    expect(Math.max(...sizes)).toBe(250);
  });

  it('names the offending field', () => {
    const cases: [LogEventOptions, string][] = [
      [{ events: -1 }, 'events'],
      [{ events: 1.5 }, 'events'],
      [{ servers: 0 }, 'servers'],
      [{ servers: 1_000_001 }, 'servers'],
      [{ serverDistribution: { kind: 'zipfian', theta: 1 } }, 'serverDistribution.theta'],
      [{ serverDistribution: { kind: 'nope' as 'uniform' } }, 'serverDistribution.kind'],
      [{ idKind: 'uuid-v1' as 'uuid-v4' }, 'idKind'],
      [{ startMs: -1 }, 'startMs'],
      [{ startMs: 2 ** 48 }, 'startMs'],
      [{ startMs: 0, idKind: 'snowflake' }, 'startMs'],
      [{ rateEventsPerSec: 0 }, 'rateEventsPerSec'],
      [{ rateEventsPerSec: Number.POSITIVE_INFINITY }, 'rateEventsPerSec'],
      [{ spanMs: 0 }, 'spanMs'],
      [{ spanMs: 1.5 }, 'spanMs'],
      [{ spanMs: 1000, rateEventsPerSec: 5 }, 'spanMs'],
      [{ spanMs: 2 ** 48 }, 'spanMs'],
      [{ startMs: 2 ** 48 - 10, spanMs: 11 }, 'spanMs'],
      [{ idKind: 'snowflake', startMs: Date.UTC(2079, 0, 1), spanMs: 600 * 86_400_000 }, 'spanMs'],
      [{ severityMix: { DEBUG: -1 } }, 'severityMix.DEBUG'],
      [{ severityMix: { TRACE: 1 } as Partial<Record<Severity, number>> }, 'severityMix.TRACE'],
      [{ severityMix: {} }, 'severityMix'],
      [{ messageBytes: { medianBytes: 0 } }, 'messageBytes.medianBytes'],
      [{ messageBytes: { sigma: -1 } }, 'messageBytes.sigma'],
      [{ messageBytes: { minBytes: -1 } }, 'messageBytes.minBytes'],
      [{ messageBytes: { minBytes: 100, maxBytes: 99 } }, 'messageBytes.maxBytes'],
    ];
    for (const [options, field] of cases) expectConfigError(options, field);
    // A span may end on the ids' last millisecond.
    expect(resolveLogEventOptions({ startMs: 2 ** 48 - 10, spanMs: 10 }).spanMs).toBe(10);
  });

  it('keeps the invariants for any valid options', () => {
    const options = fc.record(
      {
        events: fc.integer({ min: 0, max: 300 }),
        servers: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 2000 }), weight: 9 },
          { arbitrary: fc.integer({ min: 1, max: 200_000 }), weight: 1 },
        ),
        serverDistribution: fc.constantFrom(
          { kind: 'uniform' as const },
          { kind: 'zipfian' as const, theta: 0.5 },
          { kind: 'scrambled-zipfian' as const },
          { kind: 'hotspot' as const },
          { kind: 'latest' as const },
        ),
        idKind: fc.constantFrom(...idKinds),
        startMs: fc.integer({ min: Date.UTC(2011, 0, 1), max: Date.UTC(2060, 0, 1) }),
        rateEventsPerSec: fc.double({ min: 0.001, max: 1e7, noNaN: true }),
        spanMs: fc.integer({ min: 1, max: 400 * 86_400_000 }),
        severityMix: fc.dictionary(
          fc.constantFrom(...severities),
          fc.integer({ min: 1, max: 10 }),
          {
            minKeys: 1,
          },
        ),
      },
      { requiredKeys: ['events'] },
    );
    fc.assert(
      fc.property(options, fc.nat(), fc.boolean(), (drawn, seed, overSpan) => {
        // Arrivals come from a rate or a span, never both.
        const { rateEventsPerSec, spanMs, ...rest } = drawn;
        const raw: LogEventOptions = overSpan ? { ...rest, spanMs } : { ...rest, rateEventsPerSec };
        const resolved = resolveLogEventOptions(raw);
        const rows = generateLogEvents(raw, createRandom(seed));
        expect(rows).toHaveLength(resolved.events);
        const broken: string[] = [];
        let previousTs = resolved.startMs;
        const endMs = resolved.spanMs === undefined ? Infinity : resolved.startMs + resolved.spanMs;
        for (const row of rows) {
          if (row.ts < previousTs) broken.push(`ts went back at ${row.event_id}`);
          if (row.ts >= endMs) broken.push(`ts ${row.ts} past the span at ${row.event_id}`);
          previousTs = row.ts;
          if (!(Number(row.server_id.slice(4)) < resolved.servers)) broken.push(row.server_id);
          if (!(resolved.severityMix[row.severity] > 0)) broken.push(row.severity);
          if (row.message_bytes < 16 || row.message_bytes > 65_536)
            broken.push(`size ${row.message_bytes}`);
        }
        expect(broken).toEqual([]);
        if (resolved.idKind !== 'uuid-v4') {
          // Time-based ids sort with time, so a clustering on event_id alone would keep time order.
          const ids = column(rows, 'event_id');
          expect(ids).toEqual([...ids].sort());
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('log events: stream', () => {
  it('yields the same rows through next(), iteration and generateLogEvents', () => {
    const stream = createLogEvents({ events: 50 }, createRandom(10));
    const iterated = [...stream];
    expect(iterated).toEqual(generateLogEvents({ events: 50 }, createRandom(10)));
    expect(stream.emitted).toBe(50);
    expect(stream.next()).toBeUndefined();
    expect(stream.emitted).toBe(50);
    expect(generateLogEvents({ events: 0 }, createRandom(10))).toEqual([]);
  });

  it('embeds the event time in time-based ids', () => {
    const v7 = generateLogEvents({ events: 2000, idKind: 'uuid-v7' }, createRandom(11));
    expect(v7.every((row) => uuidV7TimestampMs(row.event_id) === row.ts)).toBe(true);
    const snowflake = generateLogEvents({ events: 2000, idKind: 'snowflake' }, createRandom(11));
    expect(snowflake.every((row) => decodeSnowflake(row.event_id).tsMs === row.ts)).toBe(true);
  });
});

describe('logTable', () => {
  it('clusters by (ts, event_id) and sizes a row as its columns plus the payload', () => {
    const [event] = generateLogEvents({ events: 1 }, createRandom(12));
    const row: Row = event!; // LogEvent is assignable to Row
    expect(logTable.clustering).toEqual(['ts', 'event_id']);
    const columns = 36 + event!.server_id.length + 8 + event!.severity.length + 8;
    expect(logTable.sizeOf(row)).toBe(columns + event!.message_bytes);
    let sum = 0;
    for (const key in row) sum += valueSizeBytes(row[key]);
    expect(logTable.sizeOf(row)).toBe(sum + event!.message_bytes);
  });

  it('orders time-based ids within a millisecond in arrival order', () => {
    // 100 events per millisecond on average: many ties on ts, broken by event_id.
    const rows = generateLogEvents(
      { events: 2000, rateEventsPerSec: 1e5, idKind: 'uuid-v7' },
      createRandom(13),
    );
    const sorted = [...rows].sort(
      (a, b) => compareValues(a.ts, b.ts) || compareValues(a.event_id, b.event_id),
    );
    expect(sorted).toEqual(rows);
  });
});
