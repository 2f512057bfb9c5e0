/**
 * Leader-follower (asynchronous, single-leader) replication on the time plane, beside the
 * leaderless coordinator: the same simulation, network, stages, stores and placement, and no
 * change to either. Each ring position (vnode range) has a leader, its first replica to begin
 * with; the others follow.
 *
 * - A write goes from the client's node to the position's leader, takes a worker of the leader's
 *   write stage, is applied to the leader's store and acknowledged: the client hears `ok` one
 *   message later. Nothing waits for a follower.
 * - The leader ships each applied write to every follower after `shipDelay` (its log shipping
 *   interval), over the network; the follower applies it on its own write stage. Replication lag
 *   is the time from the leader's apply to the follower's.
 * - A read goes to the leader, or to a follower, and returns what that replica holds: a
 *   follower's answer may be stale.
 * - A leader that crashes ships nothing more: writes it shipped but that no follower had applied
 *   are dropped on arrival, as if its process took its outbound buffers with it. When the failure
 *   detector notices (the simulation's detection delay), each position it led promotes the live
 *   follower that had applied the most of the position's writes. Every write acknowledged at that
 *   position that the new leader had not applied is lost: counted in `lost`, kept in `lostWrites`.
 *   Until then, writes to the dead leader time out. A recovered node rejoins as a follower of
 *   new writes only (no catch-up is modelled).
 *
 * The module keeps a record of every write (position, row, which replicas applied it, whether it
 * was acknowledged), so that loss is counted exactly; it is meant for runs of thousands of writes.
 */
import { invalidConfig } from '../errors.js';
import { createHistogram, type Histogram } from '../histogram.js';
import { applyWrite, readPartition } from '../node.js';
import type { PartitionKey } from '../partitioner.js';
import type { Row } from '../row.js';
import { newTokenParts, type TokenParts } from '../token.js';
import { createDelay, type DelayInput } from './delay.js';
import type { Simulation } from './simulation.js';

export interface LeaderFollowerOptions {
  /** Time from the leader's apply to its sending the write on; exponential, mean 10 ms, by default. */
  readonly shipDelay?: DelayInput;
}

export const DEFAULT_SHIP_DELAY: DelayInput = { kind: 'exponential', meanMs: 10 };

export type LeaderWriteResult =
  | { readonly kind: 'ok'; readonly latencyMs: number; readonly leader: number }
  | { readonly kind: 'unavailable'; readonly leader: number }
  | { readonly kind: 'timeout'; readonly latencyMs: number; readonly leader: number };

export type LeaderReadResult =
  | {
      readonly kind: 'ok';
      readonly rows: readonly Row[];
      readonly latencyMs: number;
      readonly replica: number;
      readonly fromLeader: boolean;
    }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'timeout'; readonly latencyMs: number };

/** One write as the module tracks it. */
export interface TrackedWrite {
  readonly position: number;
  readonly keyText: string;
  readonly row: Row;
  readonly timestamp: number;
  /** Bit k: the k-th replica of the position applied it. */
  applied: number;
  acknowledged: boolean;
  /** When the leader applied it. */
  appliedAtMs: number;
}

export interface LagSample {
  readonly atMs: number;
  readonly lagMs: number;
  readonly replica: number;
}

export interface LeaderFollower {
  /** The replica index (0..rf-1) leading each ring position now. */
  readonly leaders: Uint8Array;
  write(from: number, row: Row, done: (result: LeaderWriteResult) => void): void;
  read(
    from: number,
    key: PartitionKey,
    target: 'leader' | 'follower',
    done: (result: LeaderReadResult) => void,
  ): void;
  /** The node leading `position`. */
  leaderOf(position: number): number;
  /** Every follower apply's lag, ms. */
  readonly lag: Histogram;
  /** Called on every follower apply. */
  onLag(listener: (sample: LagSample) => void): void;
  /** Every write sent, in send order. */
  readonly writes: readonly TrackedWrite[];
  /** Acknowledged writes lost at failovers so far, and which. */
  readonly lost: number;
  readonly lostWrites: readonly TrackedWrite[];
  readonly failovers: number;
  /** Follower applies dropped because their leader had crashed or been replaced. */
  readonly droppedShipments: number;
}

export function createLeaderFollower(
  sim: Simulation,
  options: LeaderFollowerOptions = {},
): LeaderFollower {
  const { scheduler, network, cluster, running, stages, serviceMs } = sim;
  const { partitioner, table, storage } = cluster;
  const placement = cluster.placement;
  const { ring, rf, table: replicas } = placement;
  if (rf > 8) throw invalidConfig('rf', `leader-follower tracks at most 8 replicas, got ${rf}`);
  const believedUp = sim.detector.believedUp;
  const ship = createDelay(
    options.shipDelay ?? DEFAULT_SHIP_DELAY,
    sim.fork('leader-ship'),
    'shipDelay',
  );
  const leaders = new Uint8Array(ring.size);
  /** Bumped at each failover of a position: shipments of an older epoch are dropped. */
  const epochs = new Uint32Array(ring.size);
  /** Writes applied per (position, replica index), to pick the most advanced follower. */
  const appliedCount = new Float64Array(ring.size * rf);
  const byPosition = new Map<number, TrackedWrite[]>();
  const writes: TrackedWrite[] = [];
  const lostWrites: TrackedWrite[] = [];
  const lag = createHistogram();
  const lagListeners: ((sample: LagSample) => void)[] = [];
  const parts = newTokenParts();
  let failovers = 0;
  let droppedShipments = 0;
  let followerTurn = 0;

  const nodeAt = (position: number, k: number): number => replicas[position * rf + k]!;
  const leaderOf = (position: number): number => nodeAt(position, leaders[position]!);

  const positionOf = (key: PartitionKey): number => {
    partitioner.tokenFunction.tokenParts(key.bytes, parts);
    return ring.positionOfParts(parts);
  };

  const apply = (write: TrackedWrite, k: number, token: TokenParts): void => {
    const node = nodeAt(write.position, k);
    applyWrite(
      cluster.nodes[node]!,
      storage,
      table,
      write.keyText,
      token,
      write.row,
      table.sizeOf(write.row),
      write.timestamp,
    );
    write.applied |= 1 << k;
    appliedCount[write.position * rf + k]!++;
  };

  /** The leader ships a write it applied to each follower, each after its own shipping delay. */
  const shipFrom = (leaderK: number, write: TrackedWrite, token: TokenParts): void => {
    const { position } = write;
    const source = nodeAt(position, leaderK);
    const epoch = epochs[position]!;
    for (let k = 0; k < rf; k++) {
      if (k === leaderK) continue;
      const target = nodeAt(position, k);
      const current = (): boolean => running[source] === 1 && epochs[position] === epoch;
      scheduler.after(ship.sample(), () => {
        if (!current()) return void droppedShipments++;
        network.send(source, target, () => {
          if (!current()) return void droppedShipments++;
          if (running[target] !== 1) return;
          stages[target]!.writes.submit(serviceMs.write, () => {
            if (!current()) return void droppedShipments++;
            if (running[target] !== 1) return;
            apply(write, k, token);
            const sample = {
              atMs: scheduler.now,
              lagMs: scheduler.now - write.appliedAtMs,
              replica: target,
            };
            lag.record(sample.lagMs);
            for (const listener of lagListeners) listener(sample);
          });
        });
      });
    }
  };

  const write: LeaderFollower['write'] = (from, row, done) => {
    const key = partitioner.keyOf(row);
    const position = positionOf(key);
    const token = { hi: parts.hi, lo: parts.lo };
    const leaderK = leaders[position]!;
    const leader = nodeAt(position, leaderK);
    if (believedUp[leader] !== 1) return done({ kind: 'unavailable', leader });
    const start = scheduler.now;
    const tracked: TrackedWrite = {
      position,
      keyText: key.text,
      row,
      timestamp: cluster.clock.next(),
      applied: 0,
      acknowledged: false,
      appliedAtMs: 0,
    };
    writes.push(tracked);
    let list = byPosition.get(position);
    if (list === undefined) byPosition.set(position, (list = []));
    list.push(tracked);
    let finished = false;
    const timer = sim.afterTimeout('writeMs', () => {
      if (finished) return;
      finished = true;
      done({ kind: 'timeout', latencyMs: scheduler.now - start, leader });
    });
    network.send(from, leader, () => {
      if (running[leader] !== 1) return;
      stages[leader]!.writes.submit(serviceMs.write, () => {
        // A leader replaced meanwhile (it was thought dead) no longer takes writes.
        if (running[leader] !== 1 || leaders[position] !== leaderK) return;
        apply(tracked, leaderK, token);
        tracked.appliedAtMs = scheduler.now;
        shipFrom(leaderK, tracked, token);
        network.send(leader, from, () => {
          if (finished || running[from] !== 1) return;
          finished = true;
          scheduler.cancel(timer);
          tracked.acknowledged = true;
          done({ kind: 'ok', latencyMs: scheduler.now - start, leader });
        });
      });
    });
  };

  const read: LeaderFollower['read'] = (from, key, target, done) => {
    const position = positionOf(key);
    const leaderK = leaders[position]!;
    let k = leaderK;
    if (target === 'follower' && rf > 1) {
      // The followers believed up, taken in turn.
      const live: number[] = [];
      for (let j = 0; j < rf; j++) {
        if (j !== leaderK && believedUp[nodeAt(position, j)] === 1) live.push(j);
      }
      if (live.length > 0) k = live[followerTurn++ % live.length]!;
    }
    const replica = nodeAt(position, k);
    if (believedUp[replica] !== 1) return done({ kind: 'unavailable' });
    const start = scheduler.now;
    let finished = false;
    const timer = sim.afterTimeout('readMs', () => {
      if (finished) return;
      finished = true;
      done({ kind: 'timeout', latencyMs: scheduler.now - start });
    });
    network.send(from, replica, () => {
      if (running[replica] !== 1) return;
      stages[replica]!.reads.submit(serviceMs.read, () => {
        if (running[replica] !== 1) return;
        const rows = readPartition(cluster.nodes[replica]!, key.text)?.rows ?? [];
        const copy = rows.slice();
        network.send(replica, from, () => {
          if (finished || running[from] !== 1) return;
          finished = true;
          scheduler.cancel(timer);
          done({
            kind: 'ok',
            rows: copy,
            latencyMs: scheduler.now - start,
            replica,
            fromLeader: k === leaderK,
          });
        });
      });
    });
  };

  /** Promotes, at each position `node` led, the live follower that applied the most writes. */
  const failOver = (node: number): void => {
    for (let position = 0; position < ring.size; position++) {
      if (leaderOf(position) !== node) continue;
      let best = -1;
      for (let k = 0; k < rf; k++) {
        const candidate = nodeAt(position, k);
        if (candidate === node || running[candidate] !== 1 || believedUp[candidate] !== 1) continue;
        if (best < 0 || appliedCount[position * rf + k]! > appliedCount[position * rf + best]!)
          best = k;
      }
      if (best < 0) continue;
      leaders[position] = best;
      epochs[position]!++;
      failovers++;
      for (const write of byPosition.get(position) ?? []) {
        if (write.acknowledged && (write.applied & (1 << best)) === 0) lostWrites.push(write);
      }
    }
  };
  sim.onBelief((node, up) => {
    if (!up) failOver(node);
  });

  return {
    leaders,
    write,
    read,
    leaderOf,
    lag,
    onLag: (listener) => {
      lagListeners.push(listener);
    },
    writes,
    get lost() {
      return lostWrites.length;
    },
    lostWrites,
    get failovers() {
      return failovers;
    },
    get droppedShipments() {
      return droppedShipments;
    },
  };
}
