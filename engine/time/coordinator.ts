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
 *   digests), retry speculatively on another replica when the answers are late, and at every level
 *   above ONE (blockFor > 1) repair, blocking, the replicas whose copies were stale before answering.
 *
 * Placement is the data plane's: the same partitioner, ring and replica table, so a row lands
 * on the same replicas in both planes.
 */
import { levelRequirements, type ConsistencyLevel } from '../consistency.js';
import { RinglabError } from '../errors.js';
import { applyWrite } from '../node.js';
import type { PartitionKey } from '../partitioner.js';
import type { Query } from '../query.js';
import type { Unavailable } from '../replica-reads.js';
import type { Row } from '../row.js';
import { newTokenParts, type TokenParts } from '../token.js';
import { createGather, type GatherOptions, type TimedQueryResult } from './gather.js';
import { createDelay } from './delay.js';
import { createHints, type Hint, type HintCounters } from './hints.js';
import { createReadPath } from './read-path.js';
import { createReplicaRequests, type Snitch, type Store } from './replicas.js';
import type { Simulation } from './simulation.js';

export type { Snitch, Store } from './replicas.js';

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
    limit?: number,
  ): void;
}

export function createTimeCoordinator(
  sim: Simulation,
  options: TimeCoordinatorOptions = {},
): TimeCoordinator {
  const { scheduler, cluster, running, serviceMs, timeouts } = sim;
  const { placement, partitioner, table, storage } = cluster;
  const { ring, rf, table: replicaTable, strategy } = placement;
  const believedUp = sim.detector.believedUp;
  const self = sim.nodeIndex(options.node ?? ring.nodes[0]!.id);
  const localDc = ring.nodes[self]!.dc;
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

  const replicas = createReplicaRequests(sim, self, snitch);
  const { countsFor, unavailable, candidatesAt, storeOf, request } = replicas;
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
    // Past the definite checks the write will be sent, so the strategy learns from it now, in
    // the order writes are keyed, and a write in flight is never re-keyed by a later one.
    partitioner.observe?.(row);
    const start = scheduler.now;
    let finished = false;
    let incomplete = counted;
    let unanswered = 0;
    const finish = (result: TimedWriteResult): void => {
      if (finished) return;
      finished = true;
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
        if (counts) unanswered++;
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
            if (!counts) return;
            if (--unanswered === 0) scheduler.cancel(timer);
            if (!countsFor(replica, cl)) return;
            if (++mutation.acks === need && --incomplete === 0) {
              finish({ kind: 'ok', acked: mutations[0]!.acks, latencyMs: scheduler.now - start });
            }
          },
        );
      }
    };
    /** A replica that did not answer a mutation in time gets a hint, whatever it is believed now. */
    const hintLate = (mutation: Mutation): void => {
      const { position, hint, sent, acked } = mutation;
      for (let k = 0; k < rf; k++) {
        if ((sent & ~acked & (1 << k)) !== 0) storeHint(replicaTable[position * rf + k]!, hint!);
      }
    };
    for (let m = 0; m < mutations.length; m++) {
      const mutation = mutations[m]!;
      if (m < counted) {
        send(mutation, true);
        continue;
      }
      // An asynchronous index entry is sent after the lag, on its own clock: the write does not
      // wait for it, but a replica that misses it still gets a hint a write timeout later.
      scheduler.after(indexLag!.sample(), () => {
        send(mutation, false);
        scheduler.after(timeouts.writeMs, () => hintLate(mutation));
      });
    }
    const timer = scheduler.after(timeouts.writeMs, () => {
      let received = Infinity;
      for (let m = 0; m < counted; m++) {
        hintLate(mutations[m]!);
        received = Math.min(received, mutations[m]!.acks);
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

  const readFrom = createReadPath({
    sim,
    replicas,
    counters,
    speculative,
    self,
    requirement,
    positionOf,
    parts,
  });
  const read: TimeCoordinator['read'] = (key, cl, done) => {
    requireRunning();
    readFrom('base', key, cl, done);
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
