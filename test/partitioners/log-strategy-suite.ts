import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Partitioner } from '../../engine/partitioner.js';
import { partitionerConformance, type MeantQuery } from '../../engine/partitioner-conformance.js';
import { createRandom } from '../../engine/random.js';
import type { Row } from '../../engine/row.js';
import { generateLogEvents, logTable, type LogEvent } from '../../bench/workloads/log-events.js';
import { idKinds, type IdKind } from '../../bench/workloads/ids.js';
import { DAY_MS } from '../../partitioners/index.js';

/** A strategy under test, rebuilt fresh for each property run (adaptive ones keep state). */
export type PartitionerFactory = () => Partitioner;

export const SUITE_START_MS = Date.UTC(2026, 0, 1);
const RATE_EVENTS_PER_SEC = 10;
/** Slow enough that a stream of a thousand events spans more than a day. */
const SLOW_RATE_EVENTS_PER_SEC = 0.01;

/** The log-event table with its columns declared, so that a query on a non-column is refused. */
const table = {
  ...logTable,
  columns: ['event_id', 'server_id', 'ts', 'severity', 'message_bytes'],
};

function eventsFor(
  seed: number,
  events: number,
  servers: number,
  rateEventsPerSec = RATE_EVENTS_PER_SEC,
  idKind: IdKind = 'uuid-v4',
): LogEvent[] {
  return generateLogEvents(
    {
      events,
      servers,
      serverDistribution: { kind: 'zipfian' },
      startMs: SUITE_START_MS,
      rateEventsPerSec,
      idKind,
    },
    createRandom(seed).fork('workload'),
  );
}

/**
 * Seeded log-event streams. Some streams run at a rate that spans more than one day, so that
 * `(server_id, day)` keys and day labels cross a day boundary.
 */
const streams = fc
  .record({
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    events: fc.integer({ min: 1, max: 1200 }),
    servers: fc.integer({ min: 1, max: 40 }),
    slow: fc.boolean(),
    // Snowflake ids are decimal text, so retyped queries compare them with numbers.
    ids: fc.constantFrom(...idKinds),
  })
  .map(({ seed, events, servers, slow, ids }) =>
    eventsFor(seed, events, servers, slow ? SLOW_RATE_EVENTS_PER_SEC : RATE_EVENTS_PER_SEC, ids),
  );

/**
 * Day-label queries: `server-day` keys carry a `day` label, the bucket number of `ts`. A query on
 * it means "rows whose ts falls in that day", with or without the server.
 */
function dayQueries(rows: readonly Row[]): fc.Arbitrary<MeantQuery> {
  return fc
    .record({ at: fc.nat(rows.length - 1), withServer: fc.boolean() })
    .map(({ at, withServer }): MeantQuery => {
      const row = rows[at]!;
      const day = Math.floor(Number(row.ts) / DAY_MS);
      const server = withServer ? { server_id: row.server_id! } : {};
      return {
        query: { where: { ...server, day } },
        meaning: {
          where: server,
          range: { column: 'ts', from: day * DAY_MS, to: (day + 1) * DAY_MS },
        },
      };
    });
}

/**
 * The contract's conformance suite for a strategy over log events, plus one property only log
 * events can state: a route lists no partition that a matching row could not map to.
 */
export function logStrategySuite(name: string, factory: PartitionerFactory): void {
  describe(`${name}: conformance`, () => {
    for (const { name: caseName, run } of partitionerConformance({
      name,
      create: factory,
      table,
      rows: streams,
      ...(name === 'server-day' ? { labelQueries: dayQueries } : {}),
    })) {
      it(caseName, run);
    }

    it('routes only to partitions that a matching row can map to', () => {
      const small = fc.record({
        seed: fc.integer({ min: 0, max: 1_000_000 }),
        events: fc.integer({ min: 1, max: 300 }),
        servers: fc.integer({ min: 1, max: 10 }),
      });
      fc.assert(
        fc.property(
          small,
          fc.integer({ min: 1, max: 600_000 }),
          ({ seed, events: count, servers }, widthMs) => {
            const partitioner = factory();
            const events = eventsFor(seed, count, servers);
            for (const event of events) partitioner.observe?.(event);
            const random = createRandom(seed).fork('invent');
            const server = events[random.nextInt(events.length)]!.server_id;
            const from =
              events[0]!.ts +
              random.nextInt(Math.max(1, events[events.length - 1]!.ts - events[0]!.ts));
            const to = from + widthMs;
            const route = partitioner.route({
              where: { server_id: server },
              range: { column: 'ts', from, to },
            });
            if (route.kind === 'all-ranges') return;
            // Rows matching the query, at every instant where a key can change: the range's ends,
            // each minute (bucket) edge, and each event's time and the instant after it (adaptive
            // strategies change from the instant after the last event they saw); 64 ids at each.
            const instants = new Set<number>([from, to - 1]);
            for (let ts = from - (from % 60_000) + 60_000; ts < to; ts += 60_000) instants.add(ts);
            for (const event of events) {
              for (const ts of [event.ts, event.ts + 1])
                if (ts >= from && ts < to) instants.add(ts);
            }
            const reachable = new Set<string>();
            for (const ts of instants) {
              for (let i = 0; i < 64; i++) {
                const row = {
                  event_id: `probe-${i}`,
                  server_id: server,
                  ts,
                  severity: 'INFO',
                  message_bytes: 1,
                };
                reachable.add(partitioner.keyOf(row).text);
              }
            }
            const routed = route.keys.map((key) => key.text);
            expect(new Set(routed).size).toBe(routed.length);
            for (const text of routed) expect(reachable).toContain(text);
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
