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
import type { Placement } from '../replication.js';
import type { Unavailable } from '../replica-reads.js';
import type { Row, TableSpec } from '../row.js';
import { newTokenParts, type TokenParts } from '../token.js';
import { createGather, type GatherOptions, type TimedQueryResult } from './gather.js';
import { createDelay } from './delay.js';
import { createHints, type Hint, type HintCounters } from './hints.js';
import { createReadPath } from './read-path.js';
import { createReplicaRequests, type RequestLeg, type Snitch, type Store } from './replicas.js';
import type { EventId } from './scheduler.js';
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
  /** As `ReplicaRequests.unavailable`: against the placement in force, or the one given. */
  unavailable(
    position: number,
    cl: ConsistencyLevel,
    need: number,
    placement?: Placement,
  ): Unavailable | undefined;
  /** Replicas of a position believed up and counting for `cl`, in snitch order. */
  candidatesAt(position: number, cl: ConsistencyLevel, placement?: Placement): number[];
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
  const { scheduler, cluster, running, serviceMs } = sim;
  // The placement is read on every operation (a move installs new ones, engine/time/streaming.ts);
  // what stays across epochs (the nodes, the strategy and rf) is read once.
  const { partitioner, table, storage } = cluster;
  const { rf, strategy } = cluster.placement;
  const nodeSpecs = cluster.placement.ring.nodes;
  const believedUp = sim.detector.believedUp;
  const self = sim.nodeIndex(options.node ?? nodeSpecs[0]!.id);
  const localDc = nodeSpecs[self]!.dc;
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
    return cluster.placement.ring.positionOfParts(parts);
  };

  const replicas = createReplicaRequests(sim, self, snitch);
  const { countsFor, unavailable, writeNeed, candidatesAt, storeOf, request } = replicas;
  const hints = createHints(sim, self, counters);
  const storeHint = hints.store;

  const requireRunning = (): void => {
    if (running[self] !== 1) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `coordinator ${nodeSpecs[self]!.id} is down; send the request to a running node`,
        'node',
      );
    }
  };

  /**
   * A write and its global index entries, each a mutation of its own partition: the write is
   * acknowledged when every mutation has `need` acks (a synchronous index), and times out when
   * one has not by the write timeout. Each mutation goes to its replicas believed up; a replica
   * believed down, or one that does not answer in time, gets a hint.
   *
   * A write is a pooled record, with its mutations and one reusable request per replica of each
   * (`replicas.reusable`), so that the time plane's commonest operation allocates only its
   * result: a record goes back to the pool once nothing still to come refers to it (`holds`: its
   * timer, its requests in flight, an asynchronous entry's lag and late-hint events).
   */
  interface PendingWrite {
    /** The placement the write was placed by, kept for all its sends and hints. */
    placement: Placement;
    cl: ConsistencyLevel;
    need: number;
    done: ((result: TimedWriteResult) => void) | undefined;
    start: number;
    timestamp: number;
    finished: boolean;
    /** Counted mutations still short of `need` acks, and requests of them not yet answered. */
    incomplete: number;
    unanswered: number;
    /** The first `counted` mutations count toward the level (all but an asynchronous index's). */
    counted: number;
    /** Mutations in use: the first `count` of `mutations`. */
    count: number;
    readonly mutations: Mutation[];
    timer: EventId;
    timerPending: boolean;
    holds: number;
    readonly onTimeout: () => void;
  }

  /** One partition's share of a write: the base row, or one index entry. */
  interface Mutation {
    readonly write: PendingWrite;
    store: Store;
    keyText: string;
    row: Row | undefined;
    position: number;
    /** Acks this mutation waits for: the level's, plus its pending replicas while ranges move. */
    need: number;
    /** The token's halves, written in place; a hint gets a copy. */
    readonly token: TokenParts;
    target: TableSpec;
    sizeBytes: number;
    /** What a hint replays, made on the first hint and shared by the mutation's replicas. */
    hint: Hint | undefined;
    counts: boolean;
    /**
     * Bit k set: the k-th replica was sent the mutation (bit k of `acked`: it answered); k from
     * rf on are the pending replicas.
     */
    sent: number;
    acked: number;
    acks: number;
    /** One reusable request per replica, `legs[k]` for the k-th, natural then pending. */
    readonly legs: Leg[];
    /** An asynchronous index entry: its send after the lag, and its late-hint check after that. */
    readonly sendLate: () => void;
    readonly hintLater: () => void;
  }

  interface Leg extends RequestLeg {
    readonly mutation: Mutation;
    readonly k: number;
    replica: number;
    send: (replica: number) => void;
  }

  const indexTable = cluster.index?.table;
  // The key's bytes are needed only for a global index's entries; without one, a strategy's
  // allocation-free `placeRow` gives the key text and the token (it agrees with `keyOf`).
  const placeRow = indexTable === undefined ? partitioner.placeRow?.bind(partitioner) : undefined;
  const pool: PendingWrite[] = [];

  const newWrite = (): PendingWrite => {
    const pending: PendingWrite = {
      placement: cluster.placement,
      cl: 'ONE',
      need: 0,
      done: undefined,
      start: 0,
      timestamp: 0,
      finished: false,
      incomplete: 0,
      unanswered: 0,
      counted: 0,
      count: 0,
      mutations: [],
      timer: 0,
      timerPending: false,
      holds: 0,
      onTimeout: () => timedOut(pending),
    };
    return pending;
  };

  const newMutation = (pending: PendingWrite): Mutation => {
    const mutation: Mutation = {
      write: pending,
      store: 'base',
      keyText: '',
      row: undefined,
      position: 0,
      need: 0,
      token: newTokenParts(),
      target: table,
      sizeBytes: 0,
      hint: undefined,
      counts: false,
      sent: 0,
      acked: 0,
      acks: 0,
      legs: [],
      sendLate: () => {
        send(mutation);
        pending.holds++;
        sim.afterTimeout('writeMs', mutation.hintLater);
        drop(pending);
      },
      hintLater: () => {
        hintLate(mutation);
        drop(pending);
      },
    };
    for (let k = 0; k < 2 * rf; k++) {
      const leg: Leg = {
        mutation,
        k,
        replica: 0,
        stage: 'writes',
        costMs: writeCostMs,
        work: (replica) => {
          const { store, target, keyText, token, sizeBytes } = mutation;
          const into = storeOf(replica, store);
          applyWrite(
            into,
            storage,
            target,
            keyText,
            token,
            mutation.row!,
            sizeBytes,
            pending.timestamp,
          );
        },
        reply: () => acked(leg),
        over: () => drop(pending),
        send: () => {},
      };
      leg.send = replicas.reusable(leg);
      mutation.legs.push(leg);
    }
    return mutation;
  };

  /** Adds a mutation at the position whose token is in `parts`. */
  const addMutation = (
    pending: PendingWrite,
    store: Store,
    keyText: string,
    row: Row,
    position: number,
  ): void => {
    const mutations = pending.mutations;
    if (pending.count === mutations.length) mutations.push(newMutation(pending));
    const mutation = mutations[pending.count++]!;
    mutation.store = store;
    mutation.keyText = keyText;
    mutation.row = row;
    mutation.position = position;
    mutation.token.hi = parts.hi;
    mutation.token.lo = parts.lo;
    mutation.target = store === 'base' ? table : indexTable!;
  };

  /** One less thing to come that refers to the write; at none, back to the pool. */
  const drop = (pending: PendingWrite): void => {
    if (--pending.holds === 0) recycle(pending);
  };

  const recycle = (pending: PendingWrite): void => {
    for (let m = 0; m < pending.count; m++) {
      const mutation = pending.mutations[m]!;
      mutation.row = undefined;
      mutation.hint = undefined;
    }
    pending.count = 0;
    pending.done = undefined;
    pool.push(pending);
  };

  const hintOf = (mutation: Mutation): Hint =>
    (mutation.hint ??= {
      store: mutation.store,
      keyText: mutation.keyText,
      token: { hi: mutation.token.hi, lo: mutation.token.lo },
      row: mutation.row!,
      timestamp: mutation.write.timestamp,
      sizeBytes: mutation.sizeBytes,
    });

  const finish = (pending: PendingWrite, result: TimedWriteResult): void => {
    if (pending.finished) return;
    pending.finished = true;
    pending.done!(result);
  };

  const send = (mutation: Mutation): void => {
    const { table: replicaTable, pending: moving } = mutation.write.placement;
    const position = mutation.position;
    for (let k = 0; k < rf; k++) sendTo(mutation, k, replicaTable[position * rf + k]!);
    if (moving === undefined) return;
    for (let j = 0; j < moving.width; j++) {
      const replica = moving.table[position * moving.width + j]!;
      if (replica < 0) break;
      sendTo(mutation, rf + j, replica);
    }
  };

  /** Sends a mutation to its k-th replica, or stores a hint for it when it is believed down. */
  const sendTo = (mutation: Mutation, k: number, replica: number): void => {
    const pending = mutation.write;
    const leg = mutation.legs[k]!;
    leg.replica = replica;
    if (believedUp[replica] !== 1) {
      storeHint(replica, hintOf(mutation));
      return;
    }
    if (mutation.counts) pending.unanswered++;
    mutation.sent |= 1 << k;
    pending.holds++;
    leg.send(replica);
  };

  const acked = (leg: Leg): void => {
    const mutation = leg.mutation;
    const pending = mutation.write;
    mutation.acked |= 1 << leg.k;
    if (!mutation.counts) return;
    if (--pending.unanswered === 0 && pending.timerPending) {
      pending.timerPending = false;
      scheduler.cancel(pending.timer);
      drop(pending);
    }
    if (!countsFor(leg.replica, pending.cl)) return;
    if (++mutation.acks === mutation.need && --pending.incomplete === 0) {
      finish(pending, {
        kind: 'ok',
        acked: pending.mutations[0]!.acks,
        latencyMs: scheduler.now - pending.start,
      });
    }
  };

  /** A replica that did not answer a mutation in time gets a hint, whatever it is believed now. */
  const hintLate = (mutation: Mutation): void => {
    const { sent, acked: answered, legs } = mutation;
    for (let k = 0; k < legs.length; k++) {
      if ((sent & ~answered & (1 << k)) !== 0) storeHint(legs[k]!.replica, hintOf(mutation));
    }
  };

  const timedOut = (pending: PendingWrite): void => {
    pending.timerPending = false;
    let received = Infinity;
    for (let m = 0; m < pending.counted; m++) {
      const mutation = pending.mutations[m]!;
      hintLate(mutation);
      received = Math.min(received, mutation.acks);
    }
    finish(pending, {
      kind: 'timeout',
      cl: pending.cl,
      received,
      blockFor: pending.mutations[0]!.need,
      writeType: 'SIMPLE',
      latencyMs: scheduler.now - pending.start,
    });
    drop(pending);
  };

  const writeCostMs = (): number => serviceMs.write;

  const write: TimeCoordinator['write'] = (row, cl, done) => {
    requireRunning();
    const need = requirement(cl);
    const pending = pool.pop() ?? newWrite();
    const placement = cluster.placement;
    pending.placement = placement;
    if (placeRow !== undefined) {
      const keyText = placeRow(row, parts);
      addMutation(pending, 'base', keyText, row, placement.ring.positionOfParts(parts));
    } else {
      const key = partitioner.keyOf(row);
      addMutation(pending, 'base', key.text, row, positionOf(key));
      if (indexTable !== undefined) {
        for (const entry of cluster.index!.entriesFor(row, key)) {
          addMutation(pending, 'index', entry.key.text, entry.row, positionOf(entry.key));
        }
      }
    }
    const { mutations, count } = pending;
    // A synchronous index counts its entries toward the level; an asynchronous one sends them
    // after the modelled lag and waits for none of them.
    const counted = indexLag === undefined ? count : 1;
    for (let m = 0; m < count; m++) {
      const mutation = mutations[m]!;
      const total = writeNeed(placement, mutation.position, cl, need);
      if (typeof total === 'number') mutation.need = total;
      else if (m < counted) {
        recycle(pending);
        return done(total);
      }
    }
    // Only now, past the definite checks, does the write take a timestamp.
    pending.timestamp = cluster.clock.next();
    for (let m = 0; m < count; m++) {
      const mutation = mutations[m]!;
      mutation.sizeBytes = mutation.target.sizeOf(mutation.row!);
      mutation.counts = m < counted;
      mutation.sent = 0;
      mutation.acked = 0;
      mutation.acks = 0;
    }
    // Past the definite checks the write will be sent, so the strategy learns from it now, in
    // the order writes are keyed, and a write in flight is never re-keyed by a later one.
    partitioner.observe?.(row);
    pending.cl = cl;
    pending.need = need;
    pending.done = done;
    pending.start = scheduler.now;
    pending.finished = false;
    pending.incomplete = counted;
    pending.unanswered = 0;
    pending.counted = counted;
    // The timer's hold, taken first: a request lost at once ends before the timer is set.
    pending.holds = 1;
    for (let m = 0; m < count; m++) {
      const mutation = mutations[m]!;
      if (m < counted) {
        send(mutation);
        continue;
      }
      // An asynchronous index entry is sent after the lag, on its own clock: the write does not
      // wait for it, but a replica that misses it still gets a hint a write timeout later.
      pending.holds++;
      scheduler.after(indexLag!.sample(), mutation.sendLate);
    }
    pending.timer = sim.afterTimeout('writeMs', pending.onTimeout);
    pending.timerPending = true;
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
