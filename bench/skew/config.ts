import { invalidConfig } from '../../engine/errors.js';
import {
  isStrategyName,
  strategyNames,
  type SaltMode,
  type StrategyName,
} from '../../partitioners/index.js';
import type { ClusterConfig } from '../cluster-config.js';
import { formatDuration } from '../duration.js';
import type { DistributionOptions } from '../workloads/distributions.js';
import type { IdKind } from '../workloads/ids.js';
import { wholeWindows } from './windows.js';

export type SaltSetting =
  { readonly kind: 'fixed'; readonly salts: number } | { readonly kind: 'adaptive' };

/** A skew run, validated and fully defaulted (resolve.ts resolves it from the flags). */
export interface SkewConfig {
  readonly cluster: ClusterConfig;
  readonly strategies: readonly StrategyName[];
  readonly events: number;
  readonly servers: number;
  readonly distribution: Omit<DistributionOptions, 'items'>;
  readonly idKind: IdKind;
  readonly salt: SaltSetting;
  readonly bucketMs: number;
  /** Width of the windows over which `windowMaxOverMean` is taken. */
  readonly windowMs: number;
  /** Every event falls in [startMs, startMs + spanMs), as a Poisson process given its count. */
  readonly spanMs: number;
  readonly startMs: number;
  /** Reads sampled for each read kind. */
  readonly readSamples: number;
}

/** A run writes at most this many events: beyond it even counters-only runs take hours. */
export const MAX_EVENTS = 1_000_000_000;
/** Reads sampled per kind, at most: the fan-out means settle long before. */
export const MAX_READS = 1_000_000;
/**
 * A window's max/mean is read as skew only when each node expects this many writes in it: with
 * fewer, sampling noise alone lifts a perfectly even strategy's max/mean (at 10 writes a node,
 * the busiest of 12 nodes takes about 16 by chance, 1.6 × the mean).
 */
export const MIN_WRITES_PER_NODE_PER_WINDOW = 10;

export function saltModeOf(config: SkewConfig): SaltMode {
  if (config.salt.kind === 'fixed') return { kind: 'fixed', salts: config.salt.salts };
  // A partition should carry at most 1/200 of a node's fair share of writes, so that a node's
  // load is a sum of many small parts (the law of large numbers does the balancing). A window
  // must be long enough that the hot threshold is at least 20 writes, or sampling noise alone
  // would salt servers; otherwise the detector decides every 1% of the run.
  const hotShare = config.cluster.rf / (config.cluster.nodes * 200);
  return {
    kind: 'adaptive',
    hotShare,
    windowEvents: Math.max(Math.ceil(20 / hotShare), Math.floor(config.events / 100)),
    maxSalts: 4096,
  };
}

/**
 * Checks what the fields mean together (each field alone is checked where it is parsed, in
 * resolveSkewConfig); errors name the flag to change.
 */
export function validateSkewConfig(config: SkewConfig): SkewConfig {
  for (const strategy of config.strategies) {
    if (!isStrategyName(strategy)) {
      throw invalidConfig(
        'strategy',
        `"${strategy}" is unknown; expected one of ${strategyNames.join(', ')}`,
      );
    }
  }
  const { events, spanMs, bucketMs, windowMs, startMs, cluster } = config;
  if (!Number.isSafeInteger(events) || events < 1 || events > MAX_EVENTS) {
    throw invalidConfig(
      'events',
      `must be an integer between 1 and ${count(MAX_EVENTS)}, got ${events}`,
    );
  }
  if (
    !Number.isSafeInteger(config.readSamples) ||
    config.readSamples < 1 ||
    config.readSamples > MAX_READS
  ) {
    throw invalidConfig(
      'reads',
      `must be an integer between 1 and ${count(MAX_READS)}, got ${config.readSamples}`,
    );
  }
  if (spanMs < bucketMs) {
    throw invalidConfig('span', `must be at least one bucket (${formatDuration(bucketMs)})`);
  }
  if (config.strategies.includes('time-bucket') && spanMs < cluster.nodes * cluster.vnodes) {
    // time-bucket's ring is cut from the span, one range of at least 1 ms per vnode.
    throw invalidConfig(
      'span',
      `must be at least ${count(cluster.nodes * cluster.vnodes)} ms for time-bucket, one per vnode (${cluster.nodes} nodes × ${cluster.vnodes} vnodes), got ${formatDuration(spanMs)}`,
    );
  }
  if (wholeWindows(windowMs, startMs, startMs + spanMs) < 1) {
    throw invalidConfig(
      'window',
      `${formatDuration(windowMs)} leaves no whole window inside the ${formatDuration(spanMs)} span (windows are aligned to multiples of their width, as buckets are); use a shorter --window or a longer --span`,
    );
  }
  // Replicas per event: rf in each DC.
  const perNode = (events * (windowMs / spanMs) * cluster.rf * cluster.dcs) / cluster.nodes;
  if (perNode < MIN_WRITES_PER_NODE_PER_WINDOW) {
    const neededMs = Math.ceil(
      (MIN_WRITES_PER_NODE_PER_WINDOW * cluster.nodes * spanMs) /
        (events * cluster.rf * cluster.dcs),
    );
    throw invalidConfig(
      'window',
      `${formatDuration(windowMs)} would hold about ${perNode.toPrecision(2)} writes per node (${count(events)} events over ${formatDuration(spanMs)}, ${cluster.nodes} nodes); a window's max/mean measures skew only with at least ${MIN_WRITES_PER_NODE_PER_WINDOW}, so use --window ${formatDuration(roundUpDuration(neededMs))} or more, or more --events`,
    );
  }
  return config;
}

/** `ms` rounded up to a whole unit of its size, so that a suggested flag value reads well. */
function roundUpDuration(ms: number): number {
  for (const unit of [86_400_000, 3_600_000, 60_000, 1000]) {
    if (ms >= unit) return Math.ceil(ms / unit) * unit;
  }
  return ms;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
