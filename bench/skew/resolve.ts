import { memoryLimitBytes } from '../resources.js';
import { invalidConfig, isRinglabError, quoted, RinglabError } from '../../engine/errors.js';
import { strategyNames, type StrategyName } from '../../partitioners/index.js';
import { oneOf, resolveClusterConfig, type ClusterOptionsInput } from '../cluster-config.js';
import { formatDuration, parseDuration } from '../duration.js';
import {
  distributionNames,
  resolveDistribution,
  type DistributionOptions,
} from '../workloads/distributions.js';
import { idKinds } from '../workloads/ids.js';
import { DEFAULT_START_MS, MAX_SERVERS, resolveLogEventOptions } from '../workloads/log-events.js';
import { checkSkewBudget } from './budget.js';
import { refuseOversizedSkew } from './budget.js';
import { MAX_EVENTS, validateSkewConfig, type SaltSetting, type SkewConfig } from './config.js';

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

export interface SkewResolveOptions {
  /**
   * The memory the run must fit, in bytes; by default what this machine allows a run
   * (bench/resources.ts: the V8 heap limit, at most a share of the RAM).
   */
  readonly heapLimitBytes?: number | undefined;
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

/**
 * Resolves the flags once, at the edge: each field is checked as it is read, so that an error
 * names the user's flag (`events`, `theta`, `span`), then the workload they describe, then the
 * fields together, and last the run's cost against `options.heapLimitBytes` and the time limit.
 */
export function resolveSkewConfig(
  input: SkewOptionsInput,
  options: SkewResolveOptions = {},
): SkewConfig {
  const cluster = resolveClusterConfig(input);
  const strategies: StrategyName[] = input.compare
    ? [...strategyNames]
    : [oneOf('strategy', input.strategy ?? SKEW_DEFAULTS.strategy, strategyNames)];
  refuseOversizedSkew(input.events ?? SKEW_DEFAULTS.events, strategies);
  const events = integerIn('events', input.events ?? SKEW_DEFAULTS.events, 1, MAX_EVENTS);
  const servers = integerIn('servers', input.servers ?? SKEW_DEFAULTS.servers, 1, MAX_SERVERS);
  const distribution = distributionInput(input, servers);
  const bucketMs = parseDuration('bucket', input.bucket ?? SKEW_DEFAULTS.bucket);
  const resolved: SkewConfig = {
    cluster,
    strategies,
    events,
    servers,
    distribution,
    idKind: oneOf('ids', input.ids ?? SKEW_DEFAULTS.ids, idKinds),
    salt: parseSalt(input.salt ?? SKEW_DEFAULTS.salt),
    bucketMs,
    windowMs: input.window === undefined ? bucketMs : parseDuration('window', input.window),
    spanMs: parseDuration('span', input.span ?? SKEW_DEFAULTS.span),
    startMs: DEFAULT_START_MS,
    readSamples: input.reads ?? SKEW_DEFAULTS.reads,
  };
  // What is left to the workload (a span past what the ids can carry), named as the flags are.
  renamingFields(WORKLOAD_FLAGS, () =>
    resolveLogEventOptions({
      events,
      servers,
      serverDistribution: distribution,
      idKind: resolved.idKind,
      startMs: resolved.startMs,
      spanMs: resolved.spanMs,
    }),
  );
  try {
    validateSkewConfig(resolved);
  } catch (error) {
    // The window is one bucket unless --window is given: then it is --bucket that must change.
    if (isRinglabError(error) && error.field === 'window' && input.window === undefined) {
      throw invalidConfig(
        'bucket',
        `${formatDuration(bucketMs)} also sets the window (--window defaults to one bucket), and ${error.message.replace(/^window /, 'that window ')}; give --window too, or a longer --bucket`,
      );
    }
    throw error;
  }
  checkSkewBudget(resolved, options.heapLimitBytes ?? memoryLimitBytes());
  return resolved;
}

/** The log-event workload's fields as the skew flags name them. */
const WORKLOAD_FLAGS: Readonly<Record<string, string>> = {
  events: 'events',
  servers: 'servers',
  idKind: 'ids',
  startMs: 'span',
  spanMs: 'span',
  'serverDistribution.kind': 'dist',
  'serverDistribution.theta': 'theta',
};

/** Runs `action`, renaming the field of a RinglabError it throws by `names`. */
function renamingFields<T>(names: Readonly<Record<string, string>>, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (!isRinglabError(error) || error.field === undefined) throw error;
    const field = Object.hasOwn(names, error.field) ? names[error.field]! : error.field;
    if (field === error.field) throw error;
    const message = error.message.startsWith(error.field)
      ? `${field}${error.message.slice(error.field.length)}`
      : error.message;
    throw new RinglabError(error.code, message, field);
  }
}

function integerIn(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidConfig(
      field,
      `must be an integer between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')}, got ${value}`,
    );
  }
  return value;
}

/**
 * The server distribution as the config records it (kind and theta as given), checked here
 * against the fleet so that a bad theta is refused as --theta.
 */
function distributionInput(
  input: SkewOptionsInput,
  servers: number,
): Omit<DistributionOptions, 'items'> {
  const kind = oneOf('dist', input.dist ?? SKEW_DEFAULTS.dist, distributionNames);
  const distribution = input.theta === undefined ? { kind } : { kind, theta: input.theta };
  renamingFields(DISTRIBUTION_FLAGS, () =>
    resolveDistribution({ ...distribution, items: servers }),
  );
  return distribution;
}

/** The distribution's fields as the skew flags name them (with or without a nesting prefix). */
const DISTRIBUTION_FLAGS: Readonly<Record<string, string>> = {
  kind: 'dist',
  items: 'servers',
  'serverDistribution.theta': 'theta',
};

export function parseSalt(text: string): SaltSetting {
  if (text === 'adaptive') return { kind: 'adaptive' };
  const salts = Number(text);
  // Plain decimal as every other count is written: no leading zero (parseInteger in cli/parse.ts).
  if (!/^[1-9]\d*$/.test(text) || salts > 65_536) {
    throw invalidConfig(
      'salt',
      `must be a salt count between 1 and 65536, or "adaptive"; got ${quoted(text)}`,
    );
  }
  return { kind: 'fixed', salts };
}
