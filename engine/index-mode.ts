import type { PartitionKey } from './partitioner.js';
import type { RowFilter } from './query.js';
import type { Row, TableSpec, Value } from './row.js';

/**
 * The plug-in contract for secondary indexes, beside the partitioner's. An index mode plans and
 * never executes, like a key strategy: it says what extra mutations a base write causes and how
 * a query on the indexed column is answered; the coordinator of either plane sends the messages.
 * Implementations live in indexes/, registered by name in indexes/index.ts.
 *
 * - `none`: no index; a query on the column is a filtering scan of every range (ALLOW FILTERING).
 * - `local` (document-partitioned, Cassandra 2i/SAI): each replica indexes its own rows as part
 *   of the same write, so a query asks every range and each replica answers from its index.
 * - `global` (term-partitioned, a ScyllaDB materialized-view index, a DynamoDB GSI): an index
 *   table partitioned by the indexed value, placed on the ring like any table; a query reads the
 *   term's index partitions, then fetches the base rows they name.
 *
 * Contract:
 * - `entriesFor(row, key)` is pure; it returns the index rows a base write of `row` (in partition
 *   `key`) adds, each with the index partition it belongs to. Entries are never deleted when a
 *   base row changes value: a query re-checks the base rows it fetches and drops stale entries.
 * - `plan(filter)` answers only filters with an equality on the indexed column; for any other it
 *   returns undefined and the query is routed as if there were no index.
 * - For a `global` plan, every acknowledged base row that matches the filter has an entry in one
 *   of the listed index partitions.
 */
export interface IndexMode {
  readonly name: string;
  /** The indexed column; undefined for `none`. */
  readonly column: string | undefined;
  /** The index table global modes write to (clustering: the base key, then its clustering). */
  readonly table: TableSpec | undefined;
  /** Index rows a base write adds (global modes); none for `none` and `local`. */
  entriesFor(row: Row, baseKey: PartitionKey): readonly IndexEntry[];
  /** How a query whose filter has an equality on the indexed column is answered. */
  plan(filter: RowFilter): IndexPlan | undefined;
}

export interface IndexEntry {
  /** The index partition the entry belongs to. */
  readonly key: PartitionKey;
  /** The entry: the indexed value, the base partition's key and the base row's clustering. */
  readonly row: Row;
}

export type IndexPlan =
  /** No index serves the filter: read every range and filter every row. */
  | { readonly kind: 'filtering-scan' }
  /** Ask every range; each replica answers the equality from its own index. */
  | { readonly kind: 'local'; readonly column: string; readonly value: Value }
  /** Read these index partitions, then the base rows their entries name. */
  | { readonly kind: 'global'; readonly keys: readonly PartitionKey[] };

/** Columns of an index entry, besides the base table's clustering columns. */
export const INDEX_TERM_COLUMN = 'term';
export const INDEX_BASE_KEY_COLUMN = 'base_key';
/** The base partition key's bytes, as hex, so the base row can be fetched from its entry. */
export const INDEX_BASE_KEY_HEX_COLUMN = 'base_key_hex';
