/**
 * `ringlab serve`'s options, resolved once at the edge: the cluster through the shared cluster
 * resolver, the key strategy through the strategy registry's names, the level as `simulate`
 * reads it, so the same input is refused for the same reasons, each error naming its field.
 */
import { blockFor, consistencyLevels, type ConsistencyLevel } from '../../engine/consistency.js';
import { invalidConfig, quoted } from '../../engine/errors.js';
import type { SaltMode } from '../../partitioners/index.js';
import {
  oneOf,
  resolveClusterConfig,
  strategyOf,
  topologyOf,
  type ClusterConfig,
  type ClusterOptionsInput,
} from '../cluster-config.js';
import { aboutBytes, describeMachine, memoryLimitBytes } from '../resources.js';
import { parseSalt } from '../skew/resolve.js';

/** The key strategies a log service can use: every registered one whose key a log row has. */
export const serveStrategies = [
  'server-day',
  'server-id',
  'server-salted',
  'hash-event-id',
] as const;
export type ServeStrategy = (typeof serveStrategies)[number];
export const replicationModes = ['quorum', 'leader-follower'] as const;
export type ReplicationMode = (typeof replicationModes)[number];

/**
 * How the simulation's clock follows the wall clock: `wall` runs it at the wall's pace, so a
 * request waits its simulated latency; `stepped` settles each request at once, the clock jumping
 * ahead, so a request sequence replays to the same answers (see `store.ts`).
 */
export const timeModes = ['wall', 'stepped'] as const;
export type TimeMode = (typeof timeModes)[number];

/** Log levels in increasing severity. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServeOptionsInput extends ClusterOptionsInput {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly strategy?: string | undefined;
  readonly salt?: string | undefined;
  readonly replicationMode?: string | undefined;
  readonly cl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly time?: string | undefined;
  /** What the stored logs may take in memory, MiB; past it writes are refused with a 507. */
  readonly maxStoredMib?: number | undefined;
  /** Filters: drop entries below this level. */
  readonly minLevel?: string | undefined;
  readonly allowServices?: readonly string[] | undefined;
  readonly denyServices?: readonly string[] | undefined;
  /** Accepted entries per second per service; 0 for no limit. */
  readonly serviceRate?: number | undefined;
  /** Regular expressions whose matches in a message are masked. */
  readonly mask?: readonly string[] | undefined;
}

export interface ServeFilterConfig {
  readonly minLevel: LogLevel;
  readonly allowServices: readonly string[];
  readonly denyServices: readonly string[];
  readonly serviceRate: number;
  readonly mask: readonly string[];
}

export interface ServeConfig {
  readonly cluster: ClusterConfig;
  readonly host: string;
  readonly port: number;
  readonly strategy: ServeStrategy;
  readonly salt: SaltMode;
  readonly replicationMode: ReplicationMode;
  readonly cl: ConsistencyLevel;
  readonly dataDir: string | undefined;
  readonly time: TimeMode;
  /** The stored logs' memory budget, bytes (an estimate per log: see `storedBytes`). */
  readonly maxStoredBytes: number;
  readonly filters: ServeFilterConfig;
}

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  strategy: 'server-day',
  replicationMode: 'quorum',
  cl: 'QUORUM',
  minLevel: 'DEBUG',
  time: 'wall',
} as const;

export const MAX_SERVICE_NAME = 128;

/** The share of the memory a run may use that the stored logs may take by default. */
const STORE_SHARE = 0.5;
export const defaultMaxStoredMib = (): number =>
  Math.floor((memoryLimitBytes() * STORE_SHARE) / 2 ** 20);

export function resolveServeConfig(input: ServeOptionsInput): ServeConfig {
  const cluster = resolveClusterConfig(input);
  const host = input.host ?? SERVE_DEFAULTS.host;
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) {
    throw invalidConfig('host', `must be a host name or an IP address, got ${quoted(host)}`);
  }
  const port = input.port ?? SERVE_DEFAULTS.port;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) {
    throw invalidConfig(
      'port',
      `must be an integer between 0 and 65535 (0: any free port), got ${port}`,
    );
  }
  if (input.strategy === 'time-bucket') {
    throw invalidConfig(
      'strategy',
      `time-bucket cuts its ring from a known time span, and a server's logs have none; expected one of ${serveStrategies.join(', ')}`,
    );
  }
  const strategy = oneOf('strategy', input.strategy ?? SERVE_DEFAULTS.strategy, serveStrategies);
  if (input.salt !== undefined && strategy !== 'server-salted') {
    throw invalidConfig('salt', `applies only with --strategy server-salted, not ${strategy}`);
  }
  const salting = parseSalt(input.salt ?? 'adaptive');
  const hotShare = cluster.rf / (cluster.nodes * 200);
  const salt: SaltMode =
    salting.kind === 'fixed'
      ? { kind: 'fixed', salts: salting.salts }
      : { kind: 'adaptive', hotShare, windowEvents: Math.ceil(20 / hotShare), maxSalts: 4096 };
  const replicationMode = oneOf(
    'replicationMode',
    input.replicationMode ?? SERVE_DEFAULTS.replicationMode,
    replicationModes,
  );
  if (input.cl !== undefined && replicationMode === 'leader-follower') {
    throw invalidConfig(
      'cl',
      'applies only with --replication-mode quorum: a leader acknowledges alone, and queries read one replica',
    );
  }
  const cl = oneOf('cl', (input.cl ?? SERVE_DEFAULTS.cl).toUpperCase(), consistencyLevels);
  const localDc = topologyOf(cluster)[0]!.dc;
  const need = blockFor(cl, strategyOf(cluster), localDc);
  if (need > cluster.rf * cluster.dcs) {
    throw invalidConfig('cl', `${cl} needs ${need} replicas, more than rf ${cluster.rf} holds`);
  }
  const minLevel = oneOf(
    'minLevel',
    (input.minLevel ?? SERVE_DEFAULTS.minLevel).toUpperCase(),
    LOG_LEVELS,
  );
  const allowServices = [...(input.allowServices ?? [])];
  const denyServices = [...(input.denyServices ?? [])];
  for (const [field, names] of [
    ['allowServices', allowServices],
    ['denyServices', denyServices],
  ] as const) {
    for (const name of names) {
      if (name.length === 0 || name.length > MAX_SERVICE_NAME) {
        throw invalidConfig(
          field,
          `names a service of 1 to ${MAX_SERVICE_NAME} characters, got ${quoted(name)}`,
        );
      }
    }
  }
  const both = allowServices.find((name) => denyServices.includes(name));
  if (both !== undefined) {
    throw invalidConfig('denyServices', `names ${quoted(both)}, which --allow-services also names`);
  }
  const serviceRate = input.serviceRate ?? 0;
  if (!Number.isFinite(serviceRate) || serviceRate < 0 || serviceRate > 1_000_000) {
    throw invalidConfig(
      'serviceRate',
      `must be between 0 (no limit) and 1000000 entries/s, got ${serviceRate}`,
    );
  }
  const mask = [...(input.mask ?? [])];
  for (const pattern of mask) {
    try {
      new RegExp(pattern, 'g');
    } catch (error) {
      throw invalidConfig(
        'mask',
        `must be a regular expression, got ${quoted(pattern)}: ${(error as Error).message}`,
      );
    }
    if (new RegExp(pattern).test('')) {
      throw invalidConfig(
        'mask',
        `matches the empty string, so it would mask nothing: ${quoted(pattern)}`,
      );
    }
  }
  if (input.dataDir !== undefined && input.dataDir.length === 0) {
    throw invalidConfig('dataDir', 'must name a directory');
  }
  const maxStoredMib = input.maxStoredMib ?? defaultMaxStoredMib();
  // The server itself, a query's rows and the collector need room beside the logs.
  const limitMib = Math.floor((memoryLimitBytes() * 0.8) / 2 ** 20);
  if (!Number.isSafeInteger(maxStoredMib) || maxStoredMib < 1) {
    throw invalidConfig(
      'maxStoredMib',
      `must be a whole number of MiB, at least 1, got ${maxStoredMib}`,
    );
  }
  if (maxStoredMib > limitMib) {
    throw invalidConfig(
      'maxStoredMib',
      `${maxStoredMib} MiB (${aboutBytes(maxStoredMib * 2 ** 20)}) would not fit beside the server in this machine's ${describeMachine()}; give at most ${limitMib}, or raise Node's heap limit (NODE_OPTIONS=--max-old-space-size=<MiB>)`,
    );
  }
  return {
    cluster,
    host,
    port,
    strategy,
    salt,
    replicationMode,
    cl,
    dataDir: input.dataDir,
    time: oneOf('time', input.time ?? SERVE_DEFAULTS.time, timeModes),
    maxStoredBytes: maxStoredMib * 2 ** 20,
    filters: { minLevel, allowServices, denyServices, serviceRate, mask },
  };
}
