import { compareValues, type Row, type TableSpec } from './row.js';

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
  /** The write sequence number that last wrote each row (for reconciling replicas). */
  readonly versions: readonly number[];
  /** Live rows: distinct clustering keys in `rows` mode; rows written otherwise. */
  readonly rowCount: number;
  readonly bytes: number;
  readonly writes: number;
  readonly reads: number;
}

const NO_ROWS: readonly Row[] = Object.freeze([]);
const NO_VERSIONS: readonly number[] = Object.freeze([]);

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
  /** The version of the only row, or of each row: the same shape as `#rows`. */
  #versions: number | number[] = 0;
  bytes = 0;
  writes = 0;
  reads = 0;

  get rows(): readonly Row[] {
    const rows = this.#rows;
    if (rows === undefined) return NO_ROWS;
    return Array.isArray(rows) ? rows : [rows];
  }

  get versions(): readonly number[] {
    const versions = this.#versions;
    if (this.#rows === undefined) return NO_VERSIONS;
    return typeof versions === 'number' ? [versions] : versions;
  }

  get rowCount(): number {
    const rows = this.#rows;
    if (rows === undefined) return this.writes;
    return Array.isArray(rows) ? rows.length : 1;
  }

  /**
   * Stores `row` in clustering order. A row whose clustering key is already held is replaced only
   * by a newer version (last write wins by sequence), as an upsert would. Keeps `bytes` current.
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
      if (versions[at]! >= version) return STALE;
      this.bytes += sizeBytes - table.sizeOf(existing);
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

/** One simulated node: its storage and its load counters. */
export interface StorageNode {
  readonly index: number;
  /** Partitions by key text; empty in `counters` mode. Only `applyWrite` adds to it. */
  readonly partitions: ReadonlyMap<string, Partition>;
  writes: number;
  reads: number;
  rows: number;
  bytes: number;
}

export function createStorageNode(index: number): StorageNode {
  const partitions = new Map<string, StoredPartition>();
  return { index, partitions, writes: 0, reads: 0, rows: 0, bytes: 0 };
}

/**
 * Applies a write to one replica. In `rows` mode a row whose clustering key already exists is
 * replaced when this write is newer (last write wins by sequence), as an upsert would.
 */
export function applyWrite(
  node: StorageNode,
  mode: StorageMode,
  table: TableSpec,
  keyText: string,
  row: Row,
  sizeBytes: number,
  version: number,
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
    partition = new StoredPartition();
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
  const outcome = partition.upsert(row, version, sizeBytes, table);
  if (outcome === ADDED) node.rows++;
  node.bytes += partition.bytes - bytesBefore;
}

/** The node's map as this module built it: every entry was made by `applyWrite`. */
function storedPartitions(node: StorageNode): Map<string, StoredPartition> {
  return node.partitions as Map<string, StoredPartition>;
}

/** Counts a read of one partition on one replica; returns its rows (empty when not stored). */
export function readPartition(node: StorageNode, keyText: string): Partition | undefined {
  node.reads++;
  const partition = storedPartitions(node).get(keyText);
  if (partition !== undefined) partition.reads++;
  return partition;
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
