/**
 * The time plane's read of one partition: ask the first `blockFor` replicas in snitch order (the
 * first for data, the others for digests), retry on one more replica when the answers are late
 * (speculative retry: never, after a fixed delay, at a percentile of this coordinator's recent
 * reads, recomputed every 128 reads, or at once), and at levels above ONE repair, blocking, the
 * replicas whose copies were stale before answering.
 */
import type { ConsistencyLevel } from '../consistency.js';
import {
  applyWrite,
  isStale,
  mergeTimestamped,
  readPartition,
  type Partition,
  type TimestampedRow,
} from '../node.js';
import type { PartitionKey } from '../partitioner.js';
import type { Row } from '../row.js';
import { quantile } from '../stats.js';
import type { TokenParts } from '../token.js';
import type { ReplicaRequests, Store } from './replicas.js';
import type { Simulation } from './simulation.js';
import type { CoordinatorCounters, SpeculativeRetry, TimedReadResult } from './coordinator.js';

/** Recent read latencies kept for the speculative-retry percentile, and how often it is recomputed. */
const LATENCY_WINDOW = 1024;
const RECOMPUTE_EVERY = 128;

export interface ReadPathContext {
  readonly sim: Simulation;
  readonly replicas: ReplicaRequests;
  readonly counters: CoordinatorCounters;
  readonly speculative: SpeculativeRetry;
  /** The coordinating node. */
  readonly self: number;
  requirement(cl: ConsistencyLevel): number;
  positionOf(key: PartitionKey): number;
  /** The halves `positionOf` last wrote. */
  readonly parts: TokenParts;
}

/**
 * Reads one partition. With a `limit`, each replica returns only the first `limit` rows in
 * clustering order and the answer is the first `limit` of their merge, which is exact: every one
 * of the merged first rows is among the first `limit` of each replica that holds it.
 */
export type ReadFrom = (
  store: Store,
  key: PartitionKey,
  cl: ConsistencyLevel,
  done: (result: TimedReadResult) => void,
  limit?: number,
) => void;

export function createReadPath(context: ReadPathContext): ReadFrom {
  const { sim, self, replicas, counters, speculative, requirement, positionOf, parts } = context;
  const { scheduler, cluster, running, serviceMs, timeouts } = sim;
  const { table, storage } = cluster;
  const { unavailable, candidatesAt, storeOf, request } = replicas;

  // Read latencies for the speculative percentile.
  const latencies = new Float64Array(LATENCY_WINDOW);
  let latencyCount = 0;
  let thresholdMs = Infinity;
  const recordLatency = (latencyMs: number): void => {
    latencies[latencyCount % LATENCY_WINDOW] = latencyMs;
    latencyCount++;
    if (speculative.kind === 'percentile' && latencyCount % RECOMPUTE_EVERY === 0) {
      const recent = latencies.subarray(0, Math.min(latencyCount, LATENCY_WINDOW));
      thresholdMs = Math.min(quantile(recent, speculative.percentile / 100), timeouts.readMs);
    }
  };
  const speculateAfter = (): number => {
    switch (speculative.kind) {
      case 'none':
        return Infinity;
      case 'always':
        return 0;
      case 'fixed':
        return speculative.ms;
      case 'percentile':
        return thresholdMs;
    }
  };

  const readFrom: ReadFrom = (store, key, cl, done, limit = Infinity) => {
    const need = requirement(cl);
    // A read started from a callback (the second step of a global-index query) may find its
    // coordinator crashed meanwhile: the client never hears back, which it sees as a timeout.
    if (running[self] !== 1) {
      return done({
        kind: 'timeout',
        cl,
        received: 0,
        blockFor: need,
        dataPresent: false,
        latencyMs: 0,
      });
    }
    const target = store === 'base' ? table : cluster.index!.table!;
    const position = positionOf(key);
    const token = { hi: parts.hi, lo: parts.lo };
    const refused = unavailable(position, cl, need);
    if (refused !== undefined) return done(refused);
    const candidates = candidatesAt(position, cl);
    const start = scheduler.now;
    const copies = new Map<number, Partition | undefined>();
    let asked = 0;
    let finished = false;
    let speculated = false;
    const dataReplica = candidates[0]!;

    const finish = (result: TimedReadResult): void => {
      if (finished) return;
      finished = true;
      scheduler.cancel(timer);
      if (result.kind === 'ok') recordLatency(result.latencyMs);
      done(result);
    };

    const ask = (replica: number): void => {
      asked++;
      request(
        replica,
        'reads',
        () => {
          const rows = storeOf(replica, store).partitions.get(key.text)?.rows.length ?? 0;
          return serviceMs.read + Math.min(rows, limit) * serviceMs.perRowScanned;
        },
        () => snapshot(readPartition(storeOf(replica, store), key.text), limit),
        (copy) => {
          if (finished || copies.has(replica)) return;
          copies.set(replica, copy);
          if (copies.size >= need) answer();
        },
      );
    };

    let answering = false;
    const answer = (): void => {
      // Once: a late reply (a speculative one, say) during a blocking repair starts no second one.
      if (answering) return;
      answering = true;
      const { merged, rows, stale } = mergeReplies(copies, target.clustering, limit);
      const repairs = need > 1 && stale.length > 0;
      if (!repairs) {
        finish({
          kind: 'ok',
          rows,
          contacted: asked,
          latencyMs: scheduler.now - start,
          repaired: false,
          speculated,
        });
        return;
      }
      counters.readRepairs++;
      let pending = stale.length;
      for (const replica of stale) {
        repairReplica(replica, key.text, merged, () => {
          pending--;
          if (pending === 0) {
            finish({
              kind: 'ok',
              rows,
              contacted: asked,
              latencyMs: scheduler.now - start,
              repaired: true,
              speculated,
            });
          }
        });
      }
    };

    /** Writes the merged rows to a stale replica, with their own timestamps, and waits for its ack. */
    const repairReplica = (
      replica: number,
      keyText: string,
      merged: readonly TimestampedRow[],
      acked: () => void,
    ): void => {
      request(
        replica,
        'writes',
        () => serviceMs.write,
        () => {
          const into = storeOf(replica, store);
          for (const { row, timestamp } of merged) {
            applyWrite(into, storage, target, keyText, token, row, target.sizeOf(row), timestamp);
          }
        },
        acked,
      );
    };

    for (let i = 0; i < need; i++) ask(candidates[i]!);
    const after = speculateAfter();
    if (after < timeouts.readMs && candidates.length > need) {
      scheduler.after(after, () => {
        if (finished || copies.size >= need || asked >= candidates.length) return;
        speculated = true;
        counters.speculativeRetries++;
        ask(candidates[asked]!);
      });
    }
    const timer = sim.afterTimeout('readMs', () =>
      finish({
        kind: 'timeout',
        cl,
        received: copies.size,
        blockFor: need,
        dataPresent: copies.has(dataReplica),
        latencyMs: scheduler.now - start,
      }),
    );
  };

  return readFrom;
}

/** The replicas' copies merged (the first `limit` rows), their rows, and the stale replicas. */
interface MergedReplies {
  /** The merge with timestamps, what a repair writes; left empty by `mergeReplies` when no copy is stale. */
  readonly merged: readonly TimestampedRow[];
  readonly rows: readonly Row[];
  /** Replicas whose copy lacks or differs from a merged row, in the order they answered. */
  readonly stale: readonly number[];
}

const NONE_STALE: readonly number[] = Object.freeze([]);
const NOTHING_MERGED: readonly TimestampedRow[] = Object.freeze([]);

/**
 * Merges the copies as `mergeTimestamped` and judges each as `isStale` would, giving the same
 * rows and the same stale replicas, but without comparing what the copies share. Replicas store
 * the very row objects a write sent them, so copies mostly begin with the same entries: the same
 * row object at the same place with the same timestamp. Every row after such a common prefix
 * sorts after all of it in every copy (each copy is in clustering order), so the merge is the
 * prefix followed by the merge of what follows it, and a copy is stale exactly when what follows
 * the prefix in it is stale against what follows the prefix in the merge. Only those tails are
 * compared; when no copy has one, nothing is (the common case: replicas that agree).
 */
function mergeReplies(
  copies: ReadonlyMap<number, Partition | undefined>,
  clustering: readonly string[],
  limit: number,
): MergedReplies {
  let first: Partition | undefined;
  let firstRows: readonly Row[] = [];
  let firstTimestamps: readonly number[] = [];
  let common = 0;
  let same = true;
  for (const copy of copies.values()) {
    if (copy === undefined) return mergeAll(copies, clustering, limit);
    if (first === undefined) {
      first = copy;
      firstRows = copy.rows;
      firstTimestamps = copy.timestamps;
      common = firstRows.length;
      continue;
    }
    const { rows, timestamps } = copy;
    if (rows.length !== common) same = false;
    common = Math.min(common, rows.length);
    for (let i = 0; i < common; i++) {
      if (rows[i] !== firstRows[i] || timestamps[i] !== firstTimestamps[i]) {
        common = i;
        same = false;
        break;
      }
    }
  }
  if (first === undefined) return mergeAll(copies, clustering, limit);
  const take = Math.min(common, limit);
  const rows = first.rows.slice(0, take);
  if (same || take === limit) return { merged: NOTHING_MERGED, rows, stale: NONE_STALE };
  const tails = new Map<number, Partition>();
  for (const [replica, copy] of copies) tails.set(replica, tailOf(copy!, common));
  const rest = mergeAll(tails, clustering, limit - take);
  for (const entry of rest.merged) rows.push(entry.row);
  if (rest.stale.length === 0) return { merged: NOTHING_MERGED, rows, stale: NONE_STALE };
  const merged: TimestampedRow[] = [];
  for (let i = 0; i < take; i++) merged.push({ row: rows[i]!, timestamp: first.timestamps[i]! });
  for (const entry of rest.merged) merged.push(entry);
  return { merged, rows, stale: rest.stale };
}

/** The merge and the stale replicas, comparing every row (what `mergeReplies` shortens). */
function mergeAll(
  copies: ReadonlyMap<number, Partition | undefined>,
  clustering: readonly string[],
  limit: number,
): MergedReplies {
  const held = [...copies.values()].filter((copy): copy is Partition => copy !== undefined);
  const merged = mergeTimestamped(held, clustering).slice(0, limit);
  const stale: number[] = [];
  for (const [replica, copy] of copies) if (isStale(copy, merged, clustering)) stale.push(replica);
  return { merged, rows: merged.map((entry) => entry.row), stale };
}

/** A copy's rows from `start` on. */
function tailOf(copy: Partition, start: number): Partition {
  return { ...copy, rows: copy.rows.slice(start), timestamps: copy.timestamps.slice(start) };
}

/** What a replica sends back: its first `limit` rows and their timestamps as they are now. */
function snapshot(partition: Partition | undefined, limit: number): Partition | undefined {
  if (partition === undefined) return undefined;
  return {
    rows: partition.rows.slice(0, limit),
    timestamps: partition.timestamps.slice(0, limit),
    tokenHi: partition.tokenHi,
    tokenLo: partition.tokenLo,
    rowCount: partition.rowCount,
    bytes: partition.bytes,
    writes: partition.writes,
    reads: partition.reads,
  };
}
