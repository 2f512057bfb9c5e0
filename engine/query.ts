import { quoted, RinglabError } from './errors.js';
import type { PartitionKey } from './partitioner.js';
import { compareValues, type Row, type Value } from './row.js';

/**
 * What a read means, in one place. A `Query` is what the application asks; a partitioner turns
 * it into a `Route`, a plan: the partitions (or every token range) to read, and the `filter` the
 * rows read from them must still pass. The coordinator executes the plan and applies the filter
 * with `matchesFilter`, and nothing else: it never looks at the query's `where` again. That way
 * a query may name things that are not columns (a partitioner's key labels, such as `day` for a
 * `(server_id, day)` key) and only the partitioner that understands them gives them meaning.
 *
 * Contract for `Partitioner.route(query)`:
 * - every row that matches the query lies in a listed partition (or the route is `all-ranges`);
 * - a row of a listed partition matches the query exactly when it passes `route.filter`;
 * - `route.filter` names only real columns of the table (labels are translated or dropped).
 */

/** Equality on columns, and optionally a half-open numeric range [from, to) on one more. */
export interface RowFilter {
  readonly where: Readonly<Record<string, Value>>;
  readonly range?: ColumnRange;
}

export interface ColumnRange {
  readonly column: string;
  readonly from: number;
  readonly to: number;
}

/**
 * A read as the application states it: a filter whose `where` may also name the partitioner's
 * key labels, and an optional limit on the rows returned.
 */
export interface Query extends RowFilter {
  readonly limit?: number;
}

/**
 * Where a query must go, and what is left to check. `partitions` lists every partition that can
 * hold a matching row (possibly none); `all-ranges` means the query cannot be routed and must
 * read every token range (a scatter/gather over the whole ring).
 */
export type Route =
  | {
      readonly kind: 'partitions';
      readonly keys: readonly PartitionKey[];
      readonly filter: RowFilter;
      /**
       * True when every row of the listed partitions passes the filter (the key pins it, as
       * `server_id = X` does for `server-id`), so that a replica may stop after `limit` rows.
       */
      readonly exact?: boolean;
    }
  | { readonly kind: 'all-ranges'; readonly filter: RowFilter };

/**
 * Whether a row passes a filter. Equality compares values with `compareValues`: the number 1 and
 * the text '1' differ, a number and a bigint of the same value are equal. A row without a column
 * the filter names does not pass. The range needs a number in [from, to).
 */
export function matchesFilter(row: Row, filter: RowFilter): boolean {
  const where = filter.where;
  for (const column in where) {
    if (compareValues(row[column], where[column]) !== 0) return false;
  }
  const range = filter.range;
  if (range === undefined) return true;
  const value = row[range.column];
  return typeof value === 'number' && value >= range.from && value < range.to;
}

/** The filter a query states, without the columns (or labels) in `without`. */
export function filterOf(query: RowFilter, without: readonly string[] = []): RowFilter {
  let where = query.where;
  if (without.some((column) => Object.hasOwn(where, column))) {
    where = Object.fromEntries(
      Object.entries(where).filter(([column]) => !without.includes(column)),
    );
  }
  return query.range === undefined ? { where } : { where, range: query.range };
}

/**
 * Checks a query before anything is routed or read: values of the supported types, a range with
 * finite ends, a limit that is a positive integer. Misuse throws INVALID_ARGUMENT naming the part.
 */
export function validateQuery(query: Query): Query {
  if (typeof query !== 'object' || query === null || typeof query.where !== 'object') {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      'a query needs a `where` object ({} for none)',
      'query',
    );
  }
  for (const [column, value] of Object.entries(query.where)) {
    const ok =
      typeof value === 'string' ||
      typeof value === 'bigint' ||
      (typeof value === 'number' && !Number.isNaN(value));
    if (!ok) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `query.where.${column} must be text, a number or a bigint, got ${quoted(value)}`,
        'query',
      );
    }
  }
  const range = query.range;
  if (range !== undefined) {
    if (
      typeof range.column !== 'string' ||
      !Number.isFinite(range.from) ||
      !Number.isFinite(range.to)
    ) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `query.range needs a column and finite from and to, got ${quoted(JSON.stringify(range))}`,
        'query',
      );
    }
  }
  const limit = query.limit;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `query.limit must be a positive integer, got ${quoted(limit)}`,
      'query',
    );
  }
  return query;
}

/**
 * Refuses a route's filter that names a column the table does not have: such a filter passes no
 * row, so a read would silently return nothing (a partitioner that forgot to translate one of its
 * labels, or a typo in the query). Tables that do not list their columns are not checked.
 */
export function checkFilterColumns(
  filter: RowFilter,
  columns: readonly string[] | undefined,
  table: string,
): void {
  if (columns === undefined) return;
  const named = Object.keys(filter.where);
  if (filter.range !== undefined) named.push(filter.range.column);
  for (const column of named) {
    if (!columns.includes(column)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `the query names ${quoted(column)}, which is neither a column of ${table} (${columns.join(', ')}) nor a key label of its partitioner`,
        'query',
      );
    }
  }
}

/**
 * A route to listed partitions, with the filter their rows must still pass; `exact` when the key
 * alone guarantees the filter (see `Route`).
 */
export function toPartitions(
  keys: readonly PartitionKey[],
  filter: RowFilter,
  exact = false,
): Route {
  return exact ? { kind: 'partitions', keys, filter, exact } : { kind: 'partitions', keys, filter };
}

/** Whether a filter says nothing beyond equality on `columns` (which the key then pins). */
export function onlyOn(filter: RowFilter, columns: readonly string[]): boolean {
  return filter.range === undefined && Object.keys(filter.where).every((c) => columns.includes(c));
}

/** A route to every token range, with the filter every row read must pass. */
export function toAllRanges(filter: RowFilter): Route {
  return { kind: 'all-ranges', filter };
}

/**
 * A filter narrowed to `range` as well: with a range already on the same column, the two are
 * intersected (possibly to an empty range); a range on another column cannot be combined, so it
 * is refused (a filter holds one range).
 */
export function withRange(filter: RowFilter, range: ColumnRange): RowFilter {
  const held = filter.range;
  if (held === undefined) return { where: filter.where, range };
  if (held.column !== range.column) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `a query may range over one column; it names ${quoted(held.column)} and ${quoted(range.column)}`,
      'query',
    );
  }
  return {
    where: filter.where,
    range: {
      column: range.column,
      from: Math.max(held.from, range.from),
      to: Math.min(held.to, range.to),
    },
  };
}
