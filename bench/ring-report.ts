import { growthCurve } from '../engine/allocation.js';
import { primaryOwnership } from '../engine/ring.js';
import { replicatedOwnership } from '../engine/replication.js';
import { createRandom } from '../engine/random.js';
import { imbalance, type Imbalance } from '../engine/stats.js';
import {
  placementOf,
  strategyOf,
  topologyOf,
  tokenFunctionOf,
  type ClusterConfig,
} from './cluster-config.js';

export interface RingNodeReport {
  readonly id: string;
  readonly dc: string;
  readonly rack: string;
  readonly tokens: readonly bigint[];
  /** Fraction of the ring this node owns as primary replica. */
  readonly ownership: number;
  /** Fraction of the ring's data this node holds a replica of (sums to rf over a DC). */
  readonly replicatedOwnership: number;
}

export interface RingReport {
  readonly seed: number;
  readonly config: ClusterConfig;
  readonly nodes: readonly RingNodeReport[];
  /** Imbalance of replicated ownership (what each node must store and serve). */
  readonly imbalance: Imbalance & { readonly primaryMaxOverMean: number };
  /** max/mean of replicated ownership as the cluster grew one node at a time, when asked for. */
  readonly growth?: readonly { readonly nodes: number; readonly maxOverMean: number }[];
}

export function ringReport(config: ClusterConfig, options: { grow?: boolean } = {}): RingReport {
  const placement = placementOf(config);
  const { ring } = placement;
  const primary = primaryOwnership(ring);
  const replicated = replicatedOwnership(placement);
  const nodes = ring.nodes.map((node, i) => ({
    id: node.id,
    dc: node.dc,
    rack: node.rack,
    tokens: ring.tokensOf(i),
    ownership: primary[i]!,
    replicatedOwnership: replicated[i]!,
  }));
  const report: RingReport = {
    seed: config.seed,
    config,
    nodes,
    imbalance: { ...imbalance(replicated), primaryMaxOverMean: imbalance(primary).maxOverMean },
  };
  if (!options.grow) return report;
  const growth = growthCurve({
    nodes: topologyOf(config),
    vnodes: config.vnodes,
    allocator: config.allocator,
    strategy: strategyOf(config),
    random: createRandom(config.seed).fork('tokens'),
  });
  return { ...report, growth };
}

export interface ReplicasEntry {
  readonly key: string;
  /** The token as the configured partitioner prints it. */
  readonly token: bigint;
  /** Replica node ids, primary first. */
  readonly replicas: readonly string[];
}

/** Token and replicas of raw partition keys (one component each, hashed as given). */
export function replicasReport(
  config: ClusterConfig,
  keys: readonly { readonly label: string; readonly bytes: Uint8Array }[],
): ReplicasEntry[] {
  const placement = placementOf(config);
  const tokenFunction = tokenFunctionOf(config);
  return keys.map(({ label, bytes }) => ({
    key: label,
    token: tokenFunction.nativeToken(bytes),
    replicas: placement
      .replicasOf(tokenFunction.token(bytes))
      .map((node) => placement.ring.nodes[node]!.id),
  }));
}
