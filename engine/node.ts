import { compareValues, type Row, type TableSpec } from './row.js';

/**
 * What a node keeps. `rows` stores every row in clustering order; `partitions` keeps only
 * per-partition counters (enough for skew and partition-size metrics); `counters` keeps only
 * per-node counters, for runs of tens of millions of writes.
 */
export const storageModes = ['rows', 'partitions', 'counters'] as const;
export type StorageMode = (typeof storageModes)[number];

export interface Partition {
  /** Rows in clustering order; empty unless the storage mode is `rows`. */
  readonly rows: Row[];
  /** The write sequence number that last wrote each row (for reconciling replicas). */
  readonly versions: number[];
  /** Live rows: distinct clustering keys in `rows` mode; rows written otherwise. */
  rowCount: number;
  bytes: number;
  writes: number;
  reads: number;
}

/** One simulated node: its storage and its load counters. */
export interface StorageNode {
  readonly index: number;
  readonly partitions: Map<string, Partition>;
  writes: number;
  reads: number;
  rows: number;
  bytes: number;
}

export function createStorageNode(index: number): StorageNode {
  return { index, partitions: new Map(), writes: 0, reads: 0, rows: 0, bytes: 0 };
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
  let partition = node.partitions.get(keyText);
  if (partition === undefined) {
    partition = { rows: [], versions: [], rowCount: 0, bytes: 0, writes: 0, reads: 0 };
    node.partitions.set(keyText, partition);
  }
  partition.writes++;
  if (mode === 'partitions') {
    partition.rowCount++;
    partition.bytes += sizeBytes;
    node.rows++;
    node.bytes += sizeBytes;
    return;
  }
  const { rows, versions } = partition;
  const at = insertionPoint(rows, row, table.clustering);
  const existing = rows[at];
  if (existing !== undefined && compareClustering(existing, row, table.clustering) === 0) {
    if (versions[at]! >= version) return;
    const delta = sizeBytes - table.sizeOf(existing);
    rows[at] = row;
    versions[at] = version;
    partition.bytes += delta;
    node.bytes += delta;
    return;
  }
  if (at === rows.length) {
    rows.push(row);
    versions.push(version);
  } else {
    rows.splice(at, 0, row);
    versions.splice(at, 0, version);
  }
  partition.rowCount++;
  partition.bytes += sizeBytes;
  node.rows++;
  node.bytes += sizeBytes;
}

/** Counts a read of one partition on one replica; returns its rows (empty when not stored). */
export function readPartition(node: StorageNode, keyText: string): Partition | undefined {
  node.reads++;
  const partition = node.partitions.get(keyText);
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
