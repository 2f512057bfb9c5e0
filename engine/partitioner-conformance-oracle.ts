/**
 * The conformance suite's oracle and generators (see partitioner-conformance.ts): queries drawn
 * from a written stream, what they mean, and the suite's own matching, written apart from the
 * engine's so that the two check each other.
 */
import fc from 'fast-check';
import { isRinglabError, type ErrorCode } from './errors.js';
import type { Partitioner } from './partitioner.js';
import type { ConformanceSpec, MeantQuery } from './partitioner-conformance.js';
import type { Query, RowFilter } from './query.js';
import type { Row, TableSpec, Value } from './row.js';

/**
 * Generic queries drawn from a stream: equality on a random subset of one written row's columns,
 * sometimes with a value turned into the other type, sometimes a range on a numeric column
 * around its value, sometimes a limit; and the strategy's label queries.
 */
export function queriesFor(rows: readonly Row[], spec: ConformanceSpec): fc.Arbitrary<MeantQuery> {
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
export function oracleMatches(row: Row, filter: RowFilter): boolean {
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
export function latestRows(
  partitioner: Partitioner,
  table: TableSpec,
  rows: readonly Row[],
): Row[] {
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
export function updated(partitioner: Partitioner, table: TableSpec, row: Row): Row | undefined {
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

export function routeText(partitioner: Partitioner, query: Query): string {
  if (refusesAsMistyped(() => partitioner.route(query))) return 'refused as mistyped';
  const route = partitioner.route(query);
  const keys = route.kind === 'partitions' ? route.keys.map((key) => key.text) : ['*'];
  return JSON.stringify([keys, canonical(route.filter.where), route.filter.range ?? null]);
}

export function filterColumns(filter: RowFilter): string[] {
  const columns = Object.keys(filter.where);
  if (filter.range !== undefined) columns.push(filter.range.column);
  return columns;
}

/** Whether routing throws INVALID_KEY, the refusal of a mistyped key value. */
export function refusesAsMistyped(route: () => unknown): boolean {
  try {
    route();
    return false;
  } catch (error) {
    if (isRinglabError(error) && error.code === 'INVALID_KEY') return true;
    throw error;
  }
}

export function expectMisuse(action: () => unknown, code: ErrorCode, what: string): void {
  try {
    action();
  } catch (error) {
    if (isRinglabError(error) && error.code === code) return;
    fail(`${what}: expected RinglabError ${code}, got ${String(error)}`);
  }
  fail(`${what}: expected RinglabError ${code}, but nothing was thrown`);
}

/** A row as text that keeps each value's type, columns in name order. */
export function canonical(row: Readonly<Record<string, Value>>): string {
  const columns = Object.keys(row).sort();
  return columns.map((column) => `${column}=${typedText(row[column])}`).join(',');
}

function typedText(value: Value | undefined): string {
  return `${typeof value}:${String(value)}`;
}

export function describe(value: object): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function same<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) fail(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

export function fail(message: string): never {
  throw new Error(message);
}
