import type { StrategyName } from '../../partitioners/index.js';
import type { RebalanceStrategyName } from '../../rebalancing/index.js';
import type { ClusterConfig } from '../cluster-config.js';

/** The membership changes `ringlab rebalance` makes, one node at a time. */
export const changeKinds = ['add', 'remove', 'decommission', 'replace'] as const;
export type ChangeKind = (typeof changeKinds)[number];

/** A rebalance run, validated and fully defaulted (resolve.ts resolves it from the flags). */
export interface RebalanceConfig {
  /** `nodes` is the cluster before the change. */
  readonly cluster: ClusterConfig;
  readonly strategy: RebalanceStrategyName;
  readonly change: { readonly kind: ChangeKind; readonly count: number };
  /** Partitions of `fixed-partitions`; the pre-split of `dynamic`. */
  readonly partitions: number;
  /** Bytes past which a `dynamic` range splits. */
  readonly splitBytes: number;
  /** The key strategy the rows are written with. */
  readonly keys: StrategyName;
  readonly rows: number;
  readonly servers: number;
  /** Outbound streaming throughput per node, bytes per second (stream_throughput_outbound). */
  readonly streamBytesPerSec: number;
  /** Operations per second of virtual time while the move runs; 0 for none. */
  readonly duringTraffic: number;
}

/** Cassandra's default stream_throughput_outbound: 24 MiB/s per node. */
export const DEFAULT_STREAM_BYTES_PER_SEC = 24 * 2 ** 20;
export const DEFAULT_PARTITIONS = 1024;
export const MAX_PARTITIONS = 65_536;
export const MAX_ROWS = 20_000_000;
