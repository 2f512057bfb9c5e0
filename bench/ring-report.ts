import { allocateTokens, growCluster } from '../engine/allocation.js';
import { primaryOwnership, type Ring } from '../engine/ring.js';
import { replicatedOwnership } from '../engine/replication.js';
import { createRandom } from '../engine/random.js';
import { imbalance, type Imbalance } from '../engine/stats.js';
import {
  allocationOf,
  checkClusterCost,
  placementOfTokens,
  tokenFunctionOf,
  type ClusterConfig,
} from './cluster-config.js';
import type { Progress } from './progress.js';

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

export interface RingReportOptions {
  /** Also measure the cluster as it grows (`RingReport.growth`). */
  readonly grow?: boolean | undefined;
  /** Told the nodes allocated (and measured, with `grow`) out of all, every few nodes. */
  readonly progress?: Progress | undefined;
}

export function ringReport(config: ClusterConfig, options: RingReportOptions = {}): RingReport {
  const grow = options.grow ?? false;
  checkClusterCost(config, { grow });
  const allocation = allocationOf(config, createRandom(config.seed), options.progress);
  // The growth curve allocates the same tokens on its way, so they are not allocated twice.
  const grown = grow ? growCluster(allocation) : undefined;
  const placement = placementOfTokens(allocation, grown?.tokens ?? allocateTokens(allocation));
  const { ring } = placement;
  const primary = primaryOwnership(ring);
  const replicated = replicatedOwnership(placement);
  const tokensByNode = tokensOfEveryNode(ring);
  const nodes = ring.nodes.map((node, i) => ({
    id: node.id,
    dc: node.dc,
    rack: node.rack,
    tokens: tokensByNode[i]!,
    ownership: primary[i]!,
    replicatedOwnership: replicated[i]!,
  }));
  const report: RingReport = {
    seed: config.seed,
    config,
    nodes,
    imbalance: { ...imbalance(replicated), primaryMaxOverMean: imbalance(primary).maxOverMean },
  };
  return grown ? { ...report, growth: grown.curve } : report;
}

/** Every node's tokens, ascending, in one walk of the ring (`tokensOf` walks it once per node). */
function tokensOfEveryNode(ring: Ring): bigint[][] {
  const tokens = ring.nodes.map((): bigint[] => []);
  for (let i = 0; i < ring.size; i++) tokens[ring.owners[i]!]!.push(ring.tokens[i]!);
  return tokens;
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
  options: { readonly progress?: Progress } = {},
): ReplicasEntry[] {
  const allocation = allocationOf(config, createRandom(config.seed));
  const withProgress =
    options.progress === undefined ? allocation : { ...allocation, progress: options.progress };
  const placement = placementOfTokens(allocation, allocateTokens(withProgress));
  const tokenFunction = tokenFunctionOf(config);
  return keys.map(({ label, bytes }) => ({
    key: label,
    token: tokenFunction.nativeToken(bytes),
    replicas: placement
      .replicasOf(tokenFunction.token(bytes))
      .map((node) => placement.ring.nodes[node]!.id),
  }));
}
