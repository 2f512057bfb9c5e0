import type { Query, Route } from './query.js';
import type { Row } from './row.js';
import type { TokenFunction, TokenParts } from './token.js';

export type { ColumnRange, Query, Route, RowFilter } from './query.js';

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

export interface Partitioner {
  readonly name: string;
  readonly tokenFunction: TokenFunction;
  /** The partition a row belongs to. Pure: the same row always maps to the same key. */
  keyOf(row: Row): PartitionKey;
  /**
   * The plan for a query: the partitions it must touch (never omitting one that could hold a
   * matching row) and the filter left to apply to their rows. See query.ts for the contract.
   */
  route(query: Query): Route;
  /**
   * Called once per write that may be applied, in the order writes are keyed: as soon as the
   * write has passed the definite checks and is sent (on the data plane, once it is applied), and
   * never for a definite failure (`unavailable`), which changes nothing anywhere. Strategies that
   * adapt to load (salting) update their state here; stateless strategies omit it. What `observe`
   * learns may change the key of rows keyed later, never of this row or of any row keyed before:
   * `keyOf(row)` is the same before and after `observe(row)` (the conformance suite checks it).
   * Observing at send time, not at acknowledgement, keeps a row in flight from being re-keyed by
   * what later-sent writes teach the strategy.
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
