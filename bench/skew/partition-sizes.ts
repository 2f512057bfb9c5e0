import { RinglabError } from '../../engine/errors.js';
import { quantileSorted } from '../../engine/stats.js';

/** Cassandra warns about partitions over 100 MB ("large partitions"). */
export const LARGE_PARTITION_BYTES = 100 * 1024 * 1024;

export interface PartitionStats {
  readonly count: number;
  readonly p50Rows: number;
  readonly p99Rows: number;
  readonly maxRows: number;
  readonly p50Bytes: number;
  readonly p99Bytes: number;
  readonly maxBytes: number;
  readonly largestKey: string;
  /** Partitions over Cassandra's 100 MB large-partition line. */
  readonly overLargeLine: number;
}

/**
 * Rows and bytes written to each partition of a run, counted once per partition rather than once
 * per replica (replicas hold identical copies). A partition is its key text in a Map and a slot in
 * two growable typed arrays, a few dozen bytes beyond the key string, instead of an object per
 * partition per replica: `hash-event-id` makes one partition per event, and ten million of them
 * must fit.
 */
export interface PartitionSizes {
  /** Partitions seen so far. */
  readonly count: number;
  /** Counts one row of `sizeBytes` written to the partition named `keyText`. */
  add(keyText: string, sizeBytes: number): void;
  /** The summary. It sorts the sizes in place, so nothing can be added after it. */
  finish(): PartitionStats;
}

export function createPartitionSizes(initialCapacity = 1024): PartitionSizes {
  const slots = new Map<string, number>();
  // Rows fit 32 bits: a run writes fewer than 2^32 events.
  let rows = new Uint32Array(Math.max(1, initialCapacity));
  let bytes = new Float64Array(rows.length);
  let summary: PartitionStats | undefined;

  const grow = (): void => {
    const capacity = rows.length * 2;
    const moreRows = new Uint32Array(capacity);
    moreRows.set(rows);
    const moreBytes = new Float64Array(capacity);
    moreBytes.set(bytes);
    rows = moreRows;
    bytes = moreBytes;
  };

  return {
    get count() {
      return slots.size;
    },
    add(keyText, sizeBytes) {
      if (summary !== undefined) {
        throw new RinglabError('INVALID_ARGUMENT', 'a finished PartitionSizes takes no more rows');
      }
      let slot = slots.get(keyText);
      if (slot === undefined) {
        slot = slots.size;
        if (slot === rows.length) grow();
        slots.set(flattened(keyText), slot);
      }
      rows[slot]!++;
      bytes[slot]! += sizeBytes;
    },
    finish() {
      if (summary !== undefined) return summary;
      const count = slots.size;
      // The largest partition, ties to the smallest key, so that the answer depends on no order.
      let largestKey = '';
      let largestBytes = -1;
      let overLargeLine = 0;
      for (const [key, slot] of slots) {
        const size = bytes[slot]!;
        if (size > largestBytes || (size === largestBytes && key < largestKey)) {
          largestKey = key;
          largestBytes = size;
        }
        if (size > LARGE_PARTITION_BYTES) overLargeLine++;
      }
      slots.clear();
      const sortedRows = rows.subarray(0, count).sort();
      const sortedBytes = bytes.subarray(0, count).sort();
      summary = {
        count,
        p50Rows: quantileSorted(sortedRows, 0.5),
        p99Rows: quantileSorted(sortedRows, 0.99),
        maxRows: count === 0 ? 0 : sortedRows[count - 1]!,
        p50Bytes: quantileSorted(sortedBytes, 0.5),
        p99Bytes: quantileSorted(sortedBytes, 0.99),
        maxBytes: count === 0 ? 0 : sortedBytes[count - 1]!,
        largestKey,
        overLargeLine,
      };
      return summary;
    },
  };
}

/**
 * `text`, flat. V8 builds a concatenated string as a rope, one node per piece: a formatted UUID
 * is about a dozen nodes, 440 bytes of heap, where the flat string is 56. Reading a character
 * flattens a rope in place (what is left is the flat string and one 32-byte node), so a kept key
 * costs a fifth of the heap, and the collector has one object to trace instead of a dozen.
 */
function flattened(text: string): string {
  text.charCodeAt(0);
  return text;
}
