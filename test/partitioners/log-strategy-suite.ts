import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../engine/cluster.js';
import { createCoordinator } from '../../engine/coordinator.js';
import type { Partitioner, Query } from '../../engine/partitioner.js';
import { createRandom } from '../../engine/random.js';
import type { Placement } from '../../engine/replication.js';
import { placementOf, resolveClusterConfig } from '../../bench/cluster-config.js';
import { presplitPlacement } from '../../bench/skew.js';
import { generateLogEvents, logTable, type LogEvent } from '../../bench/workloads/log-events.js';

/** A strategy under test, rebuilt fresh for each property run (adaptive ones keep state). */
export type PartitionerFactory = () => Partitioner;

export const SUITE_START_MS = Date.UTC(2026, 0, 1);
const RATE_EVENTS_PER_SEC = 10;

function eventsFor(seed: number, events: number, servers: number): LogEvent[] {
  return generateLogEvents(
    {
      events,
      servers,
      serverDistribution: { kind: 'zipfian' },
      startMs: SUITE_START_MS,
      rateEventsPerSec: RATE_EVENTS_PER_SEC,
    },
    createRandom(seed).fork('workload'),
  );
}

function placementFor(partitioner: Partitioner, seed: number): Placement {
  const config = resolveClusterConfig({ nodes: 5, vnodes: 4, rf: 3, seed, allocator: 'random' });
  return partitioner.splitKeySpace ? presplitPlacement(config, partitioner) : placementOf(config);
}

/** Writes `events` through the coordinator at ALL and returns a coordinator to read them back. */
function loaded(partitioner: Partitioner, seed: number, events: readonly LogEvent[]) {
  const cluster = createCluster({
    placement: placementFor(partitioner, seed),
    partitioner,
    table: logTable,
    storage: 'rows',
  });
  const coordinator = createCoordinator(cluster);
  for (const event of events) expect(coordinator.write(event, 'ALL').kind).toBe('ok');
  return coordinator;
}

function ids(rows: readonly { readonly [column: string]: unknown }[]): string[] {
  return rows.map((row) => String(row.event_id)).sort();
}

const streams = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  events: fc.integer({ min: 1, max: 1500 }),
  servers: fc.integer({ min: 1, max: 40 }),
});

/**
 * The conformance suite every key strategy passes: keys are pure, routing never misses a row
 * (a read through the route returns exactly the rows a full scan would), and routing never
 * invents a partition (every routed partition is one that some matching row maps to).
 */
export function runPartitionerSuite(name: string, factory: PartitionerFactory): void {
  describe(`${name}: conformance`, () => {
    it('maps a row to the same partition every time, and equal texts to equal bytes', () => {
      const partitioner = factory();
      const events = eventsFor(3, 500, 10);
      for (const event of events) partitioner.observe?.(event);
      const byText = new Map<string, string>();
      for (const event of events) {
        const first = partitioner.keyOf(event);
        const again = partitioner.keyOf({ ...event });
        expect(again.text).toBe(first.text);
        expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
        const hex = Buffer.from(first.bytes).toString('hex');
        expect(byText.get(first.text) ?? hex).toBe(hex);
        byText.set(first.text, hex);
      }
    });

    it('finds every row written by server, by time range and by event id, and nothing else', () => {
      fc.assert(
        fc.property(streams, ({ seed, events: count, servers }) => {
          const events = eventsFor(seed, count, servers);
          const coordinator = loaded(factory(), seed, events);
          const first = events[0]!.ts;
          const last = events[events.length - 1]!.ts;
          const random = createRandom(seed).fork('queries');
          const queries: Query[] = [];
          for (let i = 0; i < 4; i++) {
            const event = events[random.nextInt(events.length)]!;
            const from = first + random.nextInt(Math.max(1, last - first + 1));
            const to = from + random.nextInt(Math.max(1, last - first + 1));
            queries.push({
              where: { server_id: event.server_id },
              range: { column: 'ts', from: first, to: last + 1 },
            });
            queries.push({
              where: { server_id: event.server_id },
              range: { column: 'ts', from, to },
            });
            queries.push({ where: {}, range: { column: 'ts', from, to } });
            queries.push({ where: { event_id: event.event_id } });
          }
          for (const query of queries) {
            const result = coordinator.query(query, 'ONE');
            if (result.kind !== 'ok')
              throw new Error(`query unavailable: ${JSON.stringify(query)}`);
            const expected = events.filter(
              (e) =>
                Object.entries(query.where).every(
                  ([column, value]) => e[column as keyof LogEvent] === value,
                ) &&
                (query.range === undefined || (e.ts >= query.range.from && e.ts < query.range.to)),
            );
            expect(ids(result.rows)).toEqual(ids(expected));
          }
        }),
        { numRuns: 25 },
      );
    });

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
