/**
 * The log store behind `ringlab serve`: one simulated cluster on the time plane, owned by the
 * server, and the mapping of HTTP requests onto its virtual time.
 *
 * Virtual time follows the wall clock, in one of two ways (`TimeMode`):
 *
 * - `wall` (what `ringlab serve` runs): the simulation runs at the wall clock's pace and never
 *   ahead of it. A request's operations are scheduled at the current virtual time (the
 *   milliseconds since the server started) and its answer waits until the simulation reaches
 *   their outcome, so a write's simulated 1 ms takes about 1 ms of wall time, a 2 s write
 *   timeout keeps the client waiting 2 s, and concurrent requests overlap in virtual time as
 *   they do on the wire. The simulation is driven by each arriving request and by a timer armed
 *   for the next event while any operation is pending.
 * - `stepped` (reproducible runs, and tests with a clock of their own): each request is settled
 *   before the next is taken, the virtual clock jumping ahead of the wall by the operation's
 *   latency when it must (it never runs back). The same seed, clock and request sequence then
 *   give the same ids, placement and answers.
 *
 * Log entries become rows of one table: `event_id` is the log id, `server_id` the service,
 * `ts` the ingest time (the id's millisecond), `severity` the level; the key strategy is any of
 * the registry's whose key a row has.
 */
import { levelRequirements, type ConsistencyLevel } from '../../engine/consistency.js';
import { createCoordinator } from '../../engine/coordinator.js';
import type { Partitioner, Query } from '../../engine/partitioner.js';
import { createRandom } from '../../engine/random.js';
import { replicatedOwnership } from '../../engine/replication.js';
import { genericTable, type Row } from '../../engine/row.js';
import { createTimeCoordinator, type TimeCoordinator } from '../../engine/time/coordinator.js';
import type { TimedQueryResult } from '../../engine/time/gather.js';
import { createLeaderFollower, type LeaderFollower } from '../../engine/time/leader-follower.js';
import { createSimulation, type Simulation } from '../../engine/time/simulation.js';
import { createPartitioner, getTokenFunction } from '../../partitioners/index.js';
import { placementOf, strategyOf, topologyOf } from '../cluster-config.js';
import { roundRobin } from '../katas/time-plane.js';
import { createSnowflake, decodeSnowflake } from '../workloads/ids.js';
import type { LogLevel, ServeConfig, TimeMode } from './config.js';
import { levelRank, type LogInput } from './filters.js';
import { newestOf } from './newest.js';

/** A log as the API returns it. */
export interface StoredLog {
  readonly log_id: string;
  readonly level: LogLevel;
  readonly service_name: string;
  readonly message: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly correlation_id?: string;
  /** The client's timestamp, or the ingest time when it gave none (ISO 8601). */
  readonly timestamp: string;
  /** When the server accepted it (ISO 8601): the id's millisecond, the order logs are listed in. */
  readonly ingested_at: string;
}

/** Definite: the level could not be met, nothing was applied (Cassandra's Unavailable). */
export interface UnavailableOutcome {
  readonly kind: 'unavailable';
  readonly cl: ConsistencyLevel;
  readonly required: number;
  readonly alive: number;
}

/** Indefinite: too few replicas answered in time; a write may have been applied. */
export interface TimeoutOutcome {
  readonly kind: 'timeout';
  readonly cl: ConsistencyLevel;
  readonly received: number;
  readonly blockFor: number;
}

/** Definite: the stored logs are at their memory budget (`--max-stored-mib`); nothing was stored. */
export interface FullOutcome {
  readonly kind: 'full';
  readonly limitBytes: number;
  readonly usedBytes: number;
}

export type WriteOutcome =
  | { readonly kind: 'ok'; readonly log: StoredLog }
  | UnavailableOutcome
  | FullOutcome
  | (TimeoutOutcome & { readonly log_id: string });

export interface LogQuery {
  readonly service_name?: string | undefined;
  readonly level?: LogLevel | undefined;
  readonly min_level?: LogLevel | undefined;
  readonly correlation_id?: string | undefined;
  /** Ingest time bounds, unix ms: [start, end]. */
  readonly start_ms?: number | undefined;
  readonly end_ms?: number | undefined;
  readonly limit: number;
  /** Only logs older than this id (the last id of the previous page). */
  readonly cursor?: string | undefined;
}

export type ReadFailure = UnavailableOutcome | TimeoutOutcome;

/** A lookup that found nothing while some ranges could not answer: the log may exist. */
export interface IncompleteOutcome {
  readonly kind: 'incomplete';
  readonly cl: ConsistencyLevel;
  readonly required: number;
  readonly failedRanges: number;
}

export type QueryOutcome =
  | {
      readonly kind: 'ok';
      readonly logs: readonly StoredLog[];
      readonly next_cursor: string | null;
      readonly complete: boolean;
      readonly partitions_contacted: number;
      /** What could not answer at the level, when not complete: how many, and the first few. */
      readonly failed_ranges?: { readonly count: number; readonly first: readonly string[] };
    }
  | ReadFailure;

export type GetOutcome =
  { readonly kind: 'ok'; readonly log: StoredLog | undefined } | ReadFailure | IncompleteOutcome;

export interface NodeState {
  readonly id: string;
  readonly dc: string;
  readonly rack: string;
  /** Running (the truth); `believed_up` is what coordinators see through the failure detector. */
  readonly up: boolean;
  readonly believed_up: boolean;
  readonly slowdown: number;
  /** Fraction of the ring's data it holds a replica of. */
  readonly ownership: number;
  readonly rows: number;
  readonly writes: number;
  readonly reads: number;
  readonly write_queue: number;
}

export interface LogStore {
  readonly config: ServeConfig;
  readonly nodeIds: readonly string[];
  /** Runs the simulation up to the wall clock; called before each request. */
  catchUp(): void;
  /** The ingest time now, unix ms. */
  nowMs(): number;
  /** Virtual ms since the store started. */
  virtualMs(): number;
  /** Writes entries at one virtual instant; outcomes in entry order, once all have settled. */
  write(entries: readonly LogInput[]): Promise<WriteOutcome[]>;
  query(query: LogQuery): Promise<QueryOutcome>;
  get(id: string): Promise<GetOutcome>;
  /** Operations scheduled and not yet settled. */
  readonly pending: number;
  /** Stops the timer that drives the simulation (wall mode); pending operations stay pending. */
  stop(): void;
  /** Puts logs a journal held back, on every replica, before the server serves. */
  restore(logs: readonly StoredLog[]): void;
  nodes(): NodeState[];
  crash(id: string): void;
  recover(id: string): void;
  slow(id: string, factor: number): void;
  /** Stored logs, as the latest ids tell: how many were acknowledged since start. */
  readonly stats: { acknowledged: number; restored: number };
  /** What the logs that may be stored take, by `storedBytes`, against the budget. */
  readonly usage: {
    readonly usedBytes: number;
    readonly limitBytes: number;
    readonly logs: number;
  };
}

/** Of the token ranges or partitions a query could not read, how many an answer names. */
const FAILED_RANGES_LISTED = 10;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The heap one more log costs, beyond its strings: the row object, its slot in each replica's
 * partition and the shared bookkeeping. Measured with the default cluster (6 nodes, rf 3) after
 * a full GC (`test/serve/memory.test.ts` holds the estimate to the heap): 453 bytes a log with
 * `server-day` and 2 metadata fields, of which about 130 are its text.
 */
const LOG_OVERHEAD_BYTES = 320;
/**
 * What a partition of its own costs on each replica, for a strategy that gives every log one
 * (`hash-event-id`: 804 bytes a log at rf 3 in the same measurement).
 */
const PARTITION_OVERHEAD_BYTES = 120;

/** The per-log overhead of a config: more when every log is a partition of its own. */
export function logOverheadBytes(config: ServeConfig): number {
  return (
    LOG_OVERHEAD_BYTES +
    (config.strategy === 'hash-event-id' ? config.cluster.rf * PARTITION_OVERHEAD_BYTES : 0)
  );
}

/** A log's estimated share of the heap: the overhead and its text (one byte a character). */
export function storedBytes(
  entry: LogInput,
  metadataText: string | undefined,
  overheadBytes: number,
): number {
  return (
    overheadBytes +
    19 + // the id's digits
    entry.message.length +
    entry.service_name.length +
    (metadataText?.length ?? 0) +
    (entry.correlation_id?.length ?? 0) +
    (entry.timestamp?.length ?? 0)
  );
}

const metadataTexts = new WeakMap<object, string>();
/**
 * A log's metadata as the JSON text the row keeps, made once per object: the server measures it
 * against its limit before the store writes it.
 */
export function metadataJson(metadata: Readonly<Record<string, unknown>>): string {
  let text = metadataTexts.get(metadata);
  if (text === undefined) {
    text = JSON.stringify(metadata);
    metadataTexts.set(metadata, text);
  }
  return text;
}

const logTable = genericTable('logs', ['ts', 'event_id']);

export interface StoreOptions {
  /** The wall clock, unix ms; tests pass a fixed one. */
  readonly clock?: () => number;
  /** How virtual time follows the clock (see the module's comment); default `wall`. */
  readonly time?: TimeMode;
}

export function createLogStore(config: ServeConfig, options: StoreOptions = {}): LogStore {
  const clock = options.clock ?? Date.now;
  const mode: TimeMode = options.time ?? 'wall';
  const cluster = config.cluster;
  const root = createRandom(cluster.seed);
  const partitioner: Partitioner = createPartitioner(config.strategy, {
    tokenFunction: getTokenFunction(cluster.partitioner),
    salt: config.salt,
    bucketMs: 1000,
    startMs: 0,
    spanMs: 1,
  });
  const placement = placementOf(cluster, root);
  const sim: Simulation = createSimulation({
    placement,
    partitioner,
    table: logTable,
    storage: 'rows',
    random: root.fork('simulation'),
  });
  const { scheduler } = sim;
  const topology = topologyOf(cluster);
  const nodeIds = topology.map((node) => node.id);
  const coordinators: TimeCoordinator[] = nodeIds.map((node) =>
    createTimeCoordinator(sim, { node }),
  );
  const next = roundRobin(sim, coordinators);
  const leaderFollower: LeaderFollower | undefined =
    config.replicationMode === 'leader-follower' ? createLeaderFollower(sim) : undefined;
  const writeCl: ConsistencyLevel = leaderFollower === undefined ? config.cl : 'ONE';
  const readCl: ConsistencyLevel = leaderFollower === undefined ? config.cl : 'ONE';
  const requirement = levelRequirements(strategyOf(cluster), topology[0]!.dc);
  const ownership = replicatedOwnership(placement);
  const ids = createSnowflake();
  const epochMs = clock();
  // Whole milliseconds since the start: the simulation moves in steps of one, running each
  // millisecond's events together (cheaper, under load, than a few at every request, which
  // fractional wall time would give, at the price of up to 1 ms on an answer).
  const elapsed = (): number => clock() - epochMs;
  /** Ingest times never go below this: past every restored log's. */
  let floorMs = 0;
  let oldestMs = Infinity;
  let newestMs = -Infinity;
  const stats = { acknowledged: 0, restored: 0 };
  const usage = { usedBytes: 0, limitBytes: config.maxStoredBytes, logs: 0 };
  const overhead = logOverheadBytes(config);

  const virtualMs = (): number => scheduler.now;
  const nowMs = (): number => Math.max(epochMs + Math.floor(scheduler.now), floorMs);
  const catchUp = (): void => {
    const wall = elapsed();
    if (wall > scheduler.now) sim.runUntil(wall);
  };
  /** Runs the scheduler until `settled()`; an operation always settles by its timeout. */
  const settle = (settled: () => boolean): void => {
    while (!settled()) {
      const at = scheduler.nextTime();
      if (!Number.isFinite(at)) throw new Error('a simulated operation never settled');
      sim.runUntil(at);
    }
  };

  /** Operations scheduled whose outcome is not in yet. */
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /**
   * Moves the simulation on after operations were scheduled or the timer fired: to the wall
   * clock, then (stepped) until every pending operation has settled, or (wall) arms the timer
   * for the next event while any is pending.
   */
  const pump = (): void => {
    catchUp();
    if (pending === 0) return;
    if (mode === 'stepped') {
      settle(() => pending === 0);
      return;
    }
    if (timer !== undefined || stopped) return;
    const wait = Math.max(0, Math.ceil(scheduler.nextTime() - elapsed()));
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, wait);
  };

  const rowOf = (log: StoredLog, ts: number): Row => {
    const row: Record<string, string | number> = {
      event_id: log.log_id,
      server_id: log.service_name,
      ts,
      severity: log.level,
      message: log.message,
      timestamp: log.timestamp,
    };
    if (log.metadata !== undefined) row['metadata'] = metadataJson(log.metadata);
    if (log.correlation_id !== undefined) row['correlation_id'] = log.correlation_id;
    return row;
  };
  const logOf = (row: Row): StoredLog => {
    const metadata = row['metadata'];
    const correlation = row['correlation_id'];
    return {
      log_id: row['event_id'] as string,
      level: row['severity'] as LogLevel,
      service_name: row['server_id'] as string,
      message: row['message'] as string,
      ...(metadata === undefined
        ? {}
        : { metadata: JSON.parse(metadata as string) as Record<string, unknown> }),
      ...(correlation === undefined ? {} : { correlation_id: correlation as string }),
      timestamp: row['timestamp'] as string,
      ingested_at: new Date(row['ts'] as number).toISOString(),
    };
  };
  /** Consecutive logs mostly share a millisecond: its ISO text is made once. */
  let isoMs = NaN;
  let isoText = '';
  const isoOf = (ms: number): string => {
    if (ms !== isoMs) {
      isoMs = ms;
      isoText = new Date(ms).toISOString();
    }
    return isoText;
  };
  const seen = (ts: number): void => {
    if (ts < oldestMs) oldestMs = ts;
    if (ts > newestMs) newestMs = ts;
  };

  /** Counts an operation as pending until `done` is called with its outcome. */
  const track = <T>(done: (value: T) => void): ((value: T) => void) => {
    pending++;
    return (value) => {
      pending--;
      done(value);
    };
  };

  const write = (entries: readonly LogInput[]): Promise<WriteOutcome[]> => {
    if (entries.length === 0) return Promise.resolve([]);
    // The store keeps its own time: writes are placed at now, whoever calls.
    catchUp();
    let resolve!: (outcomes: WriteOutcome[]) => void;
    const all = new Promise<WriteOutcome[]>((done) => (resolve = done));
    const outcomes: (WriteOutcome | undefined)[] = entries.map(() => undefined);
    let open = entries.length;
    entries.forEach((entry, i) => {
      const metadataText = entry.metadata === undefined ? undefined : metadataJson(entry.metadata);
      const bytes = storedBytes(entry, metadataText, overhead);
      if (usage.usedBytes + bytes > usage.limitBytes) {
        outcomes[i] = { kind: 'full', limitBytes: usage.limitBytes, usedBytes: usage.usedBytes };
        if (--open === 0) resolve(outcomes as WriteOutcome[]);
        return;
      }
      // Reserved now, so that writes in flight together cannot pass the budget; given back
      // when the write is refused (a timed-out write may be stored, and keeps its share).
      usage.usedBytes += bytes;
      usage.logs++;
      const id = ids.next(nowMs());
      const ts = ids.lastTsMs;
      const ingested = isoOf(ts);
      // Built field by field (not spread) in the order the API lists a log's fields.
      const log = {
        log_id: id,
        level: entry.level,
        service_name: entry.service_name,
        message: entry.message,
      } as Mutable<StoredLog>;
      if (entry.metadata !== undefined) log.metadata = entry.metadata;
      if (entry.correlation_id !== undefined) log.correlation_id = entry.correlation_id;
      log.timestamp = entry.timestamp ?? ingested;
      log.ingested_at = ingested;
      const row = rowOf(log, ts);
      const finish = track((outcome: WriteOutcome): void => {
        outcomes[i] = outcome;
        // A timed-out write may be stored: its id must stay findable.
        if (outcome.kind === 'unavailable') {
          usage.usedBytes -= bytes;
          usage.logs--;
        } else seen(ts);
        if (outcome.kind === 'ok') stats.acknowledged++;
        if (--open === 0) resolve(outcomes as WriteOutcome[]);
      });
      if (leaderFollower !== undefined) {
        const from = next()?.node ?? 0;
        leaderFollower.write(from, row, (result) => {
          if (result.kind === 'ok') finish({ kind: 'ok', log });
          else if (result.kind === 'unavailable') {
            finish({ kind: 'unavailable', cl: 'ONE', required: 1, alive: 0 });
          } else finish({ kind: 'timeout', log_id: id, cl: 'ONE', received: 0, blockFor: 1 });
        });
        return;
      }
      const coordinator = next();
      if (coordinator === undefined) {
        finish({ kind: 'unavailable', cl: writeCl, required: requirement(writeCl), alive: 0 });
        return;
      }
      coordinator.write(row, writeCl, (result) => {
        if (result.kind === 'ok') finish({ kind: 'ok', log });
        else if (result.kind === 'unavailable') {
          finish({
            kind: 'unavailable',
            cl: result.cl,
            required: result.required,
            alive: result.alive,
          });
        } else {
          finish({
            kind: 'timeout',
            log_id: id,
            cl: result.cl,
            received: result.received,
            blockFor: result.blockFor,
          });
        }
      });
    });
    if (open > 0) pump();
    return all;
  };

  /** One query through a coordinator, answered once it has settled. */
  const gather = (query: Query): Promise<TimedQueryResult | { kind: 'none' }> => {
    const coordinator = next();
    if (coordinator === undefined) return Promise.resolve({ kind: 'none' });
    catchUp();
    return new Promise((resolve) => {
      coordinator.query(query, readCl, { partial: 'allow' }, track(resolve));
      pump();
    });
  };

  const failure = (
    result: Exclude<TimedQueryResult, { kind: 'ok' }> | { kind: 'none' },
  ): ReadFailure =>
    result.kind === 'none'
      ? { kind: 'unavailable', cl: readCl, required: requirement(readCl), alive: 0 }
      : result.kind === 'unavailable'
        ? { kind: 'unavailable', cl: result.cl, required: result.required, alive: result.alive }
        : { kind: 'timeout', cl: result.cl, received: result.received, blockFor: result.blockFor };

  const query = async (q: LogQuery): Promise<QueryOutcome> => {
    const where: Record<string, string> = {};
    if (q.service_name !== undefined) where['server_id'] = q.service_name;
    if (q.level !== undefined) where['severity'] = q.level;
    if (q.correlation_id !== undefined) where['correlation_id'] = q.correlation_id;
    const cursorMs = q.cursor === undefined ? Infinity : decodeSnowflake(q.cursor).tsMs;
    // The range is bounded by what is stored, so that a time-keyed strategy lists only the
    // partitions that can hold a match.
    const from = Math.max(q.start_ms ?? -Infinity, oldestMs);
    const to = Math.min((q.end_ms ?? Infinity) + 1, cursorMs + 1, newestMs + 1);
    if (!(from < to)) {
      return { kind: 'ok', logs: [], next_cursor: null, complete: true, partitions_contacted: 0 };
    }
    const result = await gather({ where, range: { column: 'ts', from, to } });
    if (result.kind !== 'ok') return failure(result);
    const floor = q.min_level === undefined ? 0 : levelRank(q.min_level);
    const cursor = q.cursor;
    const { newest: page, more } = newestOf(
      result.rows,
      q.limit,
      (row) => row['event_id'] as string,
      (row) =>
        (cursor === undefined || (row['event_id'] as string) < cursor) &&
        levelRank(row['severity'] as LogLevel) >= floor,
    );
    return {
      kind: 'ok',
      logs: page.map(logOf),
      next_cursor: more ? (page[page.length - 1]!['event_id'] as string) : null,
      complete: result.complete,
      partitions_contacted: result.partitions,
      ...(result.complete
        ? {}
        : {
            failed_ranges: {
              count: result.failedRanges.length,
              first: result.failedRanges
                .slice(0, FAILED_RANGES_LISTED)
                .map((f) => `${f.range} (${f.reason})`),
            },
          }),
    };
  };

  const get = async (id: string): Promise<GetOutcome> => {
    const ts = decodeSnowflake(id).tsMs;
    if (!(ts >= oldestMs && ts <= newestMs)) return { kind: 'ok', log: undefined };
    const result = await gather({
      where: { event_id: id },
      range: { column: 'ts', from: ts, to: ts + 1 },
    });
    if (result.kind !== 'ok') return failure(result);
    const row = result.rows[0];
    if (row === undefined && !result.complete) {
      return {
        kind: 'incomplete',
        cl: readCl,
        required: requirement(readCl),
        failedRanges: result.failedRanges.length,
      };
    }
    return { kind: 'ok', log: row === undefined ? undefined : logOf(row) };
  };

  const restore = (logs: readonly StoredLog[]): void => {
    const direct = createCoordinator(sim.cluster);
    for (const log of logs) {
      const ts = Date.parse(log.ingested_at);
      direct.write(rowOf(log, ts), 'ALL');
      usage.usedBytes += storedBytes(
        log,
        log.metadata === undefined ? undefined : metadataJson(log.metadata),
        overhead,
      );
      usage.logs++;
      seen(ts);
      floorMs = Math.max(floorMs, ts + 1);
      stats.restored++;
    }
  };

  const slowdowns = nodeIds.map(() => 1);
  return {
    config,
    nodeIds,
    catchUp,
    nowMs,
    virtualMs,
    write,
    query,
    get,
    get pending() {
      return pending;
    },
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    restore,
    nodes: () =>
      topology.map((node, i) => {
        const stored = sim.cluster.nodes[i]!;
        return {
          id: node.id,
          dc: node.dc,
          rack: node.rack,
          up: sim.running[i] === 1,
          believed_up: sim.detector.believedUp[i] === 1,
          slowdown: slowdowns[i]!,
          ownership: Math.round(ownership[i]! * 1e6) / 1e6,
          rows: stored.rows,
          writes: stored.writes,
          reads: stored.reads,
          write_queue: sim.stages[i]!.writes.queued,
        };
      }),
    crash: (id) => sim.crash(id),
    recover: (id) => sim.recover(id),
    slow: (id, factor) => {
      sim.slow(id, factor);
      slowdowns[sim.nodeIndex(id)] = factor;
    },
    stats,
    usage,
  };
}
