/**
 * The API-request workload: a seeded stream of requests { request_id, user_id, instance, seq,
 * ts, status, entry_bytes } served by several server instances, each of which logs every request
 * it serves, failures included.
 *
 * A request stream has the log-event stream's shape (an id, an owner drawn from a skewed
 * distribution, Poisson arrival times, a size), so the same generator draws it under other
 * names: UUID v4 request ids, zipfian users, arrivals at a rate, log-normal entry sizes; the
 * log's severity column becomes the status class (INFO 2xx, WARN 4xx, ERROR 5xx). The instance
 * that serves a request is drawn uniformly from a stream of its own, and `seq` numbers each
 * user's requests in the order they happened: the order the log must keep.
 *
 * Defaults: 500 users with zipfian skew 0.99 (a few heavy API clients), 4 instances, 93% of
 * requests succeed, 5% are client errors and 2% server errors, entries of about 250 bytes.
 */
import type { Random } from '../../engine/random.js';
import { valueSizeBytes, type TableSpec } from '../../engine/row.js';
import { createLogEvents, DEFAULT_START_MS, type Severity } from './log-events.js';

export type ApiRequest = {
  /** The request's id, assigned by the instance that served it; every log attempt carries it. */
  readonly request_id: string;
  readonly user_id: string;
  /** The serving instance, `api-0` ... */
  readonly instance: string;
  /** The user's requests numbered 1, 2, 3, ... in the order they happened. */
  readonly seq: number;
  /** Unix ms the request was served. */
  readonly ts: number;
  readonly status: number;
  readonly entry_bytes: number;
};

export interface ApiRequestOptions {
  readonly requests: number;
  readonly users: number;
  readonly theta: number;
  readonly instances: number;
  readonly ratePerSec: number;
  readonly startMs?: number;
}

export const STATUS_OF_SEVERITY: Readonly<Record<Severity, number>> = {
  DEBUG: 200,
  INFO: 200,
  WARN: 429,
  ERROR: 500,
  FATAL: 503,
};
const STATUS_MIX = { INFO: 93, WARN: 5, ERROR: 2 } as const;
const ENTRY_MEDIAN_BYTES = 250;
const ENTRY_SIGMA = 0.5;

export interface ApiRequestStream {
  next(): ApiRequest | undefined;
}

export function createApiRequests(options: ApiRequestOptions, random: Random): ApiRequestStream {
  const events = createLogEvents(
    {
      events: options.requests,
      servers: options.users,
      serverDistribution: { kind: 'zipfian', theta: options.theta },
      startMs: options.startMs ?? DEFAULT_START_MS,
      rateEventsPerSec: options.ratePerSec,
      severityMix: STATUS_MIX,
      messageBytes: { medianBytes: ENTRY_MEDIAN_BYTES, sigma: ENTRY_SIGMA },
    },
    random,
  );
  const instances = random.fork('instances');
  const instanceIds = Array.from({ length: options.instances }, (_, i) => `api-${i}`);
  const seqs = new Map<string, number>();
  return {
    next: () => {
      const event = events.next();
      if (event === undefined) return undefined;
      const user = `user-${event.server_id.slice('srv-'.length)}`;
      const seq = (seqs.get(user) ?? 0) + 1;
      seqs.set(user, seq);
      return {
        request_id: event.event_id,
        user_id: user,
        instance: instanceIds[instances.nextInt(instanceIds.length)]!,
        seq,
        ts: event.ts,
        status: STATUS_OF_SEVERITY[event.severity],
        entry_bytes: event.message_bytes,
      };
    },
  };
}

/**
 * One log entry as an instance writes it: the request's columns, the time the write was sent
 * (`logged_at`, as a `now()` on the instance would stamp it) and which attempt it is. A retry is
 * a new row (a later `logged_at`, the next attempt) with the same `request_id`, so a retried
 * write whose first attempt was applied after all shows up as a duplicate that can be told.
 */
export type ApiLogEntry = {
  readonly user_id: string;
  /** The request's time: it chooses the day partition, so every attempt lands in the same one. */
  readonly request_ts: number;
  readonly logged_at: number;
  readonly seq: number;
  readonly attempt: number;
  readonly request_id: string;
  readonly instance: string;
  readonly status: number;
  readonly entry_bytes: number;
};

export function logEntryOf(request: ApiRequest, attempt: number, loggedAt: number): ApiLogEntry {
  return {
    user_id: request.user_id,
    request_ts: request.ts,
    logged_at: loggedAt,
    seq: request.seq,
    attempt,
    request_id: request.request_id,
    instance: request.instance,
    status: request.status,
    entry_bytes: request.entry_bytes,
  };
}

/**
 * The api_usage_log table, partitioned by (user_id, day of request_ts) and clustered by the time
 * an entry was logged, the user's sequence number and the attempt breaking ties.
 */
export const apiLogTable: TableSpec = {
  name: 'api_usage_log',
  clustering: ['logged_at', 'seq', 'attempt'],
  columns: [
    'user_id',
    'request_ts',
    'logged_at',
    'seq',
    'attempt',
    'request_id',
    'instance',
    'status',
    'entry_bytes',
  ],
  sizeOf: (row) => {
    let size = 0;
    for (const key in row) size += valueSizeBytes(row[key]);
    const payload = row['entry_bytes'];
    return size + (typeof payload === 'number' ? payload : 0);
  },
};
