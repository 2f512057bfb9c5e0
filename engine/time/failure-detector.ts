/**
 * What the coordinators believe about which nodes are up, as gossip tells them. A crash is not
 * seen at once: a node is suspected only after `detectionMs` (Cassandra's phi accrual detector at
 * its default threshold of 8 convicts a silent node after roughly ten seconds), and until then
 * coordinators keep sending to it and their requests time out. A node that comes back is seen
 * after `recoveryNoticeMs`, the time for its first gossip round to reach the others.
 *
 * The actual state (is the node running) is the simulation's; this is only the belief, and it
 * is what a coordinator uses to decide `unavailable`.
 */
import { invalidConfig } from '../errors.js';
import type { Scheduler } from './scheduler.js';

export interface FailureDetectorOptions {
  /** From a crash to the coordinators' conviction, ms (default 10,000). */
  readonly detectionMs?: number;
  /** From a recovery to the coordinators seeing the node up, ms (default 1,000). */
  readonly recoveryNoticeMs?: number;
}

export const DEFAULT_DETECTION_MS = 10_000;
export const DEFAULT_RECOVERY_NOTICE_MS = 1_000;

export interface FailureDetector {
  /** 1 where coordinators believe the node up. */
  readonly believedUp: Uint8Array;
  /** The node stopped: coordinators will convict it after the detection delay. */
  crashed(node: number): void;
  /** The node runs again: coordinators will see it after the notice delay. */
  recovered(node: number): void;
}

export function createFailureDetector(
  scheduler: Scheduler,
  nodes: number,
  options: FailureDetectorOptions = {},
): FailureDetector {
  const detectionMs = nonNegative('detectionMs', options.detectionMs ?? DEFAULT_DETECTION_MS);
  const noticeMs = nonNegative(
    'recoveryNoticeMs',
    options.recoveryNoticeMs ?? DEFAULT_RECOVERY_NOTICE_MS,
  );
  const believedUp = new Uint8Array(nodes).fill(1);
  // The latest change per node: a belief scheduled for an older change is stale and ignored, so
  // a crash and a quick recovery never leave the node convicted.
  const generation = new Uint32Array(nodes);

  const believe = (node: number, up: 0 | 1, afterMs: number): void => {
    const mine = generation[node]! + 1;
    generation[node] = mine;
    scheduler.after(afterMs, () => {
      if (generation[node] === mine) believedUp[node] = up;
    });
  };

  return {
    believedUp,
    crashed: (node) => believe(node, 0, detectionMs),
    recovered: (node) => believe(node, 1, noticeMs),
  };
}

function nonNegative(field: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw invalidConfig(field, `must be a non-negative number of ms, got ${value}`);
  }
  return value;
}
