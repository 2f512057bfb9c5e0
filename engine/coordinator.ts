import type { Cluster } from './cluster.js';
import { blockFor, consistencyLevels, isDcLocal, type ConsistencyLevel } from './consistency.js';
import { quoted, RinglabError } from './errors.js';
import { applyWrite, mergeCopies, readPartition, scanRanges, type Partition } from './node.js';
import type { PartitionKey } from './partitioner.js';
import { checkFilterColumns, matchesFilter, validateQuery, type Query } from './query.js';
import type { Row } from './row.js';
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
      /** Rows merged from the contacted replicas, the newest write per clustering key, in order. */
      readonly rows: readonly Row[];
      /** Replicas contacted (the consistency level's blockFor). */
      readonly contacted: number;
    }
  | Unavailable;

export type QueryResult =
  | {
      readonly kind: 'ok';
      /**
       * Matching rows, up to the limit: partition by partition (in route order for listed
       * partitions, in token order for a full scan), clustering order inside.
       */
      readonly rows: readonly Row[];
      /** Partitions read (listed routes), or distinct partitions found (full scans). */
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
  /**
   * Writes a row at a consistency level. Its timestamp comes from the cluster's write clock
   * unless `options.timestamp` gives one (as CQL's USING TIMESTAMP does, or a replayed hint).
   */
  write(row: Row, cl: ConsistencyLevel, options?: WriteOptions): WriteResult;
  read(key: PartitionKey, cl: ConsistencyLevel): ReadResult;
  /**
   * Scatter/gather: asks the partitioner for the plan, checks that every partition (or every
   * range, for a full scan) meets the level before reading anything, reads them through the
   * replicas' read path, merges the replicas' answers, and keeps the rows that pass the plan's
   * filter (query.ts states the contract).
   */
  query(query: Query, cl: ConsistencyLevel): QueryResult;
}

export interface WriteOptions {
  /** The write's timestamp, a safe integer; replicas keep the newest. */
  readonly timestamp?: number;
}

export interface CoordinatorOptions {
  /** The coordinator's DC, for LOCAL_* levels; defaults to the first node's DC. */
  readonly localDc?: string;
}

/**
 * The synchronous (data-plane) coordinator: it places, checks liveness against the
 * consistency level, and applies to live replicas. It has no notion of time; a down replica
 * simply misses the write. Its state is only scratch space: write timestamps come from the
 * cluster's clock, so any number of coordinators may share one cluster.
 */
export function createCoordinator(cluster: Cluster, options: CoordinatorOptions = {}): Coordinator {
  const { placement, partitioner, table, storage, nodes, up, clock } = cluster;
  const { ring, rf, table: replicaTable, strategy } = placement;
  const tokenFunction = partitioner.tokenFunction;
  const localDc = options.localDc ?? ring.nodes[0]!.dc;
  if (!ring.nodes.some((node) => node.dc === localDc)) {
    throw new RinglabError('INVALID_CONFIG', `local DC "${localDc}" has no nodes`, 'localDc');
  }
  const isLocal = Uint8Array.from(ring.nodes, (node) => (node.dc === localDc ? 1 : 0));
  // blockFor depends only on the level, so it is computed once per level, not per operation.
  const required = new Map<string, number>(
    consistencyLevels.map((cl) => [cl, blockFor(cl, strategy, localDc)]),
  );
  const parts = newTokenParts();

  /** blockFor of a level; a value that is not a level is misuse. */
  const requirement = (cl: ConsistencyLevel): number => {
    const need = required.get(cl);
    if (need === undefined) {
      throw new RinglabError(
        'UNKNOWN_NAME',
        `unknown consistency level ${quoted(cl)}; expected one of ${consistencyLevels.join(', ')}`,
        'cl',
      );
    }
    return need;
  };

  const positionOf = (key: PartitionKey): number => {
    tokenFunction.tokenParts(key.bytes, parts);
    return ring.positionOfParts(parts);
  };

  /** Whether replica `node` counts towards a level that is `localOnly` (LOCAL_*) or not. */
  const eligible = (node: number, localOnly: boolean): boolean =>
    up[node] === 1 && (!localOnly || isLocal[node] === 1);

  /** Too few live replicas at `position` for `cl`, or undefined when the level can be met. */
  const unavailableAt = (
    position: number,
    cl: ConsistencyLevel,
    need: number,
  ): Unavailable | undefined => {
    const localOnly = isDcLocal(cl);
    let alive = 0;
    for (let k = position * rf, end = k + rf; k < end; k++) {
      if (eligible(replicaTable[k]!, localOnly)) alive++;
    }
    return alive < need ? { kind: 'unavailable', cl, required: need, alive } : undefined;
  };

  // The write path runs millions of times per second on the data plane, so it avoids what it
  // can: the key object and its bytes (through `placeRow` when the strategy offers it) and the
  // result object (one shared, frozen value when every replica acked, the common case; results
  // are immutable values, so sharing one is invisible to callers).
  const placeRow = partitioner.placeRow?.bind(partitioner);
  const observe = partitioner.observe?.bind(partitioner);
  const allAcked: WriteResult = Object.freeze({ kind: 'ok', acked: rf, missed: 0 });

  const write = (row: Row, cl: ConsistencyLevel, options?: WriteOptions): WriteResult => {
    const need = requirement(cl);
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
    // Definite failure: decided before anything is applied or learned, so it changes nothing.
    const unavailable = unavailableAt(position, cl, need);
    if (unavailable !== undefined) return unavailable;
    const timestamp = options?.timestamp ?? clock.next();
    if (options?.timestamp !== undefined && !Number.isSafeInteger(timestamp)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `a write timestamp must be a safe integer, got ${quoted(timestamp)}`,
        'timestamp',
      );
    }
    const sizeBytes = table.sizeOf(row);
    let acked = 0;
    for (let k = position * rf, end = k + rf; k < end; k++) {
      const node = replicaTable[k]!;
      if (up[node] === 1) {
        applyWrite(nodes[node]!, storage, table, keyText, parts, row, sizeBytes, timestamp);
        acked++;
      }
    }
    observe?.(row);
    return acked === rf ? allAcked : { kind: 'ok', acked, missed: rf - acked };
  };

  /** Reads one partition from the first `need` eligible replicas, in replica order. */
  const readAt = (key: PartitionKey, position: number, cl: ConsistencyLevel, need: number) => {
    const localOnly = isDcLocal(cl);
    const copies: Partition[] = [];
    let contacted = 0;
    for (let k = position * rf, end = k + rf; k < end && contacted < need; k++) {
      const node = replicaTable[k]!;
      if (!eligible(node, localOnly)) continue;
      contacted++;
      const partition = readPartition(nodes[node]!, key.text);
      if (partition !== undefined) copies.push(partition);
    }
    const rows = copies.length === 0 ? [] : mergeCopies(copies, table.clustering);
    return { rows, contacted };
  };

  const read = (key: PartitionKey, cl: ConsistencyLevel): ReadResult => {
    const need = requirement(cl);
    const position = positionOf(key);
    const unavailable = unavailableAt(position, cl, need);
    if (unavailable !== undefined) return unavailable;
    return { kind: 'ok', ...readAt(key, position, cl, need) };
  };

  /**
   * Whether `node` is one of the `need` replicas asked for the range at `position`: the first
   * eligible ones in replica order, as `readAt` picks them for one partition.
   */
  const askedFor = (node: number, position: number, localOnly: boolean, need: number): boolean => {
    let chosen = 0;
    for (let k = position * rf, end = k + rf; k < end && chosen < need; k++) {
      const replica = replicaTable[k]!;
      if (!eligible(replica, localOnly)) continue;
      if (replica === node) return true;
      chosen++;
    }
    return false;
  };

  /**
   * A full scan, as a range read over every token range: each range is read from `need` of its
   * replicas through their read path, and each partition's copies are merged. Partitions come out
   * in token order (then by key), as a range read returns them.
   */
  const scan = (cl: ConsistencyLevel, need: number) => {
    const localOnly = isDcLocal(cl);
    const found = new Map<string, Partition[]>();
    const scratch = newTokenParts();
    nodes.forEach((node, index) => {
      let ranges = 0;
      for (let position = 0; position < ring.size; position++) {
        if (askedFor(index, position, localOnly, need)) ranges++;
      }
      const asked = (partition: Partition): boolean => {
        scratch.hi = partition.tokenHi;
        scratch.lo = partition.tokenLo;
        return askedFor(index, ring.positionOfParts(scratch), localOnly, need);
      };
      scanRanges(node, ranges, asked, (keyText, partition) => {
        const copies = found.get(keyText);
        if (copies === undefined) found.set(keyText, [partition]);
        else copies.push(partition);
      });
    });
    const partitions = [...found].sort(([aKey, [a]], [bKey, [b]]) => {
      if (a!.tokenHi !== b!.tokenHi) return a!.tokenHi - b!.tokenHi;
      if (a!.tokenLo !== b!.tokenLo) return a!.tokenLo - b!.tokenLo;
      return aKey < bKey ? -1 : aKey > bKey ? 1 : 0;
    });
    return partitions.map(([, copies]) => mergeCopies(copies, table.clustering));
  };

  const query = (q: Query, cl: ConsistencyLevel): QueryResult => {
    validateQuery(q);
    const need = requirement(cl);
    const route = partitioner.route(q);
    checkFilterColumns(route.filter, table.columns, table.name);
    const limit = q.limit ?? Infinity;
    const rows: Row[] = [];
    const keep = (partitionRows: readonly Row[]): void => {
      for (const row of partitionRows) {
        if (rows.length >= limit) return;
        if (matchesFilter(row, route.filter)) rows.push(row);
      }
    };
    if (route.kind === 'partitions') {
      // Every partition must meet the level before any is read, so that `unavailable` stays
      // definite for the whole query.
      const positions = route.keys.map(positionOf);
      for (const position of positions) {
        const unavailable = unavailableAt(position, cl, need);
        if (unavailable !== undefined) return unavailable;
      }
      route.keys.forEach((key, i) => {
        if (rows.length < limit) keep(readAt(key, positions[i]!, cl, need).rows);
      });
      return { kind: 'ok', rows, partitions: route.keys.length, scanned: false };
    }
    for (let position = 0; position < ring.size; position++) {
      const unavailable = unavailableAt(position, cl, need);
      if (unavailable !== undefined) return unavailable;
    }
    const partitions = scan(cl, need);
    for (const partitionRows of partitions) keep(partitionRows);
    return { kind: 'ok', rows, partitions: partitions.length, scanned: true };
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
