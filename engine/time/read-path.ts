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
      const held = [...copies.values()].filter((copy): copy is Partition => copy !== undefined);
      const merged = mergeTimestamped(held, target.clustering).slice(0, limit);
      const rows = merged.map((entry) => entry.row);
      const stale = [...copies]
        .filter(([, copy]) => isStale(copy, merged, target.clustering))
        .map(([replica]) => replica);
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
    const timer = scheduler.after(timeouts.readMs, () =>
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
