/**
 * What the cluster looks like when a simulate run ends: the index's cost and hot spots beside the
 * base table's, and each node's load and utilisation.
 */
import type { Row } from '../../engine/row.js';
import { imbalance } from '../../engine/stats.js';
import type { Simulation } from '../../engine/time/simulation.js';
import type { SimulateConfig } from './config.js';

export interface IndexReport {
  readonly mode: SimulateConfig['index'];
  /** The indexed column; null without an index. */
  readonly column: string | null;
  /**
   * Index mutations a base write sends besides its own (each to rf replicas, like the base row),
   * counted at the coordinator so that read repairs and hint replays do not blur it: 1 for the
   * global modes, 0 for local (each replica indexes its own rows in the same write) and none.
   * Replica-side totals are in each node's `indexWrites`.
   */
  readonly messagesPerBaseWrite: number;
  /** Index entry bytes sent over base row bytes sent, counted the same way (a ratio). */
  readonly indexBytesOverBaseBytes: number;
  /** Index entries: distinct entries of a global index; for local, each replica's rows. */
  readonly entries: number;
  /**
   * The largest index partition: a global index's (value, bucket) partition, or for local one
   * node's entries for one value. Null when there is none.
   */
  readonly largestPartition: {
    readonly key: string;
    readonly entries: number;
    /** Of all index entries. */
    readonly share: number;
  } | null;
  /** max/mean over nodes of index writes (for local, the base writes that carry them). */
  readonly writesMaxOverMean: number;
  readonly baseWritesMaxOverMean: number;
}

export interface NodeReport {
  readonly id: string;
  /** Running when the run ended. */
  readonly running: boolean;
  readonly baseWrites: number;
  readonly indexWrites: number;
  readonly rows: number;
  /** Read requests served (partitions and ranges) and rows they read. */
  readonly reads: number;
  readonly rowsRead: number;
  /** Busy workers over all workers, averaged over the run, per stage. */
  readonly writeUtilisation: number;
  readonly readUtilisation: number;
  readonly maxWriteQueue: number;
  readonly maxReadQueue: number;
}

/** What the client's writes carried, counted at the coordinator before replication. */
export interface WrittenVolume {
  readonly writes: number;
  readonly baseBytes: number;
  readonly indexEntries: number;
  readonly indexBytes: number;
}

export function indexReport(
  sim: Simulation,
  config: SimulateConfig,
  written: WrittenVolume,
): IndexReport {
  const nodes = sim.cluster.nodes;
  const baseWrites = nodes.map((node) => node.writes);
  const baseBalance = imbalance(baseWrites).maxOverMean;
  if (config.index === 'none') {
    return {
      mode: 'none',
      column: null,
      messagesPerBaseWrite: 0,
      indexBytesOverBaseBytes: 0,
      entries: 0,
      largestPartition: null,
      writesMaxOverMean: 0,
      baseWritesMaxOverMean: baseBalance,
    };
  }
  const column = config.indexColumn;
  if (config.index === 'local') {
    // Each replica's index holds one entry per row it stores, keyed by value on that node.
    let entries = 0;
    let largest: { key: string; entries: number } | null = null;
    nodes.forEach((node, i) => {
      const perValue = new Map<string, number>();
      for (const partition of node.partitions.values()) {
        for (const row of partition.rows) {
          const value = String((row as Row)[column]);
          perValue.set(value, (perValue.get(value) ?? 0) + 1);
        }
      }
      for (const [value, count] of perValue) {
        entries += count;
        if (largest === null || count > largest.entries) {
          largest = { key: `${sim.cluster.placement.ring.nodes[i]!.id}:${value}`, entries: count };
        }
      }
    });
    return {
      mode: 'local',
      column,
      messagesPerBaseWrite: 0,
      indexBytesOverBaseBytes: 0,
      entries,
      largestPartition: shareOf(largest, entries),
      writesMaxOverMean: baseBalance,
      baseWritesMaxOverMean: baseBalance,
    };
  }
  const indexWrites = nodes.map((node) => node.indexStore.writes);
  // A partition lives on rf replicas; count each once, at its fullest copy.
  const sizes = new Map<string, number>();
  for (const node of nodes) {
    for (const [key, partition] of node.indexStore.partitions) {
      if (partition.rowCount > (sizes.get(key) ?? 0)) sizes.set(key, partition.rowCount);
    }
  }
  let entries = 0;
  let largest: { key: string; entries: number } | null = null;
  for (const [key, count] of [...sizes].sort(([a], [b]) => (a < b ? -1 : 1))) {
    entries += count;
    if (largest === null || count > largest.entries) largest = { key, entries: count };
  }
  return {
    mode: config.index,
    column,
    messagesPerBaseWrite: written.writes === 0 ? 0 : written.indexEntries / written.writes,
    indexBytesOverBaseBytes: written.baseBytes === 0 ? 0 : written.indexBytes / written.baseBytes,
    entries,
    largestPartition: shareOf(largest, entries),
    writesMaxOverMean: imbalance(indexWrites).maxOverMean,
    baseWritesMaxOverMean: baseBalance,
  };
}

function shareOf(
  largest: { key: string; entries: number } | null,
  entries: number,
): IndexReport['largestPartition'] {
  return largest === null
    ? null
    : { ...largest, share: entries === 0 ? 0 : largest.entries / entries };
}

export function nodeReports(sim: Simulation): NodeReport[] {
  return sim.cluster.nodes.map((node, i) => {
    const writes = sim.stages[i]!.writes.stats();
    const reads = sim.stages[i]!.reads.stats();
    return {
      id: sim.cluster.placement.ring.nodes[i]!.id,
      running: sim.running[i] === 1,
      baseWrites: node.writes,
      indexWrites: node.indexStore.writes,
      rows: node.rows,
      reads: node.reads,
      rowsRead: node.rowsRead,
      writeUtilisation: writes.utilisation,
      readUtilisation: reads.utilisation,
      maxWriteQueue: writes.maxQueueLength,
      maxReadQueue: reads.maxQueueLength,
    };
  });
}
