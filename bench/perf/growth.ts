/**
 * The balanced allocator at scale: a ring grown from one node to `nodes` with the replication-
 * aware allocator, one node at a time (what `allocateTokens` does for every cluster), then one
 * more node added to that ring (what `tokensForNewNode` does for a node joining a running
 * cluster), and the balance along the way (what `ringlab ring --grow` prints). SimpleStrategy,
 * one DC and rack, as the scale run.
 */
import {
  allocateTokens,
  growCluster,
  tokensForNewNode,
  type AllocationOptions,
} from '../../engine/allocation.js';
import { buildRing } from '../../engine/ring.js';
import { quantileSorted } from '../../engine/stats.js';
import { allocationOf, resolveClusterConfig } from '../cluster-config.js';

/**
 * Joins timed on the grown ring, each a different new node: the figure is the median of the
 * JOINS after WARM_UP_JOINS (the first calls of a process compile the one-shot path; the first
 * is reported on its own).
 */
const WARM_UP_JOINS = 10;
const JOINS = 5;

export interface GrowthJob {
  readonly kind: 'growth';
  readonly seed: number;
  readonly nodes: number;
  readonly vnodes: number;
  readonly rf: number;
  /** Nodes the balance is measured up to, after every join (the measuring is not timed). */
  readonly curveNodes: number;
}

export interface GrowthResult {
  readonly nodes: number;
  readonly vnodes: number;
  readonly rf: number;
  /** Growing the ring from 1 to `nodes` nodes, one at a time. */
  readonly growthMs: number;
  /** Adding one node to the `nodes`-node ring: the median of JOINS joins (`joinsMs`). */
  readonly joinMs: number;
  readonly joinsMs: readonly number[];
  /** The first join of the process, before the warm-up. */
  readonly firstJoinMs: number;
  readonly curveNodes: number;
  /** The largest max/mean of replicated ownership after any join up to `curveNodes` nodes. */
  readonly worstMaxOverMean: number;
  /** The cluster size where `worstMaxOverMean` was seen (the first, if several). */
  readonly worstAtNodes: number;
  /** max/mean at `curveNodes` nodes. */
  readonly finalMaxOverMean: number;
  /** Cassandra's allocator test bound, 1 + 4 / (vnodes x rf), that every point must meet. */
  readonly bound: number;
}

export function runGrowth(job: GrowthJob): GrowthResult {
  const allocation = allocationOf(
    resolveClusterConfig({
      nodes: Math.max(job.nodes, job.curveNodes),
      vnodes: job.vnodes,
      rf: job.rf,
      allocator: 'balanced',
      seed: job.seed,
    }),
  );
  const grownNodes = allocation.nodes.slice(0, job.nodes);
  const started = performance.now();
  const tokens = allocateTokens({ ...allocation, nodes: grownNodes });
  const growthMs = performance.now() - started;

  const ring = buildRing(grownNodes, tokens);
  const timed = Array.from({ length: WARM_UP_JOINS + JOINS }, (_, i) => {
    const node = { id: `joining-${i + 1}`, dc: 'dc1', rack: 'r1' };
    const before = performance.now();
    tokensForNewNode({ ...allocation, ring, node });
    return performance.now() - before;
  });
  const joinsMs = timed.slice(WARM_UP_JOINS);

  const curve = measureCurve({ ...allocation, nodes: allocation.nodes.slice(0, job.curveNodes) });
  return {
    nodes: job.nodes,
    vnodes: job.vnodes,
    rf: job.rf,
    growthMs,
    joinMs: quantileSorted(Float64Array.from(joinsMs).sort(), 0.5),
    joinsMs,
    firstJoinMs: timed[0]!,
    curveNodes: job.curveNodes,
    ...curve,
    bound: 1 + 4 / (job.vnodes * job.rf),
  };
}

function measureCurve(
  allocation: AllocationOptions,
): Pick<GrowthResult, 'worstMaxOverMean' | 'worstAtNodes' | 'finalMaxOverMean'> {
  const { curve } = growCluster(allocation);
  let worst = curve[0]!;
  for (const point of curve) if (point.maxOverMean > worst.maxOverMean) worst = point;
  return {
    worstMaxOverMean: worst.maxOverMean,
    worstAtNodes: worst.nodes,
    finalMaxOverMean: curve.at(-1)!.maxOverMean,
  };
}
