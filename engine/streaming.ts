import type { Cluster } from './cluster.js';
import {
  compareClustering,
  dropPartition,
  mergeTimestamped,
  streamPartition,
  type Partition,
  type TableStore,
} from './node.js';
import { supersedes } from './row.js';
import type { Placement } from './replication.js';
import { newTokenParts } from './token.js';

/**
 * What moves when the cluster goes from its current placement to another, and moving it.
 *
 * For every partition stored, its old replicas are those of the current placement and its new
 * ones those of the next. A replica gaining the partition receives it in a stream; one losing it
 * drops it once the move is done (`nodetool cleanup`). Sources follow Cassandra's consistent
 * range movement: the i-th replica gained streams from the i-th replica lost, the node whose copy
 * it replaces, so every copy is handed on and none is silently thinned. When that node is down
 * (a removed or replaced node, or one crashed mid-move) the range is rebuilt instead from every
 * live old replica holding it, merged by timestamp, as `removenode` followed by a repair of those
 * ranges would; it then streams up to rf - 1 copies, and the plan counts those ranges. What no
 * live old replica holds is lost, and reported, never silently: a partition none holds, and the
 * rows that only such a down node held (a write it took while another replica was down).
 */

/** Which of a node's tables a stream fills. */
export type StreamStore = 'base' | 'index';

/** One stream: the partitions of one new range that one node sends to another. */
export interface StreamTask {
  readonly from: number;
  readonly to: number;
  /** The position of the new placement whose range this stream fills. */
  readonly position: number;
  readonly store: StreamStore;
  readonly keys: string[];
  rows: number;
  bytes: number;
}

export interface StreamPlan {
  readonly from: Placement;
  readonly to: Placement;
  /** In a deterministic order: by new position, then store, source and target. */
  readonly tasks: readonly StreamTask[];
  /** Row copies (base table) that a replica gains: what must be streamed. */
  readonly movedRows: number;
  /** Row copies of the base table its old replicas hold: rows x rf when none is missing. */
  readonly totalRows: number;
  /** Partitions of the base table whose replica set changes. */
  readonly movedPartitions: number;
  /** Ranges (old positions) rebuilt from every live replica because the node they replace is down. */
  readonly rebuiltRanges: number;
  /**
   * Data no live old replica holds: whole partitions whose replicas are all down or gone, and
   * rows that only a down replica losing the range holds. Gone with the nodes that held it.
   */
  readonly lost: { readonly rows: number; readonly partitions: number; readonly ranges: number };
  /** The key texts of the base partitions lost. */
  readonly lostKeys: readonly string[];
}

/**
 * Plans the move from the cluster's placement to `to`; `live[node]` is 1 for a node that can
 * send (on the data plane `cluster.up`; on the time plane the running nodes).
 */
export function planStreams(cluster: Cluster, to: Placement, live: Uint8Array): StreamPlan {
  const from = cluster.placement;
  const rf = from.rf;
  const tasks = new Map<string, StreamTask>();
  const lostRanges = new Set<number>();
  const rebuiltRanges = new Set<number>();
  const lostKeys: string[] = [];
  const token = newTokenParts();
  const oldSet: number[] = [];
  const newSet: number[] = [];
  const tally = {
    movedRows: 0,
    totalRows: 0,
    movedPartitions: 0,
    lostRows: 0,
    lostPartitions: 0,
  };

  const taskFor = (source: number, target: number, position: number, store: StreamStore) => {
    const id = `${position}/${store}/${source}/${target}`;
    let task = tasks.get(id);
    if (task === undefined) {
      task = { from: source, to: target, position, store, keys: [], rows: 0, bytes: 0 };
      tasks.set(id, task);
    }
    return task;
  };

  for (const store of ['base', 'index'] as const) {
    if (store === 'index' && cluster.index?.table === undefined) continue;
    const storeOf = (node: number): TableStore =>
      store === 'base' ? cluster.nodes[node]! : cluster.nodes[node]!.indexStore;
    cluster.nodes.forEach((_, holder) => {
      for (const [keyText, partition] of storeOf(holder).partitions) {
        token.hi = partition.tokenHi;
        token.lo = partition.tokenLo;
        const oldAt = from.ring.positionOfParts(token) * rf;
        const newAt = to.ring.positionOfParts(token) * rf;
        let replica = false;
        let same = true;
        for (let k = 0; k < rf; k++) {
          if (from.table[oldAt + k] === holder) replica = true;
          if (from.table[oldAt + k] !== to.table[newAt + k]) same = false;
        }
        // A copy on a node that is not a replica (left behind by an earlier move) is no source.
        if (!replica) continue;
        const base = store === 'base';
        if (base) tally.totalRows += partition.rowCount;
        if (same) continue;
        oldSet.length = 0;
        newSet.length = 0;
        for (let k = 0; k < rf; k++) {
          oldSet.push(from.table[oldAt + k]!);
          newSet.push(to.table[newAt + k]!);
        }
        // Each partition once: from the first of its old replicas that holds it.
        const first = oldSet.find((node) => storeOf(node).partitions.has(keyText));
        if (first !== holder) continue;
        const gained = newSet.filter((node) => !oldSet.includes(node));
        if (gained.length === 0) continue;
        const lost = oldSet.filter((node) => !newSet.includes(node));
        const holders = oldSet.filter(
          (node) => live[node] === 1 && storeOf(node).partitions.has(keyText),
        );
        const oldPosition = oldAt / rf;
        if (holders.length === 0) {
          lostRanges.add(oldPosition);
          if (base) {
            tally.lostPartitions++;
            tally.lostRows += partition.rowCount;
            lostKeys.push(keyText);
          }
          continue;
        }
        // A down replica that loses the range cannot hand its copy on: rows only it holds (a
        // write it took while a live replica missed it) are lost with it, and said so.
        const stranded = strandedRows(
          lost.filter((node) => live[node] !== 1),
          holders,
          storeOf,
          keyText,
          store === 'base' ? cluster.table.clustering : cluster.index!.table!.clustering,
        );
        if (stranded > 0 && base) {
          tally.lostPartitions++;
          tally.lostRows += stranded;
          lostKeys.push(keyText);
        }
        if (base) tally.movedPartitions++;
        const newPosition = newAt / rf;
        const replacedBy = pairLost(gained, lost, cluster);
        gained.forEach((target, i) => {
          const replaced = replacedBy[i];
          const handsOn = replaced !== undefined && holders.includes(replaced);
          if (!handsOn) rebuiltRanges.add(oldPosition);
          const sources = handsOn ? [replaced] : nearest(holders, target, cluster);
          let rows = 0;
          for (const source of sources) {
            const copy = storeOf(source).partitions.get(keyText)!;
            const task = taskFor(source, target, newPosition, store);
            task.keys.push(keyText);
            task.rows += copy.rowCount;
            task.bytes += copy.bytes;
            rows = Math.max(rows, copy.rowCount);
          }
          if (base) tally.movedRows += rows;
        });
      }
    });
  }

  const ordered = [...tasks.values()].sort(
    (a, b) =>
      a.position - b.position ||
      (a.store === b.store ? 0 : a.store === 'base' ? -1 : 1) ||
      a.from - b.from ||
      a.to - b.to,
  );
  for (const task of ordered) task.keys.sort();
  return {
    from,
    to,
    tasks: ordered,
    movedRows: tally.movedRows,
    totalRows: tally.totalRows,
    movedPartitions: tally.movedPartitions,
    rebuiltRanges: rebuiltRanges.size,
    lost: { rows: tally.lostRows, partitions: tally.lostPartitions, ranges: lostRanges.size },
    lostKeys: lostKeys.sort(),
  };
}

/** The store a stream reads from and writes to. */
export function streamStore(cluster: Cluster, node: number, store: StreamStore): TableStore {
  return store === 'base' ? cluster.nodes[node]! : cluster.nodes[node]!.indexStore;
}

/**
 * Sends one stream now: each of its partitions, as the source holds it at this moment, merges
 * into the target. Returns the bytes sent (a partition the source no longer holds sends none).
 */
export function runStream(cluster: Cluster, task: StreamTask): number {
  const table = task.store === 'base' ? cluster.table : cluster.index!.table!;
  const source = streamStore(cluster, task.from, task.store);
  const target = streamStore(cluster, task.to, task.store);
  let bytes = 0;
  for (const keyText of task.keys) {
    const copy: Partition | undefined = source.partitions.get(keyText);
    if (copy !== undefined) bytes += streamPartition(target, cluster.storage, table, keyText, copy);
  }
  return bytes;
}

/**
 * Drops, on every node, the partitions it does not replicate under the cluster's placement
 * (`nodetool cleanup` on every node). Returns the partition copies dropped.
 */
export function cleanup(cluster: Cluster): number {
  const { ring, rf, table } = cluster.placement;
  const token = newTokenParts();
  let dropped = 0;
  for (const store of ['base', 'index'] as const) {
    cluster.nodes.forEach((_, node) => {
      const held = streamStore(cluster, node, store);
      const gone: string[] = [];
      for (const [keyText, partition] of held.partitions) {
        token.hi = partition.tokenHi;
        token.lo = partition.tokenLo;
        const position = ring.positionOfParts(token);
        let replica = false;
        for (let k = position * rf; k < position * rf + rf && !replica; k++) {
          replica = table[k] === node;
        }
        if (!replica) gone.push(keyText);
      }
      for (const keyText of gone) dropPartition(held, keyText);
      dropped += gone.length;
    });
  }
  return dropped;
}

/**
 * A whole move on the data plane, where streaming takes no time: plan, stream, switch the
 * cluster to `to`, clean up. Returns the plan it carried out.
 */
export function moveTo(cluster: Cluster, to: Placement): StreamPlan {
  const plan = planStreams(cluster, to, cluster.up);
  for (const task of plan.tasks) runStream(cluster, task);
  cluster.install(to);
  cleanup(cluster);
  return plan;
}

/**
 * A full repair on the data plane (`nodetool repair` on every node), for `rows` storage: every
 * live replica of a partition takes in the other live replicas' copies, merged by timestamp, so
 * each ends with every row's newest write. Returns the rows the replicas gained.
 */
export function repairAll(cluster: Cluster): number {
  const { ring, rf, table } = cluster.placement;
  const token = newTokenParts();
  let written = 0;
  for (const store of ['base', 'index'] as const) {
    const spec = store === 'base' ? cluster.table : cluster.index?.table;
    if (spec === undefined) continue;
    const seen = new Set<string>();
    cluster.nodes.forEach((_, holder) => {
      if (cluster.up[holder] !== 1) return;
      for (const [keyText, partition] of streamStore(cluster, holder, store).partitions) {
        if (seen.has(keyText)) continue;
        seen.add(keyText);
        token.hi = partition.tokenHi;
        token.lo = partition.tokenLo;
        const at = ring.positionOfParts(token) * rf;
        const replicas: number[] = [];
        for (let k = 0; k < rf; k++) {
          const node = table[at + k]!;
          if (cluster.up[node] === 1) replicas.push(node);
        }
        const copies = replicas
          .map((node) => streamStore(cluster, node, store).partitions.get(keyText))
          .filter((copy): copy is Partition => copy !== undefined);
        if (copies.length === 0) continue;
        for (const node of replicas) {
          const into = streamStore(cluster, node, store);
          const rowsBefore = into.rows;
          for (const copy of copies) {
            if (copy !== into.partitions.get(keyText)) {
              streamPartition(into, cluster.storage, spec, keyText, copy);
            }
          }
          written += into.rows - rowsBefore;
        }
      }
    });
  }
  return written;
}

/**
 * Rows of `keyText` that some node of `down` holds and no node of `live` holds as new or newer:
 * they exist only on nodes that cannot stream.
 */
function strandedRows(
  down: readonly number[],
  live: readonly number[],
  storeOf: (node: number) => TableStore,
  keyText: string,
  clustering: readonly string[],
): number {
  const copies = down
    .map((node) => storeOf(node).partitions.get(keyText))
    .filter((copy): copy is Partition => copy !== undefined && copy.rows.length > 0);
  if (copies.length === 0) return 0;
  const reachable = live
    .map((node) => storeOf(node).partitions.get(keyText))
    .filter((copy): copy is Partition => copy !== undefined);
  const merged = mergeTimestamped(reachable, clustering);
  const only = mergeTimestamped(copies, clustering);
  let stranded = 0;
  let at = 0;
  for (const entry of only) {
    while (at < merged.length && compareClustering(merged[at]!.row, entry.row, clustering) < 0)
      at++;
    const held = merged[at];
    const same = held !== undefined && compareClustering(held.row, entry.row, clustering) === 0;
    if (!same || supersedes(entry.timestamp, entry.row, held.timestamp, held.row)) stranded++;
  }
  return stranded;
}

/**
 * For each gained replica, the lost replica whose copy it takes over: one in its own rack if
 * there is one, else in its own DC, else any left, so that streams stay as local as placement
 * allows (NetworkTopologyStrategy keeps each DC's replicas in that DC).
 */
function pairLost(
  gained: readonly number[],
  lost: readonly number[],
  cluster: Cluster,
): (number | undefined)[] {
  const specs = cluster.placement.ring.nodes;
  const left = [...lost];
  const take = (pick: (node: number) => boolean): number | undefined => {
    const at = left.findIndex(pick);
    return at === -1 ? undefined : left.splice(at, 1)[0];
  };
  return gained.map((target) => {
    const { dc, rack } = specs[target]!;
    return (
      take((n) => specs[n]!.dc === dc && specs[n]!.rack === rack) ??
      take((n) => specs[n]!.dc === dc) ??
      take(() => true)
    );
  });
}

/** The holders in the target's DC when there are any (a rebuild stays in its DC), else all. */
function nearest(holders: readonly number[], target: number, cluster: Cluster): number[] {
  const specs = cluster.placement.ring.nodes;
  const local = holders.filter((node) => specs[node]!.dc === specs[target]!.dc);
  return local.length > 0 ? local : [...holders];
}
