/**
 * Scatter/gather on the time plane: a query that spans partitions, answered as the data plane
 * answers it (the key's route, a filtering scan, a local index or a global index; the same plan,
 * from the same plug-ins) but with messages, queues, timeouts and failures.
 *
 * - Listed partitions (and a global index's partitions, then the base rows they name) are read
 *   in parallel, each at the level.
 * - Every range (a filtering scan or a local index) is read as Cassandra's range reads are:
 *   ranges in token order, in batches whose size starts at ceil(limit / rows-per-range estimate,
 *   reduced by 10%) and then follows the rows returned so far, capped; or every range at once.
 *   Each range is asked of `blockFor` replicas and must meet the level. A batch stops being sent
 *   once the limit is reached.
 * - A failed range fails the query by default (`partial: 'fail'`, as Cassandra does); with
 *   `partial: 'allow'` the query returns what it gathered, marked incomplete, naming the failed
 *   ranges. Never silently partial.
 */
import type { ConsistencyLevel } from '../consistency.js';
import type { QueryPlanKind } from '../coordinator.js';
import { mergeCopies, type Partition } from '../node.js';
import type { PartitionKey } from '../partitioner.js';
import {
  checkFilterColumns,
  matchesFilter,
  validateQuery,
  type Query,
  type RowFilter,
} from '../query.js';
import { baseRowsNamed, namedBy, type Unavailable } from '../replica-reads.js';
import { rangeAt, type Ring } from '../ring.js';
import { compareValues, type Row } from '../row.js';
import { newTokenParts } from '../token.js';
import type { CoordinatorCore, ReadTimeout, TimedReadResult } from './coordinator.js';

export interface GatherOptions {
  /** `adaptive` walks ranges in batches as Cassandra does; `all` asks every range at once. */
  readonly fanout?: 'adaptive' | 'all';
  /** `fail`: a failed range fails the query; `allow`: return what was gathered, marked. */
  readonly partial?: 'fail' | 'allow';
  /** The cap on ranges in flight (Cassandra: cores x 10); default 160. */
  readonly maxConcurrency?: number;
}

export type TimedQueryResult =
  | {
      readonly kind: 'ok';
      readonly rows: readonly Row[];
      /** False when some ranges or partitions failed and `partial: 'allow'` returned the rest. */
      readonly complete: boolean;
      /** The ranges `(start, end]` (or partitions) that failed, and why. */
      readonly failedRanges: readonly { readonly range: string; readonly reason: string }[];
      /** Replica requests sent, speculative retries included. */
      readonly contacted: number;
      readonly partitions: number;
      readonly rangesQueried: number;
      readonly plan: QueryPlanKind;
      /** Global index entries whose base row no longer matched (stale, or not yet updated). */
      readonly staleEntries: number;
      readonly latencyMs: number;
    }
  | Unavailable
  | ReadTimeout;

const DEFAULT_MAX_CONCURRENCY = 160;

export function createGather(core: CoordinatorCore) {
  const { sim } = core;
  const { scheduler, cluster, serviceMs } = sim;
  const rf = cluster.placement.rf;
  const { table, partitioner } = cluster;

  /** Reads keys in parallel (each up to `limit` rows); calls back with the results in key order. */
  const readAll = (
    store: 'base' | 'index',
    keys: readonly PartitionKey[],
    cl: ConsistencyLevel,
    done: (results: TimedReadResult[]) => void,
    limit?: number,
  ): void => {
    const results: TimedReadResult[] = new Array<TimedReadResult>(keys.length);
    let left = keys.length;
    if (left === 0) return done([]);
    keys.forEach((key, i) => {
      core.readFrom(
        store,
        key,
        cl,
        (result) => {
          results[i] = result;
          if (--left === 0) done(results);
        },
        limit,
      );
    });
  };

  return function query(
    q: Query,
    cl: ConsistencyLevel,
    options: GatherOptions,
    done: (result: TimedQueryResult) => void,
  ): void {
    validateQuery(q);
    const need = core.requirement(cl);
    const route = partitioner.route(q);
    const filter = route.filter;
    checkFilterColumns(filter, table.columns, table.name);
    const limit = q.limit ?? Infinity;
    const allowPartial = options.partial === 'allow';
    const start = scheduler.now;
    const failed: { range: string; reason: string }[] = [];
    let contacted = 0;

    const rowsOf = (partitionRows: readonly (readonly Row[])[]): Row[] => {
      const rows: Row[] = [];
      for (const found of partitionRows) {
        for (const row of found) {
          if (rows.length >= limit) return rows;
          if (matchesFilter(row, filter)) rows.push(row);
        }
      }
      return rows;
    };

    const finishOk = (
      plan: QueryPlanKind,
      partitionRows: readonly (readonly Row[])[],
      partitions: number,
      rangesQueried: number,
      staleEntries = 0,
    ): void =>
      done({
        kind: 'ok',
        rows: rowsOf(partitionRows),
        complete: failed.length === 0,
        failedRanges: failed,
        contacted,
        partitions,
        rangesQueried,
        plan,
        staleEntries,
        latencyMs: scheduler.now - start,
      });

    /** A failed read of one partition: fails the query, or is noted when partial results are allowed. */
    const failedRead = (key: PartitionKey, result: TimedReadResult): boolean => {
      if (result.kind === 'ok') {
        contacted += result.contacted;
        return false;
      }
      if (!allowPartial) {
        done(result.kind === 'timeout' ? { ...result, latencyMs: scheduler.now - start } : result);
        return true;
      }
      failed.push({ range: `partition ${key.text}`, reason: result.kind });
      return false;
    };

    /** Checks every key before anything is sent, so that `unavailable` stays definite. */
    const listed = (keys: readonly PartitionKey[]): Unavailable | undefined => {
      for (const key of keys) {
        const unmet = core.unavailable(core.positionOf(key), cl, need);
        if (unmet !== undefined && !allowPartial) return unmet;
      }
      return undefined;
    };

    if (route.kind === 'partitions') {
      const refused = listed(route.keys);
      if (refused !== undefined) return done(refused);
      // When the key pins the filter, each replica may stop after `limit` rows.
      const perPartition = route.exact === true ? limit : Infinity;
      readAll(
        'base',
        route.keys,
        cl,
        (results) => {
          const partitionRows: Row[][] = [];
          for (let i = 0; i < results.length; i++) {
            const result = results[i]!;
            if (failedRead(route.keys[i]!, result)) return;
            if (result.kind === 'ok') partitionRows.push([...result.rows]);
          }
          finishOk('partitions', partitionRows, route.keys.length, 0);
        },
        perPartition,
      );
      return;
    }

    const plan = cluster.index?.plan(filter) ?? { kind: 'filtering-scan' as const };
    if (plan.kind === 'global') {
      const refused = listed(plan.keys);
      if (refused !== undefined) return done(refused);
      readAll('index', plan.keys, cl, (entryResults) => {
        const entries: Row[] = [];
        for (let i = 0; i < entryResults.length; i++) {
          const result = entryResults[i]!;
          if (failedRead(plan.keys[i]!, result)) return;
          if (result.kind === 'ok') entries.push(...result.rows);
        }
        const named = baseRowsNamed(entries, table.clustering);
        const keys = named.map(({ key }) => key);
        readAll('base', keys, cl, (baseResults) => {
          const partitionRows: Row[][] = [];
          let stale = 0;
          for (let i = 0; i < baseResults.length; i++) {
            const result = baseResults[i]!;
            if (failedRead(keys[i]!, result)) return;
            if (result.kind !== 'ok') continue;
            // The base rows are the truth: an entry whose row no longer matches is dropped.
            const pointed = result.rows.filter((row) =>
              namedBy(named[i]!.rows, row, table.clustering),
            );
            const live = pointed.filter((row) => matchesFilter(row, filter));
            stale += named[i]!.rows.length - live.length;
            partitionRows.push(live);
          }
          finishOk('global-index', partitionRows, keys.length, 0, stale);
        });
      });
      return;
    }

    // Every range: a filtering scan, or a local index answering on each replica.
    const pick =
      plan.kind === 'local'
        ? (row: Row) => compareValues(row[plan.column], plan.value) === 0
        : undefined;
    const planKind: QueryPlanKind = plan.kind === 'local' ? 'local-index' : 'filtering-scan';
    // The ranges of the placement in force when the query starts, for every range it reads,
    // however the placement changes while it runs.
    const placement = cluster.placement;
    const ring = placement.ring;
    for (let position = 0; position < ring.size; position++) {
      const unmet = core.unavailable(position, cl, need, placement);
      if (unmet !== undefined && !allowPartial) return done(unmet);
    }
    const byRange = partitionsByRange(ring);
    const results: (Row[][] | undefined)[] = new Array<Row[][] | undefined>(ring.size);
    const read: number[] = new Array<number>(ring.size).fill(0);
    const cap = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    const storedRows = cluster.nodes.reduce((sum, node) => sum + node.rows, 0) / rf;
    const perRange = Math.max(1, (storedRows / ring.size) * 0.9);
    let concurrency =
      options.fanout === 'all'
        ? ring.size
        : Math.min(cap, Math.max(1, Number.isFinite(limit) ? Math.ceil(limit / perRange) : cap));
    let next = 0;
    let inFlight = 0;
    let returned = 0;
    let stopped = false;

    const describeRange = (position: number): string => {
      const { start: from, end } = rangeAt(ring, position);
      return `(${from}, ${end}]`;
    };

    // While a batch is being sent, a range that fails at once (too few replicas believed up,
    // with partial answers allowed) must not start the next batch from inside this one.
    let sending = false;
    const sendBatch = (): void => {
      const batch = Math.min(concurrency, ring.size - next);
      if (batch <= 0 || returned >= limit) {
        if (inFlight === 0) finishRanges();
        return;
      }
      sending = true;
      for (let i = 0; i < batch && next < ring.size && !stopped; i++) readRange(next++);
      sending = false;
      if (inFlight === 0) batchDone();
    };

    const batchDone = (): void => {
      if (inFlight > 0 || stopped || sending) return;
      if (options.fanout !== 'all') {
        concurrency =
          returned === 0
            ? cap
            : Math.min(cap, Math.max(1, Math.ceil((limit - returned) / (returned / next))));
        if (!Number.isFinite(concurrency)) concurrency = cap;
      }
      sendBatch();
    };

    const finishRanges = (): void => {
      if (stopped) return;
      stopped = true;
      const partitionRows = results.flatMap((found) => found ?? []);
      const partitions = read.reduce((sum, n) => sum + n, 0);
      finishOk(planKind, partitionRows, partitions, next);
    };

    const readRange = (position: number): void => {
      if (stopped) return;
      inFlight++;
      const candidates = core.candidatesAt(position, cl, placement);
      if (candidates.length < need) {
        // A replica was convicted while the query ran: the range cannot meet the level.
        inFlight--;
        if (!allowPartial) {
          stopped = true;
          return done({ kind: 'unavailable', cl, required: need, alive: candidates.length });
        }
        failed.push({ range: describeRange(position), reason: 'unavailable' });
        return batchDone();
      }
      // What each asked replica held in the range, and which of its partitions had a match.
      const answers: { held: readonly [string, Partition][]; hits: readonly boolean[] }[] = [];
      let answered = 0;
      let over = false;
      const timer = sim.afterTimeout('rangeMs', () => {
        if (over || stopped) return;
        over = true;
        inFlight--;
        if (!allowPartial) {
          stopped = true;
          return done({
            kind: 'timeout',
            cl,
            received: answered,
            blockFor: need,
            dataPresent: answered > 0,
            latencyMs: scheduler.now - start,
          });
        }
        failed.push({ range: describeRange(position), reason: 'timeout' });
        batchDone();
      });
      for (const replica of candidates.slice(0, need)) {
        contacted++;
        const held = byRange[replica]!.get(position) ?? [];
        // What the replica reads: every row for a scan, only the matches when a local index
        // answers. Counted when the request is served; a partition with no match costs nothing.
        // Rows the replica reads in each partition (its cost), and whether any of them passes
        // the query's filter (only those partitions are merged; a scan's other rows are read
        // and thrown away on the replica, as a filtering scan does).
        let matched: number[] = [];
        let hits: boolean[] = [];
        core.request(
          replica,
          'reads',
          () => {
            // A replica's local index knows its matches per partition; without one, it counts.
            const index = cluster.nodes[replica]!.localIndex;
            let rows = 0;
            matched = new Array<number>(held.length);
            hits = new Array<boolean>(held.length);
            for (let i = 0; i < held.length; i++) {
              const partition = held[i]![1];
              const read =
                plan.kind !== 'local'
                  ? partition.rows.length
                  : index !== undefined && index.column === plan.column
                    ? index.count(partition, plan.value)
                    : matchCount(partition, pick);
              matched[i] = read;
              hits[i] = plan.kind === 'local' ? read > 0 : anyMatches(partition, filter);
              rows += read;
            }
            return serviceMs.read + rows * serviceMs.perRowScanned;
          },
          () => {
            const node = cluster.nodes[replica]!;
            node.reads++;
            for (let i = 0; i < held.length; i++) node.rowsRead += matched[i]!;
            answers.push({ held, hits });
            return undefined;
          },
          () => {
            if (over || stopped) return;
            if (++answered < need) return;
            over = true;
            scheduler.cancel(timer);
            inFlight--;
            // Partitions in token order inside the range, as a range read returns them; only
            // those where some copy matched are merged (the copies of each are merged whole, so
            // that a newer copy that no longer matches still wins over an older one that does).
            const lists = [...copiesOfHits(answers).values()].sort(([a], [b]) =>
              a!.tokenHi !== b!.tokenHi ? a!.tokenHi - b!.tokenHi : a!.tokenLo - b!.tokenLo,
            );
            const found: Row[][] = [];
            for (const list of lists) {
              const merged = mergeCopies(list, table.clustering);
              const kept = pick === undefined ? merged : merged.filter(pick);
              if (kept.length > 0) found.push(kept);
            }
            results[position] = found;
            // A scan reads every partition of the range; an index read, the ones it matched.
            read[position] = pick === undefined ? distinctKeys(answers) : found.length;
            returned += found.reduce(
              (sum, rows) => sum + rows.filter((row) => matchesFilter(row, filter)).length,
              0,
            );
            batchDone();
          },
        );
      }
    };

    sendBatch();
  };

  /** Each node's partitions grouped by the ring position of their token, for range reads. */
  function partitionsByRange(ring: Ring): Map<number, [string, Partition][]>[] {
    const token = newTokenParts();
    return cluster.nodes.map((node) => {
      const byRange = new Map<number, [string, Partition][]>();
      for (const [keyText, partition] of node.partitions) {
        token.hi = partition.tokenHi;
        token.lo = partition.tokenLo;
        const position = ring.positionOfParts(token);
        const list = byRange.get(position);
        if (list === undefined) byRange.set(position, [[keyText, partition]]);
        else list.push([keyText, partition]);
      }
      return byRange;
    });
  }
}

/**
 * The copies of every partition that some replica found a match in, by key, in the order the
 * replicas answered: a partition is merged from all its copies (so that a newer copy that no
 * longer matches still wins over an older one that does), and one no copy matched is skipped.
 */
function copiesOfHits(
  answers: readonly { held: readonly [string, Partition][]; hits: readonly boolean[] }[],
): Map<string, Partition[]> {
  const copies = new Map<string, Partition[]>();
  for (const { held, hits } of answers) {
    for (let i = 0; i < held.length; i++) if (hits[i]) copies.set(held[i]![0], []);
  }
  if (copies.size === 0) return copies;
  for (const { held } of answers) {
    for (const [keyText, partition] of held) copies.get(keyText)?.push(partition);
  }
  return copies;
}

/** Non-empty partitions the replicas held in a range, each once however many copies it has. */
function distinctKeys(answers: readonly { held: readonly [string, Partition][] }[]): number {
  const keys = new Set<string>();
  for (const { held } of answers) {
    for (const [keyText, partition] of held) if (partition.rows.length > 0) keys.add(keyText);
  }
  return keys.size;
}

/** Whether any row of a partition passes the filter. */
function anyMatches(partition: Partition, filter: RowFilter): boolean {
  const rows = partition.rows;
  for (let i = 0; i < rows.length; i++) if (matchesFilter(rows[i]!, filter)) return true;
  return false;
}

/** Rows of a partition a read returns: all of them, or those `pick` keeps. */
function matchCount(partition: Partition, pick: ((row: Row) => boolean) | undefined): number {
  const rows = partition.rows;
  if (pick === undefined) return rows.length;
  let count = 0;
  for (let i = 0; i < rows.length; i++) if (pick(rows[i]!)) count++;
  return count;
}
