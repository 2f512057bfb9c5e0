import {
  compareValues,
  supersedes,
  valueKey,
  type Row,
  type TableSpec,
  type Value,
} from './row.js';
import type { TokenParts } from './token.js';

/**
 * What a node keeps. `rows` stores every row in clustering order; `partitions` keeps only
 * per-partition counters (enough for skew and partition-size metrics); `counters` keeps only
 * per-node counters, for runs of tens of millions of writes.
 */
export const storageModes = ['rows', 'partitions', 'counters'] as const;
export type StorageMode = (typeof storageModes)[number];

/** What a replica holds of one partition. Read-only to readers; only `applyWrite` changes it. */
export interface Partition {
  /** Rows in clustering order; empty unless the storage mode is `rows`. */
  readonly rows: readonly Row[];
  /**
   * The write timestamp of each row (from the cluster's write clock, or given with the write):
   * replicas reconcile by it, newest wins.
   */
  readonly timestamps: readonly number[];
  /** The partition's token, as halves (`lo` unsigned), so a node can serve reads by token range. */
  readonly tokenHi: number;
  readonly tokenLo: number;
  /** Live rows: distinct clustering keys in `rows` mode; rows written otherwise. */
  readonly rowCount: number;
  readonly bytes: number;
  readonly writes: number;
  readonly reads: number;
}

const NO_ROWS: readonly Row[] = Object.freeze([]);

/**
 * The row the last REPLACED upsert replaced: a result beside the outcome, read at once by
 * `applyWrite`, so that an upsert allocates no result object and searches the partition once.
 */
let replacedRow: Row | undefined;
const NO_TIMESTAMPS: readonly number[] = Object.freeze([]);

/** What `upsert` did; the node's row count changes only for ADDED. */
const STALE = 0;
const REPLACED = 1;
const ADDED = 2;
type UpsertOutcome = typeof STALE | typeof REPLACED | typeof ADDED;

/**
 * One partition on one replica, laid out for the partition that holds a single row: with
 * `hash-event-id` every event is its own partition, so a node holds millions of them. The row and
 * its version sit in two fields and become arrays only when a row with another clustering key
 * arrives. A one-row partition is then this object (five fields) plus its Map entry, instead of
 * an object and two arrays whose first push reserves 17 slots each: `ringlab bench perf`
 * measured 123 bytes of heap per stored row beyond its payload strings, against 500 with
 * the arrays, and row-storage writes twice as fast.
 *
 * `rowCount` is not stored: in `rows` mode it is the number of rows held, and in `partitions`
 * mode, where no row is held, every write counted as a row, so it equals `writes`.
 */
class StoredPartition implements Partition {
  /** Nothing (`partitions` mode), the only row, or every row in clustering order. */
  #rows: Row | Row[] | undefined = undefined;
  /** The timestamp of the only row, or of each row: the same shape as `#rows`. */
  #versions: number | number[] = 0;
  readonly tokenHi: number;
  /** Kept signed so that it stays a small integer in the object; `tokenLo` reads it unsigned. */
  readonly #tokenLo: number;
  bytes = 0;
  writes = 0;
  reads = 0;
  /** A local index's counts of this partition's rows by value (see `createLocalIndex`). */
  indexCounts: IndexCounts | undefined = undefined;

  constructor(token: TokenParts) {
    this.tokenHi = token.hi | 0;
    this.#tokenLo = token.lo | 0;
  }

  get tokenLo(): number {
    return this.#tokenLo >>> 0;
  }

  get rows(): readonly Row[] {
    const rows = this.#rows;
    if (rows === undefined) return NO_ROWS;
    return Array.isArray(rows) ? rows : [rows];
  }

  get timestamps(): readonly number[] {
    const versions = this.#versions;
    if (this.#rows === undefined) return NO_TIMESTAMPS;
    return typeof versions === 'number' ? [versions] : versions;
  }

  get rowCount(): number {
    const rows = this.#rows;
    if (rows === undefined) return this.writes;
    return Array.isArray(rows) ? rows.length : 1;
  }

  /**
   * Stores `row` in clustering order. A row whose clustering key is already held is replaced only
   * by a newer write (last write wins by timestamp; on equal timestamps the greater row by
   * `compareRows`, so replicas agree whatever order writes arrive in). Keeps `bytes` current.
   * On REPLACED, the row it replaced is left in `replacedRow` (for a local index to uncount).
   */
  upsert(row: Row, version: number, sizeBytes: number, table: TableSpec): UpsertOutcome {
    const held = this.#rows;
    if (held === undefined) {
      this.#rows = row;
      this.#versions = version;
      this.bytes += sizeBytes;
      return ADDED;
    }
    // From here on the arrays' logic serves both shapes; a one-row partition pays for two small
    // arrays only when it is written again, which one-row-per-event strategies never do.
    const single = !Array.isArray(held);
    const rows = single ? [held] : held;
    const versions = typeof this.#versions === 'number' ? [this.#versions] : this.#versions;
    const at = insertionPoint(rows, row, table.clustering);
    const existing = rows[at];
    let outcome: UpsertOutcome;
    if (existing !== undefined && compareClustering(existing, row, table.clustering) === 0) {
      if (!supersedes(version, row, versions[at]!, existing)) return STALE;
      this.bytes += sizeBytes - table.sizeOf(existing);
      replacedRow = existing;
      rows[at] = row;
      versions[at] = version;
      outcome = REPLACED;
    } else {
      if (at === rows.length) {
        rows.push(row);
        versions.push(version);
      } else {
        rows.splice(at, 0, row);
        versions.splice(at, 0, version);
      }
      this.bytes += sizeBytes;
      outcome = ADDED;
    }
    if (rows.length === 1) {
      this.#rows = rows[0]!;
      this.#versions = versions[0]!;
    } else {
      this.#rows = rows;
      this.#versions = versions;
    }
    return outcome;
  }
}

/** The partitions of one table on one node, and its load counters. */
export interface TableStore {
  /** Partitions by key text; empty in `counters` mode. Only `applyWrite` adds to it. */
  readonly partitions: ReadonlyMap<string, Partition>;
  writes: number;
  /** Read requests served: one per partition read, one per token range scanned. */
  reads: number;
  /** Rows returned by those reads, the cost that makes a scan expensive. */
  rowsRead: number;
  rows: number;
  bytes: number;
  /**
   * A local secondary index on one column: per partition, its rows per value of the column, kept
   * by `applyWrite`, so that a query by the value finds the count of matches without a scan.
   * Undefined when the table has no local index.
   */
  readonly localIndex: LocalIndex | undefined;
}

export interface LocalIndex {
  readonly column: string;
  /** Rows of `partition` whose indexed column equals `value` (as `compareValues` has it). */
  count(partition: Partition, value: Value): number;
}

/**
 * One simulated node: the base table's store (its own fields, which the write path touches
 * millions of times a second) and the store of a global index's table.
 */
export interface StorageNode extends TableStore {
  readonly index: number;
  readonly indexStore: TableStore;
}

function createStore(localIndex: LocalIndex | undefined): TableStore {
  const partitions = new Map<string, StoredPartition>();
  return { partitions, writes: 0, reads: 0, rowsRead: 0, rows: 0, bytes: 0, localIndex };
}

/** A node; `indexedColumn` names the column of a local index its base table keeps. */
export function createStorageNode(index: number, indexedColumn?: string): StorageNode {
  const localIndex = indexedColumn === undefined ? undefined : createLocalIndex(indexedColumn);
  return { index, ...createStore(localIndex), indexStore: createStore(undefined) };
}

/**
 * Counts per partition and value, kept on the partition itself, so a wiped or dropped partition
 * takes its counts with it. Text values (the common case: a severity) are counted by the text
 * itself, without building a key; other values by `valueKey`, in a map of their own, so the
 * number 1 and the text '1' stay apart.
 */
interface CountingIndex extends LocalIndex {
  add(partition: Partition, value: Value | undefined, delta: number): void;
}

/**
 * A partition's counts. Text values sit in two small parallel arrays while there are few of them
 * (a severity has five), searched with `===`, which a write does three times as fast as a Map's
 * get and set; past `FEW_TEXT_VALUES` they move to a Map, so a column of many values costs what
 * a Map costs.
 */
interface IndexCounts {
  readonly texts: string[];
  readonly textCounts: number[];
  textMap: Map<string, number> | undefined;
  readonly other: Map<string, number>;
}

const FEW_TEXT_VALUES = 16;

function textCount(counts: IndexCounts, value: string): number {
  if (counts.textMap !== undefined) return counts.textMap.get(value) ?? 0;
  const at = counts.texts.indexOf(value);
  return at < 0 ? 0 : counts.textCounts[at]!;
}

function addTextCount(counts: IndexCounts, value: string, delta: number): void {
  const map = counts.textMap;
  if (map !== undefined) {
    map.set(value, (map.get(value) ?? 0) + delta);
    return;
  }
  const { texts, textCounts } = counts;
  for (let i = 0; i < texts.length; i++) {
    if (texts[i] === value) {
      textCounts[i] = textCounts[i]! + delta;
      return;
    }
  }
  if (texts.length < FEW_TEXT_VALUES) {
    texts.push(value);
    textCounts.push(delta);
    return;
  }
  const moved = new Map<string, number>();
  for (let i = 0; i < texts.length; i++) moved.set(texts[i]!, textCounts[i]!);
  moved.set(value, delta);
  counts.textMap = moved;
  texts.length = 0;
  textCounts.length = 0;
}

function createLocalIndex(column: string): CountingIndex {
  return {
    column,
    count(partition, value) {
      const counts = (partition as StoredPartition).indexCounts;
      if (counts === undefined) return 0;
      if (typeof value === 'string') return textCount(counts, value);
      return counts.other.get(valueKey(value)) ?? 0;
    },
    add(partition, value, delta) {
      const stored = partition as StoredPartition;
      const counts = (stored.indexCounts ??= {
        texts: [],
        textCounts: [],
        textMap: undefined,
        other: new Map(),
      });
      if (typeof value === 'string') addTextCount(counts, value, delta);
      else {
        const key = valueKey(value);
        counts.other.set(key, (counts.other.get(key) ?? 0) + delta);
      }
    },
  };
}

/**
 * Applies a write to one replica. In `rows` mode a row whose clustering key already exists is
 * replaced when this write is newer (last write wins by timestamp), as an upsert would. `token`
 * is the partition's token; it is kept with a new partition.
 */
export function applyWrite(
  node: TableStore,
  mode: StorageMode,
  table: TableSpec,
  keyText: string,
  token: TokenParts,
  row: Row,
  sizeBytes: number,
  timestamp: number,
): void {
  node.writes++;
  if (mode === 'counters') {
    node.rows++;
    node.bytes += sizeBytes;
    return;
  }
  const partitions = storedPartitions(node);
  let partition = partitions.get(keyText);
  if (partition === undefined) {
    partition = new StoredPartition(token);
    partitions.set(keyText, partition);
  }
  partition.writes++;
  if (mode === 'partitions') {
    partition.bytes += sizeBytes;
    node.rows++;
    node.bytes += sizeBytes;
    return;
  }
  const bytesBefore = partition.bytes;
  const outcome = partition.upsert(row, timestamp, sizeBytes, table);
  if (outcome === ADDED) node.rows++;
  node.bytes += partition.bytes - bytesBefore;
  const index = node.localIndex as CountingIndex | undefined;
  if (index !== undefined && outcome !== STALE) {
    // The local index moves the replaced row's count to the new row's value.
    if (outcome === REPLACED) index.add(partition, replacedRow![index.column], -1);
    index.add(partition, row[index.column], 1);
  }
  replacedRow = undefined;
}

/** The store's map as this module built it: every entry was made by `applyWrite`. */
function storedPartitions(node: TableStore): Map<string, StoredPartition> {
  return node.partitions as Map<string, StoredPartition>;
}

/** Counts a read of one partition on one replica; returns its rows (empty when not stored). */
export function readPartition(node: TableStore, keyText: string): Partition | undefined {
  node.reads++;
  const partition = storedPartitions(node).get(keyText);
  if (partition !== undefined) {
    partition.reads++;
    node.rowsRead += partition.rows.length;
  }
  return partition;
}

/**
 * A range read on one replica: every partition in the token ranges the node is asked for.
 * `ranges` is how many ranges were asked (each counts as one read request) and `asked` tells,
 * from a partition's token, whether its range is one of them. Calls `visit` for each partition
 * served, in no particular order; `visit` returns how many of its rows the replica read (all of
 * them for a scan, only the matching ones when a local index answers).
 */
export function scanRanges(
  node: TableStore,
  ranges: number,
  asked: (partition: Partition) => boolean,
  visit: (keyText: string, partition: Partition) => number,
): void {
  if (ranges === 0) return;
  node.reads += ranges;
  for (const [keyText, partition] of storedPartitions(node)) {
    if (!asked(partition)) continue;
    partition.reads++;
    node.rowsRead += visit(keyText, partition);
  }
}

export function compareClustering(a: Row, b: Row, clustering: readonly string[]): number {
  for (const column of clustering) {
    const order = compareValues(a[column], b[column]);
    if (order !== 0) return order;
  }
  return 0;
}

/** First index whose row is >= `row` in clustering order. Appends are the common case (time order). */
function insertionPoint(rows: readonly Row[], row: Row, clustering: readonly string[]): number {
  const last = rows[rows.length - 1];
  if (last === undefined || compareClustering(last, row, clustering) < 0) return rows.length;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareClustering(rows[mid]!, row, clustering) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A row as a replica holds it: the row and the timestamp of the write that put it there. */
export interface TimestampedRow {
  readonly row: Row;
  readonly timestamp: number;
}

/**
 * The rows of one partition as several replicas answered for it, reconciled: one row per
 * clustering key, the newest by `supersedes`, in clustering order. Identity is the clustering
 * values compared as values (`compareClustering`), so the number 1 and the text '1' stay two rows.
 */
export function mergeCopies(copies: readonly Partition[], clustering: readonly string[]): Row[] {
  if (copies.length === 1) return [...copies[0]!.rows];
  return mergeTimestamped(copies, clustering).map((entry) => entry.row);
}

/**
 * `mergeCopies`, keeping each row's timestamp (what a read repair writes back). Each copy is in
 * clustering order with one row per clustering key, so the copies are merged pairwise in one
 * linear pass each, never sorted.
 */
export function mergeTimestamped(
  copies: readonly Partition[],
  clustering: readonly string[],
): TimestampedRow[] {
  let merged: TimestampedRow[] = [];
  for (const copy of copies) {
    const rows = copy.rows;
    const timestamps = copy.timestamps;
    const next: TimestampedRow[] = [];
    let i = 0;
    let j = 0;
    while (i < merged.length || j < rows.length) {
      const held = merged[i];
      if (j >= rows.length) {
        next.push(held!);
        i++;
        continue;
      }
      const row = rows[j]!;
      const order = held === undefined ? 1 : compareClustering(held.row, row, clustering);
      if (order < 0) {
        next.push(held!);
        i++;
      } else if (order > 0) {
        next.push({ row, timestamp: timestamps[j]! });
        j++;
      } else {
        const timestamp = timestamps[j]!;
        next.push(
          supersedes(timestamp, row, held!.timestamp, held!.row) ? { row, timestamp } : held!,
        );
        i++;
        j++;
      }
    }
    merged = next;
  }
  return merged;
}

/**
 * Whether a replica's copy lacks any of the merged rows or holds an older write of one: the
 * replica a read repair must write to.
 */
export function isStale(
  copy: Partition | undefined,
  merged: readonly TimestampedRow[],
  clustering: readonly string[],
): boolean {
  if (merged.length === 0) return false;
  if (copy === undefined || copy.rows.length < merged.length) return true;
  const rows = copy.rows;
  const timestamps = copy.timestamps;
  let at = 0;
  for (const entry of merged) {
    while (at < rows.length && compareClustering(rows[at]!, entry.row, clustering) < 0) at++;
    const held = rows[at];
    if (held === undefined || compareClustering(held, entry.row, clustering) !== 0) return true;
    if (timestamps[at] !== entry.timestamp) return true;
  }
  return false;
}

/**
 * The disk was replaced: the store loses every partition and the counters of what it holds
 * (rows, bytes); the counters of work done (writes, reads) stay, as history.
 */
export function wipeStore(node: TableStore): void {
  storedPartitions(node).clear();
  node.rows = 0;
  node.bytes = 0;
}

/**
 * Streams one partition into a replica that is gaining its range (engine/streaming.ts): in
 * `rows` mode every row merges by timestamp as a write would, so a row the target already has
 * from a newer write stays; in `partitions` mode, where no rows are held, the target takes the
 * source's counters. Streamed rows are not client writes, so the write counters do not move.
 * Returns the bytes sent: the source's copy.
 */
export function streamPartition(
  into: TableStore,
  mode: StorageMode,
  table: TableSpec,
  keyText: string,
  from: Partition,
): number {
  if (mode === 'counters') {
    throw new Error('streaming needs stored partitions; counters mode keeps none');
  }
  const token = { hi: from.tokenHi, lo: from.tokenLo };
  const writesBefore = into.writes;
  if (mode === 'partitions') {
    const partitions = storedPartitions(into);
    const held = partitions.get(keyText);
    if (held !== undefined) {
      into.rows -= held.rowCount;
      into.bytes -= held.bytes;
    }
    const copy = new StoredPartition(token);
    copy.bytes = from.bytes;
    copy.writes = from.writes;
    partitions.set(keyText, copy);
    into.rows += copy.rowCount;
    into.bytes += copy.bytes;
    return from.bytes;
  }
  const rows = from.rows;
  const timestamps = from.timestamps;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    applyWrite(into, mode, table, keyText, token, row, table.sizeOf(row), timestamps[i]!);
  }
  into.writes = writesBefore;
  const partition = storedPartitions(into).get(keyText);
  if (partition !== undefined) partition.writes -= rows.length;
  return from.bytes;
}

/**
 * Drops a partition a node no longer replicates (`nodetool cleanup` after a range moved away):
 * its rows and bytes leave the node's counters; the history of work done stays.
 */
export function dropPartition(node: TableStore, keyText: string): void {
  const partitions = storedPartitions(node);
  const held = partitions.get(keyText);
  if (held === undefined) return;
  node.rows -= held.rowCount;
  node.bytes -= held.bytes;
  partitions.delete(keyText);
}
