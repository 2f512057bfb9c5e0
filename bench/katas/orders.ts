/**
 * The `orders` kata: customer orders, read two ways (the orders of one customer; the orders of
 * one day across all customers), partitioned three ways (by customer_id, salted for the largest
 * customers or not; by order_id; by (customer_id, month)), with or without a global index on the
 * day. Every design gets the identical order stream; the run is in orders-run.ts, the report in
 * orders-report.ts.
 */
import { z } from 'zod';

import { aboutDuration, DEFAULT_SEED } from '../cluster-config.js';
import { defineKata, type KataFlag } from '../kata/kata.js';
import {
  clusterSchema,
  expect,
  ExperimentError,
  int,
  level,
  num,
  seed,
} from '../experiment/schema-kit.js';
import { indexModeNames } from '../../indexes/index.js';
import { checkDesignNames, designName, resolveKataCluster } from './time-plane.js';
import { estimateOrders } from './orders-budget.js';
import { runOrders } from './orders-run.js';
import { ORDERS_QUESTION, ORDERS_TITLE } from './orders-report.js';

export const orderKeys = ['customer_id', 'order_id', 'customer_month'] as const;
export type OrderKey = (typeof orderKeys)[number];
/** Columns an order index may be built on. */
export const orderIndexColumns = ['day', 'customer_id'] as const;

export const MAX_ORDERS = 2_000_000;
export const MAX_CUSTOMERS = 1_000_000;
export const MAX_READS = 100_000;
/** A run estimated above this is refused before it starts. */
export const MAX_SECONDS = 120;

const designSchema = z.strictObject({
  name: designName,
  key: z
    .enum(orderKeys, expect(`a partition key: one of ${orderKeys.join(', ')}`))
    .describe('customer_id, order_id, or (customer_id, month)'),
  salts: int(1, 1024, 'salts per salted customer: an integer from 1 to 1,024')
    .default(1)
    .describe('Partitions each of the largest customers is spread over (key customer_id only)'),
  saltedCustomers: int(
    0,
    MAX_CUSTOMERS,
    `customers to salt: an integer from 0 to ${MAX_CUSTOMERS.toLocaleString('en-US')}`,
  )
    .default(0)
    .describe('How many of the largest customers get the salts'),
  index: z
    .strictObject({
      mode: z
        .enum(indexModeNames, expect(`an index mode: one of ${indexModeNames.join(', ')}`))
        .default('none'),
      column: z
        .enum(
          orderIndexColumns,
          expect(`an indexed column: one of ${orderIndexColumns.join(', ')}`),
        )
        .default('day'),
      buckets: int(1, 1024, 'index partitions per value: an integer from 1 to 1,024')
        .default(16)
        .describe('For global-bucketed: partitions per indexed value'),
    })
    .prefault({})
    .describe('A secondary index on day (for reads by time) or customer_id'),
});

export type OrdersDesign = z.infer<typeof designSchema>;

export const DEFAULT_ORDER_DESIGNS: readonly OrdersDesign[] = [
  {
    name: 'customer_id',
    key: 'customer_id',
    salts: 1,
    saltedCustomers: 0,
    index: { mode: 'none', column: 'day', buckets: 16 },
  },
  {
    name: 'customer_id, top 10 salted x8',
    key: 'customer_id',
    salts: 8,
    saltedCustomers: 10,
    index: { mode: 'none', column: 'day', buckets: 16 },
  },
  {
    name: 'order_id',
    key: 'order_id',
    salts: 1,
    saltedCustomers: 0,
    index: { mode: 'none', column: 'day', buckets: 16 },
  },
  {
    name: '(customer_id, month) + day index',
    key: 'customer_month',
    salts: 1,
    saltedCustomers: 0,
    index: { mode: 'global-bucketed', column: 'day', buckets: 16 },
  },
];

export const ordersSchema = z.strictObject({
  kata: z.literal('orders', expect('"orders"')),
  seed: seed.default(DEFAULT_SEED),
  cluster: clusterSchema.default({}),
  orders: int(1, MAX_ORDERS).default(10_000).describe('Orders in the stream'),
  customers: int(1, MAX_CUSTOMERS).default(2_000).describe('Distinct customers'),
  theta: num(0.01, 0.999, 'a zipfian skew: a number from 0.01 to 0.999')
    .default(0.99)
    .describe('Skew of orders over customers (zipfian; 0.99 as YCSB)'),
  months: int(1, 120).default(6).describe('Months of order history the stream covers'),
  timedWrites: int(0, MAX_ORDERS)
    .default(2_000)
    .describe('The last orders, written on the time plane for write latency; the rest bulk-load'),
  writeRatePerSec: num(1, 100_000).default(2_000).describe('Arrival rate of the timed writes'),
  customerReads: int(0, MAX_READS).default(50).describe('Reads of one customer’s orders'),
  dayReads: int(0, MAX_READS).default(20).describe('Reads of one day’s orders, all customers'),
  readRatePerSec: num(0.001, 100_000).default(100).describe('Arrival rate of the reads'),
  limit: int(1, 1_000_000).default(100).describe('Rows a read returns at most (a page)'),
  writeCl: level.default('QUORUM'),
  readCl: level.default('QUORUM'),
  designs: z
    .array(designSchema, expect('a list of designs'))
    .min(1, expect('at least one design'))
    .max(8, expect('at most 8 designs'))
    .default(DEFAULT_ORDER_DESIGNS.map((design) => ({ ...design, index: { ...design.index } }))),
});

export type OrdersExperiment = z.infer<typeof ordersSchema>;

/** Nodes when the file gives none: enough for a scan to have many ranges to ask. */
const DEFAULT_NODES = 6;

function resolveOrders(experiment: OrdersExperiment): OrdersExperiment {
  const cluster = resolveKataCluster(experiment.cluster, DEFAULT_NODES);
  if (experiment.timedWrites > experiment.orders) {
    throw new ExperimentError(
      'timedWrites',
      `must be at most orders (${experiment.orders}), got ${experiment.timedWrites}`,
    );
  }
  checkDesignNames(experiment.designs);
  experiment.designs.forEach((design, i) => {
    const at = (field: string): string => `designs[${i}].${field}`;
    if (design.salts > 1 && design.key !== 'customer_id') {
      throw new ExperimentError(
        at('salts'),
        `applies only with key customer_id, not ${design.key}; the run would ignore it`,
      );
    }
    if (design.salts > 1 && design.saltedCustomers === 0) {
      throw new ExperimentError(
        at('saltedCustomers'),
        `is 0, so ${design.salts} salts would salt no customer; give how many of the largest customers get them`,
      );
    }
    if (design.saltedCustomers > 0 && design.salts === 1) {
      throw new ExperimentError(
        at('salts'),
        `is 1, so the ${design.saltedCustomers} salted customers would keep one partition each; give 2 or more`,
      );
    }
    if (design.saltedCustomers > experiment.customers) {
      throw new ExperimentError(
        at('saltedCustomers'),
        `must be at most customers (${experiment.customers}), got ${design.saltedCustomers}`,
      );
    }
  });
  const resolved: OrdersExperiment = { ...experiment, cluster };
  const estimate = estimateOrders(resolved);
  if (estimate.seconds > MAX_SECONDS) {
    throw new ExperimentError(
      estimate.costliest,
      `the run would take about ${aboutDuration(estimate.seconds)} (${estimate.describe}), over the ${aboutDuration(MAX_SECONDS)} a kata may take; lower ${estimate.costliest}`,
    );
  }
  return resolved;
}

const flags: readonly KataFlag[] = [
  { flags: '--orders <n>', description: 'orders in the stream', path: 'orders' },
  { flags: '--customers <n>', description: 'distinct customers', path: 'customers' },
  { flags: '--theta <x>', description: 'zipfian skew of orders over customers', path: 'theta' },
  { flags: '--months <n>', description: 'months of order history', path: 'months' },
  {
    flags: '--customer-reads <n>',
    description: "reads of one customer's orders",
    path: 'customerReads',
  },
  { flags: '--day-reads <n>', description: "reads of one day's orders", path: 'dayReads' },
  { flags: '--limit <n>', description: 'rows a read returns at most', path: 'limit' },
  {
    flags: '--write-cl <level>',
    description: 'consistency level of the writes',
    path: 'writeCl',
    parse: (text) => text.toUpperCase(),
  },
  {
    flags: '--read-cl <level>',
    description: 'consistency level of the reads',
    path: 'readCl',
    parse: (text) => text.toUpperCase(),
  },
];

export const ordersKata = defineKata<OrdersExperiment>({
  name: 'orders',
  summary: 'customer orders: partition by customer_id (salted), order_id or (customer_id, month)',
  title: ORDERS_TITLE,
  question: ORDERS_QUESTION,
  schema: ordersSchema,
  flags,
  resolve: resolveOrders,
  run: (experiment, options) => runOrders(experiment, options),
});
