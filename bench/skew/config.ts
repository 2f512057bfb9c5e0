import { invalidConfig } from '../../engine/errors.js';
import {
  isStrategyName,
  strategyNames,
  type SaltMode,
  type StrategyName,
} from '../../partitioners/index.js';
import {
  oneOf,
  resolveClusterConfig,
  type ClusterConfig,
  type ClusterOptionsInput,
} from '../cluster-config.js';
import { formatDuration, parseDuration } from '../duration.js';
import { distributionNames, type DistributionOptions } from '../workloads/distributions.js';
import { idKinds, type IdKind } from '../workloads/ids.js';
import { DEFAULT_START_MS, resolveLogEventOptions } from '../workloads/log-events.js';

export type SaltSetting =
  { readonly kind: 'fixed'; readonly salts: number } | { readonly kind: 'adaptive' };

/** A skew run, validated and fully defaulted (see resolveSkewConfig for the flags). */
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
  /** The events are spread evenly (in expectation) over this span of simulated time. */
  readonly spanMs: number;
  readonly startMs: number;
  /** Reads sampled for each read kind. */
  readonly readSamples: number;
}

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

export function validateSkewConfig(config: SkewConfig): SkewConfig {
  for (const strategy of config.strategies) {
    if (!isStrategyName(strategy)) {
      throw invalidConfig(
        'strategy',
        `"${strategy}" is unknown; expected one of ${strategyNames.join(', ')}`,
      );
    }
  }
  if (config.spanMs < config.bucketMs) {
    throw invalidConfig('span', `must be at least one bucket (${formatDuration(config.bucketMs)})`);
  }
  if (!Number.isInteger(config.readSamples) || config.readSamples < 1) {
    throw invalidConfig('reads', `must be a positive integer, got ${config.readSamples}`);
  }
  return config;
}

/** Skew options as a user gives them; resolved once by `resolveSkewConfig`. */
export interface SkewOptionsInput extends ClusterOptionsInput {
  readonly strategy?: string | undefined;
  /** Run every strategy instead of one. */
  readonly compare?: boolean | undefined;
  /** A salt count, or "adaptive". */
  readonly salt?: string | undefined;
  readonly bucket?: string | undefined;
  readonly window?: string | undefined;
  readonly span?: string | undefined;
  readonly events?: number | undefined;
  readonly servers?: number | undefined;
  readonly dist?: string | undefined;
  readonly theta?: number | undefined;
  readonly ids?: string | undefined;
  readonly reads?: number | undefined;
}

export const SKEW_DEFAULTS = {
  strategy: 'hash-event-id',
  salt: 'adaptive',
  bucket: '1h',
  span: '1d',
  events: 100_000,
  servers: 1_000,
  dist: 'zipfian',
  ids: 'uuid-v4',
  reads: 1_000,
} as const;

export function resolveSkewConfig(input: SkewOptionsInput): SkewConfig {
  const cluster = resolveClusterConfig(input);
  const strategies: StrategyName[] = input.compare
    ? [...strategyNames]
    : [oneStrategy(input.strategy ?? SKEW_DEFAULTS.strategy)];
  const bucketMs = parseDuration('bucket', input.bucket ?? SKEW_DEFAULTS.bucket);
  const resolved: SkewConfig = {
    cluster,
    strategies,
    events: input.events ?? SKEW_DEFAULTS.events,
    servers: input.servers ?? SKEW_DEFAULTS.servers,
    distribution: distributionInput(input),
    idKind: oneOf('ids', input.ids ?? SKEW_DEFAULTS.ids, idKinds),
    salt: parseSalt(input.salt ?? SKEW_DEFAULTS.salt),
    bucketMs,
    windowMs: input.window === undefined ? bucketMs : parseDuration('window', input.window),
    spanMs: parseDuration('span', input.span ?? SKEW_DEFAULTS.span),
    startMs: DEFAULT_START_MS,
    readSamples: input.reads ?? SKEW_DEFAULTS.reads,
  };
  // The workload validates its own fields (events, servers, the distribution) and names them.
  resolveLogEventOptions({
    events: resolved.events,
    servers: resolved.servers,
    serverDistribution: resolved.distribution,
  });
  return validateSkewConfig(resolved);
}

function oneStrategy(name: string): StrategyName {
  return oneOf('strategy', name, strategyNames);
}

function distributionInput(input: SkewOptionsInput): Omit<DistributionOptions, 'items'> {
  const kind = oneOf('dist', input.dist ?? SKEW_DEFAULTS.dist, distributionNames);
  return input.theta === undefined ? { kind } : { kind, theta: input.theta };
}

export function parseSalt(text: string): SaltSetting {
  if (text === 'adaptive') return { kind: 'adaptive' };
  const salts = Number(text);
  if (!/^\d+$/.test(text) || salts < 1 || salts > 65_536) {
    throw invalidConfig(
      'salt',
      `must be a salt count between 1 and 65536, or "adaptive"; got "${text}"`,
    );
  }
  return { kind: 'fixed', salts };
}
