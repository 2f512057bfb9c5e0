/**
 * A membership change on the time plane: the streams of engine/streaming.ts run on the virtual
 * clock while traffic continues, as Cassandra's bootstrap and decommission do.
 *
 * 1. The transition placement is installed at once (engine/transition.ts): writes go to the
 *    pending replicas too and wait for them, reads stay on the old replicas.
 * 2. After the ring delay (Cassandra's ring_delay, 30 s), so that no write sent before the
 *    pending replicas were known is still in flight, the streams start: every source node sends
 *    its streams one after another at the outbound throughput cap, each partition as the source
 *    holds it when the stream completes (writes since then went to the target directly).
 * 3. A range switches to its new replicas the moment its last stream completes; ranges with no
 *    data to move switch when streaming starts. When every range has switched, the new placement
 *    is installed on its own. Cleanup (dropping what nodes no longer replicate) is left to the
 *    caller, once reads that started before the switch are done.
 *
 * A stream whose source or target is down when it completes fails: its partitions do not
 * arrive, the range switches anyway (as a forced bootstrap would), and the move counts it.
 */
import { RinglabError } from '../errors.js';
import type { Placement } from '../replication.js';
import { planStreams, runStream, type StreamPlan, type StreamTask } from '../streaming.js';
import { createTransition } from '../transition.js';
import type { Simulation } from './simulation.js';

/** Cassandra's stream_throughput_outbound (24 MiB/s) and ring_delay (30 s). */
export const DEFAULT_MOVE = { bytesPerSec: 24 * 2 ** 20, ringDelayMs: 30_000 } as const;

export interface MoveOptions {
  /** Outbound streaming throughput per node, bytes per second. */
  readonly bytesPerSec?: number;
  /** Virtual time between the pending replicas becoming known and the first stream. */
  readonly ringDelayMs?: number;
}

export interface MoveReport {
  readonly plan: StreamPlan;
  /** Virtual ms: the transition installed, the first stream started, the last range switched. */
  readonly startedMs: number;
  readonly streamingStartedMs: number;
  readonly finishedMs: number;
  /** Bytes the completed streams carried (the partitions as they were when each completed). */
  readonly bytes: number;
  readonly streams: number;
  readonly failedStreams: number;
}

/**
 * Starts moving the simulation's cluster to `to`; `done` is told when every range has switched.
 * One move at a time: a second while one runs is refused.
 */
export function startMove(
  sim: Simulation,
  to: Placement,
  options: MoveOptions,
  done: (report: MoveReport) => void,
): void {
  const { cluster, scheduler, running } = sim;
  if (cluster.placement.pending !== undefined) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      'a move is already running; wait for it to finish before starting another',
      'move',
    );
  }
  const bytesPerSec = options.bytesPerSec ?? DEFAULT_MOVE.bytesPerSec;
  const ringDelayMs = options.ringDelayMs ?? DEFAULT_MOVE.ringDelayMs;
  const plan = planStreams(cluster, to, running);
  const transition = createTransition(cluster.placement, to);
  cluster.install(transition.placement());
  const startedMs = scheduler.now;
  const left = new Int32Array(to.ring.size);
  for (const task of plan.tasks) left[task.position]!++;
  const queues = new Map<number, StreamTask[]>();
  for (const task of plan.tasks) {
    const queue = queues.get(task.from);
    if (queue === undefined) queues.set(task.from, [task]);
    else queue.push(task);
  }
  let bytes = 0;
  let failedStreams = 0;
  let switchedAll = false;
  let streamingStartedMs = startedMs;

  const switchRange = (position: number): void => {
    transition.switched[position] = 1;
  };

  const finishIfDone = (): void => {
    if (switchedAll) return;
    if (transition.switched.every((s) => s === 1)) {
      switchedAll = true;
      cluster.install(to);
      done({
        plan,
        startedMs,
        streamingStartedMs,
        finishedMs: scheduler.now,
        bytes,
        streams: plan.tasks.length,
        failedStreams,
      });
    } else {
      cluster.install(transition.placement());
    }
  };

  const next = (queue: StreamTask[], at: number): void => {
    const task = queue[at];
    if (task === undefined) return;
    scheduler.after((task.bytes / bytesPerSec) * 1000, () => {
      if (running[task.from] === 1 && running[task.to] === 1) bytes += runStream(cluster, task);
      else failedStreams++;
      if (--left[task.position]! === 0) {
        switchRange(task.position);
        finishIfDone();
      }
      next(queue, at + 1);
    });
  };

  scheduler.after(ringDelayMs, () => {
    streamingStartedMs = scheduler.now;
    for (let position = 0; position < to.ring.size; position++) {
      if (left[position] === 0) switchRange(position);
    }
    finishIfDone();
    for (const queue of [...queues.keys()].sort((a, b) => a - b)) next(queues.get(queue)!, 0);
  });
}
