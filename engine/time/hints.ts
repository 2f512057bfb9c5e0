/**
 * Hinted handoff, kept by one coordinator: a write a replica missed (it was believed down, or it
 * did not answer before the timeout) is stored as a hint for that replica, and replayed when the
 * coordinator sees the replica up again, one hint at a time at `throttleBytesPerSec`
 * (hinted_handoff_throttle), with the write's own timestamp, so a replay that races a newer
 * write, or is itself replayed twice, changes nothing. No hint is stored for a replica that has
 * been believed down for longer than `windowMs` (max_hint_window): past it the replica needs a
 * repair. Hints never count toward a consistency level.
 */
import { applyWrite } from '../node.js';
import type { Row } from '../row.js';
import type { TokenParts } from '../token.js';
import type { Simulation } from './simulation.js';

export interface Hint {
  /** The base table, or the global index's table. */
  readonly store: 'base' | 'index';
  readonly keyText: string;
  readonly token: TokenParts;
  readonly row: Row;
  readonly timestamp: number;
  readonly sizeBytes: number;
}

export interface HintCounters {
  hintsStored: number;
  hintsReplayed: number;
  /** Hints not stored because the replica had been down longer than the hint window. */
  hintsDropped: number;
}

export interface Hints {
  store(target: number, hint: Hint): void;
  /** Hints waiting, over every target. */
  pending(): number;
}

export function createHints(sim: Simulation, self: number, counters: HintCounters): Hints {
  const { scheduler, network, cluster, running, stages, serviceMs, hintOptions } = sim;
  const believedUp = sim.detector.believedUp;
  const nodes = cluster.nodes.length;
  /** Per target, its hints and the index of the next to replay (a queue without O(n) shifts). */
  const queues = new Map<number, { hints: Hint[]; head: number }>();
  const downSince = new Float64Array(nodes).fill(Number.NaN);
  /** The replay attempt in flight per target (0: none); an answer to an older one is ignored. */
  const attempt = new Float64Array(nodes);
  let attempts = 0;

  const replayNext = (target: number): void => {
    const queue = queues.get(target);
    const hint = queue?.hints[queue.head];
    if (hint === undefined || believedUp[target] !== 1 || running[self] !== 1) {
      attempt[target] = 0;
      return;
    }
    const mine = ++attempts;
    attempt[target] = mine;
    const transferMs = (hint.sizeBytes / hintOptions.throttleBytesPerSec) * 1000;
    scheduler.after(transferMs, () => {
      if (attempt[target] !== mine) return;
      network.send(self, target, () => {
        if (running[target] !== 1) return;
        stages[target]!.writes.submit(serviceMs.write, () => {
          if (running[target] !== 1) return;
          const { store, keyText, token, row, sizeBytes, timestamp } = hint;
          // A hint replays into the table it was for: the base table, or the global index's.
          const node = cluster.nodes[target]!;
          const into = store === 'base' ? node : node.indexStore;
          const table = store === 'base' ? cluster.table : cluster.index!.table!;
          applyWrite(into, cluster.storage, table, keyText, token, row, sizeBytes, timestamp);
          network.send(target, self, () => {
            if (attempt[target] !== mine) return;
            const replayed = queue!;
            replayed.head++;
            if (replayed.head === replayed.hints.length) {
              replayed.hints = [];
              replayed.head = 0;
            } else if (replayed.head > 1024 && replayed.head * 2 > replayed.hints.length) {
              replayed.hints = replayed.hints.slice(replayed.head);
              replayed.head = 0;
            }
            counters.hintsReplayed++;
            replayNext(target);
          });
        });
      });
      // No answer in a write timeout (lost message, target gone again): try the hint again.
      sim.afterTimeout('writeMs', () => {
        if (attempt[target] === mine) replayNext(target);
      });
    });
  };

  sim.onBelief((node, up) => {
    if (!up) {
      if (Number.isNaN(downSince[node]!)) downSince[node] = scheduler.now;
      attempt[node] = 0;
      return;
    }
    downSince[node] = Number.NaN;
    if (node === self) {
      // This node is back from a crash: it resumes delivering the hints it kept (they are on
      // its disk), to every target believed up, as Cassandra's dispatcher does on restart.
      for (const target of queues.keys()) if (attempt[target] === 0) replayNext(target);
      return;
    }
    if (attempt[node] === 0) replayNext(node);
  });

  return {
    store(target, hint) {
      if (!hintOptions.enabled) return;
      const since = downSince[target]!;
      if (!Number.isNaN(since) && scheduler.now - since > hintOptions.windowMs) {
        counters.hintsDropped++;
        return;
      }
      let queue = queues.get(target);
      if (queue === undefined) queues.set(target, (queue = { hints: [], head: 0 }));
      queue.hints.push(hint);
      counters.hintsStored++;
      // A hint for a replica believed up (it timed out) is replayed at once.
      if (believedUp[target] === 1 && attempt[target] === 0) replayNext(target);
    },
    pending: () =>
      [...queues.values()].reduce((sum, queue) => sum + queue.hints.length - queue.head, 0),
  };
}
