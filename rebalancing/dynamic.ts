import { RinglabError } from '../engine/errors.js';
import {
  memberIndexes,
  ringOfOwners,
  type DataShape,
  type RebalanceStrategy,
  type Reshape,
} from '../engine/rebalance.js';
import { rangeAt, rangeFractions, type NodeSpec, type Ring } from '../engine/ring.js';
import { rangeSize, toSigned64 } from '../engine/token.js';
import { fixedPartitions, reassign, spreadOf } from './fixed-partitions.js';
import { breakRuns, evenCounts } from './whole-partitions.js';

/** Split rounds one reshape runs at most: a range far past the threshold is cut once a round. */
const MAX_SPLIT_ROUNDS = 16;

/**
 * `dynamic`: range partitions that split when they grow past a size and merge when they shrink
 * (HBase regions, MongoDB chunks). An empty cluster starts pre-split into `partitions` ranges; as
 * data arrives `reshape` cuts every range holding more than `splitBytes` at its median token by
 * bytes (both halves stay on the node, so a split moves nothing), merges neighbours on one node
 * that together hold under a quarter of it, and then balances as HBase's balancer does (that
 * moves data): a range with a range of the same node just before it goes to another node, so
 * the replica walk does not pile a run's copies onto the same few nodes, and the counts per node
 * are evened. With the time-bucket key strategy the ranges follow the data:
 * the current bucket's range keeps splitting, the dynamic splitting that strategy needs.
 */
export const dynamic: RebalanceStrategy = {
  name: 'dynamic',
  summary: 'ranges split past a size and merge when small; nodes hold whole ranges',
  wholePartitions: true,
  initial: fixedPartitions.initial,
  join(ring, node, context, data) {
    // A joining node needs a range to hold: with no more ranges than members, the largest is
    // split first (at its median, or in the middle of its tokens when it holds no data).
    let next = ring;
    while (next.size <= memberIndexes(next).length) next = splitLargest(next, data);
    return fixedPartitions.join(next, node, context, data);
  },
  leave: fixedPartitions.leave,
  replace: fixedPartitions.replace,
  reshape(ring, context, data): Reshape {
    let next = ring;
    let splits = 0;
    for (let round = 0; round < MAX_SPLIT_ROUNDS; round++) {
      const cut = splitOnce(next, context.splitBytes, data);
      if (cut.splits === 0) break;
      next = cut.ring;
      splits += cut.splits;
    }
    const merged = mergeSmall(next, context.splitBytes / 4, data);
    let moves = 0;
    const balanced = reassign(merged.ring, context, (owners, members) => {
      moves = breakRuns(owners, members, spreadOf(context));
      moves += evenCounts(owners, members, spreadOf(context));
    });
    return { ring: moves === 0 ? merged.ring : balanced, splits, merges: merged.merges, moves };
  },
};

/** Cuts each range past `threshold` once, at its median; the new range stays on its node. */
function splitOnce(ring: Ring, threshold: number, data: DataShape): { ring: Ring; splits: number } {
  const bytes = data.bytesAt(ring);
  const tokens = Array.from(ring.tokens);
  const owners = Array.from(ring.owners);
  let splits = 0;
  for (let position = 0; position < ring.size; position++) {
    if (bytes[position]! <= threshold) continue;
    const at = data.splitPoint(ring, position);
    if (at === undefined) continue;
    tokens.push(at);
    owners.push(ring.owners[position]!);
    splits++;
  }
  return { ring: splits === 0 ? ring : sortedRing(ring.nodes, tokens, owners), splits };
}

/**
 * Merges neighbours held by one node whose bytes together stay under `under` (the first range's
 * end token goes), never leaving fewer ranges than members.
 */
function mergeSmall(ring: Ring, under: number, data: DataShape): { ring: Ring; merges: number } {
  const bytes = Array.from(data.bytesAt(ring));
  const floor = memberIndexes(ring).length;
  const keep = new Array<boolean>(ring.size).fill(true);
  let ranges = ring.size;
  let merges = 0;
  for (let i = 0; i + 1 < ring.size && ranges > floor; i++) {
    if (ring.owners[i] !== ring.owners[i + 1] || bytes[i]! + bytes[i + 1]! >= under) continue;
    keep[i] = false;
    bytes[i + 1]! += bytes[i]!;
    ranges--;
    merges++;
  }
  if (merges === 0) return { ring, merges };
  const tokens = Array.from(ring.tokens).filter((_, i) => keep[i]);
  const owners = Array.from(ring.owners).filter((_, i) => keep[i]);
  return { ring: ringOfOwners(ring.nodes, tokens, owners), merges };
}

/** The ring with its largest range (by bytes, then by width) cut in two on the same node. */
function splitLargest(ring: Ring, data: DataShape): Ring {
  const bytes = data.bytesAt(ring);
  const widths = rangeFractions(ring);
  let largest = -1;
  for (let p = 0; p < ring.size; p++) {
    const { start, end } = rangeAt(ring, p);
    if (rangeSize(start, end) < 2n) continue; // a range of one token cannot be cut
    const bigger =
      largest === -1 ||
      bytes[p]! > bytes[largest]! ||
      (bytes[p] === bytes[largest] && widths[p]! > widths[largest]!);
    if (bigger) largest = p;
  }
  if (largest === -1) {
    throw new RinglabError(
      'INVALID_CONFIG',
      'no range is wide enough to split for a joining node',
      'partitions',
    );
  }
  const { start, end } = rangeAt(ring, largest);
  const at = data.splitPoint(ring, largest) ?? toSigned64(start + rangeSize(start, end) / 2n);
  return sortedRing(ring.nodes, [...ring.tokens, at], [...ring.owners, ring.owners[largest]!]);
}

function sortedRing(roster: readonly NodeSpec[], tokens: bigint[], owners: number[]): Ring {
  const order = tokens.map((_, i) => i).sort((a, b) => (tokens[a]! < tokens[b]! ? -1 : 1));
  return ringOfOwners(
    roster,
    order.map((i) => tokens[i]!),
    order.map((i) => owners[i]!),
  );
}
