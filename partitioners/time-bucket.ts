import { invalidConfig } from '../engine/errors.js';
import type { PartitionKey, Partitioner, Query, Route } from '../engine/partitioner.js';
import { filterOf, toAllRanges, toPartitions } from '../engine/query.js';
import type { TokenFunction } from '../engine/token.js';
import { numberColumn } from './columns.js';
import { timestampBytes } from './key-bytes.js';

/**
 * `time-bucket`: range partitioning by time. The partition key is the bucket's start time,
 * floor(ts / bucket) * bucket, serialised as an 8-byte big-endian timestamp and placed with an
 * order-preserving token function, so consecutive buckets sit in consecutive token ranges. A
 * time-range read touches a short contiguous run of partitions; but every write of the current
 * bucket lands on one replica set, the hot spot range partitioning by time is known for.
 *
 * The ring's ranges must be cut from the key space: `splitKeySpace` splits the expected time span
 * evenly. Buckets outside the span all fall into one range, as they would in a real cluster
 * that was pre-split for the wrong dates.
 */
export interface TimeBucketOptions {
  /** Must be order-preserving, e.g. byte-ordered. */
  readonly tokenFunction: TokenFunction;
  readonly bucketMs: number;
  /** The time span the ring is pre-split for: [startMs, startMs + spanMs). */
  readonly startMs: number;
  readonly spanMs: number;
  readonly timeColumn?: string;
  /** Reads over more buckets than this are sent to every range instead of listed. */
  readonly maxListedBuckets?: number;
}

export function timeBucket(options: TimeBucketOptions): Partitioner {
  const { tokenFunction, bucketMs, startMs, spanMs } = options;
  const timeColumn = options.timeColumn ?? 'ts';
  const maxListed = options.maxListedBuckets ?? 100_000;
  if (!tokenFunction.orderPreserving) {
    throw invalidConfig(
      'partitioner',
      `${tokenFunction.name} is not order-preserving; time-bucket needs byte-ordered`,
    );
  }
  if (!Number.isSafeInteger(bucketMs) || bucketMs < 1)
    throw invalidConfig('bucket', `must be at least 1 ms, got ${bucketMs}`);
  if (!Number.isSafeInteger(startMs) || startMs < 0)
    throw invalidConfig('start', `must be a non-negative time in ms, got ${startMs}`);
  if (!Number.isSafeInteger(spanMs) || spanMs < 1)
    throw invalidConfig('span', `must be at least 1 ms, got ${spanMs}`);

  const bucketStart = (ts: number): number => Math.floor(ts / bucketMs) * bucketMs;
  // The text form is the bucket's start in ISO 8601, so reports name buckets as times.
  const keyOf = (start: number): PartitionKey => ({
    bytes: timestampBytes(start),
    text: new Date(start).toISOString(),
  });

  return {
    name: 'time-bucket',
    tokenFunction,
    keyOf: (row) => keyOf(bucketStart(numberColumn(row, timeColumn))),
    route: (query: Query): Route => {
      const range = query.range;
      const filter = filterOf(query);
      if (range === undefined || range.column !== timeColumn) return toAllRanges(filter);
      if (range.to <= range.from) return toPartitions([], filter);
      const first = bucketStart(range.from);
      const last = bucketStart(range.to - 1);
      if ((last - first) / bucketMs + 1 > maxListed) return toAllRanges(filter);
      const keys: PartitionKey[] = [];
      for (let start = first; start <= last; start += bucketMs) keys.push(keyOf(start));
      return toPartitions(keys, filter);
    },
    splitKeySpace: (count) => {
      if (!Number.isInteger(count) || count < 1 || count > spanMs) {
        throw invalidConfig('span', `cannot be split into ${count} ranges of at least 1 ms`);
      }
      // Range i holds start times in [startMs + i*spanMs/count, startMs + (i+1)*spanMs/count); its
      // end token is the token of the last millisecond in it. Tokens are distinct because
      // every range is at least 1 ms wide.
      return Array.from({ length: count }, (_, i) =>
        tokenFunction.token(timestampBytes(startMs + Math.floor(((i + 1) * spanMs) / count) - 1)),
      );
    },
  };
}
