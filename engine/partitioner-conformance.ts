/**
 * The conformance suite of the `Partitioner` contract (partitioner.ts, query.ts), for any key
 * strategy over any table. It builds small clusters, writes generated rows through the
 * data-plane coordinator and checks what the contract promises against an oracle that shares no
 * code with the engine's own matching:
 *
 * - keys are pure, and `observe(row)` never changes the key of `row` itself;
 * - every row lands on the replicas `locate` names for its key;
 * - a query read through its route returns exactly the rows that match it (last write wins),
 *   and a route marked `exact` lists only partitions whose every row matches;
 *   for generated equality and range queries, values of the other type (1 against '1'), the
 *   strategy's own key labels, and limits; and a route's filter names only table columns;
 * - a write that comes back `unavailable` changes nothing, adaptive state included;
 * - coordinators sharing a cluster agree on which write is newest;
 * - a full scan reads every range from blockFor replicas through their read path;
 * - misuse (an unknown consistency level, a malformed query) throws RinglabError.
 *
 * It is framework-neutral: each case is a name and a function that throws on failure (fast-check
 * reports the seed and the shrunk counterexample), so `it(name, run)` in any test runner runs it.
 * A new key strategy gets the whole suite by describing its table and its rows.
 */
import fc from 'fast-check';
import { allocateTokens } from './allocation.js';
import { createCluster, type Cluster } from './cluster.js';
import type { ConsistencyLevel } from './consistency.js';
import { createCoordinator, type Coordinator } from './coordinator.js';
import type { Partitioner } from './partitioner.js';
import {
  canonical,
  describe,
  expectMisuse,
  fail,
  filterColumns,
  hex,
  latestRows,
  oracleMatches,
  queriesFor,
  refusesAsMistyped,
  routeText,
  same,
  sum,
  updated,
} from './partitioner-conformance-oracle.js';
import type { Query, RowFilter } from './query.js';
import { createRandom } from './random.js';
import { createPlacement, simpleStrategy, type Placement } from './replication.js';
import { buildRing, splitRing, type NodeSpec } from './ring.js';
import type { Row, TableSpec } from './row.js';

export interface ConformanceSpec {
  readonly name: string;
  /** A fresh partitioner; adaptive strategies keep state, so every run gets its own. */
  readonly create: () => Partitioner;
  /** The table, with every column its rows have declared. */
  readonly table: TableSpec & { readonly columns: readonly string[] };
  /** Streams of rows in write order, at least one row each, as the strategy's users write them. */
  readonly rows: fc.Arbitrary<readonly Row[]>;
  /** Queries on the strategy's key labels (such as `day`), each with the filter it means. */
  readonly labelQueries?: (rows: readonly Row[]) => fc.Arbitrary<MeantQuery>;
  /** Property runs per case (default 25). */
  readonly numRuns?: number;
}

/** A query and what it means, as a filter on real columns. */
export interface MeantQuery {
  readonly query: Query;
  readonly meaning: RowFilter;
  /**
   * The query compares a column with a value of the other type; a strategy may refuse it with
   * INVALID_KEY when that column is part of its key (CQL refuses a mistyped key), or answer it.
   */
  readonly mayRefuse?: boolean;
}

export interface ConformanceCase {
  readonly name: string;
  run(): void;
}

const NODES: readonly NodeSpec[] = Array.from({ length: 5 }, (_, i) => ({
  id: `n${i + 1}`,
  dc: 'dc1',
  rack: 'r1',
}));
const RF = 3;

export function partitionerConformance(spec: ConformanceSpec): ConformanceCase[] {
  const numRuns = spec.numRuns ?? 25;
  const check = <T>(arbitrary: fc.Arbitrary<T>, property: (value: T) => void): void =>
    fc.assert(fc.property(arbitrary, property), { numRuns });
  const streams = spec.rows.filter((rows) => rows.length > 0);
  /** A stream and queries drawn from it: generic ones and the strategy's label queries. */
  const withQueries = streams.chain((rows) =>
    fc.tuple(fc.constant(rows), fc.array(queriesFor(rows, spec), { minLength: 1, maxLength: 12 })),
  );

  return [
    {
      name: 'maps a row to the same partition every time, before and after observing it',
      run: () =>
        check(streams, (rows) => {
          const partitioner = spec.create();
          const bytesOfText = new Map<string, string>();
          for (const row of rows) {
            const before = partitioner.keyOf(row);
            partitioner.observe?.(row);
            for (const again of [partitioner.keyOf(row), partitioner.keyOf({ ...row })]) {
              same(again.text, before.text, 'key text changed for the same row');
              same(hex(again.bytes), hex(before.bytes), 'key bytes changed for the same row');
            }
            const known = bytesOfText.get(before.text) ?? hex(before.bytes);
            same(hex(before.bytes), known, `two byte forms for key text ${before.text}`);
            bytesOfText.set(before.text, known);
          }
        }),
    },
    {
      name: 'stores every row on the replicas that locate names for its key',
      run: () =>
        check(streams, (rows) => {
          const { cluster, coordinator } = loaded(spec, rows);
          for (const row of rows) {
            const key = cluster.partitioner.keyOf(row);
            for (const replica of coordinator.locate(key).replicas) {
              if (!cluster.nodes[replica]!.partitions.has(key.text)) {
                fail(`row ${describe(row)} is missing from replica n${replica + 1}`);
              }
            }
          }
        }),
    },
    {
      name: 'reads through the route exactly the rows that match: equality, ranges, types, labels, limits',
      run: () =>
        check(withQueries, ([rows, queries]) => {
          const { cluster, coordinator } = loaded(spec, rows);
          const latest = latestRows(cluster.partitioner, spec.table, rows);
          for (const { query, meaning, mayRefuse } of queries) {
            if (mayRefuse === true && refusesAsMistyped(() => cluster.partitioner.route(query))) {
              continue;
            }
            const route = cluster.partitioner.route(query);
            for (const column of filterColumns(route.filter)) {
              if (!spec.table.columns.includes(column)) {
                fail(`route of ${describe(query)} filters on ${column}, not a column`);
              }
            }
            if (route.kind === 'partitions' && route.exact === true) {
              // The key pins the filter: every row of every listed partition must match.
              for (const key of route.keys) {
                const held = coordinator.read(key, 'ALL');
                if (held.kind !== 'ok') return fail('read unavailable, all nodes up');
                for (const row of held.rows) {
                  if (!oracleMatches(row, meaning)) {
                    fail(
                      `route of ${describe(query)} is exact, but ${describe(row)} in ${key.text} does not match`,
                    );
                  }
                }
              }
            }
            const result = coordinator.query(query, 'ONE');
            if (result.kind !== 'ok') return fail(`query unavailable: ${describe(query)}`);
            const expected = latest.filter((row) => oracleMatches(row, meaning));
            const got = result.rows.map(canonical);
            const want = new Set(expected.map(canonical));
            const limit = query.limit ?? Infinity;
            same(got.length, Math.min(limit, want.size), `row count for ${describe(query)}`);
            for (const row of got) {
              if (!want.has(row)) fail(`${describe(query)} returned ${row}, which does not match`);
            }
            if (new Set(got).size !== got.length) fail(`${describe(query)} returned a row twice`);
          }
        }),
    },
    {
      name: 'changes nothing for a write that comes back unavailable, adaptive state included',
      run: () =>
        check(withQueries, ([rows, queries]) => {
          // n1 is down, so writes at ALL to its ranges fail definitely; a twin cluster sees only
          // the writes that succeeded. Both must end in the same state.
          const failing = loadedCluster(spec);
          failing.cluster.markDown('n1');
          const accepted = rows.filter(
            (row) => failing.coordinator.write(row, 'ALL').kind === 'ok',
          );
          const twin = loadedCluster(spec);
          for (const row of accepted) twin.coordinator.write(row, 'ALL');
          failing.cluster.nodes.forEach((node, i) => {
            const other = twin.cluster.nodes[i]!;
            same(node.writes, other.writes, `writes on n${i + 1} after unavailable writes`);
            same(node.bytes, other.bytes, `bytes on n${i + 1} after unavailable writes`);
          });
          for (const row of rows) {
            same(
              failing.cluster.partitioner.keyOf(row).text,
              twin.cluster.partitioner.keyOf(row).text,
              `key of ${describe(row)} after unavailable writes`,
            );
          }
          for (const { query } of queries) {
            same(
              routeText(failing.cluster.partitioner, query),
              routeText(twin.cluster.partitioner, query),
              `route of ${describe(query)} after unavailable writes`,
            );
          }
        }),
    },
    {
      name: 'lets the newest write win when several coordinators share the cluster',
      run: () =>
        check(
          streams.chain((rows) => fc.tuple(fc.constant(rows), fc.infiniteStream(fc.nat(2)))),
          ([rows, choices]) => {
            const { cluster } = loadedCluster(spec);
            const coordinators = [0, 1, 2].map(() => createCoordinator(cluster));
            const choice = choices[Symbol.iterator]();
            const written: Row[] = [];
            const writeVia = (row: Row): void => {
              const coordinator = coordinators[choice.next().value as number]!;
              if (coordinator.write(row, 'ALL').kind !== 'ok') fail('write unavailable');
              written.push(row);
            };
            for (const row of rows) writeVia(row);
            // Then overwrite every other row, through whichever coordinator comes up.
            rows.forEach((row, i) => {
              const update =
                i % 2 === 0 ? updated(cluster.partitioner, spec.table, row) : undefined;
              if (update !== undefined) writeVia(update);
            });
            const latest = latestRows(cluster.partitioner, spec.table, written).map(canonical);
            const scan = coordinators[0]!.query({ where: {} }, 'ALL');
            if (scan.kind !== 'ok') return fail('scan unavailable');
            same(
              scan.rows.map(canonical).sort().join('\n'),
              latest.sort().join('\n'),
              'rows after overwrites through several coordinators',
            );
          },
        ),
    },
    {
      name: 'reads every range of a full scan from blockFor replicas through their read path',
      run: () =>
        check(streams, (rows) => {
          const { cluster, coordinator } = loaded(spec, rows);
          const stored = latestRows(cluster.partitioner, spec.table, rows).length;
          for (const [cl, need] of [
            ['ONE', 1],
            ['QUORUM', 2],
            ['ALL', 3],
          ] as const) {
            const reads = sum(cluster.nodes.map((node) => node.reads));
            const rowsRead = sum(cluster.nodes.map((node) => node.rowsRead));
            const result = coordinator.query({ where: {} }, cl);
            if (result.kind !== 'ok' || !result.scanned) return fail(`scan at ${cl} did not scan`);
            const ring = cluster.placement.ring;
            same(sum(cluster.nodes.map((n) => n.reads)) - reads, ring.size * need, `reads ${cl}`);
            same(
              sum(cluster.nodes.map((n) => n.rowsRead)) - rowsRead,
              stored * need,
              `rows read by a scan at ${cl}`,
            );
            same(result.rows.length, stored, `rows a scan at ${cl} returned`);
          }
        }),
    },
    {
      name: 'throws RinglabError for misuse: unknown levels, malformed queries, unknown columns',
      run: () =>
        check(streams, (rows) => {
          const { cluster, coordinator } = loaded(spec, rows);
          const row = rows[0]!;
          const bogus = 'BOGUS' as ConsistencyLevel;
          expectMisuse(() => coordinator.write(row, bogus), 'UNKNOWN_NAME', 'write at BOGUS');
          expectMisuse(
            () => coordinator.read(cluster.partitioner.keyOf(row), bogus),
            'UNKNOWN_NAME',
            'read at BOGUS',
          );
          expectMisuse(() => coordinator.query({ where: {} }, bogus), 'UNKNOWN_NAME', 'BOGUS');
          const column = spec.table.columns[0]!;
          const malformed: Query[] = [
            { where: { no_such_column_here: 1 } },
            { where: {}, range: { column, from: Number.NaN, to: 1 } },
            { where: {}, limit: 0 },
            { where: {}, limit: 1.5 },
          ];
          for (const query of malformed) {
            expectMisuse(
              () => coordinator.query(query, 'ONE'),
              'INVALID_ARGUMENT',
              describe(query),
            );
          }
        }),
    },
  ];
}

/** A cluster of five nodes, rf 3, for the spec's strategy; its ring cut from the key space when order-preserving. */
function loadedCluster(spec: ConformanceSpec): { cluster: Cluster; coordinator: Coordinator } {
  const partitioner = spec.create();
  const cluster = createCluster({
    placement: placementFor(partitioner),
    partitioner,
    table: spec.table,
    storage: 'rows',
  });
  return { cluster, coordinator: createCoordinator(cluster) };
}

function loaded(spec: ConformanceSpec, rows: readonly Row[]) {
  const state = loadedCluster(spec);
  for (const row of rows) {
    if (state.coordinator.write(row, 'ALL').kind !== 'ok') fail('write unavailable, all nodes up');
  }
  return state;
}

function placementFor(partitioner: Partitioner): Placement {
  const strategy = simpleStrategy(RF);
  if (partitioner.splitKeySpace !== undefined) {
    return createPlacement(splitRing(NODES, 4, partitioner.splitKeySpace), strategy);
  }
  const tokens = allocateTokens({
    nodes: NODES,
    vnodes: 4,
    allocator: 'random',
    strategy,
    random: createRandom(7),
  });
  return createPlacement(buildRing(NODES, tokens), strategy);
}
