import type { Cluster } from './cluster.js';
import { levelRequirements, type ConsistencyLevel } from './consistency.js';
import { quoted, RinglabError } from './errors.js';
import type { IndexEntry } from './index-mode.js';
import { applyWrite } from './node.js';
import type { PartitionKey } from './partitioner.js';
import { checkFilterColumns, matchesFilter, validateQuery, type Query } from './query.js';
import { baseRowsNamed, createReplicaReads, namedBy, type Unavailable } from './replica-reads.js';
import { compareValues, type Row } from './row.js';
import { newTokenParts, tokenFromParts, type TokenParts } from './token.js';

/**
 * Outcomes of data-plane operations. `unavailable` is definite: too few live replicas were
 * known before anything was sent, so nothing was applied anywhere.
 */
export type { Unavailable } from './replica-reads.js';

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
      /** Base partitions read (listed routes and global indexes), or found (range reads). */
      readonly partitions: number;
      /** Whether the query read every token range (a filtering scan or a local index). */
      readonly scanned: boolean;
      /** How it was answered: the key's route, a filtering scan, or an index. */
      readonly plan: QueryPlanKind;
      /** Index partitions read (global indexes); 0 otherwise. */
      readonly indexPartitions: number;
      /** Index entries whose base row no longer matches (stale after an update); dropped. */
      readonly staleEntries: number;
    }
  | Unavailable;

export type QueryPlanKind = 'partitions' | 'filtering-scan' | 'local-index' | 'global-index';

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
   * Writes a row at a consistency level, and its global index entries at the same level (a
   * synchronous index: the write fails definitely if either cannot meet it). Its timestamp comes
   * from the cluster's write clock unless `options.timestamp` gives one (as CQL's USING
   * TIMESTAMP does, or a replayed hint).
   */
  write(row: Row, cl: ConsistencyLevel, options?: WriteOptions): WriteResult;
  read(key: PartitionKey, cl: ConsistencyLevel): ReadResult;
  /**
   * Scatter/gather: asks the partitioner for the plan (and, when the key cannot route it, the
   * index), checks that everything it must read meets the level before reading anything, reads
   * through the replicas' read path, merges the replicas' answers, and keeps the rows that pass
   * the plan's filter (query.ts states the contract).
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

/** What a write without global index entries checks and applies besides its own row. */
const NO_ENTRIES: readonly IndexEntry[] = Object.freeze([]);
const NO_POSITIONS: readonly number[] = Object.freeze([]);

/**
 * The synchronous (data-plane) coordinator: it places, checks liveness against the
 * consistency level, and applies to live replicas. It has no notion of time; a down replica
 * simply misses the write. Its state is only scratch space: write timestamps come from the
 * cluster's clock, so any number of coordinators may share one cluster.
 */
export function createCoordinator(cluster: Cluster, options: CoordinatorOptions = {}): Coordinator {
  // The placement is read on every operation, since a membership change installs a new one;
  // what stays across epochs (the nodes, the strategy and so rf) is read once.
  const { partitioner, table, storage, nodes, up, clock, index } = cluster;
  const { ring, rf, strategy } = cluster.placement;
  const localDc = options.localDc ?? ring.nodes[0]!.dc;
  if (!ring.nodes.some((node) => node.dc === localDc)) {
    throw new RinglabError('INVALID_CONFIG', `local DC "${localDc}" has no nodes`, 'localDc');
  }
  const requirement = levelRequirements(strategy, localDc);
  const reads = createReplicaReads(cluster, localDc);
  const { parts, positionOf, unavailableAt } = reads;

  // The write path runs millions of times per second on the data plane, so it avoids what it
  // can: the key object and its bytes (through `placeRow` when the strategy offers it and no
  // global index needs the key) and the result object (one shared, frozen value when every
  // replica acked, the common case; results are immutable values, so sharing one is invisible).
  const indexTable = index?.table;
  const placeRow = indexTable === undefined ? partitioner.placeRow?.bind(partitioner) : undefined;
  const observe = partitioner.observe?.bind(partitioner);
  const allAcked: WriteResult = Object.freeze({ kind: 'ok', acked: rf, missed: 0 });
  const baseToken = newTokenParts();

  /** Applies a mutation to the live replicas of a position; returns how many applied it. */
  const applyAt = (
    replicaTable: Int32Array,
    position: number,
    store: 'base' | 'index',
    keyText: string,
    token: TokenParts,
    row: Row,
    timestamp: number,
  ): number => {
    const target = store === 'base' ? table : indexTable!;
    const sizeBytes = target.sizeOf(row);
    let acked = 0;
    for (let k = position * rf, end = k + rf; k < end; k++) {
      const node = replicaTable[k]!;
      if (up[node] !== 1) continue;
      const into = store === 'base' ? nodes[node]! : nodes[node]!.indexStore;
      applyWrite(into, storage, target, keyText, token, row, sizeBytes, timestamp);
      acked++;
    }
    return acked;
  };

  const positionOfEntry = (entry: IndexEntry): number => positionOf(entry.key);

  const write = (row: Row, cl: ConsistencyLevel, options?: WriteOptions): WriteResult => {
    const need = requirement(cl);
    const placement = cluster.placement;
    let keyText: string;
    let position: number;
    let entries = NO_ENTRIES;
    if (placeRow !== undefined) {
      keyText = placeRow(row, parts);
      position = placement.ring.positionOfParts(parts);
    } else {
      const key = partitioner.keyOf(row);
      keyText = key.text;
      position = positionOf(key);
      if (indexTable !== undefined) entries = index!.entriesFor(row, key);
    }
    baseToken.hi = parts.hi;
    baseToken.lo = parts.lo;
    // Definite failure: decided before anything is applied or learned, so it changes nothing.
    const unavailable = unavailableAt(position, cl, need);
    if (unavailable !== undefined) return unavailable;
    // Index entries are checked only when there are some: without, the write allocates nothing.
    const entryPositions = entries.length === 0 ? NO_POSITIONS : entries.map(positionOfEntry);
    // An indexed loop: `for...of` would allocate an iterator on every write, entries or none.
    for (let e = 0; e < entryPositions.length; e++) {
      const unmet = unavailableAt(entryPositions[e]!, cl, need);
      if (unmet !== undefined) return unmet;
    }
    const timestamp = options?.timestamp ?? clock.next();
    if (options?.timestamp !== undefined && !Number.isSafeInteger(timestamp)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `a write timestamp must be a safe integer, got ${quoted(timestamp)}`,
        'timestamp',
      );
    }
    const replicaTable = placement.table;
    const acked = applyAt(replicaTable, position, 'base', keyText, baseToken, row, timestamp);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      positionOf(entry.key); // its token, into the scratch halves
      applyAt(
        replicaTable,
        entryPositions[i]!,
        'index',
        entry.key.text,
        parts,
        entry.row,
        timestamp,
      );
    }
    observe?.(row);
    return acked === rf ? allAcked : { kind: 'ok', acked, missed: rf - acked };
  };

  const read = (key: PartitionKey, cl: ConsistencyLevel): ReadResult => {
    const need = requirement(cl);
    const position = positionOf(key);
    const unavailable = unavailableAt(position, cl, need);
    if (unavailable !== undefined) return unavailable;
    return { kind: 'ok', ...reads.readAt('base', key, position, cl, need) };
  };

  /** Checks every key before any is read, so that `unavailable` stays definite for the query. */
  const unavailableFor = (
    keys: readonly PartitionKey[],
    cl: ConsistencyLevel,
    need: number,
  ): { positions: number[]; unavailable: Unavailable | undefined } => {
    const positions = keys.map(positionOf);
    for (const position of positions) {
      const unavailable = unavailableAt(position, cl, need);
      if (unavailable !== undefined) return { positions, unavailable };
    }
    return { positions, unavailable: undefined };
  };

  const query = (q: Query, cl: ConsistencyLevel): QueryResult => {
    validateQuery(q);
    const need = requirement(cl);
    const route = partitioner.route(q);
    const filter = route.filter;
    checkFilterColumns(filter, table.columns, table.name);
    const limit = q.limit ?? Infinity;
    const rows: Row[] = [];
    const keep = (partitionRows: readonly Row[]): void => {
      for (const row of partitionRows) {
        if (rows.length >= limit) return;
        if (matchesFilter(row, filter)) rows.push(row);
      }
    };
    const answer = (
      plan: QueryPlanKind,
      partitions: number,
      indexPartitions = 0,
      staleEntries = 0,
    ): QueryResult => ({
      kind: 'ok',
      rows,
      partitions,
      scanned: plan === 'filtering-scan' || plan === 'local-index',
      plan,
      indexPartitions,
      staleEntries,
    });

    if (route.kind === 'partitions') {
      const { positions, unavailable } = unavailableFor(route.keys, cl, need);
      if (unavailable !== undefined) return unavailable;
      route.keys.forEach((key, i) => {
        if (rows.length < limit) keep(reads.readAt('base', key, positions[i]!, cl, need).rows);
      });
      return answer('partitions', route.keys.length);
    }

    const plan = index?.plan(filter) ?? { kind: 'filtering-scan' as const };
    if (plan.kind === 'global') {
      const { positions, unavailable } = unavailableFor(plan.keys, cl, need);
      if (unavailable !== undefined) return unavailable;
      const entries = plan.keys.flatMap(
        (key, i) => reads.readAt('index', key, positions[i]!, cl, need).rows,
      );
      const named = baseRowsNamed(entries, table.clustering);
      const base = unavailableFor(
        named.map(({ key }) => key),
        cl,
        need,
      );
      if (base.unavailable !== undefined) return base.unavailable;
      let stale = 0;
      named.forEach(({ key, rows: entryRows }, i) => {
        const baseRows = reads.readAt('base', key, base.positions[i]!, cl, need).rows;
        const pointed = baseRows.filter((row) => namedBy(entryRows, row, table.clustering));
        const live = pointed.filter((row) => matchesFilter(row, filter));
        stale += entryRows.length - live.length;
        if (rows.length < limit) keep(live);
      });
      return answer('global-index', named.length, plan.keys.length, stale);
    }

    const unavailable = reads.unavailableAnywhere(cl, need);
    if (unavailable !== undefined) return unavailable;
    if (plan.kind === 'local') {
      const matches = (row: Row): boolean => compareValues(row[plan.column], plan.value) === 0;
      const partitions = reads.readRanges(cl, need, matches).filter((found) => found.length > 0);
      for (const partitionRows of partitions) keep(partitionRows);
      return answer('local-index', partitions.length);
    }
    const partitions = reads.readRanges(cl, need);
    for (const partitionRows of partitions) keep(partitionRows);
    return answer('filtering-scan', partitions.length);
  };

  const locate = (key: PartitionKey): Location => {
    const position = positionOf(key);
    return {
      token: tokenFromParts(parts.hi, parts.lo),
      position,
      replicas: cluster.placement.replicasAt(position),
    };
  };

  return { locate, write, read, query };
}
