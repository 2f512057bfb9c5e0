/** A partitioner keyed on column `k`, so tests choose partitions directly. */
import type { PartitionKey, Partitioner } from '../../engine/partitioner.js';
import { filterOf, toAllRanges, toPartitions } from '../../engine/query.js';
import { getTokenFunction } from '../../partitioners/index.js';
import { textBytes } from '../../partitioners/key-bytes.js';

export const byK: Partitioner = {
  name: 'by-k',
  tokenFunction: getTokenFunction('murmur3'),
  keyOf: (row) => keyOf(String(row.k)),
  route: (query) =>
    query.where.k === undefined
      ? toAllRanges(filterOf(query))
      : toPartitions([keyOf(String(query.where.k))], filterOf(query)),
};

/** The key of partition `text` under `byK`. */
export function keyOf(text: string): PartitionKey {
  return { bytes: textBytes(text), text };
}
