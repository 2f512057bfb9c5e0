import { invalidConfig } from '../../engine/errors.js';
import { aboutBytes, aboutDuration } from '../cluster-config.js';
import { memoryLimitBytes, refuseOversized, type Estimate } from '../resources.js';
import { partitionBound } from '../skew/budget.js';
import { DEFAULT_THETA } from '../workloads/distributions.js';
import { MAX_EVENTS as MAX_SKEW_EVENTS } from '../skew/config.js';
import { MAX_EVENTS, skewViewOf, type SimulateConfig } from './config.js';
import { BY_TIME_WIDTH_MS } from './reads.js';

/**
 * What a simulate run will cost, estimated before it starts, so that a run too big is refused
 * with the numbers and the flag to lower instead of running for an hour or filling the heap.
 *
 * Time has three parts, each from constants measured on this driver (see below): writes (every
 * replica's message, queue and apply, the checker's look-up), listed reads (their cost is the
 * rows of the partitions they list, merged from each replica asked) and range reads (by-severity
 * through a local index or a filtering scan, by-time and by-id on hashed strategies), whose cost
 * grows with the rows stored when they run, half the final count on average.
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
  /** The read kind that costs the most time, when there are reads. */
  readonly costliestRead: ReadKind | undefined;
}

/**
 * Writes per second through the driver and the time plane at rf 3, QUORUM, local index: 100,000
 * events in 3.9 s of CPU (Node 20, x86-64, one core of a shared 2-core machine), rounded down. A
 * global index sends a second mutation per write, about doubling the work.
 */
export const WRITES_PER_SECOND = 25_000;
/**
 * Rows merged per second by listed reads: a read snapshots each asked replica's copy of every
 * partition it lists, at most --limit rows of each when the key pins the query, and merges them
 * (by-server at 100,000 events, server-salted: 10,000 reads in 17 s of CPU, 1.7 ms a read).
 */
export const LISTED_ROWS_PER_SECOND = 3_500_000;
/** Partitions a by-server read lists at most, for the estimate (a hot server's salts). */
const LISTED_PARTITIONS_GUESS = 32;
/** The fixed cost of one listed read (messages, queues, timers). */
export const LISTED_READ_SECONDS = 50e-6;
/**
 * What a range read costs: each token range asked (messages, a worker, the merge of what
 * matched: by-severity ERROR through a local index, server-salted at 100,000 events, 10,000
 * reads in 42 s of CPU, 4.2 ms a read over 192 ranges) plus a walk over the partitions stored
 * (every replica's partitions are grouped by range for the read: about 0.3 µs each, which is
 * what makes range reads on hashed strategies, one partition per event, cost the most).
 */
export const RANGE_REQUEST_SECONDS = 22e-6;
export const PARTITION_WALK_SECONDS = 0.3e-6;
/** Reads that ask every range at once, or whose one match never reaches the limit, walk them all. */
export const FULL_SCAN_ROWS_PER_SECOND = 400_000;
/** Heap per event: the row object and its id (~260 B), rf replica slots and timestamps. */
export const BYTES_PER_EVENT = 420;
export const BYTES_PER_PARTITION_REPLICA = 200;
export const BASE_BYTES = 120 * 2 ** 20;
/** Beyond either, a run is refused. */
export const MAX_SECONDS = 300;
export const MAX_BYTES = 4 * 2 ** 30;
export const HEAP_SHARE = 0.8;
export const NOTE_SECONDS = 20;

type ReadKind = SimulateConfig['reads'][number]['kind'];

/** Whether a read kind visits every range under this config's strategy and index. */
function scansEveryRange(config: SimulateConfig, kind: ReadKind): boolean {
  switch (kind) {
    case 'by-server':
      return config.strategy === 'hash-event-id' || config.strategy === 'time-bucket';
    case 'by-severity':
      return config.index === 'local' || config.index === 'none';
    case 'by-time':
      return config.strategy !== 'time-bucket';
    case 'by-id':
      return config.strategy !== 'hash-event-id';
    case 'full-scan':
      return true;
  }
}

/**
 * The share of the rows one server holds, averaged over reads that pick a server by its
 * acknowledged events (so hot servers are read more): the sum of squared Zipfian shares.
 */
function hotServerShare(servers: number): number {
  let norm = 0;
  let squares = 0;
  for (let i = 1; i <= servers; i++) {
    const weight = i ** -DEFAULT_THETA;
    norm += weight;
    squares += weight * weight;
  }
  return squares / (norm * norm);
}

export function estimateSimulate(config: SimulateConfig): SimulateEstimate {
  const { events, cluster } = config;
  const replicas = cluster.rf * cluster.dcs;
  const globalIndex = config.index === 'global' || config.index === 'global-bucketed';
  const mixed = (config.readRatePerSec * config.spanMs) / 1000;
  const reads = mixed + config.scans;
  const total = config.reads.reduce((sum, share) => sum + share.weight, 0);
  const partitions = partitionBound(skewViewOf(config), config.strategy);
  // On average a read runs with half the events stored.
  const storedReplicaRows = (events * replicas) / 2;
  const copies = Math.min(replicas, 2);
  let readSeconds = 0;
  let rangeReads = 0;
  let costliestRead: ReadKind | undefined;
  let costliestSeconds = 0;
  const spend = (kind: ReadKind, seconds: number): void => {
    readSeconds += seconds;
    if (seconds > costliestSeconds) {
      costliestSeconds = seconds;
      costliestRead = kind;
    }
  };
  for (const share of config.reads) {
    const count = (mixed * share.weight) / total;
    if (scansEveryRange(config, share.kind)) {
      rangeReads += count;
      // One event, every row, or one server's rows under a key that ignores the server: the
      // limit is rarely met, so the read walks every range.
      const full =
        config.fanout === 'all' ||
        share.kind === 'by-id' ||
        share.kind === 'full-scan' ||
        (share.kind === 'by-server' && config.strategy === 'hash-event-id');
      const ranges = cluster.nodes * cluster.vnodes;
      const walk = (Math.min(partitions, events) * replicas * PARTITION_WALK_SECONDS) / 2;
      spend(
        share.kind,
        count *
          (ranges * RANGE_REQUEST_SECONDS +
            walk +
            (full ? storedReplicaRows / FULL_SCAN_ROWS_PER_SECOND : 0)),
      );
      continue;
    }
    const rows =
      share.kind === 'by-server'
        ? Math.min(
            (hotServerShare(config.servers) * events * copies) / 2,
            config.limit * copies * LISTED_PARTITIONS_GUESS,
          )
        : share.kind === 'by-severity'
          ? 0.05 * (events / 2) * copies
          : (config.rateEventsPerSec * copies * BY_TIME_WIDTH_MS) / 1000;
    spend(share.kind, count * (LISTED_READ_SECONDS + rows / LISTED_ROWS_PER_SECOND));
  }
  if (config.scans > 0) {
    rangeReads += config.scans;
    spend(
      'full-scan',
      config.scans *
        (cluster.nodes * cluster.vnodes * RANGE_REQUEST_SECONDS +
          storedReplicaRows / FULL_SCAN_ROWS_PER_SECOND),
    );
  }
  const writeSeconds = (events / WRITES_PER_SECOND) * (replicas / 3) * (globalIndex ? 2 : 1);
  const bytes =
    BASE_BYTES +
    events * BYTES_PER_EVENT * (replicas / 3) * (globalIndex ? 2 : 1) +
    partitions * replicas * BYTES_PER_PARTITION_REPLICA;
  return {
    seconds: writeSeconds + readSeconds,
    writeSeconds,
    readSeconds,
    bytes,
    reads,
    rangeReads,
    costliestRead,
  };
}

const READ_COST: Readonly<Record<ReadKind, string>> = {
  'by-server': "each merges a server's rows from two replicas, and hot servers are read most",
  'by-severity': 'each walks ranges until it has --limit rows',
  'by-time': 'each walks ranges until it has --limit rows',
  'by-id': 'each asks every range, since one match never fills --limit',
  'full-scan': 'each reads every row of every range',
};

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
          ? `lower --read-rate, or the weight of ${estimate.costliestRead ?? 'range reads'} in --reads (it costs the most: ${READ_COST[estimate.costliestRead ?? 'by-severity']})`
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

/** What storing `events` rows on `replicas` replicas costs at least: the writes, nothing else. */
export function storedEventsEstimate(events: number, replicas: number): Estimate {
  return {
    bytes: BASE_BYTES + events * BYTES_PER_EVENT * (replicas / 3),
    seconds: (events / WRITES_PER_SECOND) * (replicas / 3),
  };
}

/**
 * More events than simulate stores (10^12) is refused with what storing them would cost, and
 * the two ways out: fewer events, or bench skew, which keeps counters per node and partition
 * instead of rows.
 */
export function refuseOversizedEvents(events: number, replicas: number): void {
  if (!Number.isSafeInteger(events) || events <= MAX_EVENTS) return;
  const perEvent = BYTES_PER_EVENT * (replicas / 3);
  const fit = Math.min(MAX_EVENTS, Math.floor((memoryLimitBytes() - BASE_BYTES) / perEvent));
  refuseOversized({
    field: 'events',
    value: events,
    max: MAX_EVENTS,
    unit: 'stored events',
    estimate: storedEventsEstimate(events, replicas),
    suggestion: `every event is stored as a row on its ${replicas} replica${replicas === 1 ? '' : 's'} (about ${Math.round(perEvent)} B each); lower --events (about ${roughly(fit)} fit in this memory), or count events without storing them: ringlab bench skew keeps counters only, for up to ${MAX_SKEW_EVENTS.toLocaleString('en-US')} events`,
  });
}

/** A count rounded down to two significant digits, as a refusal suggests it: 10,000,000. */
function roughly(n: number): string {
  if (n < 1) return '0';
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return (Math.floor(n / scale) * scale).toLocaleString('en-US');
}
