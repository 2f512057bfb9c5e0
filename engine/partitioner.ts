import type { Row, Value } from './row.js';
import type { TokenFunction, TokenParts } from './token.js';

/**
 * The plug-in contract for key strategies. A partitioner plans and never executes: it says
 * which partition a row belongs to and which partitions a query must touch; the coordinator
 * sends the messages. Implementations live in partitioners/, registered by name in
 * partitioners/index.ts.
 */
export interface PartitionKey {
  /** The key serialised exactly as Cassandra hashes it. */
  readonly bytes: Uint8Array;
  /** A stable text form: the storage key inside a node and the name shown in reports. */
  readonly text: string;
}

/**
 * A read as the application states it: equality on some columns, optionally a half-open
 * numeric range [from, to) on one more column (usually a timestamp).
 */
export interface Query {
  readonly where: Readonly<Record<string, Value>>;
  readonly range?: { readonly column: string; readonly from: number; readonly to: number };
  readonly limit?: number;
}

/**
 * Where a query must go. `partitions` lists every partition that can hold a matching row
 * (possibly none); `all-ranges` means the query cannot be routed and must visit every token
 * range (a scatter/gather over the whole ring).
 */
export type Route =
  | { readonly kind: 'partitions'; readonly keys: readonly PartitionKey[] }
  | { readonly kind: 'all-ranges' };

export interface Partitioner {
  readonly name: string;
  readonly tokenFunction: TokenFunction;
  /** The partition a row belongs to. Pure: the same row always maps to the same key. */
  keyOf(row: Row): PartitionKey;
  /** The partitions a query must touch; never omits one that could hold a matching row. */
  route(query: Query): Route;
  /**
   * Called once per write, in write order, before `keyOf`; strategies that adapt to load (salting)
   * update their state here. Stateless strategies omit it.
   */
  observe?(row: Row): void;
  /**
   * An optional fast path for the write path: write the token of `keyOf(row).bytes` into `out`
   * and return `keyOf(row).text`, without building the key. It must agree with `keyOf` exactly
   * (the partitioner suite writes through it and reads back through `keyOf`). A write uses its
   * key only to hash it once and name the partition, so a strategy keyed on one text column can
   * hash from a reused buffer, saving an allocation and about a fifth of a counters-only write.
   */
  placeRow?(row: Row, out: TokenParts): string;
  /**
   * Order-preserving strategies place keys by their bytes, so random tokens would put every key
   * on one node. They say instead how to split the key space they expect into `count` ranges of
   * equal expected load: `count` distinct ascending tokens, the end of each range.
   */
  splitKeySpace?(count: number): bigint[];
}
