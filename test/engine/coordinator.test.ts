import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../engine/cluster.js';
import { blockFor, consistencyLevels, type ConsistencyLevel } from '../../engine/consistency.js';
import { createCoordinator } from '../../engine/coordinator.js';
import type { StorageMode } from '../../engine/node.js';
import type { Partitioner } from '../../engine/partitioner.js';
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
import { byK, keyOf } from '../helpers/by-k.js';
import { expectRinglabError } from '../helpers/errors.js';

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

/** Node ids of a key's replicas, primary first. */
function replicaIds(cluster: Cluster, key: string): string[] {
  const { replicas } = createCoordinator(cluster).locate(keyOf(key));
  return replicas.map((r) => cluster.placement.ring.nodes[r]!.id);
}

describe('regressions found by review (issue: mend the contracts)', () => {
  it('regression: two coordinators on one cluster keep each other’s later writes', () => {
    // Each coordinator used to number writes with its own counter, so the second coordinator's
    // first write (version 1) lost to the first coordinator's tenth, while both said ok.
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const first = createCoordinator(cluster);
    const second = createCoordinator(cluster);
    for (let i = 0; i < 10; i++) first.write({ k: 'p', c: i, v: 'first' }, 'ALL');
    expect(second.write({ k: 'p', c: 0, v: 'second' }, 'ALL').kind).toBe('ok');
    const read = first.read(keyOf('p'), 'ALL');
    expect(read.kind === 'ok' && read.rows[0]).toEqual({ k: 'p', c: 0, v: 'second' });
    expect(cluster.clock.last).toBe(11);
  });

  it('regression: the number 1 and the text "1" are two clustering keys after a merge', () => {
    // The merge keyed rows by String(clustering value), so replicas' c: 1 and c: '1' became one.
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    coordinator.write({ k: 'p', c: 1, v: 'number' }, 'ALL');
    coordinator.write({ k: 'p', c: '1', v: 'text' }, 'ALL');
    for (const cl of ['ONE', 'ALL'] as const) {
      const read = coordinator.read(keyOf('p'), cl);
      expect(read.kind === 'ok' && read.rows.map((row) => row.v)).toEqual(['number', 'text']);
      const scan = createCoordinator(cluster).query({ where: {} }, cl);
      expect(scan.kind === 'ok' && scan.rows).toHaveLength(2);
    }
  });

  it('regression: a write at an unknown consistency level throws instead of returning undefined', () => {
    const coordinator = createCoordinator(makeCluster(sixNodes, simpleStrategy(3)));
    expectRinglabError(
      () => coordinator.write({ k: 'p', c: 1 }, 'BOGUS' as ConsistencyLevel),
      'UNKNOWN_NAME',
      'cl',
    );
    expectRinglabError(
      () => coordinator.query({ where: { k: 'p' } }, 'quorum' as ConsistencyLevel),
      'UNKNOWN_NAME',
      'cl',
    );
  });

  it('regression: a full scan reads through the replicas’ read path and counts it', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    for (let i = 0; i < 40; i++) coordinator.write({ k: `p${i}`, c: i }, 'ALL');
    const scan = coordinator.query({ where: {} }, 'QUORUM');
    expect(scan.kind === 'ok' && scan.scanned && scan.rows.length).toBe(40);
    // Every range read from 2 replicas; every row returned by 2 of its 3 replicas.
    const reads = cluster.nodes.reduce((sum, node) => sum + node.reads, 0);
    const rowsRead = cluster.nodes.reduce((sum, node) => sum + node.rowsRead, 0);
    expect(reads).toBe(cluster.placement.ring.size * 2);
    expect(rowsRead).toBe(80);
  });

  it('returns a full scan in token order, each partition’s rows in clustering order', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    for (let i = 0; i < 30; i++) coordinator.write({ k: `p${i % 7}`, c: 30 - i }, 'ONE');
    const scan = coordinator.query({ where: {} }, 'ALL');
    if (scan.kind !== 'ok') throw new Error('expected ok');
    expect(scan.rows).toHaveLength(30);
    const tokens = scan.rows.map((row) => coordinator.locate(keyOf(String(row.k))).token);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! >= tokens[i - 1]!).toBe(true);
    for (let i = 1; i < scan.rows.length; i++) {
      const [a, b] = [scan.rows[i - 1]!, scan.rows[i]!];
      if (a.k === b.k) expect(Number(a.c)).toBeLessThan(Number(b.c));
    }
  });

  it('checks every partition of a query before reading any, so unavailable stays definite', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    coordinator.write({ k: 'a', c: 1 }, 'ALL');
    coordinator.write({ k: 'b', c: 1 }, 'ALL');
    const two: Partitioner = {
      ...byK,
      route: (query) => toPartitions([keyOf('a'), keyOf('b')], filterOf(query)),
    };
    const twoCluster = { ...cluster, partitioner: two };
    // Take down b's replicas that a does not share, until b cannot meet ALL.
    const onlyB = replicaIds(cluster, 'b').filter((id) => !replicaIds(cluster, 'a').includes(id));
    if (onlyB.length === 0) return; // a and b share every replica on this ring: nothing to show
    cluster.markDown(onlyB[0]!);
    const before = cluster.nodes.map((node) => node.reads);
    const result = createCoordinator(twoCluster).query({ where: {} }, 'ALL');
    expect(result.kind).toBe('unavailable');
    expect(cluster.nodes.map((node) => node.reads)).toEqual(before);
  });

  it('lets an explicit older timestamp lose, and breaks equal timestamps the same way on every replica', () => {
    const cluster = makeCluster(sixNodes, simpleStrategy(3));
    const coordinator = createCoordinator(cluster);
    coordinator.write({ k: 'p', c: 1, v: 'new' }, 'ALL', { timestamp: 200 });
    coordinator.write({ k: 'p', c: 1, v: 'old' }, 'ALL', { timestamp: 100 });
    const read = coordinator.read(keyOf('p'), 'ALL');
    expect(read.kind === 'ok' && read.rows[0]!.v).toBe('new');
    // Two writes with one timestamp, seen in opposite orders by two replica sets: both keep 'z'.
    const ids = replicaIds(cluster, 'q');
    cluster.markDown(ids[0]!);
    coordinator.write({ k: 'q', c: 1, v: 'z' }, 'ONE', { timestamp: 7 });
    cluster.markUp(ids[0]!);
    cluster.markDown(ids[1]!);
    cluster.markDown(ids[2]!);
    coordinator.write({ k: 'q', c: 1, v: 'a' }, 'ONE', { timestamp: 7 });
    cluster.markUp(ids[1]!);
    cluster.markUp(ids[2]!);
    coordinator.write({ k: 'q', c: 1, v: 'a' }, 'ALL', { timestamp: 7 });
    coordinator.write({ k: 'q', c: 1, v: 'z' }, 'ALL', { timestamp: 7 });
    const held = ids.map((id) => {
      const node = cluster.nodes[cluster.nodeIndex(id)]!;
      return node.partitions.get('q')!.rows[0]!.v;
    });
    expect(held).toEqual(['z', 'z', 'z']);
    expectRinglabError(
      () => coordinator.write({ k: 'p', c: 1 }, 'ONE', { timestamp: 1.5 }),
      'INVALID_ARGUMENT',
      'timestamp',
    );
  });

  it('refuses a partition key over 65,535 bytes, as Cassandra does', () => {
    const coordinator = createCoordinator(makeCluster(sixNodes, simpleStrategy(3)));
    expectRinglabError(
      () => coordinator.write({ k: 'x'.repeat(65_536), c: 1 }, 'ONE'),
      'INVALID_KEY',
    );
    expect(coordinator.write({ k: 'x'.repeat(65_535), c: 1 }, 'ONE').kind).toBe('ok');
    expectRinglabError(
      () => coordinator.write({ k: 'é'.repeat(32_768), c: 1 }, 'ONE'),
      'INVALID_KEY',
    );
  });
});
