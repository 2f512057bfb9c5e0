import { invalidConfig } from '../../engine/errors.js';
import { aboutBytes, aboutDuration } from '../cluster-config.js';
import { partitionBound } from '../skew/budget.js';
import { skewViewOf, type SimulateConfig } from './config.js';

/**
 * What a simulate run will cost, estimated before it starts, so that a run too big is refused
 * with the numbers and the flag to lower instead of running for an hour or filling the heap.
 *
 * Time has three parts, each from constants measured on this driver (see below): writes (every
 * replica's message, queue and apply, the checker's look-up), listed reads (a few partitions
 * each) and range reads (by-severity through a local index or a filtering scan, by-time and
 * by-id on hashed strategies: every range, so every stored row is looked at). A range read's
 * cost grows with the rows stored when it runs, half the final count on average.
 *
 * Memory: every event is stored as one row object shared by its rf replicas, plus each
 * replica's slot and timestamp, plus the partitions.
 */
export interface SimulateEstimate {
  readonly seconds: number;
  readonly writeSeconds: number;
  readonly readSeconds: number;
  readonly bytes: number;
  /** Reads expected over the span, and of them those that visit every range. */
  readonly reads: number;
  readonly rangeReads: number;
}

/** Writes per second through the driver at rf 3, QUORUM, local index (measured; see the report). */
export const WRITES_PER_SECOND = 60_000;
/** Listed reads (one partition or a server's salted partitions) per second. */
export const LISTED_READS_PER_SECOND = 30_000;
/** Stored replica rows looked at per second by range reads. */
export const SCANNED_ROWS_PER_SECOND = 20_000_000;
/** Stored partitions grouped per second by a range read (each node's map walked per query). */
export const SCANNED_PARTITIONS_PER_SECOND = 5_000_000;
/** Heap per event: the row object and its id (~260 B), rf replica slots and timestamps. */
export const BYTES_PER_EVENT = 420;
export const BYTES_PER_PARTITION_REPLICA = 200;
export const BASE_BYTES = 120 * 2 ** 20;
/** Beyond either, a run is refused. */
export const MAX_SECONDS = 300;
export const MAX_BYTES = 4 * 2 ** 30;
export const HEAP_SHARE = 0.8;
export const NOTE_SECONDS = 20;

/** Whether a read kind visits every range under this config's strategy and index. */
function scansEveryRange(
  config: SimulateConfig,
  kind: SimulateConfig['reads'][number]['kind'],
): boolean {
  switch (kind) {
    case 'by-server':
      return config.strategy === 'hash-event-id' || config.strategy === 'time-bucket';
    case 'by-severity':
      return config.index === 'local' || config.index === 'none';
    case 'by-time':
      return config.strategy !== 'time-bucket';
    case 'by-id':
      return config.strategy !== 'hash-event-id';
  }
}

export function estimateSimulate(config: SimulateConfig): SimulateEstimate {
  const { events, cluster } = config;
  const replicas = cluster.rf * cluster.dcs;
  const reads = (config.readRatePerSec * config.spanMs) / 1000;
  const total = config.reads.reduce((sum, share) => sum + share.weight, 0);
  const rangeShare =
    config.reads
      .filter((share) => scansEveryRange(config, share.kind))
      .reduce((sum, share) => sum + share.weight, 0) / total;
  const rangeReads = reads * rangeShare;
  const partitions = partitionBound(skewViewOf(config), config.strategy);
  const writeSeconds =
    (events / WRITES_PER_SECOND) * (replicas / 3) * (config.index.startsWith('global') ? 2 : 1);
  const readSeconds =
    (reads - rangeReads) / LISTED_READS_PER_SECOND +
    rangeReads *
      ((events * replicas) / 2 / SCANNED_ROWS_PER_SECOND +
        (partitions * replicas) / 2 / SCANNED_PARTITIONS_PER_SECOND);
  const bytes =
    BASE_BYTES +
    events * BYTES_PER_EVENT * (replicas / 3) * (config.index.startsWith('global') ? 2 : 1) +
    partitions * replicas * BYTES_PER_PARTITION_REPLICA;
  return {
    seconds: writeSeconds + readSeconds,
    writeSeconds,
    readSeconds,
    bytes,
    reads,
    rangeReads,
  };
}

/** Refuses a run over MAX_SECONDS or the memory it may use, naming the flag to lower. */
export function checkSimulateBudget(
  config: SimulateConfig,
  heapLimitBytes: number,
): SimulateEstimate {
  const estimate = estimateSimulate(config);
  const limitBytes = Math.min(MAX_BYTES, heapLimitBytes * HEAP_SHARE);
  const events = config.events.toLocaleString('en-US');
  if (estimate.bytes > limitBytes) {
    throw invalidConfig(
      'events',
      `${events} would need about ${aboutBytes(estimate.bytes)} of memory (${describeWork(config, estimate)}), over the ${aboutBytes(limitBytes)} a run may use; lower --events`,
    );
  }
  if (estimate.seconds > MAX_SECONDS) {
    const reads = estimate.readSeconds > estimate.writeSeconds;
    throw invalidConfig(
      reads ? 'readRate' : 'events',
      `${reads ? config.readRatePerSec.toLocaleString('en-US') : events} would take about ${aboutDuration(estimate.seconds)} (${describeWork(config, estimate)}), over the ${aboutDuration(MAX_SECONDS)} a run may take; ` +
        (reads
          ? 'lower --read-rate, or give range reads (by-severity, by-time, by-id) less weight in --reads'
          : 'lower --events'),
    );
  }
  return estimate;
}

export function longRunNote(
  config: SimulateConfig,
  estimate: SimulateEstimate,
): string | undefined {
  if (estimate.seconds < NOTE_SECONDS) return undefined;
  return `this run will take about ${aboutDuration(estimate.seconds)} (${describeWork(config, estimate)})`;
}

function describeWork(config: SimulateConfig, estimate: SimulateEstimate): string {
  const round = (n: number): string => Math.round(n).toLocaleString('en-US');
  return (
    `${aboutDuration(estimate.writeSeconds)} for ${config.events.toLocaleString('en-US')} writes, ` +
    `${aboutDuration(estimate.readSeconds)} for ${round(estimate.reads)} reads of which ${round(estimate.rangeReads)} read every range`
  );
}
