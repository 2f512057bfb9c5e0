import type { Cluster } from './cluster.js';
import { isDcLocal, type ConsistencyLevel } from './consistency.js';
import { quoted, RinglabError } from './errors.js';
import { INDEX_BASE_KEY_COLUMN, INDEX_BASE_KEY_HEX_COLUMN } from './index-mode.js';
import {
  compareClustering,
  mergeCopies,
  readPartition,
  scanRanges,
  type Partition,
  type TableStore,
} from './node.js';
import type { PartitionKey } from './partitioner.js';
import type { Placement } from './replication.js';
import { compareValues, type Row, type Value } from './row.js';
import { newTokenParts, type TokenParts } from './token.js';

/**
 * How the data-plane coordinator reads from replicas: which replicas a level asks, whether a
 * level can be met, and the reads themselves (one partition, every range, a global index). The
 * coordinator decides what to read; this module only reads, through the nodes' read path so that
 * every read is counted where it is served.
 */

/** Cassandra's Unavailable: too few replicas known alive, decided before anything is sent. */
export type Unavailable = {
  readonly kind: 'unavailable';
  readonly cl: ConsistencyLevel;
  readonly required: number;
  readonly alive: number;
};

/**
 * The one liveness check of both planes: whether the replicas of `position` that count for `cl`
 * (LOCAL_* levels count only `isLocal` ones) and are up in `alive` (the truth on the data plane,
 * the failure detector's belief on the time plane) are enough for `need`.
 */
export function unavailableAt(
  placement: Placement,
  alive: Uint8Array,
  isLocal: Uint8Array,
  position: number,
  cl: ConsistencyLevel,
  need: number,
): Unavailable | undefined {
  const { rf, table } = placement;
  const localOnly = isDcLocal(cl);
  let up = 0;
  for (let k = position * rf, end = k + rf; k < end; k++) {
    const node = table[k]!;
    if (alive[node] === 1 && (!localOnly || isLocal[node] === 1)) up++;
  }
  return up < need ? { kind: 'unavailable', cl, required: need, alive: up } : undefined;
}

/** 1 for each node in `dc`: the replicas LOCAL_* levels count. */
export function localNodes(placement: Placement, dc: string): Uint8Array {
  return Uint8Array.from(placement.ring.nodes, (node) => (node.dc === dc ? 1 : 0));
}

export interface ReplicaReads {
  /** The ring position of a key (its token written into the shared scratch halves). */
  positionOf(key: PartitionKey): number;
  /** The scratch halves `positionOf` last wrote. */
  readonly parts: TokenParts;
  /** Too few eligible live replicas at `position` for `cl`, or undefined when it can be met. */
  unavailableAt(position: number, cl: ConsistencyLevel, need: number): Unavailable | undefined;
  /** The first unmet range of the whole ring, or undefined when every range meets the level. */
  unavailableAnywhere(cl: ConsistencyLevel, need: number): Unavailable | undefined;
  /** One partition from the first `need` eligible replicas in replica order, merged. */
  readAt(
    store: Store,
    key: PartitionKey,
    position: number,
    cl: ConsistencyLevel,
    need: number,
  ): { rows: Row[]; contacted: number };
  /**
   * Every range from `need` of its replicas; each replica returns, of each partition it holds in
   * those ranges, the rows `pick` keeps (all of them for a scan; the matches of a local index).
   * Partitions come back in token order, each merged across replicas.
   */
  readRanges(cl: ConsistencyLevel, need: number, pick?: (row: Row) => boolean): Row[][];
}

/** Which of a node's tables a read goes to. */
export type Store = 'base' | 'index';

export function createReplicaReads(cluster: Cluster, localDc: string): ReplicaReads {
  // The placement is read on every call: a membership change installs a new one. The nodes and
  // their DCs stay the same across epochs, so `isLocal` is computed once.
  const { partitioner, table, nodes, up } = cluster;
  const tokenFunction = partitioner.tokenFunction;
  const isLocal = localNodes(cluster.placement, localDc);
  const parts = newTokenParts();
  const storeOf = (node: number, store: Store): TableStore =>
    store === 'base' ? nodes[node]! : nodes[node]!.indexStore;
  const clusteringOf = (store: Store): readonly string[] =>
    store === 'base' ? table.clustering : cluster.index!.table!.clustering;

  const positionOf = (key: PartitionKey): number => {
    tokenFunction.tokenParts(key.bytes, parts);
    return cluster.placement.ring.positionOfParts(parts);
  };

  /** Whether replica `node` counts towards a level that is `localOnly` (LOCAL_*) or not. */
  const eligible = (node: number, localOnly: boolean): boolean =>
    up[node] === 1 && (!localOnly || isLocal[node] === 1);

  const unavailableHere = (
    position: number,
    cl: ConsistencyLevel,
    need: number,
  ): Unavailable | undefined => unavailableAt(cluster.placement, up, isLocal, position, cl, need);

  const unavailableAnywhere = (cl: ConsistencyLevel, need: number): Unavailable | undefined => {
    for (let position = 0, size = cluster.placement.ring.size; position < size; position++) {
      const unavailable = unavailableHere(position, cl, need);
      if (unavailable !== undefined) return unavailable;
    }
    return undefined;
  };

  const readAt: ReplicaReads['readAt'] = (store, key, position, cl, need) => {
    const localOnly = isDcLocal(cl);
    const { rf, table: replicaTable } = cluster.placement;
    const copies: Partition[] = [];
    let contacted = 0;
    for (let k = position * rf, end = k + rf; k < end && contacted < need; k++) {
      const node = replicaTable[k]!;
      if (!eligible(node, localOnly)) continue;
      contacted++;
      const partition = readPartition(storeOf(node, store), key.text);
      if (partition !== undefined) copies.push(partition);
    }
    const rows = copies.length === 0 ? [] : mergeCopies(copies, clusteringOf(store));
    return { rows, contacted };
  };

  /**
   * Whether `node` is one of the `need` replicas asked for the range at `position`: the first
   * eligible ones in replica order, as `readAt` picks them for one partition.
   */
  const askedFor = (
    placement: Placement,
    node: number,
    position: number,
    localOnly: boolean,
    need: number,
  ): boolean => {
    const { rf, table: replicaTable } = placement;
    let chosen = 0;
    for (let k = position * rf, end = k + rf; k < end && chosen < need; k++) {
      const replica = replicaTable[k]!;
      if (!eligible(replica, localOnly)) continue;
      if (replica === node) return true;
      chosen++;
    }
    return false;
  };

  const readRanges: ReplicaReads['readRanges'] = (cl, need, pick) => {
    const localOnly = isDcLocal(cl);
    const placement = cluster.placement;
    const ring = placement.ring;
    const found = new Map<string, Partition[]>();
    const scratch = newTokenParts();
    nodes.forEach((node, index) => {
      let ranges = 0;
      for (let position = 0; position < ring.size; position++) {
        if (askedFor(placement, index, position, localOnly, need)) ranges++;
      }
      const asked = (partition: Partition): boolean => {
        scratch.hi = partition.tokenHi;
        scratch.lo = partition.tokenLo;
        return askedFor(placement, index, ring.positionOfParts(scratch), localOnly, need);
      };
      scanRanges(node, ranges, asked, (keyText, partition) => {
        const copies = found.get(keyText);
        if (copies === undefined) found.set(keyText, [partition]);
        else copies.push(partition);
        return pick === undefined ? partition.rows.length : partition.rows.filter(pick).length;
      });
    });
    const partitions = [...found].sort(([aKey, [a]], [bKey, [b]]) => {
      if (a!.tokenHi !== b!.tokenHi) return a!.tokenHi - b!.tokenHi;
      if (a!.tokenLo !== b!.tokenLo) return a!.tokenLo - b!.tokenLo;
      return aKey < bKey ? -1 : aKey > bKey ? 1 : 0;
    });
    return partitions.map(([, copies]) => {
      const rows = mergeCopies(copies, table.clustering);
      return pick === undefined ? rows : rows.filter(pick);
    });
  };

  return {
    positionOf,
    parts,
    unavailableAt: unavailableHere,
    unavailableAnywhere,
    readAt,
    readRanges,
  };
}

/**
 * The base partitions a global index's entries name, each with the clustering values of the
 * rows the entries point at, in the order first named.
 */
export function baseRowsNamed(
  entries: readonly Row[],
  clustering: readonly string[],
): { key: PartitionKey; rows: Row[] }[] {
  const byKey = new Map<string, { key: PartitionKey; rows: Row[] }>();
  for (const entry of entries) {
    const text = entry[INDEX_BASE_KEY_COLUMN];
    const hex = entry[INDEX_BASE_KEY_HEX_COLUMN];
    if (typeof text !== 'string' || typeof hex !== 'string') {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `malformed index entry ${quoted(JSON.stringify(entry, bigints))}`,
        'index',
      );
    }
    let named = byKey.get(text);
    if (named === undefined) {
      named = { key: { text, bytes: Uint8Array.from(Buffer.from(hex, 'hex')) }, rows: [] };
      byKey.set(text, named);
    }
    named.rows.push(entry);
  }
  for (const named of byKey.values())
    named.rows.sort((a, b) => compareClustering(a, b, clustering));
  return [...byKey.values()];
}

/** Whether a base row is one an entry names: the same clustering values. */
export function namedBy(
  entryRows: readonly Row[],
  row: Row,
  clustering: readonly string[],
): boolean {
  return entryRows.some((entry) => clustering.every((c) => compareValues(entry[c], row[c]) === 0));
}

function bigints(_: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : (value as Value);
}
