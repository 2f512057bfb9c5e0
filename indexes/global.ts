import {
  INDEX_BASE_KEY_COLUMN,
  INDEX_BASE_KEY_HEX_COLUMN,
  INDEX_TERM_COLUMN,
  type IndexEntry,
  type IndexMode,
} from '../engine/index-mode.js';
import type { PartitionKey } from '../engine/partitioner.js';
import { genericTable, type Row, type TableSpec, type Value } from '../engine/row.js';
import { invalidConfig } from '../engine/errors.js';
import { fnv1a32 } from '../partitioners/columns.js';
import { bigintBytes, compositeKeyBytes, intBytes, textBytes } from '../partitioners/key-bytes.js';

export interface GlobalIndexOptions {
  readonly column: string;
  /** The base table, whose clustering columns an entry keeps to name its row. */
  readonly base: TableSpec;
  /**
   * Index partitions per value. 1 is a plain global index (one partition per value: a
   * five-value column makes five partitions, one of them holding most entries); more spreads a
   * value's entries over `(value, bucket)` partitions, and a query reads every bucket.
   */
  readonly buckets: number;
}

/**
 * `global` and `global-bucketed` (term-partitioned, as ScyllaDB's materialized-view indexes and
 * DynamoDB's global secondary indexes): an index table keyed by the indexed value (and a bucket),
 * placed on the ring like any table. A base write also writes one entry; a query by the value
 * reads the value's index partitions, then fetches the base rows the entries name.
 *
 * The bucket of an entry is a hash of the base row's identity (its partition key and clustering
 * values), so one busy base partition spreads over the buckets too.
 */
export function globalIndex(options: GlobalIndexOptions): IndexMode {
  const { column, base, buckets } = options;
  if (!Number.isSafeInteger(buckets) || buckets < 1 || buckets > 65_536) {
    throw invalidConfig('indexBuckets', `must be an integer between 1 and 65536, got ${buckets}`);
  }
  const table = genericTable(`${base.name}_by_${column}`, [
    INDEX_BASE_KEY_COLUMN,
    ...base.clustering,
  ]);

  const keyOf = (value: Value, bucket: number): PartitionKey => {
    const valueBytes = termBytes(value);
    return buckets === 1
      ? { bytes: valueBytes, text: String(value) }
      : {
          bytes: compositeKeyBytes([valueBytes, intBytes(bucket)]),
          text: `${String(value)}#${bucket}`,
        };
  };

  return {
    name: buckets === 1 ? 'global' : 'global-bucketed',
    column,
    table,
    entriesFor: (row: Row, baseKey: PartitionKey): readonly IndexEntry[] => {
      const value = row[column];
      if (value === undefined) return [];
      const entry: Record<string, Value> = {
        [INDEX_TERM_COLUMN]: value,
        [INDEX_BASE_KEY_COLUMN]: baseKey.text,
        [INDEX_BASE_KEY_HEX_COLUMN]: Buffer.from(baseKey.bytes).toString('hex'),
      };
      let identity = baseKey.text;
      for (const clustering of base.clustering) {
        const part = row[clustering];
        if (part !== undefined) entry[clustering] = part;
        identity += `\u0000${String(part)}`;
      }
      const bucket = buckets === 1 ? 0 : fnv1a32(identity) % buckets;
      return [{ key: keyOf(value, bucket), row: entry }];
    },
    plan: (filter) => {
      const value = filter.where[column];
      if (value === undefined) return undefined;
      return { kind: 'global', keys: Array.from({ length: buckets }, (_, b) => keyOf(value, b)) };
    },
  };
}

/** The indexed value as a key component: text as UTF-8, an integer as a bigint, else its text. */
function termBytes(value: Value): Uint8Array {
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) {
    return bigintBytes(value);
  }
  return textBytes(String(value));
}
