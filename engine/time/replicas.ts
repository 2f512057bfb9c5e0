/**
 * How one coordinating node talks to replicas on the time plane: which replicas count for a
 * level and are believed up, in what order the snitch asks them, and one request with its answer
 * (a message there, a worker of the replica's stage, the message back). Both the write path and
 * the read path send through `request`, so every round trip feeds the snitch's scores.
 */
import { isDcLocal, type ConsistencyLevel } from '../consistency.js';
import type { TableStore } from '../node.js';
import { localNodes, unavailableAt, type Unavailable } from '../replica-reads.js';
import type { Placement } from '../replication.js';
import type { Simulation } from './simulation.js';

/** Which of a node's tables a request goes to. */
export type Store = 'base' | 'index';

export type Snitch = 'dynamic' | 'static';

/** A replica is preferred over placement order only when it is this much faster (Cassandra's badness threshold 0.1). */
const BADNESS_THRESHOLD = 0.1;
/** The weight of each new round trip in a replica's score (an exponentially weighted mean). */
const SCORE_WEIGHT = 0.2;

export interface ReplicaRequests {
  /** Whether a replica counts toward `cl` (LOCAL_* levels count only the local DC). */
  countsFor(node: number, cl: ConsistencyLevel): boolean;
  /** Too few replicas believed up at `position` for `cl`, or undefined when it can be met. */
  unavailable(
    position: number,
    cl: ConsistencyLevel,
    need: number,
    placement?: Placement,
  ): Unavailable | undefined;
  /**
   * A write's check while ranges move: its natural and pending replicas believed up must cover
   * `need` plus the pending replicas that count for `cl`, as Cassandra adds pending replicas to
   * blockFor. Returns that total, or the Unavailable to answer with.
   */
  writeNeed(
    placement: Placement,
    position: number,
    cl: ConsistencyLevel,
    need: number,
  ): number | Unavailable;
  /** Replicas of a position believed up and counting for `cl`, in snitch order. */
  candidatesAt(position: number, cl: ConsistencyLevel, placement?: Placement): number[];
  storeOf(replica: number, store: Store): TableStore;
  /**
   * One request to a replica and its answer: the message there, a worker of the stage for
   * `costMs()` (measured when the request is served), `work()` on the replica, the message back,
   * then `reply` with the round trip. Nothing comes back from a node that is down, or goes down
   * while serving.
   */
  request<T>(
    replica: number,
    stage: 'reads' | 'writes',
    costMs: () => number,
    work: () => T,
    reply: (value: T, tookMs: number) => void,
  ): void;
  /**
   * The same round trip for a request that is sent again and again (the write path's, one per
   * replica of a pooled write): its handlers are made once, here, so a send allocates nothing.
   * One send at a time: `leg.over()` says the last one ended, answered or not, and only then may
   * the returned function be called again.
   */
  reusable(leg: RequestLeg): (replica: number) => void;
}

/** What a reusable request does at each step of its round trip. */
export interface RequestLeg {
  readonly stage: 'reads' | 'writes';
  costMs(): number;
  /** On the replica, when it is served. */
  work(replica: number): void;
  /** The answer came back after `tookMs`. */
  reply(tookMs: number): void;
  /** The round trip ended: after `reply`, or when a message was lost or a node was down. */
  over(): void;
}

export function createReplicaRequests(
  sim: Simulation,
  self: number,
  snitch: Snitch,
): ReplicaRequests {
  const { scheduler, network, cluster, running, stages } = sim;
  // The placement is read per request (a move installs new ones); the nodes stay the same.
  const ring = cluster.placement.ring;
  const nodes = cluster.nodes;
  const believedUp = sim.detector.believedUp;
  const localDc = ring.nodes[self]!.dc;
  const isLocal = localNodes(cluster.placement, localDc);
  // The snitch's scores belong to the coordinating node, shared by every coordinator on it.
  const score = sim.snitchScores(self);

  const countsFor = (node: number, cl: ConsistencyLevel): boolean =>
    !isDcLocal(cl) || isLocal[node] === 1;

  // Coordinators decide `unavailable` on what they believe, not on what is true.
  const unavailable = (
    position: number,
    cl: ConsistencyLevel,
    need: number,
    placement: Placement = cluster.placement,
  ): Unavailable | undefined => unavailableAt(placement, believedUp, isLocal, position, cl, need);

  const writeNeed = (
    placement: Placement,
    position: number,
    cl: ConsistencyLevel,
    need: number,
  ): number | Unavailable => {
    const pending = placement.pending;
    if (pending === undefined) return unavailable(position, cl, need, placement) ?? need;
    const { rf, table: replicaTable } = placement;
    let alive = 0;
    let total = need;
    for (let k = position * rf; k < position * rf + rf; k++) {
      const node = replicaTable[k]!;
      if (believedUp[node] === 1 && countsFor(node, cl)) alive++;
    }
    for (let j = position * pending.width; j < (position + 1) * pending.width; j++) {
      const node = pending.table[j]!;
      if (node < 0) break;
      if (!countsFor(node, cl)) continue;
      total++;
      if (believedUp[node] === 1) alive++;
    }
    return alive < total ? { kind: 'unavailable', cl, required: total, alive } : total;
  };

  /** Replicas of a position believed up and counting for `cl`, in snitch order. */
  const candidatesAt = (
    position: number,
    cl: ConsistencyLevel,
    placement: Placement = cluster.placement,
  ): number[] => {
    const { rf, table: replicaTable } = placement;
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

  // The round trip of every request updates the snitch's score of the replica.
  const heard = (replica: number, tookMs: number): void => {
    const old = score[replica]!;
    score[replica] = old === 0 ? tookMs : old + SCORE_WEIGHT * (tookMs - old);
  };

  // Each node's server for a stage, picked once per leg rather than by name per request.
  const servers = {
    writes: stages.map((stage) => stage.writes),
    reads: stages.map((stage) => stage.reads),
  };

  // One request's round trip, over state that lives as long as the leg: the message there, the
  // stage, the work, the message back.
  const reusable = (leg: RequestLeg): ((replica: number) => void) => {
    const stage = servers[leg.stage];
    let replica = 0;
    let sentAt = 0;
    const back = (nowMs: number): void => {
      // A coordinator that crashed meanwhile hears nothing.
      if (running[self] === 1) {
        const took = nowMs - sentAt;
        heard(replica, took);
        leg.reply(took);
      }
      leg.over();
    };
    const served = (): void => {
      if (running[replica] !== 1) return leg.over();
      leg.work(replica);
      if (!network.send(replica, self, back)) leg.over();
    };
    const deliver = (): void => {
      if (running[replica] !== 1) return leg.over();
      stage[replica]!.submit(leg.costMs(), served);
    };
    return (to) => {
      replica = to;
      sentAt = scheduler.now;
      if (!network.send(self, to, deliver)) leg.over();
    };
  };

  const request = <T>(
    replica: number,
    stage: 'reads' | 'writes',
    costMs: () => number,
    work: () => T,
    reply: (value: T, tookMs: number) => void,
  ): void => {
    let value: T;
    reusable({
      stage,
      costMs,
      work: () => {
        value = work();
      },
      reply: (tookMs) => reply(value, tookMs),
      over: () => {},
    })(replica);
  };

  return { countsFor, unavailable, writeNeed, candidatesAt, storeOf, request, reusable };
}
