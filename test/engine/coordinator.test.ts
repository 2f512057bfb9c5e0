import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../engine/cluster.js';
import { blockFor, consistencyLevels, type ConsistencyLevel } from '../../engine/consistency.js';
import { createCoordinator } from '../../engine/coordinator.js';
import type { StorageMode } from '../../engine/node.js';
import type { PartitionKey, Partitioner } from '../../engine/partitioner.js';
import { createRandom } from '../../engine/random.js';
import {
  createPlacement,
  networkTopologyStrategy,
  simpleStrategy,
  type ReplicationStrategy,
} from '../../engine/replication.js';
import { buildRing, type NodeSpec } from '../../engine/ring.js';
import { filterOf, toPartitions } from '../../engine/query.js';
import { genericTable, type Row } from '../../engine/row.js';
import { getTokenFunction } from '../../partitioners/index.js';
import { textBytes } from '../../partitioners/key-bytes.js';

/** A partitioner keyed on column `k`, so tests choose partitions directly. */
const byK: Partitioner = {
  name: 'by-k',
  tokenFunction: getTokenFunction('murmur3'),
  keyOf: (row) => keyOf(String(row.k)),
  route: (query) => toPartitions([keyOf(String(query.where.k))], filterOf(query)),
};

function keyOf(text: string): PartitionKey {
  return { bytes: textBytes(text), text };
}

function makeCluster(
  nodes: NodeSpec[],
  strategy: ReplicationStrategy,
  storage: StorageMode = 'rows',
): Cluster {
  const random = createRandom(11);
  const tokens = nodes.map((node) => {
    const stream = random.fork(node.id);
    return Array.from({ length: 8 }, () => BigInt.asIntN(64, stream.nextUint64()));
  });
  const placement = createPlacement(buildRing(nodes, tokens), strategy);
  return createCluster({ placement, partitioner: byK, table: genericTable('t', ['c']), storage });
}

const sixNodes: NodeSpec[] = Array.from({ length: 6 }, (_, i) => ({
  id: `n${i + 1}`,
  dc: 'dc1',
  rack: 'r1',
}));
const twoDcs: NodeSpec[] = Array.from({ length: 8 }, (_, i) => ({
  id: `n${i + 1}`,
  dc: `dc${(i % 2) + 1}`,
  rack: `r${(Math.floor(i / 2) % 2) + 1}`,
}));

function totalWrites(cluster: Cluster): number {
  return cluster.nodes.reduce((sum, node) => sum + node.writes, 0);
}

describe('blockFor', () => {
  it('is floor(rf/2)+1 for QUORUM, the local rf for LOCAL_QUORUM, rf for ALL', () => {
    const nts = networkTopologyStrategy({ dc1: 3, dc2: 2 });
    expect(blockFor('QUORUM', simpleStrategy(3), 'dc1')).toBe(2);
    expect(blockFor('QUORUM', simpleStrategy(4), 'dc1')).toBe(3);
    expect(blockFor('QUORUM', nts, 'dc1')).toBe(3); // total rf 5
    expect(blockFor('LOCAL_QUORUM', nts, 'dc1')).toBe(2);
    expect(blockFor('LOCAL_QUORUM', nts, 'dc2')).toBe(2);
    expect(blockFor('ALL', nts, 'dc2')).toBe(5);
    expect(blockFor('ONE', nts, 'dc2')).toBe(1);
    expect(blockFor('LOCAL_ONE', nts, 'dc2')).toBe(1);
  });
});

describe('write and read with every replica up', () => {
  it.each(consistencyLevels)(
    'writes to all rf replicas and reads back at %s',
    (cl: ConsistencyLevel) => {
      const cluster = makeCluster(sixNodes, simpleStrategy(3));
      const coordinator = createCoordinator(cluster);
      const result = coordinator.write({ k: 'p1', c: 1, v: 'x' }, cl);
      expect(result).toEqual({ kind: 'ok', acked: 3, missed: 0 });
      expect(totalWrites(cluster)).toBe(3);
      const read = coordinator.read(keyOf('p1'), cl);
      expect(read.kind).toBe('ok');
      if (read.kind === 'ok') expect(read.rows).toEqual([{ k: 'p1', c: 1, v: 'x' }]);
    },
  );

  it('keeps rows in clustering order and lets a later write of the same clustering key win', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    for (const c of [5, 1, 3]) coordinator.write({ k: 'p', c, v: `v${c}` }, 'ONE');
    coordinator.write({ k: 'p', c: 3, v: 'newer' }, 'ONE');
    const read = coordinator.read(keyOf('p'), 'ALL');
    if (read.kind !== 'ok') throw new Error('expected ok');
    expect(read.rows.map((row: Row) => [row.c, row.v])).toEqual([
      [1, 'v1'],
      [3, 'newer'],
      [5, 'v5'],
    ]);
  });
});

describe('down replicas', () => {
  it('is unavailable, definitely, when live replicas are fewer than the level needs', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    const { replicas } = coordinator.locate(keyOf('p'));
    cluster.markDown(cluster.placement.ring.nodes[replicas[0]!]!.id);
    cluster.markDown(cluster.placement.ring.nodes[replicas[1]!]!.id);

    expect(coordinator.write({ k: 'p', c: 1 }, 'QUORUM')).toEqual({
      kind: 'unavailable',
      cl: 'QUORUM',
      required: 2,
      alive: 1,
    });
    // Unavailable means nothing was sent: no replica applied anything.
    expect(totalWrites(cluster)).toBe(0);
    expect(coordinator.write({ k: 'p', c: 1 }, 'ONE')).toEqual({ kind: 'ok', acked: 1, missed: 2 });
  });

  it('leaves a replica that was down without the rows written meanwhile', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    const { replicas } = coordinator.locate(keyOf('p'));
    const primary = cluster.placement.ring.nodes[replicas[0]!]!.id;
    cluster.markDown(primary);
    coordinator.write({ k: 'p', c: 1 }, 'QUORUM');
    cluster.markUp(primary);
    // ONE reads the first live replica in order, now the stale primary.
    const stale = coordinator.read(keyOf('p'), 'ONE');
    const all = coordinator.read(keyOf('p'), 'ALL');
    expect(stale.kind === 'ok' && stale.rows.length).toBe(0);
    expect(all.kind === 'ok' && all.rows.length).toBe(1);
  });

  it('counts only local replicas for LOCAL_QUORUM and LOCAL_ONE', () => {
    const cluster = makeCluster(twoDcs, networkTopologyStrategy({ dc1: 3, dc2: 3 }));
    const coordinator = createCoordinator(cluster, { localDc: 'dc1' });
    const { replicas } = coordinator.locate(keyOf('p'));
    const nodes = cluster.placement.ring.nodes;
    const local = replicas.filter((r) => nodes[r]!.dc === 'dc1');
    expect(local).toHaveLength(3);
    for (const r of local.slice(0, 2)) cluster.markDown(nodes[r]!.id);
    // Two of three local replicas down: LOCAL_QUORUM fails, QUORUM (4 of 6) still succeeds.
    expect(coordinator.write({ k: 'p', c: 1 }, 'LOCAL_QUORUM')).toMatchObject({
      kind: 'unavailable',
      required: 2,
      alive: 1,
    });
    expect(coordinator.write({ k: 'p', c: 1 }, 'QUORUM')).toMatchObject({ kind: 'ok', acked: 4 });
    expect(coordinator.write({ k: 'p', c: 2 }, 'LOCAL_ONE')).toMatchObject({ kind: 'ok' });
  });

  it('refuses an unknown node id naming the field', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    expect(() => cluster.markDown('n99')).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_NODE', field: 'node' }),
    );
  });
});

describe('storage modes', () => {
  it.each(['rows', 'partitions', 'counters'] as const)(
    '%s mode counts the same node load',
    (storage) => {
      const cluster = makeCluster(sixNodes, simpleStrategy(3), storage);
      const coordinator = createCoordinator(cluster);
      for (let i = 0; i < 200; i++) coordinator.write({ k: `p${i % 17}`, c: i, v: 'abcd' }, 'ONE');
      const reference = makeCluster(sixNodes, simpleStrategy(3), 'rows');
      const referenceCoordinator = createCoordinator(reference);
      for (let i = 0; i < 200; i++)
        referenceCoordinator.write({ k: `p${i % 17}`, c: i, v: 'abcd' }, 'ONE');
      expect(cluster.nodes.map((n) => [n.writes, n.rows, n.bytes])).toEqual(
        reference.nodes.map((n) => [n.writes, n.rows, n.bytes]),
      );
      const partitions = cluster.nodes.reduce((sum, n) => sum + n.partitions.size, 0);
      expect(partitions).toBe(storage === 'counters' ? 0 : 17 * 3);
    },
  );
});
