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
import { isRinglabError, type ErrorCode } from './errors.js';
import type { Partitioner } from './partitioner.js';
import type { Query, RowFilter } from './query.js';
import { createRandom } from './random.js';
import { createPlacement, simpleStrategy, type Placement } from './replication.js';
import { buildRing, splitRing, type NodeSpec } from './ring.js';
import type { Row, TableSpec, Value } from './row.js';

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

/**
 * Generic queries drawn from a stream: equality on a random subset of one written row's columns,
 * sometimes with a value turned into the other type, sometimes a range on a numeric column
 * around its value, sometimes a limit; and the strategy's label queries.
 */
function queriesFor(rows: readonly Row[], spec: ConformanceSpec): fc.Arbitrary<MeantQuery> {
  const columns = spec.table.columns;
  const numeric = columns.filter((column) => rows.some((row) => typeof row[column] === 'number'));
  const generic = fc
    .record({
      at: fc.nat(rows.length - 1),
      use: fc.array(fc.boolean(), { minLength: columns.length, maxLength: columns.length }),
      retype: fc.option(fc.nat(columns.length - 1), { nil: undefined }),
      range: fc.option(
        fc.record({
          column: numeric.length > 0 ? fc.constantFrom(...numeric) : fc.constant(''),
          below: fc.double({ min: 0, max: 1, noNaN: true }),
          above: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { nil: undefined },
      ),
      limit: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    })
    .map(({ at, use, retype, range, limit }): MeantQuery => {
      const row = rows[at]!;
      const where: Record<string, Value> = {};
      columns.forEach((column, i) => {
        const value = row[column];
        if (use[i] && value !== undefined) where[column] = value;
      });
      let mayRefuse = false;
      if (retype !== undefined) {
        const column = columns[retype]!;
        const flipped = otherType(row[column]);
        if (flipped !== undefined) {
          where[column] = flipped;
          mayRefuse = true;
        }
      }
      let query: Query = { where };
      if (range !== undefined && range.column !== '') {
        const values = rows.map((r) => r[range.column]).filter((v) => typeof v === 'number');
        const center = row[range.column];
        if (typeof center === 'number') {
          const span = Math.max(...values) - Math.min(...values) + 1;
          const from = Math.floor(center - range.below * span);
          const to = Math.ceil(center + 1 + range.above * span);
          query = { where, range: { column: range.column, from, to } };
        }
      }
      const meaning = query;
      return { query: limit === undefined ? query : { ...query, limit }, meaning, mayRefuse };
    });
  const labelled = spec.labelQueries?.(rows);
  return labelled === undefined ? generic : fc.oneof(generic, labelled);
}

/** The same value in the other type, when it has one: 7 ⇄ '7'. */
function otherType(value: Value | undefined): Value | undefined {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string' && /^-?\d{1,30}$/.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : BigInt(value);
  }
  return undefined;
}

/** The oracle's matching, written apart from the engine's: typed equality, a half-open range. */
function oracleMatches(row: Row, filter: RowFilter): boolean {
  for (const [column, wanted] of Object.entries(filter.where)) {
    if (!sameValue(row[column], wanted)) return false;
  }
  const range = filter.range;
  if (range === undefined) return true;
  const value = row[range.column];
  return typeof value === 'number' && range.from <= value && value < range.to;
}

function sameValue(a: Value | undefined, b: Value): boolean {
  if (a === undefined) return false;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return BigInt(a) === BigInt(b) && Number(a) === Number(b);
}

/** The rows a cluster should hold: one per partition and clustering key, the last one written. */
function latestRows(partitioner: Partitioner, table: TableSpec, rows: readonly Row[]): Row[] {
  const latest = new Map<string, Row>();
  for (const row of rows) {
    const clustering = table.clustering.map((column) => typedText(row[column]));
    latest.set(JSON.stringify([partitioner.keyOf(row).text, ...clustering]), row);
  }
  return [...latest.values()];
}

/**
 * The row with one non-key column changed, keeping its partition and clustering key, or
 * undefined when every column is part of the key.
 */
function updated(partitioner: Partitioner, table: TableSpec, row: Row): Row | undefined {
  const key = partitioner.keyOf(row).text;
  for (const column of Object.keys(row).sort()) {
    if (table.clustering.includes(column)) continue;
    const value = row[column];
    const next =
      typeof value === 'number' ? value + 1 : typeof value === 'string' ? `${value}~` : undefined;
    if (next === undefined) continue;
    const candidate = { ...row, [column]: next };
    try {
      if (partitioner.keyOf(candidate).text === key) return candidate;
    } catch {
      // A value the strategy refuses for this column: try another one.
    }
  }
  return undefined;
}

function routeText(partitioner: Partitioner, query: Query): string {
  if (refusesAsMistyped(() => partitioner.route(query))) return 'refused as mistyped';
  const route = partitioner.route(query);
  const keys = route.kind === 'partitions' ? route.keys.map((key) => key.text) : ['*'];
  return JSON.stringify([keys, canonical(route.filter.where), route.filter.range ?? null]);
}

function filterColumns(filter: RowFilter): string[] {
  const columns = Object.keys(filter.where);
  if (filter.range !== undefined) columns.push(filter.range.column);
  return columns;
}

/** Whether routing throws INVALID_KEY, the refusal of a mistyped key value. */
function refusesAsMistyped(route: () => unknown): boolean {
  try {
    route();
    return false;
  } catch (error) {
    if (isRinglabError(error) && error.code === 'INVALID_KEY') return true;
    throw error;
  }
}

function expectMisuse(action: () => unknown, code: ErrorCode, what: string): void {
  try {
    action();
  } catch (error) {
    if (isRinglabError(error) && error.code === code) return;
    fail(`${what}: expected RinglabError ${code}, got ${String(error)}`);
  }
  fail(`${what}: expected RinglabError ${code}, but nothing was thrown`);
}

/** A row as text that keeps each value's type, columns in name order. */
function canonical(row: Readonly<Record<string, Value>>): string {
  const columns = Object.keys(row).sort();
  return columns.map((column) => `${column}=${typedText(row[column])}`).join(',');
}

function typedText(value: Value | undefined): string {
  return `${typeof value}:${String(value)}`;
}

function describe(value: object): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function same<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) fail(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

function fail(message: string): never {
  throw new Error(message);
}
