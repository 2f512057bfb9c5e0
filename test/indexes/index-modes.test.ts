import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placementOf, resolveClusterConfig } from '../../bench/cluster-config.js';
import { generateLogEvents, logTable, severities } from '../../bench/workloads/log-events.js';
import { createCluster, type Cluster } from '../../engine/cluster.js';
import { createCoordinator } from '../../engine/coordinator.js';
import { createRandom } from '../../engine/random.js';
import type { Row } from '../../engine/row.js';
import { createIndexMode, indexModeNames, type IndexModeName } from '../../indexes/index.js';
import {
  createPartitioner,
  getTokenFunction,
  type StrategyName,
} from '../../partitioners/index.js';
import { expectRinglabError } from '../helpers/errors.js';

const START_MS = Date.UTC(2026, 0, 1);
const table = {
  ...logTable,
  columns: ['event_id', 'server_id', 'ts', 'severity', 'message_bytes'],
};

function clusterFor(
  mode: IndexModeName,
  strategy: StrategyName = 'server-id',
  buckets = 4,
): Cluster {
  const config = resolveClusterConfig({ nodes: 6, vnodes: 4, rf: 3, allocator: 'random', seed: 3 });
  return createCluster({
    placement: placementOf(config),
    partitioner: createPartitioner(strategy, {
      tokenFunction: getTokenFunction('murmur3'),
      salt: { kind: 'fixed', salts: 4 },
      bucketMs: 60_000,
      startMs: START_MS,
      spanMs: 3_600_000,
    }),
    table,
    storage: 'rows',
    index: createIndexMode(mode, { column: 'severity', base: table, buckets }),
  });
}

/** Identity of a row in the table: its partition (by the cluster's strategy) and clustering. */
function identity(cluster: Cluster, row: Row): string {
  return `${cluster.partitioner.keyOf(row).text}\u0000${row.ts}\u0000${row.event_id}`;
}

const histories = fc.record({
  seed: fc.integer({ min: 0, max: 100_000 }),
  events: fc.integer({ min: 1, max: 400 }),
  // Per write: which node to take down first (-1: none), and whether to update an earlier row.
  steps: fc.array(fc.record({ down: fc.integer({ min: -1, max: 5 }), update: fc.nat() }), {
    minLength: 400,
    maxLength: 400,
  }),
});

describe.each(indexModeNames)('index mode %s: conformance', (mode) => {
  it('returns exactly the matching acknowledged rows after writes, updates and tolerated failures', () => {
    fc.assert(
      fc.property(histories, ({ seed, events, steps }) => {
        const cluster = clusterFor(mode);
        const coordinator = createCoordinator(cluster);
        const ids = cluster.placement.ring.nodes.map((node) => node.id);
        const stream = generateLogEvents(
          { events, servers: 8, startMs: START_MS },
          createRandom(seed).fork('workload'),
        );
        const acknowledged = new Map<string, Row>();
        const written: Row[] = [];
        stream.forEach((event, i) => {
          const step = steps[i]!;
          for (const id of ids) cluster.markUp(id);
          if (step.down >= 0) cluster.markDown(ids[step.down]!);
          // Every third write updates an earlier row's severity (an index entry goes stale).
          const earlier = written[step.update % Math.max(1, written.length)];
          const row: Row =
            i % 3 === 2 && earlier !== undefined
              ? {
                  ...earlier,
                  severity: severities[(severities.indexOf(earlier.severity as never) + 1) % 5]!,
                }
              : event;
          const result = coordinator.write(row, 'QUORUM');
          if (result.kind === 'ok') {
            acknowledged.set(identity(cluster, row), row);
            written.push(row);
          }
        });
        for (const id of ids) cluster.markUp(id);
        cluster.markDown(ids[seed % ids.length]!);
        for (const severity of severities) {
          const result = coordinator.query({ where: { severity } }, 'QUORUM');
          if (result.kind !== 'ok') throw new Error(`query by ${severity} was unavailable`);
          const expected = [...acknowledged.values()].filter((row) => row.severity === severity);
          const key = (row: Row) => `${row.event_id}/${row.severity}`;
          expect(result.rows.map(key).sort()).toEqual(expected.map(key).sort());
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('index plans and their costs', () => {
  function loaded(mode: IndexModeName, buckets = 4) {
    const cluster = clusterFor(mode, 'hash-event-id', buckets);
    const coordinator = createCoordinator(cluster);
    const events = generateLogEvents(
      { events: 3000, servers: 50, startMs: START_MS },
      createRandom(5),
    );
    for (const event of events) coordinator.write(event, 'ALL');
    const before = cluster.nodes.map((node) => [node.reads, node.rowsRead, node.indexStore.reads]);
    const result = coordinator.query({ where: { severity: 'ERROR' } }, 'ONE');
    const delta = cluster.nodes.map((node, i) => [
      node.reads - before[i]![0]!,
      node.rowsRead - before[i]![1]!,
      node.indexStore.reads - before[i]![2]!,
    ]);
    const sum = (k: number) => delta.reduce((total, d) => total + d[k]!, 0);
    return { cluster, events, result, reads: sum(0), rowsRead: sum(1), indexReads: sum(2) };
  }

  it('none scans every row; local reads only matching rows from every range; global reads no range', () => {
    const none = loaded('none');
    const local = loaded('local');
    const global = loaded('global');
    const bucketed = loaded('global-bucketed', 4);
    const errors = none.events.filter((event) => event.severity === 'ERROR').length;
    for (const run of [none, local, global, bucketed]) {
      expect(run.result.kind === 'ok' && run.result.rows).toHaveLength(errors);
    }
    const ranges = none.cluster.placement.ring.size;
    expect(none.result).toMatchObject({ plan: 'filtering-scan', scanned: true });
    expect(none.reads).toBe(ranges);
    expect(none.rowsRead).toBe(3000);
    expect(local.result).toMatchObject({ plan: 'local-index', scanned: true });
    expect(local.reads).toBe(ranges);
    expect(local.rowsRead).toBe(errors);
    // Global: one index partition (four with buckets), then one base partition per entry.
    expect(global.result).toMatchObject({
      plan: 'global-index',
      scanned: false,
      indexPartitions: 1,
    });
    expect(global.indexReads).toBe(1);
    expect(global.reads).toBe(errors);
    expect(bucketed.result).toMatchObject({ indexPartitions: 4 });
    expect(bucketed.indexReads).toBe(4);
  });

  it('global writes one index entry per base write, to the value’s partition; bucketed spreads it', () => {
    const global = loaded('global');
    const bucketed = loaded('global-bucketed', 16);
    const entries = (cluster: Cluster) =>
      cluster.nodes.reduce((sum, node) => sum + node.indexStore.writes, 0);
    expect(entries(global.cluster)).toBe(3000 * 3);
    expect(entries(bucketed.cluster)).toBe(3000 * 3);
    const partitions = (cluster: Cluster) =>
      new Set(cluster.nodes.flatMap((node) => [...node.indexStore.partitions.keys()]));
    expect(partitions(global.cluster).size).toBe(5); // one per severity
    const info = [...partitions(bucketed.cluster)].filter((text) => text.startsWith('INFO#'));
    expect(info).toHaveLength(16);
  });

  it('drops and counts stale entries: a row whose value changed is found only by its new value', () => {
    for (const mode of ['global', 'global-bucketed'] as const) {
      const cluster = clusterFor(mode);
      const coordinator = createCoordinator(cluster);
      const row = {
        event_id: 'e1',
        server_id: 'srv-1',
        ts: START_MS,
        severity: 'ERROR',
        message_bytes: 5,
      };
      coordinator.write(row, 'ALL');
      coordinator.write({ ...row, severity: 'INFO' }, 'ALL');
      const byError = coordinator.query({ where: { severity: 'ERROR' } }, 'ONE');
      expect(byError).toMatchObject({ kind: 'ok', rows: [], staleEntries: 1, partitions: 1 });
      const byInfo = coordinator.query({ where: { severity: 'INFO' } }, 'ONE');
      expect(byInfo).toMatchObject({ kind: 'ok', staleEntries: 0 });
      expect(byInfo.kind === 'ok' && byInfo.rows.map((r) => r.severity)).toEqual(['INFO']);
    }
  });

  it('refuses an unknown mode and a bad bucket count, naming the field', () => {
    expectRinglabError(
      () => createIndexMode('btree', { column: 'severity', base: table, buckets: 1 }),
      'UNKNOWN_NAME',
      'index',
    );
    expectRinglabError(
      () => createIndexMode('global-bucketed', { column: 'severity', base: table, buckets: 0 }),
      'INVALID_CONFIG',
      'indexBuckets',
    );
  });
});

describe('a local index kept by each replica', () => {
  it('moves a row’s count when an update changes its value, and ignores a write that loses', () => {
    const cluster = clusterFor('local');
    const coordinator = createCoordinator(cluster);
    const row = {
      event_id: 'e1',
      server_id: 'srv-1',
      ts: START_MS,
      severity: 'ERROR',
      message_bytes: 5,
    };
    coordinator.write(row, 'ALL', { timestamp: 10 });
    coordinator.write({ ...row, severity: 'INFO' }, 'ALL', { timestamp: 20 });
    coordinator.write({ ...row, severity: 'WARN' }, 'ALL', { timestamp: 15 }); // older: it loses
    const key = cluster.partitioner.keyOf(row).text;
    const holders = cluster.nodes.filter((node) => node.partitions.has(key));
    expect(holders).toHaveLength(3);
    for (const node of holders) {
      const partition = node.partitions.get(key)!;
      const index = node.localIndex!;
      expect([
        index.count(partition, 'ERROR'),
        index.count(partition, 'INFO'),
        index.count(partition, 'WARN'),
      ]).toEqual([0, 1, 0]);
    }
  });
});
