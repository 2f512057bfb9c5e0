/**
 * The time-plane coordinator: one node coordinating reads and writes on the simulated network,
 * with Cassandra's outcomes and their fields.
 *
 * - `unavailable {cl, required, alive}` is definite: decided before anything is sent, counting
 *   only replicas the coordinator already believes down (the failure detector's view).
 * - `timeout {cl, received, blockFor, writeType | dataPresent}` is indefinite: the write may have
 *   been applied on some replicas.
 * - Writes go to every replica believed up and wait for the level; a hint is stored for a replica
 *   believed down (within the hint window) and for one that did not answer before the timeout,
 *   and replayed at the throttled rate when it is seen up again, with the write's own timestamp,
 *   so replay is idempotent. Hints never count toward the level.
 * - Reads ask the first `blockFor` replicas in snitch order (the first for data, the others for
 *   digests), retry speculatively on another replica when the answers are late, and at QUORUM
 *   and above repair, blocking, the replicas whose copies were stale before answering.
 *
 * Placement is the data plane's: the same partitioner, ring and replica table, so a row lands
 * on the same replicas in both planes.
 */
import { isDcLocal, levelRequirements, type ConsistencyLevel } from '../consistency.js';
import { RinglabError } from '../errors.js';
import {
  applyWrite,
  isStale,
  mergeTimestamped,
  readPartition,
  type Partition,
  type TableStore,
  type TimestampedRow,
} from '../node.js';
import type { PartitionKey } from '../partitioner.js';
import type { Query } from '../query.js';
import type { Unavailable } from '../replica-reads.js';
import type { Row } from '../row.js';
import { quantile } from '../stats.js';
import { newTokenParts, type TokenParts } from '../token.js';
import { createGather, type GatherOptions, type TimedQueryResult } from './gather.js';
import { createDelay } from './delay.js';
import { createHints, type Hint, type HintCounters } from './hints.js';
import type { Simulation } from './simulation.js';

/** Cassandra's WriteTimeout: indefinite, the write may have been applied on some replicas. */
export interface WriteTimeout {
  readonly kind: 'timeout';
  readonly cl: ConsistencyLevel;
  readonly received: number;
  readonly blockFor: number;
  readonly writeType: 'SIMPLE';
  readonly latencyMs: number;
}

/** Cassandra's ReadTimeout, for one partition or a range read. */
export interface ReadTimeout {
  readonly kind: 'timeout';
  readonly cl: ConsistencyLevel;
  readonly received: number;
  readonly blockFor: number;
  /** Whether the replica asked for the data answered (the others send digests). */
  readonly dataPresent: boolean;
  readonly latencyMs: number;
}

export type TimedWriteResult =
  | { readonly kind: 'ok'; readonly acked: number; readonly latencyMs: number }
  | Unavailable
  | WriteTimeout;

export type TimedReadResult =
  | {
      readonly kind: 'ok';
      readonly rows: readonly Row[];
      /** Replicas asked, speculative retries included. */
      readonly contacted: number;
      readonly latencyMs: number;
      /** Whether stale replicas were repaired before the answer. */
      readonly repaired: boolean;
      readonly speculated: boolean;
    }
  | Unavailable
  | ReadTimeout;

/** When to ask one more replica: never, after a fixed delay, at a percentile of recent reads, or at once. */
export type SpeculativeRetry =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'percentile'; readonly percentile: number }
  | { readonly kind: 'always' };

export type Snitch = 'dynamic' | 'static';

export interface TimeCoordinatorOptions {
  /** The coordinating node's id; the first node unless given. */
  readonly node?: string;
  /** Cassandra's default is 99p. */
  readonly speculativeRetry?: SpeculativeRetry;
  /** `dynamic` orders replicas by the latency this coordinator saw; `static` keeps placement order. */
  readonly snitch?: Snitch;
}

export interface CoordinatorCounters extends HintCounters {
  readRepairs: number;
  speculativeRetries: number;
}

export interface TimeCoordinator {
  readonly node: number;
  readonly counters: Readonly<CoordinatorCounters>;
  /** Hints waiting, over every target. */
  hintsPending(): number;
  write(row: Row, cl: ConsistencyLevel, done: (result: TimedWriteResult) => void): void;
  read(key: PartitionKey, cl: ConsistencyLevel, done: (result: TimedReadResult) => void): void;
  /** A query over any number of partitions (gather.ts): the key's route, a scan, or an index. */
  query(
    query: Query,
    cl: ConsistencyLevel,
    options: GatherOptions,
    done: (result: TimedQueryResult) => void,
  ): void;
}

/** Which of a node's tables a request goes to. */
export type Store = 'base' | 'index';

/** What the scatter/gather module needs of a coordinator: its checks and its replica requests. */
export interface CoordinatorCore {
  readonly sim: Simulation;
  readonly self: number;
  requirement(cl: ConsistencyLevel): number;
  /** The ring position of a key. */
  positionOf(key: PartitionKey): number;
  unavailable(position: number, cl: ConsistencyLevel, need: number): Unavailable | undefined;
  /** Replicas of a position believed up and counting for `cl`, in snitch order. */
  candidatesAt(position: number, cl: ConsistencyLevel): number[];
  request<T>(
    replica: number,
    stage: 'reads' | 'writes',
    costMs: () => number,
    work: () => T,
    reply: (value: T, tookMs: number) => void,
  ): void;
  readFrom(
    store: Store,
    key: PartitionKey,
    cl: ConsistencyLevel,
    done: (result: TimedReadResult) => void,
  ): void;
}

/** Recent read latencies kept for the speculative-retry percentile, and how often it is recomputed. */
const LATENCY_WINDOW = 1024;
const RECOMPUTE_EVERY = 128;
/** A replica is preferred over placement order only when it is this much faster (Cassandra's badness threshold 0.1). */
const BADNESS_THRESHOLD = 0.1;
const SCORE_WEIGHT = 0.2;

export function createTimeCoordinator(
  sim: Simulation,
  options: TimeCoordinatorOptions = {},
): TimeCoordinator {
  const { scheduler, network, cluster, running, stages, serviceMs, timeouts } = sim;
  const { placement, partitioner, table, storage, nodes } = cluster;
  const { ring, rf, table: replicaTable, strategy } = placement;
  const believedUp = sim.detector.believedUp;
  const self = sim.nodeIndex(options.node ?? ring.nodes[0]!.id);
  const localDc = ring.nodes[self]!.dc;
  const isLocal = Uint8Array.from(ring.nodes, (node) => (node.dc === localDc ? 1 : 0));
  const requirement = levelRequirements(strategy, localDc);
  const indexLag =
    sim.indexUpdate.mode === 'async'
      ? createDelay(sim.indexUpdate.lag, sim.fork(`index-lag/${self}`), 'indexLag')
      : undefined;
  const speculative = options.speculativeRetry ?? { kind: 'percentile', percentile: 99 };
  const snitch = options.snitch ?? 'dynamic';
  const parts = newTokenParts();
  const counters: CoordinatorCounters = {
    hintsStored: 0,
    hintsReplayed: 0,
    hintsDropped: 0,
    readRepairs: 0,
    speculativeRetries: 0,
  };

  const positionOf = (key: PartitionKey): number => {
    partitioner.tokenFunction.tokenParts(key.bytes, parts);
    return ring.positionOfParts(parts);
  };

  const countsFor = (node: number, cl: ConsistencyLevel): boolean =>
    !isDcLocal(cl) || isLocal[node] === 1;

  const unavailable = (
    position: number,
    cl: ConsistencyLevel,
    need: number,
  ): Unavailable | undefined => {
    let alive = 0;
    for (let k = position * rf; k < position * rf + rf; k++) {
      const node = replicaTable[k]!;
      if (believedUp[node] === 1 && countsFor(node, cl)) alive++;
    }
    return alive < need ? { kind: 'unavailable', cl, required: need, alive } : undefined;
  };

  const hints = createHints(sim, self, counters);
  const storeHint = hints.store;

  const requireRunning = (): void => {
    if (running[self] !== 1) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `coordinator ${ring.nodes[self]!.id} is down; send the request to a running node`,
        'node',
      );
    }
  };

  /**
   * A write and its global index entries, each a mutation of its own partition: the write is
   * acknowledged when every mutation has `need` acks (a synchronous index), and times out when
   * one has not by the write timeout. Each mutation goes to its replicas believed up; a replica
   * believed down, or one that does not answer in time, gets a hint.
   */
  /** One partition's share of a write: the base row, or one index entry. */
  interface Mutation {
    readonly store: Store;
    readonly key: PartitionKey;
    readonly row: Row;
    readonly position: number;
    readonly token: TokenParts;
    /** What the replicas apply, and what a hint replays: made once the write has its timestamp. */
    hint: Hint | undefined;
    /** Bit k set: the k-th replica was sent the mutation (bit k of `acked`: it answered). */
    sent: number;
    acked: number;
    acks: number;
  }

  const mutationOf = (store: Store, key: PartitionKey, row: Row): Mutation => {
    const position = positionOf(key);
    const token = { hi: parts.hi, lo: parts.lo };
    return { store, key, row, position, token, hint: undefined, sent: 0, acked: 0, acks: 0 };
  };
  const writeCostMs = (): number => serviceMs.write;

  const write: TimeCoordinator['write'] = (row, cl, done) => {
    requireRunning();
    const need = requirement(cl);
    const key = partitioner.keyOf(row);
    const mutations: Mutation[] = [mutationOf('base', key, row)];
    if (cluster.index?.table !== undefined) {
      for (const entry of cluster.index.entriesFor(row, key)) {
        mutations.push(mutationOf('index', entry.key, entry.row));
      }
    }
    // A synchronous index counts its entries toward the level; an asynchronous one sends them
    // after the modelled lag and waits for none of them.
    const counted = indexLag === undefined ? mutations.length : 1;
    for (let m = 0; m < counted; m++) {
      const refused = unavailable(mutations[m]!.position, cl, need);
      if (refused !== undefined) return done(refused);
    }
    // Only now, past the definite checks, does the write take a timestamp.
    const timestamp = cluster.clock.next();
    for (const mutation of mutations) {
      const { store, key: mutationKey, token, row: mutationRow } = mutation;
      const target = store === 'base' ? table : cluster.index!.table!;
      mutation.hint = {
        store,
        keyText: mutationKey.text,
        token,
        row: mutationRow,
        timestamp,
        sizeBytes: target.sizeOf(mutationRow),
      };
    }
    const start = scheduler.now;
    let finished = false;
    let incomplete = counted;
    let unanswered = 0;
    const finish = (result: TimedWriteResult): void => {
      if (finished) return;
      finished = true;
      partitioner.observe?.(row); // ok or timeout: the write may have been applied
      done(result);
    };
    const send = (mutation: Mutation, counts: boolean): void => {
      const { store, position } = mutation;
      const hint = mutation.hint!;
      const target = store === 'base' ? table : cluster.index!.table!;
      for (let k = 0; k < rf; k++) {
        const replica = replicaTable[position * rf + k]!;
        if (believedUp[replica] !== 1) {
          storeHint(replica, hint);
          continue;
        }
        unanswered++;
        mutation.sent |= 1 << k;
        request(
          replica,
          'writes',
          writeCostMs,
          () => {
            const { keyText, token, sizeBytes } = hint;
            applyWrite(
              storeOf(replica, store),
              storage,
              target,
              keyText,
              token,
              hint.row,
              sizeBytes,
              timestamp,
            );
          },
          () => {
            mutation.acked |= 1 << k;
            if (--unanswered === 0) scheduler.cancel(timer);
            if (!counts || !countsFor(replica, cl)) return;
            if (++mutation.acks === need && --incomplete === 0) {
              finish({ kind: 'ok', acked: mutations[0]!.acks, latencyMs: scheduler.now - start });
            }
          },
        );
      }
    };
    for (let m = 0; m < mutations.length; m++) {
      const mutation = mutations[m]!;
      if (m < counted) send(mutation, true);
      else scheduler.after(indexLag!.sample(), () => send(mutation, false));
    }
    const timer = scheduler.after(timeouts.writeMs, () => {
      // A replica that did not answer in time gets a hint, whatever it is believed now.
      let received = Infinity;
      for (let m = 0; m < mutations.length; m++) {
        const { position, hint, sent, acked, acks } = mutations[m]!;
        for (let k = 0; k < rf; k++) {
          const late = (sent & ~acked & (1 << k)) !== 0;
          if (late) storeHint(replicaTable[position * rf + k]!, hint!);
        }
        if (m < counted) received = Math.min(received, acks);
      }
      finish({
        kind: 'timeout',
        cl,
        received,
        blockFor: need,
        writeType: 'SIMPLE',
        latencyMs: scheduler.now - start,
      });
    });
  };

  // Read latencies for the speculative percentile, and per-replica scores for the snitch.
  const latencies = new Float64Array(LATENCY_WINDOW);
  let latencyCount = 0;
  let thresholdMs = Infinity;
  // The snitch's scores belong to the coordinating node, shared by every coordinator on it.
  const score = sim.snitchScores(self);
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

  /** Replicas of a position believed up and counting for `cl`, in snitch order. */
  const candidatesAt = (position: number, cl: ConsistencyLevel): number[] => {
    const found: number[] = [];
    for (let k = position * rf; k < position * rf + rf; k++) {
      const node = replicaTable[k]!;
      if (believedUp[node] === 1 && countsFor(node, cl)) found.push(node);
    }
    if (snitch === 'static' || found.length < 2) return found;
    // A replica never heard from has no score (0): it is taken as good as the best known one,
    // so that it keeps its place in placement order rather than jumping ahead or falling behind.
    const known = found.map((node) => score[node]!).filter((value) => value > 0);
    if (known.length === 0) return found;
    const best = Math.min(...known);
    const of = (node: number): number => (score[node]! > 0 ? score[node]! : best);
    // As Cassandra's dynamic snitch: placement order stands unless some replica in it is worse
    // than the replica at the same place in score order by more than the badness threshold.
    const sorted = [...found].sort((a, b) => of(a) - of(b));
    const worse = found.some((node, i) => of(node) > of(sorted[i]!) * (1 + BADNESS_THRESHOLD));
    return worse ? sorted : found;
  };

  const storeOf = (replica: number, store: Store): TableStore =>
    store === 'base' ? nodes[replica]! : nodes[replica]!.indexStore;

  /**
   * One request to a replica and its answer: the message there, a worker of the stage for
   * `costMs()` (measured when the request is served), `work()` on the replica, the message back,
   * then `reply` with the round trip. Nothing comes back from a node that is down, or goes down
   * while serving; the round trip updates the snitch's score of the replica.
   */
  const request = <T>(
    replica: number,
    stage: 'reads' | 'writes',
    costMs: () => number,
    work: () => T,
    reply: (value: T, tookMs: number) => void,
  ): void => {
    const sentAt = scheduler.now;
    network.send(self, replica, () => {
      if (running[replica] !== 1) return;
      stages[replica]![stage].submit(costMs(), () => {
        if (running[replica] !== 1) return;
        const value = work();
        network.send(replica, self, () => {
          const took = scheduler.now - sentAt;
          const old = score[replica]!;
          score[replica] = old === 0 ? took : old + SCORE_WEIGHT * (took - old);
          reply(value, took);
        });
      });
    });
  };

  const read: TimeCoordinator['read'] = (key, cl, done) => readFrom('base', key, cl, done);

  const readFrom = (
    store: Store,
    key: PartitionKey,
    cl: ConsistencyLevel,
    done: (result: TimedReadResult) => void,
  ): void => {
    requireRunning();
    const need = requirement(cl);
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
        () =>
          serviceMs.read +
          (storeOf(replica, store).partitions.get(key.text)?.rows.length ?? 0) *
            serviceMs.perRowScanned,
        () => snapshot(readPartition(storeOf(replica, store), key.text)),
        (copy) => {
          if (finished || copies.has(replica)) return;
          copies.set(replica, copy);
          if (copies.size >= need) answer();
        },
      );
    };

    const answer = (): void => {
      const held = [...copies.values()].filter((copy): copy is Partition => copy !== undefined);
      const merged = mergeTimestamped(held, target.clustering);
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
      network.send(self, replica, () => {
        if (running[replica] !== 1) return;
        stages[replica]!.writes.submit(serviceMs.write, () => {
          if (running[replica] !== 1) return;
          for (const { row, timestamp } of merged) {
            applyWrite(
              storeOf(replica, store),
              storage,
              target,
              keyText,
              token,
              row,
              target.sizeOf(row),
              timestamp,
            );
          }
          network.send(replica, self, acked);
        });
      });
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

  const query = createGather({
    sim,
    self,
    requirement,
    positionOf,
    unavailable,
    candidatesAt,
    request,
    readFrom,
  });

  return {
    node: self,
    counters,
    hintsPending: hints.pending,
    write,
    read,
    query: (q, cl, gatherOptions, done) => {
      requireRunning();
      query(q, cl, gatherOptions, done);
    },
  };
}

/** What a replica sends back: its rows and their timestamps as they are now. */
function snapshot(partition: Partition | undefined): Partition | undefined {
  if (partition === undefined) return undefined;
  return {
    rows: [...partition.rows],
    timestamps: [...partition.timestamps],
    tokenHi: partition.tokenHi,
    tokenLo: partition.tokenLo,
    rowCount: partition.rowCount,
    bytes: partition.bytes,
    writes: partition.writes,
    reads: partition.reads,
  };
}
