import type { Cluster } from './cluster.js';
import { blockFor, consistencyLevels, isDcLocal, type ConsistencyLevel } from './consistency.js';
import { RinglabError } from './errors.js';
import { applyWrite, compareClustering, readPartition, type Partition } from './node.js';
import type { PartitionKey, Query } from './partitioner.js';
import { compareValues, type Row } from './row.js';
import { newTokenParts, tokenFromParts } from './token.js';

/**
 * Outcomes of data-plane operations. `unavailable` is definite: too few live replicas were
 * known before anything was sent, so nothing was applied anywhere.
 */
export type Unavailable = {
  readonly kind: 'unavailable';
  readonly cl: ConsistencyLevel;
  readonly required: number;
  readonly alive: number;
};

export type WriteResult =
  | {
      readonly kind: 'ok';
      /** Replicas that applied the write. */
      readonly acked: number;
      /** Replicas that were down and missed it. */
      readonly missed: number;
    }
  | Unavailable;

export type ReadResult =
  | {
      readonly kind: 'ok';
      /** Rows merged from the contacted replicas, newest version per clustering key, in order. */
      readonly rows: readonly Row[];
      /** Replicas contacted (the consistency level's blockFor). */
      readonly contacted: number;
    }
  | Unavailable;

export type QueryResult =
  | {
      readonly kind: 'ok';
      /** Matching rows, partition by partition in route order, clustering order inside. */
      readonly rows: readonly Row[];
      /** Partitions read (listed routes), or partitions scanned (full scans). */
      readonly partitions: number;
      readonly scanned: boolean;
    }
  | Unavailable;

export interface Location {
  readonly token: bigint;
  /** The ring position whose range holds the token. */
  readonly position: number;
  /** Replica node indexes, primary first. */
  readonly replicas: readonly number[];
}

export interface Coordinator {
  /** Where a partition lives: its token and replicas. */
  locate(key: PartitionKey): Location;
  write(row: Row, cl: ConsistencyLevel): WriteResult;
  read(key: PartitionKey, cl: ConsistencyLevel): ReadResult;
  /**
   * Scatter/gather: asks the partitioner for the route, reads every routed partition (or, when
   * the query cannot be routed, scans every live replica), and keeps the rows matching the query.
   */
  query(query: Query, cl: ConsistencyLevel): QueryResult;
}

export interface CoordinatorOptions {
  /** The coordinator's DC, for LOCAL_* levels; defaults to the first node's DC. */
  readonly localDc?: string;
}

/**
 * The synchronous (data-plane) coordinator: it places, checks liveness against the
 * consistency level, and applies to live replicas. It has no notion of time; a down replica
 * simply misses the write.
 */
export function createCoordinator(cluster: Cluster, options: CoordinatorOptions = {}): Coordinator {
  const { placement, partitioner, table, storage, nodes, up } = cluster;
  const { ring, rf, table: replicaTable, strategy } = placement;
  const tokenFunction = partitioner.tokenFunction;
  const localDc = options.localDc ?? ring.nodes[0]!.dc;
  if (!ring.nodes.some((node) => node.dc === localDc)) {
    throw new RinglabError('INVALID_CONFIG', `local DC "${localDc}" has no nodes`, 'localDc');
  }
  const isLocal = Uint8Array.from(ring.nodes, (node) => (node.dc === localDc ? 1 : 0));
  // blockFor depends only on the level, so it is computed once per level, not per operation.
  const required = new Map(consistencyLevels.map((cl) => [cl, blockFor(cl, strategy, localDc)]));
  const parts = newTokenParts();
  let version = 0;

  const positionOf = (key: PartitionKey): number => {
    tokenFunction.tokenParts(key.bytes, parts);
    return ring.positionOfParts(parts);
  };

  /** Live replicas that count towards `cl` at `position`. */
  const countAlive = (position: number, localOnly: boolean): number => {
    let alive = 0;
    for (let k = position * rf, end = k + rf; k < end; k++) {
      const node = replicaTable[k]!;
      if (up[node] === 1 && (!localOnly || isLocal[node] === 1)) alive++;
    }
    return alive;
  };

  const check = (position: number, cl: ConsistencyLevel): Unavailable | number => {
    const need = required.get(cl)!;
    const alive = countAlive(position, isDcLocal(cl));
    return alive < need ? { kind: 'unavailable', cl, required: need, alive } : need;
  };

  // The write path runs millions of times per second on the data plane, so it avoids what it
  // can: the key object and its bytes (through `placeRow` when the strategy offers it) and the
  // result object (one shared, frozen value when every replica acked, the common case; results
  // are immutable values, so sharing one is invisible to callers).
  const placeRow = partitioner.placeRow?.bind(partitioner);
  const allAcked: WriteResult = Object.freeze({ kind: 'ok', acked: rf, missed: 0 });

  const write = (row: Row, cl: ConsistencyLevel): WriteResult => {
    partitioner.observe?.(row);
    let keyText: string;
    let position: number;
    if (placeRow !== undefined) {
      keyText = placeRow(row, parts);
      position = ring.positionOfParts(parts);
    } else {
      const key = partitioner.keyOf(row);
      keyText = key.text;
      position = positionOf(key);
    }
    const verdict = check(position, cl);
    if (typeof verdict !== 'number') return verdict;
    const sizeBytes = table.sizeOf(row);
    version++;
    let acked = 0;
    for (let k = position * rf, end = k + rf; k < end; k++) {
      const node = replicaTable[k]!;
      if (up[node] === 1) {
        applyWrite(nodes[node]!, storage, table, keyText, row, sizeBytes, version);
        acked++;
      }
    }
    return acked === rf ? allAcked : { kind: 'ok', acked, missed: rf - acked };
  };

  /** Newest version of each clustering key across replicas' copies of partitions. */
  const createMerge = () => {
    const merged = new Map<string, { row: Row; version: number }>();
    return {
      add(partition: Partition, keyText: string): void {
        partition.rows.forEach((row, i) => {
          const id = `${keyText}\u0000${table.clustering.map((column) => String(row[column])).join('\u0000')}`;
          const seen = merged.get(id);
          const version = partition.versions[i]!;
          if (seen === undefined || seen.version < version) merged.set(id, { row, version });
        });
      },
      rows(): Row[] {
        const rows = [...merged.values()].map((entry) => entry.row);
        return rows.sort((a, b) => compareClustering(a, b, table.clustering));
      },
    };
  };

  const read = (key: PartitionKey, cl: ConsistencyLevel): ReadResult => {
    const position = positionOf(key);
    const verdict = check(position, cl);
    if (typeof verdict !== 'number') return verdict;
    const localOnly = isDcLocal(cl);
    const merge = createMerge();
    let contacted = 0;
    for (let k = position * rf, end = k + rf; k < end && contacted < verdict; k++) {
      const node = replicaTable[k]!;
      if (up[node] !== 1 || (localOnly && isLocal[node] !== 1)) continue;
      contacted++;
      const partition = readPartition(nodes[node]!, key.text);
      if (partition !== undefined) merge.add(partition, key.text);
    }
    return { kind: 'ok', rows: merge.rows(), contacted };
  };

  const matches = (row: Row, query: Query): boolean => {
    for (const column in query.where)
      if (compareValues(row[column], query.where[column]) !== 0) return false;
    const range = query.range;
    if (range === undefined) return true;
    const value = row[range.column];
    return typeof value === 'number' && value >= range.from && value < range.to;
  };

  const query = (q: Query, cl: ConsistencyLevel): QueryResult => {
    const route = partitioner.route(q);
    const limit = q.limit ?? Infinity;
    if (route.kind === 'partitions') {
      const rows: Row[] = [];
      for (const key of route.keys) {
        const result = read(key, cl);
        if (result.kind !== 'ok') return result;
        for (const row of result.rows) if (rows.length < limit && matches(row, q)) rows.push(row);
      }
      return { kind: 'ok', rows, partitions: route.keys.length, scanned: false };
    }
    // A full scan needs every range to meet the level, as Cassandra's range reads do.
    for (let position = 0; position < ring.size; position++) {
      const verdict = check(position, cl);
      if (typeof verdict !== 'number') return verdict;
    }
    const merge = createMerge();
    const scanned = new Set<string>();
    nodes.forEach((node, index) => {
      if (up[index] !== 1) return;
      for (const [keyText, partition] of node.partitions) {
        scanned.add(keyText);
        merge.add(partition, keyText);
      }
    });
    const rows = merge
      .rows()
      .filter((row) => matches(row, q))
      .slice(0, limit);
    return { kind: 'ok', rows, partitions: scanned.size, scanned: true };
  };

  const locate = (key: PartitionKey): Location => {
    const position = positionOf(key);
    return {
      token: tokenFromParts(parts.hi, parts.lo),
      position,
      replicas: Array.from(replicaTable.subarray(position * rf, position * rf + rf)),
    };
  };

  return { locate, write, read, query };
}
