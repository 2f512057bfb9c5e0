/**
 * The orders kata's run: per design, one cluster on the time plane holding the identical order
 * stream. The bulk of the orders is loaded through the data-plane coordinator on the
 * simulation's own cluster (the same stores, placement and write clock; no latency is needed for
 * them), the last `timedWrites` arrive on the time plane for write latency, and then the reads,
 * on the time plane, on the full data set. What is stored is read off the replicas' stores.
 *
 * The checker: a complete answer must hold min(limit, the rows that match) rows; an answer short
 * of that is a violation (a route that missed a partition).
 */
import { createCoordinator } from '../../engine/coordinator.js';
import type { Partitioner, Query } from '../../engine/partitioner.js';
import { createRandom, type Random } from '../../engine/random.js';
import type { Placement } from '../../engine/replication.js';
import { quantileSorted } from '../../engine/stats.js';
import { createTimeCoordinator } from '../../engine/time/coordinator.js';
import { createSimulation } from '../../engine/time/simulation.js';
import { createIndexMode } from '../../indexes/index.js';
import { textColumn } from '../../partitioners/columns.js';
import {
  composite,
  getTokenFunction,
  serverId,
  serverSalted,
  type TokenFunctionName,
} from '../../partitioners/index.js';
import type { TokenFunction } from '../../engine/token.js';
import type { KataRunOptions } from '../kata/kata.js';
import type { KataReport } from '../kata/report.js';
import { noProgress } from '../progress.js';
import { createOperationRecorder, type OperationStats } from '../simulate/metrics.js';
import { createOrders, customerIdOf, DEFAULT_START_MS, ordersTable } from '../workloads/orders.js';
import type { OrdersDesign, OrdersExperiment } from './orders.js';
import { ordersReport } from './orders-report.js';
import { placementOfKata, roundRobin, runUntilSettled } from './time-plane.js';

export const orderReadKinds = ['customer', 'day'] as const;
export type OrderReadKind = (typeof orderReadKinds)[number];

/** A month as the kata counts its span: 30 days. */
export const MONTH_MS = 30 * 86_400_000;

export interface ReadKindStats extends OperationStats {
  /** Mean token ranges a read asked (0 for reads of listed partitions only). */
  readonly meanRanges: number;
  /** Complete answers with fewer rows than min(limit, rows that match). */
  readonly shortAnswers: number;
}

export interface OrdersPartitions {
  readonly count: number;
  readonly meanRows: number;
  readonly p99Rows: number;
  readonly maxRows: number;
  readonly maxBytes: number;
  readonly largestKey: string;
}

export interface DesignRun {
  readonly design: OrdersDesign;
  readonly partitions: OrdersPartitions;
  /** Base-table partitions only; an index's partitions are counted in `indexPartitions`. */
  readonly indexPartitions: number;
  readonly nodes: readonly {
    readonly id: string;
    readonly rows: number;
    readonly bytes: number;
    readonly writes: number;
  }[];
  /** Replica mutations (base and index) per order. */
  readonly replicaWritesPerOrder: number;
  /** Bytes stored on all replicas (base and index) over the orders' own bytes. */
  readonly bytesAmplification: number;
  readonly write: OperationStats;
  readonly reads: Readonly<Record<OrderReadKind, ReadKindStats>>;
}

/**
 * A customer_id key with the largest customers salted: a customer in `hot` is spread over
 * `salts` partitions (customer_id, salt) by a hash of the order id, every other one keeps a
 * single partition (customer_id, 0); a read of a hot customer reads its `salts` partitions. Both
 * halves are `server-salted` strategies on the order columns, so the keys are theirs.
 */
export function hotCustomersSalted(
  tokenFunction: TokenFunction,
  salts: number,
  hot: ReadonlySet<string>,
): Partitioner {
  const columns = { serverColumn: 'customer_id', idColumn: 'order_id' } as const;
  const salted = serverSalted({ tokenFunction, mode: { kind: 'fixed', salts }, ...columns });
  const single = serverSalted({ tokenFunction, mode: { kind: 'fixed', salts: 1 }, ...columns });
  const of = (customer: string): Partitioner => (hot.has(customer) ? salted : single);
  return {
    name: hot.size === 0 ? 'customer-id' : 'customer-id-salted',
    tokenFunction,
    keyOf: (row) => of(textColumn(row, 'customer_id')).keyOf(row),
    route: (query) =>
      query.where['customer_id'] === undefined
        ? single.route(query)
        : of(textColumn(query.where, 'customer_id')).route(query),
  };
}

export function partitionerOf(
  design: OrdersDesign,
  tokenFunctionName: TokenFunctionName,
  customers: number,
): Partitioner {
  const tokenFunction = getTokenFunction(tokenFunctionName);
  switch (design.key) {
    case 'customer_id': {
      const hot = new Set<string>();
      for (let rank = 0; rank < design.saltedCustomers; rank++) {
        hot.add(customerIdOf(rank, customers));
      }
      return hotCustomersSalted(tokenFunction, design.salts, hot);
    }
    case 'order_id':
      return serverId(tokenFunction, 'order_id');
    case 'customer_month':
      return composite({
        name: 'customer-month',
        tokenFunction,
        components: [
          { kind: 'text', column: 'customer_id' },
          { kind: 'bucket', column: 'ts', label: 'month', unit: { kind: 'month' } },
        ],
      });
  }
}

export function runOrders(experiment: OrdersExperiment, options: KataRunOptions): KataReport {
  const progress = options.progress ?? noProgress;
  const root = createRandom(experiment.seed);
  const { placement } = placementOfKata(experiment.cluster, experiment.seed, root);
  const total = experiment.designs.length;
  const runs = experiment.designs.map((design, i) => {
    const run = runDesign(experiment, design, placement, root);
    progress(i + 1, total);
    return run;
  });
  return ordersReport(experiment, runs);
}

function runDesign(
  experiment: OrdersExperiment,
  design: OrdersDesign,
  placement: Placement,
  root: Random,
): DesignRun {
  const { orders, writeCl, readCl, limit } = experiment;
  const partitioner = partitionerOf(design, experiment.cluster.partitioner!, experiment.customers);
  const index = createIndexMode(design.index.mode, {
    column: design.index.column,
    base: ordersTable,
    buckets: design.index.buckets,
  });
  const sim = createSimulation({
    placement,
    partitioner,
    table: ordersTable,
    storage: 'rows',
    index,
    random: root.fork('simulation'),
  });
  const spanMs = experiment.months * MONTH_MS;
  const stream = createOrders(
    {
      orders,
      customers: experiment.customers,
      theta: experiment.theta,
      startMs: DEFAULT_START_MS,
      spanMs,
    },
    root.fork('orders'),
  );

  // The truth the checker holds answers to, and what a read picks from.
  const orderCustomers: string[] = [];
  const perCustomer = new Map<string, number>();
  const perDay = new Map<number, number>();
  let baseBytes = 0;
  const note = (order: { customer_id: string; day: number }, sizeBytes: number): void => {
    orderCustomers.push(order.customer_id);
    perCustomer.set(order.customer_id, (perCustomer.get(order.customer_id) ?? 0) + 1);
    perDay.set(order.day, (perDay.get(order.day) ?? 0) + 1);
    baseBytes += sizeBytes;
  };

  const bulk = createCoordinator(sim.cluster);
  for (let i = 0; i < orders - experiment.timedWrites; i++) {
    const order = stream.next()!;
    bulk.write(order, writeCl);
    note(order, ordersTable.sizeOf(order));
  }

  const coordinators = placement.ring.nodes.map((node) =>
    createTimeCoordinator(sim, { node: node.id }),
  );
  const client = roundRobin(sim, coordinators);
  let outstanding = 0;
  let timedAnswered = 0;
  const writes = createOperationRecorder();
  // A write's partitions: its base row, and its entry when a global index has a table.
  const mutations = index.table === undefined ? 1 : 2;
  const arrivals = root.fork('arrivals');
  const meanGapMs = 1000 / experiment.writeRatePerSec;
  let writeAtMs = 0;
  const scheduleWrite = (): void => {
    const order = stream.next();
    if (order === undefined) return;
    writeAtMs -= Math.log(1 - arrivals.nextFloat()) * meanGapMs;
    sim.scheduler.at(writeAtMs, () => {
      note(order, ordersTable.sizeOf(order));
      writes.issue();
      outstanding++;
      client()!.write(order, writeCl, (result) => {
        outstanding--;
        timedAnswered++;
        if (result.kind === 'ok') {
          writes.answer('ok', result.latencyMs, mutations, result.acked);
        } else {
          writes.answer(result.kind, 'latencyMs' in result ? result.latencyMs : 0, 0, 0);
        }
      });
      scheduleWrite();
    });
  };
  scheduleWrite();
  const writesEndMs = runUntilSettled(
    sim,
    0,
    () => timedAnswered === experiment.timedWrites,
    3_600_000,
    1000,
  );

  // Reads, on the full data set: each kind spread evenly over one window, jittered.
  const readRandom = root.fork('reads');
  const counts: Record<OrderReadKind, number> = {
    customer: experiment.customerReads,
    day: experiment.dayReads,
  };
  const windowMs = ((counts.customer + counts.day) * 1000) / experiment.readRatePerSec;
  const startMs = writesEndMs + 1000;
  const firstDay = Math.floor(DEFAULT_START_MS / 86_400_000);
  const spanDays = Math.max(1, Math.floor(spanMs / 86_400_000));
  const recorders = {
    customer: createOperationRecorder(),
    day: createOperationRecorder(),
  };
  const ranges = { customer: 0, day: 0 };
  const short = { customer: 0, day: 0 };
  const queries: Record<OrderReadKind, (random: Random) => { query: Query; matching: number }> = {
    customer: (random) => {
      const customer = orderCustomers[random.nextInt(orderCustomers.length)]!;
      return {
        query: {
          where: { customer_id: customer },
          range: { column: 'ts', from: DEFAULT_START_MS, to: DEFAULT_START_MS + spanMs },
          limit,
        },
        matching: perCustomer.get(customer) ?? 0,
      };
    },
    day: (random) => {
      const day = firstDay + random.nextInt(spanDays);
      return { query: { where: { day }, limit }, matching: perDay.get(day) ?? 0 };
    },
  };
  for (const kind of orderReadKinds) {
    const random = readRandom.fork(kind);
    for (let i = 0; i < counts[kind]; i++) {
      const atMs = startMs + ((i + random.nextFloat()) * windowMs) / counts[kind];
      const { query, matching } = queries[kind](random);
      sim.scheduler.at(atMs, () => {
        const recorder = recorders[kind];
        recorder.issue();
        outstanding++;
        client()!.query(query, readCl, { fanout: 'adaptive', partial: 'fail' }, (result) => {
          outstanding--;
          if (result.kind !== 'ok') {
            recorder.answer(result.kind, 'latencyMs' in result ? result.latencyMs : 0, 0, 0);
            return;
          }
          ranges[kind] += result.rangesQueried;
          if (result.complete && result.rows.length < Math.min(limit, matching)) short[kind]++;
          recorder.answer(
            result.complete ? 'ok' : 'partial',
            result.latencyMs,
            result.partitions,
            result.contacted,
            result.plan,
          );
        });
      });
    }
  }
  runUntilSettled(sim, startMs + windowMs, () => outstanding === 0, 600_000, 1000);

  const readStats = (kind: OrderReadKind): ReadKindStats => {
    const stats = recorders[kind].stats();
    const answered = stats.outcomes.ok + stats.outcomes.partial;
    return {
      ...stats,
      meanRanges: answered === 0 ? 0 : ranges[kind] / answered,
      shortAnswers: short[kind],
    };
  };
  return {
    design,
    ...storedShape(sim.cluster.nodes),
    nodes: sim.cluster.nodes.map((node, i) => ({
      id: placement.ring.nodes[i]!.id,
      rows: node.rows + node.indexStore.rows,
      bytes: node.bytes + node.indexStore.bytes,
      writes: node.writes + node.indexStore.writes,
    })),
    replicaWritesPerOrder:
      sim.cluster.nodes.reduce((sum, node) => sum + node.writes + node.indexStore.writes, 0) /
      orders,
    bytesAmplification:
      sim.cluster.nodes.reduce((sum, node) => sum + node.bytes + node.indexStore.bytes, 0) /
      baseBytes,
    write: writes.stats(),
    reads: { customer: readStats('customer'), day: readStats('day') },
  };
}

type Stores = ReturnType<typeof createSimulation>['cluster']['nodes'];

/** The base table's partitions, each counted once at its fullest copy, and the index's count. */
function storedShape(nodes: Stores): { partitions: OrdersPartitions; indexPartitions: number } {
  const fullest = new Map<string, { rows: number; bytes: number }>();
  const indexKeys = new Set<string>();
  for (const node of nodes) {
    for (const [key, partition] of node.partitions) {
      const held = fullest.get(key);
      if (held === undefined)
        fullest.set(key, { rows: partition.rowCount, bytes: partition.bytes });
      else if (partition.rowCount > held.rows) {
        held.rows = partition.rowCount;
        held.bytes = partition.bytes;
      }
    }
    for (const key of node.indexStore.partitions.keys()) indexKeys.add(key);
  }
  const rows = new Float64Array(fullest.size);
  let largestKey = '';
  let largestRows = -1;
  let maxBytes = 0;
  let i = 0;
  let sum = 0;
  for (const [key, size] of fullest) {
    rows[i++] = size.rows;
    sum += size.rows;
    if (size.rows > largestRows || (size.rows === largestRows && key < largestKey)) {
      largestRows = size.rows;
      largestKey = key;
    }
    maxBytes = Math.max(maxBytes, size.bytes);
  }
  rows.sort();
  return {
    partitions: {
      count: fullest.size,
      meanRows: fullest.size === 0 ? 0 : sum / fullest.size,
      p99Rows: quantileSorted(rows, 0.99),
      maxRows: Math.max(0, largestRows),
      maxBytes,
      largestKey,
    },
    indexPartitions: indexKeys.size,
  };
}
