import type { Coordinator } from '../../engine/coordinator.js';
import type { Partitioner, Query } from '../../engine/partitioner.js';
import type { Random } from '../../engine/random.js';
import { serverIdOf } from '../workloads/log-events.js';

export interface FanoutStats {
  readonly meanPartitions: number;
  readonly maxPartitions: number;
  /** Distinct nodes holding the touched partitions' primary replicas; every node for a full scan. */
  readonly meanNodes: number;
  /** Fraction of sampled reads that cannot be routed and scan every token range. */
  readonly scanFraction: number;
}

export type ReadKind = 'by-server' | 'by-time-range';

export interface ReadSample {
  readonly kind: ReadKind;
  readonly reads: number;
  readonly servers: number;
  readonly windowMs: number;
  /** The first and last event times of the run. */
  readonly firstTs: number;
  readonly lastTs: number;
}

/**
 * One read to measure, drawing from `random`: by server (a server drawn uniformly, over
 * the whole run) or by time range (one window's worth, from a uniformly drawn time in the run).
 */
function sampleQuery(sample: ReadSample, random: Random): Query {
  const { firstTs: first, lastTs: last } = sample;
  if (sample.kind === 'by-server') {
    const server = serverIdOf(random.nextInt(sample.servers), sample.servers);
    return { where: { server_id: server }, range: { column: 'ts', from: first, to: last + 1 } };
  }
  const from = first + Math.floor(random.nextFloat() * Math.max(1, last - first));
  return { where: {}, range: { column: 'ts', from, to: from + sample.windowMs } };
}

/**
 * Fan-out of `sample.reads` sampled reads, from their routes alone (nothing is read): a listed
 * route touches its partitions and the nodes holding their primaries; a full scan touches all
 * `allPartitions` partitions and every one of `nodes` nodes.
 */
export function fanout(
  partitioner: Partitioner,
  coordinator: Coordinator,
  nodes: number,
  allPartitions: number,
  sample: ReadSample,
  random: Random,
): FanoutStats {
  let partitions = 0;
  let maxPartitions = 0;
  let touchedNodes = 0;
  let scans = 0;
  for (let i = 0; i < sample.reads; i++) {
    const route = partitioner.route(sampleQuery(sample, random));
    if (route.kind === 'all-ranges') {
      scans++;
      partitions += allPartitions;
      maxPartitions = Math.max(maxPartitions, allPartitions);
      touchedNodes += nodes;
      continue;
    }
    // Once every node is a primary of some key, the rest cannot add one.
    const primaries = new Set<number>();
    for (const key of route.keys) {
      primaries.add(coordinator.locate(key).replicas[0]!);
      if (primaries.size === nodes) break;
    }
    partitions += route.keys.length;
    maxPartitions = Math.max(maxPartitions, route.keys.length);
    touchedNodes += primaries.size;
  }
  const n = Math.max(1, sample.reads);
  return {
    meanPartitions: partitions / n,
    maxPartitions,
    meanNodes: touchedNodes / n,
    scanFraction: scans / n,
  };
}
