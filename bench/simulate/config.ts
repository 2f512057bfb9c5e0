import type { ConsistencyLevel } from '../../engine/consistency.js';
import type { SpeculativeRetry, Snitch } from '../../engine/time/coordinator.js';
import type { Fault } from '../../engine/time/faults.js';
import type { IndexModeName } from '../../indexes/index.js';
import type { SaltMode, StrategyName } from '../../partitioners/index.js';
import type { ClusterConfig } from '../cluster-config.js';
import { saltModeOf, type SaltSetting, type SkewConfig } from '../skew/config.js';
import type { ReadKind } from './reads.js';

/** One kind of read and its relative weight in the mix. */
export interface ReadShare {
  readonly kind: ReadKind;
  readonly weight: number;
}

/** A simulate run, validated and fully defaulted (resolve.ts resolves it from the flags). */
export interface SimulateConfig {
  readonly cluster: ClusterConfig;
  readonly strategy: StrategyName;
  readonly salt: SaltSetting;
  /** Bucket width for time-bucket. */
  readonly bucketMs: number;
  readonly index: IndexModeName;
  /** The indexed column: severity, the column a log search filters on. */
  readonly indexColumn: 'severity';
  /** Index partitions per value for global-bucketed. */
  readonly indexBuckets: number;
  /** A global index updated with the write (`sync`) or after a modelled lag (`async`). */
  readonly indexSync: 'sync' | 'async';
  /** Mean of the exponential lag of an asynchronous index, ms. */
  readonly indexLagMs: number;
  readonly events: number;
  readonly servers: number;
  /** Mean write arrivals per second of virtual time. */
  readonly rateEventsPerSec: number;
  /** Virtual time the writes cover, events / rate: the workload's length. */
  readonly spanMs: number;
  /** Unix ms of the first event's window (virtual time 0). */
  readonly startMs: number;
  /** Mean read arrivals per second of virtual time, over the same span; 0 for none. */
  readonly readRatePerSec: number;
  readonly reads: readonly ReadShare[];
  /** Full scans (reads of every row) at even offsets over the span, besides the read mix. */
  readonly scans: number;
  /** Rows a read returns at most (a page). */
  readonly limit: number;
  readonly writeCl: ConsistencyLevel;
  readonly readCl: ConsistencyLevel;
  readonly speculative: SpeculativeRetry;
  readonly snitch: Snitch;
  readonly fanout: 'adaptive' | 'all';
  readonly partial: 'fail' | 'allow';
  /** In the order given. */
  readonly faults: readonly Fault[];
}

export const fanouts = ['adaptive', 'all'] as const;
export const partials = ['fail', 'allow'] as const;
export const snitches = ['dynamic', 'static'] as const;

export const MAX_EVENTS = 100_000_000;
export const MAX_RATE = 1_000_000;
export const MAX_LIMIT = 1_000_000;
export const MAX_SCANS = 100;
export const MAX_INDEX_BUCKETS = 1024;

/**
 * The run as bench skew sees a config, so that a strategy is set up (adaptive salting) and sized
 * (partition bounds) exactly as skew does it.
 */
export function skewViewOf(config: SimulateConfig): SkewConfig {
  return {
    cluster: config.cluster,
    strategies: [config.strategy],
    events: config.events,
    servers: config.servers,
    distribution: { kind: 'zipfian' },
    idKind: 'uuid-v4',
    salt: config.salt,
    bucketMs: config.bucketMs,
    windowMs: config.bucketMs,
    spanMs: config.spanMs,
    startMs: config.startMs,
    readSamples: 1,
  };
}

export function simulateSaltMode(config: SimulateConfig): SaltMode {
  return saltModeOf(skewViewOf(config));
}
