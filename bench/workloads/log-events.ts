/**
 * The log-event workload: a seeded stream of rows { event_id, server_id, ts, severity,
 * message_bytes }, the data behind ringlab's partitioning questions (by event_id, by server_id,
 * by time bucket).
 *
 * Each column draws from its own forked stream (`servers`, `ids`, `ts`, `severity`, `message`), so
 * changing one option changes only its own column: switching the id kind keeps every server_id and
 * ts, and changing the rate keeps every server_id. (Id kinds that embed time, UUID v7 and
 * Snowflake, do follow ts, by design.)
 *
 * Defaults, and why:
 * - 1,000 servers, zipfian (theta 0.99) over them: real fleets have a few chatty servers, and that
 *   skew is what partitioning by server_id has to survive. The hottest server writes ~13% of events.
 * - Arrivals are a Poisson process (exponential gaps) at 1,000 events/s: many independent sources
 *   merge into a Poisson stream, and its bursts put several events in one millisecond, which
 *   exercises the (ts, event_id) clustering tie-break and the same-millisecond paths of UUID v7
 *   and Snowflake; evenly spaced events would hide both. Given `spanMs` instead of a rate, the
 *   stream is a Poisson process conditioned on its count: exactly `events` arrivals, all inside
 *   [startMs, startMs + spanMs), which is what a run that reports per hour of a day needs.
 * - Severity DEBUG 40%, INFO 45%, WARN 10%, ERROR 4.5%, FATAL 0.5%.
 * - Message size log-normal with median 200 bytes and sigma 1, clamped to [16, 65536]: a median
 *   single-line log entry (timestamp, level, logger, text) is a couple of hundred bytes, and sigma
 *   1 gives p90 ~720 B, p99 ~2 KiB and p99.9 ~4.4 KiB, the multi-line stack traces; mean ~330 B.
 * - Start 2026-01-01T00:00:00Z, so output does not depend on when it runs.
 * - Ids UUID v4: the common choice, and the one that spreads evenly under any token function.
 */
import { invalidConfig } from '../../engine/errors.js';
import type { Random } from '../../engine/random.js';
import { valueSizeBytes, type TableSpec, type Value } from '../../engine/row.js';
import { textByteLength } from '../../partitioners/key-bytes.js';
import {
  createDistribution,
  resolveDistribution,
  type Distribution,
  type DistributionFieldNames,
  type DistributionOptions,
  type DistributionSpec,
} from './distributions.js';
import { createIdGenerator, idKinds, TWITTER_EPOCH_MS, type IdKind } from './ids.js';

export const severities = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Severity = (typeof severities)[number];

/** One log event. A type alias (not an interface) so that it is assignable to `Row`. */
export type LogEvent = {
  readonly event_id: string;
  readonly server_id: string;
  /** Unix milliseconds, an integer. */
  readonly ts: number;
  readonly severity: Severity;
  /** Size of the message payload; the payload itself is not materialised. */
  readonly message_bytes: number;
};

/** Log-normal message sizes: exp(N(ln medianBytes, sigma^2)), rounded and clamped. */
export interface MessageSizeSpec {
  readonly medianBytes: number;
  readonly sigma: number;
  readonly minBytes: number;
  readonly maxBytes: number;
}

/** Raw options; every field is optional. */
export interface LogEventOptions {
  /** Events in the stream, >= 0. */
  readonly events?: number | undefined;
  /** Distinct servers K, named srv-00000 .. srv-(K-1). */
  readonly servers?: number | undefined;
  /** Which servers log how often; the item count is `servers`. */
  readonly serverDistribution?: Omit<DistributionOptions, 'items'> | undefined;
  readonly idKind?: IdKind | undefined;
  /** Unix ms the stream starts at; at a rate, the first event follows one gap later. */
  readonly startMs?: number | undefined;
  /**
   * Mean arrival rate of an open-ended Poisson process (the default, 1,000 events/s). Give this
   * or `spanMs`, not both.
   */
  readonly rateEventsPerSec?: number | undefined;
  /**
   * Spread the events over [startMs, startMs + spanMs) instead: arrival times are `events`
   * uniform times in the span, in ascending order (a Poisson process given its count).
   */
  readonly spanMs?: number | undefined;
  /**
   * Relative weights of the severities; they need not sum to 100. When given, a severity left out
   * weighs 0.
   */
  readonly severityMix?: Readonly<Partial<Record<Severity, number>>> | undefined;
  readonly messageBytes?: Partial<MessageSizeSpec> | undefined;
}

/**
 * Validated, fully defaulted options. Also valid as `LogEventOptions` (resolving is idempotent).
 * Exactly one of `rateEventsPerSec` and `spanMs` is set: it says how arrivals are drawn.
 */
export type ResolvedLogEventOptions = {
  readonly events: number;
  readonly servers: number;
  readonly serverDistribution: DistributionSpec;
  readonly idKind: IdKind;
  readonly startMs: number;
  readonly severityMix: Readonly<Record<Severity, number>>;
  readonly messageBytes: MessageSizeSpec;
} & Arrivals;

/** How arrival times are drawn: at a rate, open-ended, or `events` of them within a span. */
export type Arrivals =
  | { readonly rateEventsPerSec: number; readonly spanMs?: undefined }
  | { readonly spanMs: number; readonly rateEventsPerSec?: undefined };

export const DEFAULT_EVENTS = 100_000;
export const DEFAULT_SERVERS = 1_000;
/** A fleet beyond a million servers is out of scope: server ids are formatted up front. */
export const MAX_SERVERS = 1_000_000;
/** 2026-01-01T00:00:00Z. */
export const DEFAULT_START_MS = Date.UTC(2026, 0, 1);
export const DEFAULT_RATE_EVENTS_PER_SEC = 1_000;
export const DEFAULT_SEVERITY_MIX: Readonly<Record<Severity, number>> = {
  DEBUG: 40,
  INFO: 45,
  WARN: 10,
  ERROR: 4.5,
  FATAL: 0.5,
};
export const DEFAULT_MESSAGE_BYTES: MessageSizeSpec = {
  medianBytes: 200,
  sigma: 1,
  minBytes: 16,
  maxBytes: 65_536,
};
const DEFAULT_SERVER_DISTRIBUTION: Omit<DistributionOptions, 'items'> = { kind: 'zipfian' };
/** The distribution's options as errors name them here, nested in `serverDistribution`. */
const SERVER_DISTRIBUTION_FIELDS: DistributionFieldNames = {
  kind: 'serverDistribution.kind',
  items: 'servers',
  theta: 'serverDistribution.theta',
  hotDataFraction: 'serverDistribution.hotDataFraction',
  hotOpFraction: 'serverDistribution.hotOpFraction',
};
/** startMs must fit UUID v7's 48-bit millisecond field (until the year 10889). */
const MAX_START_MS = 2 ** 48 - 1;
const SNOWFLAKE_MS_LIMIT = 2 ** 41;

export function resolveLogEventOptions(raw: LogEventOptions = {}): ResolvedLogEventOptions {
  const events = raw.events ?? DEFAULT_EVENTS;
  if (!Number.isSafeInteger(events) || events < 0) {
    throw invalidConfig('events', `must be a non-negative integer, got ${events}`);
  }
  const servers = raw.servers ?? DEFAULT_SERVERS;
  if (!Number.isSafeInteger(servers) || servers < 1 || servers > MAX_SERVERS) {
    throw invalidConfig('servers', `must be an integer in [1, ${MAX_SERVERS}], got ${servers}`);
  }
  const serverDistribution = resolveDistribution(
    { ...(raw.serverDistribution ?? DEFAULT_SERVER_DISTRIBUTION), items: servers },
    SERVER_DISTRIBUTION_FIELDS,
  );
  const idKind = raw.idKind ?? 'uuid-v4';
  if (!(idKinds as readonly string[]).includes(idKind)) {
    throw invalidConfig('idKind', `must be one of ${idKinds.join(', ')}, got ${String(idKind)}`);
  }
  const startMs = raw.startMs ?? DEFAULT_START_MS;
  if (!Number.isSafeInteger(startMs) || startMs < 0 || startMs > MAX_START_MS) {
    throw invalidConfig('startMs', `must be an integer in [0, 2^48) unix ms, got ${startMs}`);
  }
  if (
    idKind === 'snowflake' &&
    (startMs < TWITTER_EPOCH_MS || startMs >= TWITTER_EPOCH_MS + SNOWFLAKE_MS_LIMIT)
  ) {
    throw invalidConfig(
      'startMs',
      `must be within 2^41 ms after the Snowflake epoch ${TWITTER_EPOCH_MS} for snowflake ids, got ${startMs}`,
    );
  }
  return {
    events,
    servers,
    serverDistribution,
    idKind,
    startMs,
    ...resolveArrivals(raw, idKind, startMs),
    severityMix: resolveSeverityMix(raw.severityMix),
    messageBytes: resolveMessageBytes(raw.messageBytes),
  };
}

function resolveArrivals(raw: LogEventOptions, idKind: IdKind, startMs: number): Arrivals {
  const { spanMs } = raw;
  if (spanMs === undefined) {
    const rateEventsPerSec = raw.rateEventsPerSec ?? DEFAULT_RATE_EVENTS_PER_SEC;
    if (!Number.isFinite(rateEventsPerSec) || rateEventsPerSec <= 0) {
      throw invalidConfig('rateEventsPerSec', `must be a positive number, got ${rateEventsPerSec}`);
    }
    return { rateEventsPerSec };
  }
  if (raw.rateEventsPerSec !== undefined) {
    throw invalidConfig('spanMs', 'and rateEventsPerSec both set the arrival times; give one');
  }
  if (!Number.isSafeInteger(spanMs) || spanMs < 1) {
    throw invalidConfig('spanMs', `must be a positive integer number of ms, got ${spanMs}`);
  }
  // Every event is stamped inside the span, so the span's last millisecond must be one the ids
  // can carry.
  const lastMs = startMs + spanMs - 1;
  if (lastMs > MAX_START_MS) {
    throw invalidConfig('spanMs', `must end by 2^48 unix ms (UUID v7's limit), got ${spanMs}`);
  }
  if (idKind === 'snowflake' && lastMs >= TWITTER_EPOCH_MS + SNOWFLAKE_MS_LIMIT) {
    throw invalidConfig(
      'spanMs',
      `must end within 2^41 ms after the Snowflake epoch ${TWITTER_EPOCH_MS} for snowflake ids, got ${spanMs}`,
    );
  }
  return { spanMs };
}

function resolveSeverityMix(
  raw: Readonly<Partial<Record<Severity, number>>> | undefined,
): Readonly<Record<Severity, number>> {
  if (raw === undefined) return DEFAULT_SEVERITY_MIX;
  for (const key of Object.keys(raw)) {
    if (!(severities as readonly string[]).includes(key)) {
      throw invalidConfig(`severityMix.${key}`, `is not a severity; use ${severities.join(', ')}`);
    }
  }
  const mix = {} as Record<Severity, number>;
  let total = 0;
  for (const severity of severities) {
    const weight = raw[severity] ?? 0;
    if (!Number.isFinite(weight) || weight < 0) {
      throw invalidConfig(
        `severityMix.${severity}`,
        `must be a non-negative number, got ${weight}`,
      );
    }
    mix[severity] = weight;
    total += weight;
  }
  if (total <= 0) throw invalidConfig('severityMix', 'must give some severity a positive weight');
  return mix;
}

function resolveMessageBytes(raw: Partial<MessageSizeSpec> | undefined): MessageSizeSpec {
  const spec = { ...DEFAULT_MESSAGE_BYTES, ...definedOnly(raw) };
  const { medianBytes, sigma, minBytes, maxBytes } = spec;
  if (!Number.isSafeInteger(minBytes) || minBytes < 0) {
    throw invalidConfig('messageBytes.minBytes', `must be a non-negative integer, got ${minBytes}`);
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < minBytes) {
    throw invalidConfig(
      'messageBytes.maxBytes',
      `must be an integer >= minBytes (${minBytes}), got ${maxBytes}`,
    );
  }
  if (!Number.isFinite(medianBytes) || medianBytes <= 0) {
    throw invalidConfig(
      'messageBytes.medianBytes',
      `must be a positive number, got ${medianBytes}`,
    );
  }
  if (!Number.isFinite(sigma) || sigma < 0) {
    throw invalidConfig('messageBytes.sigma', `must be a non-negative number, got ${sigma}`);
  }
  return { medianBytes, sigma, minBytes, maxBytes };
}

/** Drops keys whose value is undefined, so that spreading them over defaults keeps the default. */
function definedOnly<T extends object>(raw: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (raw === undefined) return out;
  for (const key of Object.keys(raw) as (keyof T)[]) {
    if (raw[key] !== undefined) out[key] = raw[key];
  }
  return out;
}

/** A single-pass stream of log events. */
export interface LogEventStream extends Iterable<LogEvent> {
  readonly options: ResolvedLogEventOptions;
  /** Events returned so far. */
  readonly emitted: number;
  /**
   * The next event, or undefined once `options.events` have been returned. Allocates only the
   * row (and its event_id string).
   */
  next(): LogEvent | undefined;
}

/**
 * The server_id of server number `index` (0-based) in a fleet of `servers`: `srv-` and the number
 * zero-padded to at least 5 digits (more for fleets over 100,000), so that ids sort in number
 * order and a server keeps its id when the fleet size changes within the width.
 */
export function serverIdOf(index: number, servers: number): string {
  const width = Math.max(5, String(servers - 1).length);
  return `srv-${String(index).padStart(width, '0')}`;
}

/** Resolves `options` and returns the stream it describes, drawing from forks of `random`. */
export function createLogEvents(options: LogEventOptions, random: Random): LogEventStream {
  const resolved = resolveLogEventOptions(options);
  const { events, severityMix, messageBytes } = resolved;

  const serverIds: string[] = [];
  for (let i = 0; i < resolved.servers; i++) serverIds.push(serverIdOf(i, resolved.servers));
  const servers: Distribution = createDistribution(
    resolved.serverDistribution,
    random.fork('servers'),
  );

  const ids = createIdGenerator(resolved.idKind, random.fork('ids'));

  const nextTs = arrivalClock(resolved, random.fork('ts'));

  // Cumulative severity thresholds over u in [0, 1). A zero-weight severity repeats the previous
  // threshold, so `u < threshold` never selects it; the last positive-weight severity takes all
  // that is left, so float rounding in the sums cannot select a zero-weight one after it.
  const severityRandom = random.fork('severity');
  const thresholds = new Float64Array(severities.length);
  let total = 0;
  for (const severity of severities) total += severityMix[severity];
  let cumulative = 0;
  let lastPositive = 0;
  severities.forEach((severity, i) => {
    cumulative += severityMix[severity];
    thresholds[i] = cumulative / total;
    if (severityMix[severity] > 0) lastPositive = i;
  });
  const nextSeverity = (): Severity => {
    const u = severityRandom.nextFloat();
    for (let i = 0; i < lastPositive; i++) if (u < thresholds[i]!) return severities[i]!;
    return severities[lastPositive]!;
  };

  // Log-normal sizes by Box-Muller (one normal per two uniforms; the pair's twin is dropped so
  // that every event consumes the same draws).
  const messageRandom = random.fork('message');
  const logMedian = Math.log(messageBytes.medianBytes);
  const { sigma, minBytes, maxBytes } = messageBytes;
  const nextMessageBytes = (): number => {
    const radius = Math.sqrt(-2 * Math.log(1 - messageRandom.nextFloat()));
    const normal = radius * Math.cos(2 * Math.PI * messageRandom.nextFloat());
    const size = Math.round(Math.exp(logMedian + sigma * normal));
    return size < minBytes ? minBytes : size > maxBytes ? maxBytes : size;
  };

  let emitted = 0;
  const next = (): LogEvent | undefined => {
    if (emitted >= events) return undefined;
    const ts = nextTs(emitted);
    emitted++;
    return {
      event_id: ids.next(ts),
      server_id: serverIds[servers.next()]!,
      ts,
      severity: nextSeverity(),
      message_bytes: nextMessageBytes(),
    };
  };

  return {
    options: resolved,
    get emitted() {
      return emitted;
    },
    next,
    [Symbol.iterator]: () => ({
      next: (): IteratorResult<LogEvent> => {
        const value = next();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
    }),
  };
}

/**
 * Arrival times, one per call with the number of events already emitted, drawing one uniform
 * each from `random` in either mode (so the mode changes no other column's draws).
 *
 * At a rate: exponential gaps of mean 1000 / rate ms. The clock accumulates exact gaps and ts is
 * its floor, so rounding never drifts the rate.
 *
 * Over a span: the order statistics of `events` uniforms on [0, 1), generated in ascending order
 * in one pass (the sequential method): the smallest of the m uniforms still to come, above the
 * previous one u, is u + (1 - u)(1 - V^(1/m)) for a uniform V. The survivor 1 - u is kept as its
 * logarithm, a sum of ln(V) / m, so that ten million steps lose no precision; ts is the floor of
 * u * span, clamped below the span's end (u rounds up to 1 only past ~1 - 2^-53).
 */
function arrivalClock(
  options: ResolvedLogEventOptions,
  random: Random,
): (emitted: number) => number {
  const { startMs, events } = options;
  if (options.spanMs === undefined) {
    const meanGapMs = 1000 / options.rateEventsPerSec;
    let elapsedMs = 0;
    return () => {
      elapsedMs -= Math.log(1 - random.nextFloat()) * meanGapMs;
      return startMs + Math.floor(elapsedMs);
    };
  }
  const { spanMs } = options;
  let logSurvivor = 0;
  return (emitted) => {
    logSurvivor += Math.log(1 - random.nextFloat()) / (events - emitted);
    const offsetMs = Math.floor(-Math.expm1(logSurvivor) * spanMs);
    return startMs + (offsetMs < spanMs ? offsetMs : spanMs - 1);
  };
}

/** The whole stream as an array, for tests and small runs. */
export function generateLogEvents(options: LogEventOptions, random: Random): LogEvent[] {
  const stream = createLogEvents(options, random);
  const rows: LogEvent[] = [];
  for (let row = stream.next(); row !== undefined; row = stream.next()) rows.push(row);
  return rows;
}

/**
 * The log_events table: rows in a partition ordered by time, event_id breaking ties. A row's size
 * is its columns' serialised sizes plus the message payload it stands for.
 */
export const logTable: TableSpec = {
  name: 'log_events',
  clustering: ['ts', 'event_id'],
  columns: ['event_id', 'server_id', 'ts', 'severity', 'message_bytes'],
  sizeOf: (row) => {
    const payload = row['message_bytes'];
    return (
      columnSize(row['event_id']) +
      columnSize(row['server_id']) +
      valueSizeBytes(row['ts']) +
      columnSize(row['severity']) +
      valueSizeBytes(payload) +
      (typeof payload === 'number' ? payload : 0)
    );
  },
};

/**
 * `valueSizeBytes`, with text through `textByteLength`: the write path has just encoded the
 * row's event_id to hash it, and its length is taken from there.
 */
function columnSize(value: Value | undefined): number {
  return typeof value === 'string' ? textByteLength(value) : valueSizeBytes(value);
}
