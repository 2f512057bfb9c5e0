import { describe, expect, it } from 'vitest';
import { placementOf, resolveClusterConfig } from '../../bench/cluster-config.js';
import { logTable } from '../../bench/workloads/log-events.js';
import { createCluster } from '../../engine/cluster.js';
import { createCoordinator } from '../../engine/coordinator.js';
import { expectRinglabError } from '../helpers/errors.js';
import {
  DAY_MS,
  composite,
  createPartitioner,
  getTokenFunction,
  serverSalted,
  strategyNames,
  timeBucket,
  type SaltedPartitioner,
  type StrategyOptions,
} from '../../partitioners/index.js';
import { compositeKeyBytes, intBytes, textBytes } from '../../partitioners/key-bytes.js';
import { logStrategySuite, SUITE_START_MS } from './log-strategy-suite.js';

const murmur3 = getTokenFunction('murmur3');

/** Small settings so that salt changes and bucket boundaries happen inside short test streams. */
const options: StrategyOptions = {
  tokenFunction: murmur3,
  salt: { kind: 'adaptive', hotShare: 0.05, windowEvents: 100, maxSalts: 16 },
  bucketMs: 60_000,
  startMs: SUITE_START_MS,
  spanMs: 3_600_000,
};

for (const name of strategyNames) logStrategySuite(name, () => createPartitioner(name, options));
logStrategySuite('server-salted (fixed 8)', () =>
  createPartitioner('server-salted', { ...options, salt: { kind: 'fixed', salts: 8 } }),
);

describe('registry', () => {
  it('refuses an unknown strategy naming the field', () => {
    expect(() => createPartitioner('by-magic', options)).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_NAME', field: 'strategy' }),
    );
  });
});

describe('server-salted', () => {
  it('keys (server_id, salt) as a Cassandra composite', () => {
    const partitioner = serverSalted({ tokenFunction: murmur3, mode: { kind: 'fixed', salts: 4 } });
    const key = partitioner.keyOf({ server_id: 'srv-1', event_id: 'e', ts: 0 });
    const salt = Number(key.text.split('#')[1]);
    expect(Buffer.from(key.bytes)).toEqual(
      Buffer.from(compositeKeyBytes([textBytes('srv-1'), intBytes(salt)])),
    );
  });

  it('salts a hot server, keeps every earlier row on its old salt count, and cools it down later', () => {
    const partitioner = serverSalted({
      tokenFunction: murmur3,
      mode: { kind: 'adaptive', hotShare: 0.01, windowEvents: 1000, maxSalts: 64 },
    });
    let ts = 0;
    // Phase 1: srv-hot writes half of everything; phase 2: it goes quiet.
    for (let i = 0; i < 3000; i++) {
      const server = i % 2 === 0 ? 'srv-hot' : `srv-${i % 500}`;
      partitioner.observe!({ server_id: server, event_id: `e${i}`, ts: ts++ });
    }
    const hotTs = ts;
    expect(partitioner.saltsAt('srv-hot', 0)).toBe(1);
    expect(partitioner.saltsAt('srv-hot', hotTs)).toBe(64); // needs 0.5 / 0.01 = 50 → 64
    for (let i = 0; i < 3000; i++)
      partitioner.observe!({ server_id: `srv-${i % 500}`, event_id: `f${i}`, ts: ts++ });
    expect(partitioner.saltsAt('srv-hot', ts)).toBeLessThan(64);
    // A read of the hot period touches its 64 partitions; a read of the start only one.
    const route = partitioner.route({
      where: { server_id: 'srv-hot' },
      range: { column: 'ts', from: hotTs, to: hotTs + 1 },
    });
    expect(route.kind === 'partitions' && route.keys.length).toBe(64);
    const early = partitioner.route({
      where: { server_id: 'srv-hot' },
      range: { column: 'ts', from: 0, to: 10 },
    });
    expect(early.kind === 'partitions' && early.keys.length).toBe(1);
    const metadata = partitioner.metadata();
    expect(metadata.entries).toBeGreaterThanOrEqual(2);
    expect(metadata.bytes).toBe(metadata.entries * ('srv-hot'.length + 10));
  });
});

describe('time-bucket', () => {
  const partitioner = timeBucket({
    tokenFunction: getTokenFunction('byte-ordered'),
    bucketMs: 3_600_000,
    startMs: SUITE_START_MS,
    spanMs: DAY_MS,
  });

  it('places consecutive buckets at increasing tokens', () => {
    const tokens = [0, 1, 2, 3].map((h) =>
      partitioner.tokenFunction.token(
        partitioner.keyOf({ ts: SUITE_START_MS + h * 3_600_000 + 5 }).bytes,
      ),
    );
    expect([...tokens].sort((a, b) => (a < b ? -1 : 1))).toEqual(tokens);
  });

  it('splits the expected span into equal, distinct, ascending ranges', () => {
    const tokens = partitioner.splitKeySpace!(192);
    expect(tokens).toHaveLength(192);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]! > tokens[i - 1]!).toBe(true);
    const width = tokens[1]! - tokens[0]!;
    expect(tokens.at(-1)! - tokens[0]!).toBe(width * 191n);
    // The last range ends at the last millisecond of the span.
    expect(tokens.at(-1)).toBe(
      partitioner.tokenFunction.token(
        partitioner.keyOf({ ts: SUITE_START_MS + DAY_MS - 1 }).bytes,
      ) + 3_599_999n,
    );
  });

  it('refuses a hashed token function', () => {
    expect(() =>
      timeBucket({ tokenFunction: murmur3, bucketMs: 1, startMs: 0, spanMs: 10 }),
    ).toThrow(expect.objectContaining({ field: 'partitioner' }));
  });
});

describe('composite (customer_id, month)', () => {
  const partitioner = composite({
    name: 'customer-month',
    tokenFunction: murmur3,
    components: [
      { kind: 'text', column: 'customer_id' },
      { kind: 'bucket', column: 'ts', label: 'month', unit: { kind: 'month' } },
    ],
  });

  it('routes a customer’s half-year to its six monthly partitions', () => {
    const from = Date.UTC(2026, 0, 15);
    const to = Date.UTC(2026, 5, 2);
    const route = partitioner.route({
      where: { customer_id: 'c42' },
      range: { column: 'ts', from, to },
    });
    expect(route.kind === 'partitions' && route.keys.map((key) => key.text)).toEqual(
      [0, 1, 2, 3, 4, 5].map((m) => `c42:${2026 * 12 + m}`),
    );
  });

  it('cannot route without the customer', () => {
    expect(partitioner.route({ where: {}, range: { column: 'ts', from: 0, to: 1 } }).kind).toBe(
      'all-ranges',
    );
  });
});

describe('regressions found by review (issue: mend the contracts)', () => {
  const table = {
    ...logTable,
    columns: ['event_id', 'server_id', 'ts', 'severity', 'message_bytes'],
  };
  const day = Math.floor(SUITE_START_MS / DAY_MS);
  const rows = [0, 1, 2].map((i) => ({
    event_id: `e${i}`,
    server_id: 'srv-1',
    ts: SUITE_START_MS + i * 1000,
    severity: 'INFO',
    message_bytes: 10,
  }));

  function coordinatorFor(name: string, placementOptions = options) {
    const partitioner = createPartitioner(name, placementOptions);
    const cluster = createCluster({
      placement: placementOf(resolveClusterConfig({ nodes: 5, rf: 3, allocator: 'random' })),
      partitioner,
      table,
      storage: 'rows',
    });
    return { cluster, coordinator: createCoordinator(cluster) };
  }

  it('regression: server-day finds the rows of a day named by its `day` label', () => {
    // The route consumed `day` to pick the partition, then the coordinator filtered rows on a
    // `day` column they do not have, and 0 rows came back.
    const { coordinator } = coordinatorFor('server-day');
    for (const row of rows) coordinator.write(row, 'ALL');
    const byServerDay = coordinator.query({ where: { server_id: 'srv-1', day } }, 'ONE');
    expect(byServerDay.kind === 'ok' && byServerDay.rows).toHaveLength(3);
    expect(byServerDay.kind === 'ok' && byServerDay.partitions).toBe(1);
    const byDay = coordinator.query({ where: { day } }, 'ONE');
    expect(byDay.kind === 'ok' && byDay.scanned && byDay.rows).toHaveLength(3);
    const nextDay = coordinator.query({ where: { day: day + 1 } }, 'ONE');
    expect(nextDay.kind === 'ok' && nextDay.rows).toHaveLength(0);
    expectRinglabError(
      () => coordinator.query({ where: { server_id: 'srv-1', day: 'monday' } }, 'ONE'),
      'INVALID_ARGUMENT',
      'query',
    );
  });

  it('regression: a query on a name that is neither a column nor a label is refused', () => {
    const { coordinator } = coordinatorFor('server-id');
    expectRinglabError(
      () => coordinator.query({ where: { server_id: 'srv-1', sevrity: 'INFO' } }, 'ONE'),
      'INVALID_ARGUMENT',
      'query',
    );
  });

  it('regression: writes that come back unavailable do not change adaptive salt state', () => {
    // observe ran before the consistency check, so refused writes still counted towards salting.
    const salted = {
      ...options,
      salt: { kind: 'adaptive', hotShare: 0.05, windowEvents: 100, maxSalts: 16 } as const,
    };
    const { cluster, coordinator } = coordinatorFor('server-salted', salted);
    for (const id of ['n1', 'n2', 'n3', 'n4', 'n5']) cluster.markDown(id);
    for (let i = 0; i < 1000; i++) {
      const result = coordinator.write(
        { ...rows[0]!, event_id: `hot-${i}`, ts: SUITE_START_MS + i },
        'ONE',
      );
      expect(result.kind).toBe('unavailable');
    }
    const partitioner = cluster.partitioner as SaltedPartitioner;
    expect(partitioner.metadata()).toMatchObject({ epochs: 0, entries: 0 });
    expect(partitioner.saltsAt('srv-1', SUITE_START_MS + 2000)).toBe(1);
  });
});
