import { RING_SIZE } from '../engine/token.js';

/**
 * What `fixed-partitions` and `dynamic` share: partitions (ring positions) dealt to nodes whole,
 * and moved whole to even out how many each node has, as Riak, Elasticsearch and Couchbase move
 * shards and HBase's balancer moves regions. A node is never given a partition inside another of
 * its own partitions' replica walk when another choice exists, so a partition's replicas stay on
 * distinct nodes near it.
 */

/** `count` tokens cutting the ring into equal ranges: the end of each, ascending. */
export function evenTokens(count: number): bigint[] {
  const min = -(RING_SIZE / 2n);
  const size = BigInt(count);
  return Array.from({ length: count }, (_, i) => min + (RING_SIZE * BigInt(i + 1)) / size - 1n);
}

/** Partitions dealt round-robin: partition i to `members[i mod m]`. */
export function dealRoundRobin(count: number, members: readonly number[]): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => members[i % members.length]!);
}

/**
 * Moves whole partitions from the member holding the most to the one holding the fewest until
 * the counts differ by at most one. `owners` is changed in place; returns the partitions moved.
 * `spread` is how far (in positions) a recipient should not already own a partition, so the
 * replica walk still meets distinct nodes (rf - 1).
 */
export function evenCounts(owners: Int32Array, members: readonly number[], spread: number): number {
  const counts = new Map<number, number>(members.map((m) => [m, 0]));
  for (const owner of owners) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  let moved = 0;
  for (;;) {
    let most = members[0]!;
    let fewest = members[0]!;
    for (const m of members) {
      if (counts.get(m)! > counts.get(most)!) most = m;
      if (counts.get(m)! < counts.get(fewest)!) fewest = m;
    }
    if (counts.get(most)! - counts.get(fewest)! <= 1) return moved;
    giveOne(owners, most, fewest, spread, moved);
    counts.set(most, counts.get(most)! - 1);
    counts.set(fewest, counts.get(fewest)! + 1);
    moved++;
  }
}

/** Gives every partition of `node` away, each to the member holding the fewest at the time. */
export function handOut(
  owners: Int32Array,
  node: number,
  members: readonly number[],
  spread: number,
): void {
  const others = members.filter((m) => m !== node);
  const counts = new Map<number, number>(others.map((m) => [m, 0]));
  for (const owner of owners) if (owner !== node) counts.set(owner, counts.get(owner)! + 1);
  let given = 0;
  while (owners.includes(node)) {
    let fewest = others[0]!;
    for (const m of others) if (counts.get(m)! < counts.get(fewest)!) fewest = m;
    giveOne(owners, node, fewest, spread, given++);
    counts.set(fewest, counts.get(fewest)! + 1);
  }
}

/**
 * Moves one partition of `donor` to `recipient`: the first, walking from a rotating start so that
 * successive moves spread round the ring, with no partition of the recipient within `spread`
 * positions; the first of the donor's when none is that far.
 */
function giveOne(
  owners: Int32Array,
  donor: number,
  recipient: number,
  spread: number,
  turn: number,
): void {
  const size = owners.length;
  // Starts spaced by the golden ratio, so successive moves land far apart on the ring.
  const start = Math.floor(((turn * 0.6180339887498949) % 1) * size);
  let fallback = -1;
  for (let step = 0; step < size; step++) {
    const position = (start + step) % size;
    if (owners[position] !== donor) continue;
    if (fallback === -1) fallback = position;
    let near = false;
    for (let d = 1; d <= spread && !near; d++) {
      near =
        owners[(position + d) % size] === recipient ||
        owners[(position - d + size) % size] === recipient;
    }
    if (!near) {
      owners[position] = recipient;
      return;
    }
  }
  owners[fallback] = recipient;
}

/**
 * Gives away every partition that has another partition of its node within `spread` positions
 * before it, each to the member holding the fewest that has none within `spread` either way.
 * Splits leave a node holding runs of neighbouring ranges, and the replica walk would then put
 * all of a run's copies on the same few nodes after it. Returns the partitions moved.
 */
export function breakRuns(owners: Int32Array, members: readonly number[], spread: number): number {
  const size = owners.length;
  if (spread === 0 || size <= members.length) return 0;
  const counts = new Map<number, number>(members.map((m) => [m, 0]));
  for (const owner of owners) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  const near = (position: number, node: number): boolean => {
    for (let d = 1; d <= spread; d++) {
      if (owners[(position + d) % size] === node) return true;
      if (owners[(position - d + size) % size] === node) return true;
    }
    return false;
  };
  let moved = 0;
  for (let position = 0; position < size; position++) {
    const owner = owners[position]!;
    let repeats = false;
    for (let d = 1; d <= spread && !repeats; d++) {
      repeats = owners[(position - d + size) % size] === owner;
    }
    if (!repeats) continue;
    let best = -1;
    for (const m of members) {
      if (m === owner || near(position, m)) continue;
      if (best === -1 || counts.get(m)! < counts.get(best)!) best = m;
    }
    if (best === -1) continue;
    owners[position] = best;
    counts.set(owner, counts.get(owner)! - 1);
    counts.set(best, counts.get(best)! + 1);
    moved++;
  }
  return moved;
}
