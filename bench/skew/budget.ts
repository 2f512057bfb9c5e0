import { invalidConfig } from '../../engine/errors.js';
import type { StrategyName } from '../../partitioners/index.js';
import { refuseOversized } from '../resources.js';
import { MAX_EVENTS, saltModeOf, type SkewConfig } from './config.js';

/**
 * What a skew run will cost, estimated before it starts, so that a run too big for this process
 * is refused up front with the numbers instead of dying of a full heap an hour in.
 *
 * Memory: node counters and per-window sums are a few numbers per node; what grows is the size
 * slot of each partition (bench/skew/partition-sizes.ts), and strategies run one after another,
 * so the peak is the largest strategy's partition count. `hash-event-id` has one per event.
 *
 * Time: every strategy writes every event, and each sampled read builds its route and locates its
 * partitions.
 */
export interface SkewEstimate {
  /** The most partitions one strategy tracks, and which strategy that is. */
  readonly trackedPartitions: number;
  readonly trackedBy: StrategyName;
  readonly trackingBytes: number;
  readonly seconds: number;
  /** Of `seconds`, the time spent building and locating the sampled reads' routes. */
  readonly readSeconds: number;
}

/**
 * Heap per tracked partition, measured (`node --expose-gc`, heap and array buffers after a full
 * collection) over 1M and 4M partitions keyed by UUID v4 text: 98-100 B, of which the flat key
 * string is 56, the Map entry about 30 and the two typed-array slots 12. Snowflake keys: 84 B.
 */
export const BYTES_PER_TRACKED_PARTITION = 100;
/** A V8 Map holds at most 2^24 entries, and the tracker is one Map. */
export const MAX_TRACKED_PARTITIONS = 2 ** 24;
/** Share of the heap limit the tracker may plan on: the rest is the run's working set. */
export const HEAP_SHARE = 0.7;
/**
 * Events per second through one strategy (generate, write at ONE with counters, track), measured
 * with 1M events on a shared 2-core machine: 290,000 to 450,000 depending on the strategy, so the
 * estimate plans on the slower end.
 */
export const EVENTS_PER_SECOND = 300_000;
/** Route keys built and located per second when sampling reads (server-salted with many salts). */
export const READ_KEYS_PER_SECOND = 250_000;
/** Beyond this many partitions, strategies send a read to every range instead of listing them. */
const LISTED_PARTITIONS = 100_000;
/** Runs estimated to take longer are refused; a run over the note threshold is worth a warning. */
export const MAX_SECONDS = 600;
export const NOTE_SECONDS = 30;

const DAY_MS = 86_400_000;
const GIB = 2 ** 30;

/** The partitions a strategy can create in a run, at most (never more than one per event). */
export function partitionBound(config: SkewConfig, strategy: StrategyName): number {
  const { events, servers, spanMs, bucketMs } = config;
  switch (strategy) {
    case 'hash-event-id':
      return events;
    case 'server-id':
      return Math.min(events, servers);
    case 'server-salted': {
      const salt = saltModeOf(config);
      // Adaptive salting gives a server a partition per 1/hotShare of the writes it takes, at
      // most twice over (powers of two), so all servers together hold about 2/hotShare extra.
      const partitions =
        salt.kind === 'fixed' ? servers * salt.salts : servers + Math.ceil(2 / salt.hotShare);
      return Math.min(events, partitions);
    }
    case 'time-bucket':
      return Math.min(events, Math.ceil(spanMs / bucketMs) + 1);
    case 'server-day':
      return Math.min(events, servers * (Math.ceil(spanMs / DAY_MS) + 1));
  }
}

/** Partitions a read of each kind lists (0 when it scans every range instead). */
function listedPerRead(config: SkewConfig, strategy: StrategyName): number {
  const { spanMs, bucketMs, windowMs, servers } = config;
  const listed = (n: number): number => (n > LISTED_PARTITIONS ? 0 : n);
  switch (strategy) {
    case 'hash-event-id':
      return 0;
    case 'server-id':
      return 1;
    case 'server-salted': {
      const salt = saltModeOf(config);
      return salt.kind === 'fixed' ? salt.salts : partitionBound(config, strategy) / servers;
    }
    case 'time-bucket':
      return listed(Math.ceil(spanMs / bucketMs) + 1) + listed(Math.ceil(windowMs / bucketMs) + 1);
    case 'server-day':
      return listed(Math.ceil(spanMs / DAY_MS) + 1);
  }
}

export function estimateSkew(config: SkewConfig): SkewEstimate {
  let trackedPartitions = 0;
  let trackedBy = config.strategies[0]!;
  let readKeys = 0;
  for (const strategy of config.strategies) {
    const partitions = partitionBound(config, strategy);
    if (partitions > trackedPartitions) {
      trackedPartitions = partitions;
      trackedBy = strategy;
    }
    readKeys += config.readSamples * listedPerRead(config, strategy);
  }
  const readSeconds = readKeys / READ_KEYS_PER_SECOND;
  return {
    trackedPartitions,
    trackedBy,
    trackingBytes: trackedPartitions * BYTES_PER_TRACKED_PARTITION,
    seconds: (config.strategies.length * config.events) / EVENTS_PER_SECOND + readSeconds,
    readSeconds,
  };
}

/**
 * Refuses a run that would not fit `heapLimitBytes` (the process's V8 heap limit, passed in by
 * the caller) or would take over MAX_SECONDS, naming the flag to change; returns the estimate.
 */
export function checkSkewBudget(config: SkewConfig, heapLimitBytes: number): SkewEstimate {
  const estimate = estimateSkew(config);
  const events = config.events.toLocaleString('en-US');
  const fitByHeap = Math.floor((heapLimitBytes * HEAP_SHARE) / BYTES_PER_TRACKED_PARTITION);
  const fit = Math.min(fitByHeap, MAX_TRACKED_PARTITIONS);
  if (estimate.trackedPartitions > fit) {
    const why =
      fit === fitByHeap
        ? `this process's heap allows about ${gib(heapLimitBytes * HEAP_SHARE)} of its ${gib(heapLimitBytes)} limit`
        : `one run tracks at most ${MAX_TRACKED_PARTITIONS.toLocaleString('en-US')} partitions`;
    throw invalidConfig(
      'events',
      `${events} would need about ${gib(estimate.trackingBytes)} to track its partitions ` +
        `(up to ${estimate.trackedPartitions.toLocaleString('en-US')} for ${estimate.trackedBy}, ` +
        `about ${BYTES_PER_TRACKED_PARTITION} B each), but ${why}; at most ` +
        `~${fit.toLocaleString('en-US')} events fit; lower --events` +
        (fit === fitByHeap ? ' (or raise the heap: node --max-old-space-size=MiB)' : ''),
    );
  }
  if (estimate.seconds > MAX_SECONDS) {
    // Name the flag behind most of the time.
    const reads = estimate.readSeconds > estimate.seconds / 2;
    throw invalidConfig(
      reads ? 'reads' : 'events',
      `${reads ? config.readSamples.toLocaleString('en-US') : events} would take about ` +
        `${describeSeconds(estimate.seconds)} (${describeWork(config, estimate)}), over the ` +
        `${describeSeconds(MAX_SECONDS)} a run may take; ` +
        (reads ? 'lower --reads (or --salt)' : 'lower --events, or run one --strategy'),
    );
  }
  return estimate;
}

/** A line for the CLI to print before a long run, or undefined for a short one. */
export function longRunNote(config: SkewConfig, estimate: SkewEstimate): string | undefined {
  if (estimate.seconds < NOTE_SECONDS) return undefined;
  return `this run will take about ${describeSeconds(estimate.seconds)} (${describeWork(config, estimate)})`;
}

function describeWork(config: SkewConfig, estimate: SkewEstimate): string {
  const strategies = config.strategies.length;
  return (
    `${strategies === 1 ? 'one strategy' : `${strategies} strategies`} × ` +
    `${config.events.toLocaleString('en-US')} events at about ` +
    `${EVENTS_PER_SECOND.toLocaleString('en-US')} events/s, and ` +
    `${describeSeconds(estimate.readSeconds)} for ${config.readSamples.toLocaleString('en-US')} reads of each kind`
  );
}

function describeSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function gib(bytes: number): string {
  return bytes >= GIB / 10
    ? `${(bytes / GIB).toFixed(1)} GiB`
    : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/**
 * More events than a skew run takes (past 10^9) is refused with what the run would cost: every
 * strategy writes every event, and hash-event-id tracks a partition per event.
 */
export function refuseOversizedSkew(events: number, strategies: readonly StrategyName[]): void {
  if (!Number.isSafeInteger(events) || events <= MAX_EVENTS) return;
  const tracked = strategies.includes('hash-event-id') ? events : 0;
  refuseOversized({
    field: 'events',
    value: events,
    max: MAX_EVENTS,
    unit: 'events',
    estimate: {
      bytes: tracked * BYTES_PER_TRACKED_PARTITION,
      seconds: (strategies.length * events) / EVENTS_PER_SECOND,
    },
    suggestion: `every strategy writes every event, at about ${EVENTS_PER_SECOND.toLocaleString('en-US')} events/s; lower --events`,
  });
}
