import { beforeAll, describe, expect, it } from 'vitest';

import { createRandom } from '../../engine/random.js';
import { parseWith } from '../../bench/experiment/schema-kit.js';
import type { KataReport } from '../../bench/kata/report.js';
import { getKata } from '../../bench/katas/index.js';
import { experimentErrorOf } from '../helpers/experiment-errors.js';
import { ordersKata, type OrdersExperiment } from '../../bench/katas/orders.js';
import { MONTH_MS } from '../../bench/katas/orders-run.js';
import { createOrders, DEFAULT_START_MS } from '../../bench/workloads/orders.js';
import { bucketOf } from '../../partitioners/index.js';

const kata = ordersKata as unknown as {
  schema: typeof ordersKata.schema;
  resolve(experiment: OrdersExperiment): OrdersExperiment;
  run(experiment: OrdersExperiment, options: object): KataReport;
};

const parse = (input: object): OrdersExperiment =>
  parseWith(kata.schema, { kata: 'orders', ...input }) as OrdersExperiment;
const resolved = (input: object = {}): OrdersExperiment => kata.resolve(parse(input));

/** A small run: every design of the default, on a stream small enough for a unit test. */
const SMALL = {
  orders: 3000,
  customers: 300,
  timedWrites: 300,
  customerReads: 12,
  dayReads: 4,
};

const errorOf = experimentErrorOf;

const finding = (report: KataReport, id: string) => {
  const found = report.findings.find((f) => f.id === id);
  expect(found, `finding ${id}`).toBeDefined();
  return found!;
};

describe('orders kata: the experiment', () => {
  it('is registered, and {kata: "orders"} alone is a valid experiment', () => {
    expect(getKata('orders').name).toBe('orders');
    const experiment = resolved();
    expect(experiment.designs.map((design) => design.key)).toEqual([
      'customer_id',
      'customer_id',
      'order_id',
      'customer_month',
    ]);
    expect(experiment.cluster).toMatchObject({ nodes: 6, rf: 3, vnodes: 16 });
  });

  it('resolves idempotently, and what it exports parses back to itself', () => {
    const once = resolved({ cluster: { nodes: 5 } });
    expect(kata.resolve(once)).toEqual(once);
    expect(parse(JSON.parse(JSON.stringify(once)) as object)).toEqual(once);
  });

  it('names the field of a bad value by its path', () => {
    const salts = errorOf(() => parse({ designs: [{ name: 'a', key: 'customer_id', salts: -3 }] }));
    expect(salts.path).toBe('designs[0].salts');
    expect(salts.message).toMatch(/^designs\[0\]\.salts: expected .*got -3/);
    expect(errorOf(() => parse({ designs: [{ name: 'a', key: 'nope' }] })).path).toBe(
      'designs[0].key',
    );
    expect(errorOf(() => parse({ orderz: 3 })).path).toBe('');
  });

  it('refuses what the schema cannot see, naming the field', () => {
    expect(errorOf(() => resolved({ cluster: { nodes: 3, rf: 5 } })).path).toBe('cluster.rf');
    const onOrderId = errorOf(() =>
      resolved({ designs: [{ name: 'a', key: 'order_id', salts: 4, saltedCustomers: 2 }] }),
    );
    expect(onOrderId.path).toBe('designs[0].salts');
    expect(
      errorOf(() => resolved({ designs: [{ name: 'a', key: 'customer_id', salts: 4 }] })).path,
    ).toBe('designs[0].saltedCustomers');
    expect(
      errorOf(() =>
        resolved({
          designs: [
            { name: 'a', key: 'order_id' },
            { name: 'a', key: 'customer_id' },
          ],
        }),
      ).path,
    ).toBe('designs[1].name');
    expect(errorOf(() => resolved({ orders: 100, timedWrites: 200 })).path).toBe('timedWrites');
  });

  it('refuses a run too costly up front, with an estimate and the field to lower', () => {
    const refusal = errorOf(() => resolved({ orders: 2_000_000, customerReads: 10_000 }));
    expect(['orders', 'customerReads']).toContain(refusal.path);
    expect(refusal.message).toMatch(/would take about/);
  });
});

describe('orders kata: the run', () => {
  let report: KataReport;
  beforeAll(() => {
    report = kata.run(resolved(SMALL), {});
  }, 120_000);

  it('is deterministic: the same seed gives the same JSON', () => {
    const again = kata.run(resolved(SMALL), {});
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
  });

  it('opens with the designs side by side, and draws per-node load and latency', () => {
    expect(report.tables[0]!.id).toBe('designs');
    expect(report.tables[0]!.rows).toHaveLength(4);
    expect(report.charts.map((chart) => chart.kind)).toEqual(
      expect.arrayContaining(['bars', 'distribution']),
    );
    const bars = report.charts.find((chart) => chart.id === 'node-bytes');
    expect(bars?.kind === 'bars' && bars.categories).toHaveLength(6);
    expect(report.violations).toBe(0);
    expect(report.findings.map((f) => f.id)).toEqual([
      'largest-customer',
      'customer-read',
      'day-read',
    ]);
  });

  it('counts partitions as the stream has them (an independent count of the workload)', () => {
    const orders = [];
    const stream = createOrders(
      { orders: SMALL.orders, customers: SMALL.customers, theta: 0.99, spanMs: 6 * MONTH_MS },
      createRandom(1).fork('orders'),
    );
    for (let order = stream.next(); order !== undefined; order = stream.next()) orders.push(order);
    const perCustomer = new Map<string, number>();
    for (const order of orders) {
      perCustomer.set(order.customer_id, (perCustomer.get(order.customer_id) ?? 0) + 1);
    }
    const months = new Set(
      orders.map((order) => `${order.customer_id}:${bucketOf({ kind: 'month' }, order.ts)}`),
    );
    const byName = (name: string) => report.designs.find((design) => design.name === name)!;
    expect(byName('customer_id').metrics['partitions']).toBe(perCustomer.size);
    expect(byName('order_id').metrics['partitions']).toBe(SMALL.orders);
    expect(byName('(customer_id, month) + day index').metrics['partitions']).toBe(months.size);
    const largest = Math.max(...perCustomer.values());
    expect(byName('customer_id').metrics['largestRows']).toBe(largest);
    expect(finding(report, 'largest-customer').numbers['largestShare']).toBeCloseTo(
      largest / SMALL.orders,
      12,
    );
    // Salted: the largest customer's 8 salts split its orders, so no partition holds them all.
    expect(byName('customer_id, top 10 salted x8').metrics['largestRows']).toBeLessThan(largest);
    expect(orders.every((order) => order.ts >= DEFAULT_START_MS)).toBe(true);
  });

  it('reads as each key routes: one partition, the salts, every month, or every range', () => {
    const metric = (name: string, key: string) =>
      report.designs.find((design) => design.name === name)!.metrics[key];
    expect(metric('customer_id', 'customerPartitions')).toBe(1);
    expect(metric('(customer_id, month) + day index', 'customerPartitions')).toBe(6);
    expect(metric('order_id', 'customerPlan')).toBe('filtering-scan');
    expect(metric('(customer_id, month) + day index', 'dayPlan')).toBe('global-index');
    expect(metric('customer_id', 'replicaWritesPerOrder')).toBe(3);
    expect(metric('(customer_id, month) + day index', 'replicaWritesPerOrder')).toBe(6);
  });

  it('states findings from the numbers: changing the skew and the salts changes them', () => {
    const flatter = kata.run(
      resolved({
        ...SMALL,
        theta: 0.5,
        designs: [
          { name: 'plain', key: 'customer_id' },
          { name: 'salted', key: 'customer_id', salts: 4, saltedCustomers: 3 },
        ],
      }),
      {},
    );
    const before = finding(report, 'largest-customer');
    const after = finding(flatter, 'largest-customer');
    expect(after.numbers['largestShare']).toBeLessThan(before.numbers['largestShare']!);
    expect(after.numbers['salts']).toBe(4);
    expect(after.text).toContain('with 4 salts');
    expect(after.text).toContain(`${(after.numbers['largestShare']! * 100).toFixed(1)}%`);
    expect(after.text).not.toBe(before.text);
  });
});
