/**
 * Chart data the katas share, built from engine values: the ring's ownership as arcs.
 */
import type { Ring } from '../../engine/ring.js';
import type { RingChart } from './report.js';

const RING = 2 ** 64;

/** A token as a fraction of the ring, from the signed minimum (0) to the maximum (1). */
function fractionOf(token: bigint): number {
  return (Number(token) + 2 ** 63) / RING;
}

/** Each vnode range (previous token, token] as an arc owned by its node, in ring order. */
export function ringChartOf(ring: Ring, title: string, id = 'ring'): RingChart {
  const arcs: { start: number; end: number; node: number }[] = [];
  for (let position = 0; position < ring.size; position++) {
    const end = fractionOf(ring.tokens[position]!);
    const start = position === 0 ? 0 : fractionOf(ring.tokens[position - 1]!);
    arcs.push({ start: round(start), end: round(end), node: ring.owners[position]! });
  }
  // The wrapping range (last token, first token] is split at the ring's origin: its tail end
  // belongs to the first position's owner.
  if (ring.size > 0) {
    const last = fractionOf(ring.tokens[ring.size - 1]!);
    if (last < 1) arcs.push({ start: round(last), end: 1, node: ring.owners[0]! });
  }
  return { kind: 'ring', id, title, nodes: ring.nodes.map((node) => node.id), arcs };
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;
