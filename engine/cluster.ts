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
  readonly placement: Placement;
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

  return {
    ...options,
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
