import { RinglabError } from './errors.js';
import type { IndexMode } from './index-mode.js';
import { createStorageNode, type StorageMode, type StorageNode } from './node.js';
import type { Partitioner } from './partitioner.js';
import type { Placement } from './replication.js';
import type { TableSpec } from './row.js';
import { createWriteClock, type WriteClock } from './write-clock.js';

export interface ClusterOptions {
  readonly placement: Placement;
  readonly partitioner: Partitioner;
  readonly table: TableSpec;
  readonly storage: StorageMode;
  /** Where write timestamps come from; by default a counter, 1, 2, 3, ... */
  readonly clock?: WriteClock;
  /** The secondary index on the table, if any. */
  readonly index?: IndexMode;
}

/**
 * The simulated cluster on the data plane: placement, the nodes' storage and counters, and which
 * nodes are up. It sends nothing; the coordinator drives it.
 */
export interface Cluster {
  /**
   * The placement in force: the current epoch's. Membership changes install a new one, so read
   * it on every operation rather than keeping it.
   */
  readonly placement: Placement;
  /** 0 for the placement the cluster was made with, one more for each installed since. */
  readonly epoch: number;
  /**
   * Installs the placement of the next epoch. It must place the same nodes (a node's index is the
   * same node in every epoch; nodes join and leave by gaining or losing tokens) with the same
   * replication strategy. Moving the data is the caller's work (engine/streaming.ts).
   */
  install(placement: Placement): void;
  readonly partitioner: Partitioner;
  readonly table: TableSpec;
  readonly storage: StorageMode;
  readonly nodes: readonly StorageNode[];
  /** The one source of write timestamps for every coordinator on this cluster. */
  readonly clock: WriteClock;
  /** The table's secondary index; undefined when it has none. */
  readonly index: IndexMode | undefined;
  /** 1 when the node at that index is up, 0 when down; indexed like `placement.ring.nodes`. */
  readonly up: Uint8Array;
  /** The index of a node id; throws UNKNOWN_NODE naming the known ids. */
  nodeIndex(id: string): number;
  markDown(id: string): void;
  markUp(id: string): void;
}

export function createCluster(options: ClusterOptions): Cluster {
  const { placement } = options;
  const specs = placement.ring.nodes;
  // A local index is kept by each replica beside its rows (see node.ts).
  const indexed = options.index?.name === 'local' ? options.index.column : undefined;
  const nodes = specs.map((_, index) => createStorageNode(index, indexed));
  const up = new Uint8Array(specs.length).fill(1);
  const byId = new Map(specs.map((spec, index) => [spec.id, index]));

  const nodeIndex = (id: string): number => {
    const index = byId.get(id);
    if (index === undefined) {
      throw new RinglabError(
        'UNKNOWN_NODE',
        `unknown node "${id}"; nodes are ${describeIds(specs.map((s) => s.id))}`,
        'node',
      );
    }
    return index;
  };

  let current = placement;
  let epoch = 0;
  const install = (next: Placement): void => {
    const same =
      next.ring.nodes.length === specs.length &&
      next.ring.nodes.every((spec, i) => spec.id === specs[i]!.id);
    if (!same) {
      throw new RinglabError(
        'INVALID_CONFIG',
        'a new placement must list the same nodes in the same order; give a joining node no ' +
          'tokens in the earlier rings instead of adding it',
        'placement',
      );
    }
    if (next.rf !== current.rf || next.strategy.class !== current.strategy.class) {
      throw new RinglabError(
        'INVALID_CONFIG',
        `a new placement must keep the replication strategy (${current.strategy.class}, rf ${current.rf})`,
        'placement',
      );
    }
    current = next;
    epoch++;
  };

  return {
    get placement() {
      return current;
    },
    get epoch() {
      return epoch;
    },
    install,
    partitioner: options.partitioner,
    table: options.table,
    storage: options.storage,
    clock: options.clock ?? createWriteClock(),
    index: options.index,
    nodes,
    up,
    nodeIndex,
    markDown: (id) => {
      up[nodeIndex(id)] = 0;
    },
    markUp: (id) => {
      up[nodeIndex(id)] = 1;
    },
  };
}

function describeIds(ids: readonly string[]): string {
  return ids.length <= 6 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')}, ..., ${ids.at(-1)}`;
}
