import { RinglabError } from './errors.js';
import type { PendingReplicas, Placement } from './replication.js';
import { buildRing, type Ring } from './ring.js';
import type { TokenParts } from './token.js';

/**
 * The placement in force while ranges move from one placement to the next, as Cassandra's
 * token metadata has it during a bootstrap or a decommission: each range is read from its old
 * replicas until the streams that fill it are done, then switches, at once, to its new replicas;
 * until it switches, writes go to its old replicas and also to its pending ones (the replicas
 * gaining it), and wait for them too (engine/time/coordinator.ts).
 *
 * Old and new ranges do not line up (a joining vnode splits a range; mod-n reshuffles every
 * residue), so the transition is laid out on the joint ring: the ranges the old and new rings'
 * tokens cut together, each inside exactly one old range and one new range. For a modulo ring
 * the joint positions are the pairs (old residue, new residue).
 */
export interface Transition {
  readonly from: Placement;
  readonly to: Placement;
  /** The joint ring: the positions the placement in force is laid out on. */
  readonly joint: Ring;
  /** 1 for each position of `to` whose range has switched to its new replicas. */
  readonly switched: Uint8Array;
  /** The placement in force now, for the ranges switched so far. */
  placement(): Placement;
}

export function createTransition(from: Placement, to: Placement): Transition {
  if (from.rf !== to.rf || from.ring.nodes !== to.ring.nodes) {
    throw new RinglabError(
      'INVALID_CONFIG',
      'a transition needs two placements of the same nodes and rf',
      'placement',
    );
  }
  const { joint, oldAt, newAt } = jointRing(from.ring, to.ring);
  const switched = new Uint8Array(to.ring.size);
  const rf = from.rf;

  const placement = (): Placement => {
    const table = new Int32Array(joint.size * rf);
    const pending = new Int32Array(joint.size * rf).fill(-1);
    for (let j = 0; j < joint.size; j++) {
      const o = oldAt[j]! * rf;
      const n = newAt[j]! * rf;
      if (switched[newAt[j]!] === 1) {
        table.set(to.table.subarray(n, n + rf), j * rf);
        continue;
      }
      table.set(from.table.subarray(o, o + rf), j * rf);
      let width = 0;
      for (let k = 0; k < rf; k++) {
        const node = to.table[n + k]!;
        let natural = false;
        for (let m = 0; m < rf && !natural; m++) natural = from.table[o + m] === node;
        if (!natural) pending[j * rf + width++] = node;
      }
    }
    const replicasAt = (position: number): number[] =>
      Array.from(table.subarray(position * rf, position * rf + rf));
    const pendingReplicas: PendingReplicas = { width: rf, table: pending };
    return {
      ring: joint,
      strategy: from.strategy,
      rf,
      table,
      replicasAt,
      replicasOf: (token) => replicasAt(joint.positionOf(token)),
      pending: pendingReplicas,
    };
  };

  return { from, to, joint, switched, placement };
}

/**
 * The ring both rings' tokens cut, with, for each of its positions, the old and the new
 * position holding it. Owners are the new ring's (only reports read them).
 */
function jointRing(from: Ring, to: Ring): { joint: Ring; oldAt: Int32Array; newAt: Int32Array } {
  if (from.modulo === true || to.modulo === true) return productRing(from, to);
  const tokens = [...new Set([...from.tokens, ...to.tokens])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const byNode: bigint[][] = to.nodes.map(() => []);
  for (const token of tokens) byNode[to.owners[to.positionOf(token)]!]!.push(token);
  const joint = buildRing(to.nodes, byNode, { tokenless: true });
  const oldAt = Int32Array.from(joint.tokens, (token) => from.positionOf(token));
  const newAt = Int32Array.from(joint.tokens, (token) => to.positionOf(token));
  return { joint, oldAt, newAt };
}

/** For modulo rings: joint position old * newSize + new, every pair of residues. */
function productRing(from: Ring, to: Ring): { joint: Ring; oldAt: Int32Array; newAt: Int32Array } {
  const size = from.size * to.size;
  if (size > 4_000_000) {
    throw new RinglabError(
      'INVALID_CONFIG',
      `a move between rings of ${from.size} and ${to.size} residues has ${size} joint positions, too many to simulate in time`,
      'nodes',
    );
  }
  const oldAt = Int32Array.from({ length: size }, (_, j) => Math.floor(j / to.size));
  const newAt = Int32Array.from({ length: size }, (_, j) => j % to.size);
  // The labels: the new ring's, repeated, made distinct by an offset that keeps them in range.
  const byNode: bigint[][] = to.nodes.map(() => []);
  const step = (2n ** 64n - 1n) / BigInt(size);
  for (let j = 0; j < size; j++) {
    byNode[to.owners[newAt[j]!]!]!.push(-(2n ** 63n) + BigInt(j + 1) * step);
  }
  const base = buildRing(to.nodes, byNode, { tokenless: true });
  const positionOfParts = (parts: TokenParts): number =>
    from.positionOfParts(parts) * to.size + to.positionOfParts(parts);
  const scratch: TokenParts = { hi: 0, lo: 0 };
  const positionOf = (token: bigint): number => {
    scratch.hi = Number(BigInt.asIntN(32, token >> 32n));
    scratch.lo = Number(BigInt.asUintN(32, token));
    return positionOfParts(scratch);
  };
  // buildRing sorts by label, which is joint order, so positions line up with oldAt and newAt.
  return { joint: { ...base, positionOf, positionOfParts, modulo: true }, oldAt, newAt };
}
