import { consistencyLevels, type ConsistencyLevel } from '../../engine/consistency.js';
import { invalidConfig, quoted } from '../../engine/errors.js';
import type { SpeculativeRetry, Snitch } from '../../engine/time/coordinator.js';
import { DEFAULT_INDEX_BUCKETS, indexModeNames } from '../../indexes/index.js';
import { strategyNames } from '../../partitioners/index.js';
import {
  oneOf,
  resolveClusterConfig,
  topologyOf,
  type ClusterOptionsInput,
} from '../cluster-config.js';
import { formatDuration, parseDuration } from '../duration.js';
import { parseFaults } from '../faults.js';
import { parseSalt } from '../skew/resolve.js';
import { DEFAULT_START_MS, MAX_SERVERS } from '../workloads/log-events.js';
import { memoryLimitBytes } from '../resources.js';
import { checkSimulateBudget, refuseOversizedEvents } from './budget.js';
import {
  fanouts,
  MAX_EVENTS,
  MAX_INDEX_BUCKETS,
  MAX_LIMIT,
  MAX_RATE,
  MAX_SCANS,
  partials,
  snitches,
  type SimulateConfig,
} from './config.js';
import { DEFAULT_READ_MIX, parseReadMix } from './reads.js';

/** Simulate options as a user gives them; resolved once by `resolveSimulateConfig`. */
export interface SimulateOptionsInput extends ClusterOptionsInput {
  readonly strategy?: string | undefined;
  readonly salt?: string | undefined;
  readonly bucket?: string | undefined;
  readonly index?: string | undefined;
  readonly indexBuckets?: number | undefined;
  readonly indexSync?: string | undefined;
  readonly indexLag?: string | undefined;
  readonly events?: number | undefined;
  readonly servers?: number | undefined;
  readonly rate?: number | undefined;
  readonly reads?: string | undefined;
  readonly readRate?: number | undefined;
  readonly scans?: number | undefined;
  readonly limit?: number | undefined;
  readonly cl?: string | undefined;
  readonly writeCl?: string | undefined;
  readonly readCl?: string | undefined;
  readonly speculative?: string | undefined;
  readonly snitch?: string | undefined;
  readonly fanout?: string | undefined;
  readonly partial?: string | undefined;
  readonly fault?: readonly string[] | undefined;
}

export interface SimulateResolveOptions {
  /** The memory the run must fit; by default what this machine allows (bench/resources.ts). */
  readonly heapLimitBytes?: number | undefined;
}

/** One write per 1,000 s at the slowest: below it a run is idle virtual time. */
const MIN_RATE = 0.001;

export const SIMULATE_DEFAULTS = {
  nodes: 12,
  strategy: 'server-salted',
  salt: 'adaptive',
  bucket: '1s',
  index: 'local',
  indexBuckets: DEFAULT_INDEX_BUCKETS,
  indexSync: 'sync',
  indexLag: '100ms',
  events: 100_000,
  servers: 1_000,
  rate: 10_000,
  reads: DEFAULT_READ_MIX,
  /** Reads per second as a share of the write rate. */
  readShare: 0.1,
  limit: 100,
  cl: 'QUORUM',
  speculative: '99p',
  snitch: 'dynamic',
  fanout: 'adaptive',
  partial: 'fail',
} as const;

/**
 * Resolves the flags once: each field as it is read (so an error names the user's flag), then
 * the flags that cannot apply, the faults against the cluster and the workload's length, and last
 * the run's cost.
 */
export function resolveSimulateConfig(
  input: SimulateOptionsInput,
  options: SimulateResolveOptions = {},
): SimulateConfig {
  const cluster = resolveClusterConfig({ ...input, nodes: input.nodes ?? SIMULATE_DEFAULTS.nodes });
  const strategy = oneOf('strategy', input.strategy ?? SIMULATE_DEFAULTS.strategy, strategyNames);
  const index = oneOf('index', input.index ?? SIMULATE_DEFAULTS.index, indexModeNames);
  refuseUnless(
    input.salt,
    'salt',
    strategy === 'server-salted',
    `--strategy server-salted, not ${strategy}`,
  );
  refuseUnless(
    input.bucket,
    'bucket',
    strategy === 'time-bucket',
    `--strategy time-bucket, not ${strategy}`,
  );
  refuseUnless(
    input.indexBuckets,
    'indexBuckets',
    index === 'global-bucketed',
    `--index global-bucketed, not ${index}`,
  );
  const indexSync = oneOf('indexSync', input.indexSync ?? SIMULATE_DEFAULTS.indexSync, [
    'sync',
    'async',
  ] as const);
  const global = index === 'global' || index === 'global-bucketed';
  refuseUnless(
    input.indexSync,
    'indexSync',
    global,
    `a global index (--index global or global-bucketed), not ${index}`,
  );
  refuseUnless(input.indexLag, 'indexLag', indexSync === 'async', '--index-sync async');
  refuseOversizedEvents(input.events ?? SIMULATE_DEFAULTS.events, cluster.rf * cluster.dcs);
  const events = numberIn('events', input.events ?? SIMULATE_DEFAULTS.events, 1, MAX_EVENTS, true);
  const rate = numberIn('rate', input.rate ?? SIMULATE_DEFAULTS.rate, MIN_RATE, MAX_RATE, false);
  const spanMs = Math.max(1, Math.ceil((events * 1000) / rate));
  const readRate = numberIn(
    'readRate',
    input.readRate ?? rate * SIMULATE_DEFAULTS.readShare,
    0,
    MAX_RATE,
    false,
  );
  if (input.cl !== undefined && input.writeCl !== undefined && input.readCl !== undefined) {
    throw invalidConfig(
      'cl',
      `${input.cl} would apply to nothing: --write-cl and --read-cl are both given; drop one of the three`,
    );
  }
  const cl = level('cl', input.cl ?? SIMULATE_DEFAULTS.cl);
  const nodes = topologyOf(cluster).map((node) => node.id);
  const config: SimulateConfig = {
    cluster,
    strategy,
    salt: parseSalt(input.salt ?? SIMULATE_DEFAULTS.salt),
    bucketMs: parseDuration('bucket', input.bucket ?? SIMULATE_DEFAULTS.bucket),
    index,
    indexColumn: 'severity',
    indexSync,
    indexLagMs: parseDuration('indexLag', input.indexLag ?? SIMULATE_DEFAULTS.indexLag),
    indexBuckets: numberIn(
      'indexBuckets',
      input.indexBuckets ?? SIMULATE_DEFAULTS.indexBuckets,
      1,
      MAX_INDEX_BUCKETS,
      true,
    ),
    events,
    servers: numberIn('servers', input.servers ?? SIMULATE_DEFAULTS.servers, 1, MAX_SERVERS, true),
    rateEventsPerSec: rate,
    spanMs,
    startMs: DEFAULT_START_MS,
    readRatePerSec: readRate,
    reads: parseReadMix(input.reads ?? SIMULATE_DEFAULTS.reads),
    scans: numberIn('scans', input.scans ?? 0, 0, MAX_SCANS, true),
    limit: numberIn('limit', input.limit ?? SIMULATE_DEFAULTS.limit, 1, MAX_LIMIT, true),
    writeCl: input.writeCl === undefined ? cl : level('writeCl', input.writeCl),
    readCl: input.readCl === undefined ? cl : level('readCl', input.readCl),
    speculative: parseSpeculative(input.speculative ?? SIMULATE_DEFAULTS.speculative),
    snitch: oneOf('snitch', input.snitch ?? SIMULATE_DEFAULTS.snitch, snitches) as Snitch,
    fanout: oneOf('fanout', input.fanout ?? SIMULATE_DEFAULTS.fanout, fanouts),
    partial: oneOf('partial', input.partial ?? SIMULATE_DEFAULTS.partial, partials),
    faults: parseFaults(input.fault ?? [], {
      nodes,
      endMs: spanMs,
      describeEnd: `${formatDuration(spanMs)}: ${events.toLocaleString('en-US')} events at ${rate.toLocaleString('en-US')}/s`,
    }),
  };
  if (strategy === 'time-bucket' && spanMs < cluster.nodes * cluster.vnodes) {
    throw invalidConfig(
      'events',
      `${events} at ${rate}/s span ${formatDuration(spanMs)}; time-bucket cuts its ring from the span, one range of at least 1 ms per vnode (${cluster.nodes * cluster.vnodes}), so raise --events or lower --rate`,
    );
  }
  checkSimulateBudget(config, options.heapLimitBytes ?? memoryLimitBytes());
  return config;
}

function refuseUnless(value: unknown, field: string, applies: boolean, needs: string): void {
  if (value !== undefined && !applies) {
    throw invalidConfig(field, `applies only with ${needs}; the run would ignore it`);
  }
}

function numberIn(
  field: string,
  value: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  const ok = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!ok || value < min || value > max) {
    const low = `at least ${min.toLocaleString('en-US')}`;
    throw invalidConfig(
      field,
      `must be ${integer ? 'an integer' : 'a number'} ${low} and at most ${max.toLocaleString('en-US')}, got ${value}`,
    );
  }
  return value;
}

function level(field: string, text: string): ConsistencyLevel {
  return oneOf(field, text.toUpperCase(), consistencyLevels);
}

/** "99p" (or "99percentile"), "50ms", "none", "always": Cassandra's speculative_retry values. */
export function parseSpeculative(text: string): SpeculativeRetry {
  const lower = text.toLowerCase();
  if (lower === 'none') return { kind: 'none' };
  if (lower === 'always') return { kind: 'always' };
  const percentile = /^(\d+(?:\.\d+)?)(?:p|percentile)$/.exec(lower);
  if (percentile !== null) {
    const value = Number(percentile[1]);
    if (!(value > 0 && value < 100)) {
      throw invalidConfig(
        'speculative',
        `percentile must be above 0 and below 100, got ${quoted(text)}`,
      );
    }
    return { kind: 'percentile', percentile: value };
  }
  if (/^\d+(?:\.\d+)?(?:ms|s)$/.test(lower)) {
    return { kind: 'fixed', ms: parseDuration('speculative', lower) };
  }
  throw invalidConfig(
    'speculative',
    `must be a percentile such as 99p, a delay such as 50ms, none or always; got ${quoted(text)}`,
  );
}
