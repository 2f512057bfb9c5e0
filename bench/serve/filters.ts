/**
 * The ingest filter chain: an array of functions, each taking an entry and answering pass (maybe
 * with the entry changed), drop (the entry is not stored, and the client is told why: a 200, so
 * that a shipper does not retry it) or reject (429, with when to retry). The chain is built from
 * the resolved flags, in this order: level threshold, service allow and deny lists, per-service
 * rate limit, content masking. Filters see the server's ingest clock, never the wall clock, so a
 * run is deterministic.
 */
import { LOG_LEVELS, type LogLevel, type ServeFilterConfig } from './config.js';

export interface LogInput {
  readonly level: LogLevel;
  readonly service_name: string;
  readonly message: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly correlation_id?: string;
  readonly timestamp?: string;
}

export type FilterVerdict =
  | { readonly kind: 'pass'; readonly entry: LogInput }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'reject'; readonly reason: string; readonly retryAfterSeconds: number };

/** One filter: the entry and the ingest time (unix ms) to a verdict. */
export type LogFilter = (entry: LogInput, nowMs: number) => FilterVerdict;

export const levelRank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

export function levelThreshold(min: LogLevel): LogFilter {
  const floor = levelRank(min);
  return (entry) =>
    levelRank(entry.level) >= floor
      ? { kind: 'pass', entry }
      : { kind: 'drop', reason: `level ${entry.level} is below the threshold ${min}` };
}

export function serviceLists(allow: readonly string[], deny: readonly string[]): LogFilter {
  const allowed = new Set(allow);
  const denied = new Set(deny);
  return (entry) => {
    if (denied.has(entry.service_name)) {
      return { kind: 'drop', reason: `service ${entry.service_name} is on the deny list` };
    }
    if (allowed.size > 0 && !allowed.has(entry.service_name)) {
      return { kind: 'drop', reason: `service ${entry.service_name} is not on the allow list` };
    }
    return { kind: 'pass', entry };
  };
}

/**
 * A token bucket per service: `perSecond` entries a second, bursts up to one second's worth.
 * Services are forgotten when their bucket is full again, so memory follows the active ones.
 */
export function serviceRateLimit(perSecond: number): LogFilter {
  const capacity = Math.max(1, perSecond);
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return (entry, nowMs) => {
    const bucket = buckets.get(entry.service_name) ?? { tokens: capacity, atMs: nowMs };
    bucket.tokens = Math.min(
      capacity,
      bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * perSecond) / 1000,
    );
    bucket.atMs = nowMs;
    if (bucket.tokens < 1) {
      buckets.set(entry.service_name, bucket);
      return {
        kind: 'reject',
        reason: `service ${entry.service_name} is over its limit of ${perSecond} entries/s`,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)),
      };
    }
    bucket.tokens -= 1;
    buckets.set(entry.service_name, bucket);
    if (buckets.size > 10_000) {
      for (const [name, b] of buckets) if (b.tokens >= capacity - 1) buckets.delete(name);
    }
    return { kind: 'pass', entry };
  };
}

/** Replaces every match of each pattern in the message with `***`. */
export function contentMask(patterns: readonly string[]): LogFilter {
  const expressions = patterns.map((pattern) => new RegExp(pattern, 'g'));
  return (entry) => {
    let message = entry.message;
    for (const expression of expressions) message = message.replace(expression, '***');
    return { kind: 'pass', entry: message === entry.message ? entry : { ...entry, message } };
  };
}

/** The chain the flags ask for; a filter left at its default is not in it. */
export function filterChain(config: ServeFilterConfig): LogFilter[] {
  const chain: LogFilter[] = [];
  if (config.minLevel !== LOG_LEVELS[0]) chain.push(levelThreshold(config.minLevel));
  if (config.allowServices.length > 0 || config.denyServices.length > 0) {
    chain.push(serviceLists(config.allowServices, config.denyServices));
  }
  if (config.serviceRate > 0) chain.push(serviceRateLimit(config.serviceRate));
  if (config.mask.length > 0) chain.push(contentMask(config.mask));
  return chain;
}

/** Runs the chain: the first verdict other than pass ends it. */
export function runFilters(
  chain: readonly LogFilter[],
  entry: LogInput,
  nowMs: number,
): FilterVerdict {
  let current = entry;
  for (const filter of chain) {
    const verdict = filter(current, nowMs);
    if (verdict.kind !== 'pass') return verdict;
    current = verdict.entry;
  }
  return { kind: 'pass', entry: current };
}
