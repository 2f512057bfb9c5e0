/**
 * The orders kata's report: the numbers of every design side by side, the per-node load and
 * the latency of each read kind, and findings computed from them (none is written in advance:
 * each says what the numbers of this run say, and which designs it compares).
 */
import { imbalance } from '../../engine/stats.js';
import type {
  Cell,
  Finding,
  KataReport,
  ReportChart,
  ReportTable,
  TableColumn,
} from '../kata/report.js';
import type { OrdersExperiment } from './orders.js';
import { column, LATENCY_COLUMNS } from './time-plane.js';
import {
  orderReadKinds,
  type DesignRun,
  type OrderReadKind,
  type ReadKindStats,
} from './orders-run.js';

export const ORDERS_TITLE = 'Orders: partitioning a table read by customer and by time';
export const ORDERS_QUESTION =
  'Partitioned by customer_id, order_id or (customer_id, month), how large do the partitions get under skewed customers, how many partitions and replicas does a read of one customer or of one day touch, and at what latency and write cost?';

const KEY_LABELS: Readonly<Record<DesignRun['design']['key'], string>> = {
  customer_id: 'customer_id',
  order_id: 'order_id',
  customer_month: '(customer_id, month)',
};

const READ_LABELS: Readonly<Record<OrderReadKind, string>> = {
  customer: "one customer's orders",
  day: "one day's orders",
};

/** The plan most of a kind's reads took: partitions, filtering-scan, global-index, ... */
function mainPlan(stats: ReadKindStats): string {
  let best = '';
  let count = -1;
  for (const [plan, n] of Object.entries(stats.plans)) {
    if (n > count) {
      best = plan;
      count = n;
    }
  }
  return best === '' ? '-' : best;
}

function metricsOf(run: DesignRun, orders: number): Record<string, Cell> {
  const { partitions, design } = run;
  const metrics: Record<string, Cell> = {
    key: KEY_LABELS[design.key],
    salts: design.salts,
    saltedCustomers: design.saltedCustomers,
    index: design.index.mode === 'none' ? 'none' : `${design.index.mode} on ${design.index.column}`,
    partitions: partitions.count,
    indexPartitions: run.indexPartitions,
    largestKey: partitions.largestKey,
    largestRows: partitions.maxRows,
    largestBytes: partitions.maxBytes,
    largestShare: orders === 0 ? 0 : partitions.maxRows / orders,
    largestOverMean: partitions.meanRows === 0 ? 0 : partitions.maxRows / partitions.meanRows,
    p99PartitionRows: partitions.p99Rows,
    nodeBytesMaxOverMean: imbalance(run.nodes.map((node) => node.bytes)).maxOverMean,
    nodeRowsMaxOverMean: imbalance(run.nodes.map((node) => node.rows)).maxOverMean,
    replicaWritesPerOrder: run.replicaWritesPerOrder,
    bytesAmplification: run.bytesAmplification,
    writeP50Ms: run.write.latencyMs.p50,
    writeP99Ms: run.write.latencyMs.p99,
  };
  for (const kind of orderReadKinds) {
    const stats = run.reads[kind];
    metrics[`${kind}Reads`] = stats.count;
    metrics[`${kind}Ok`] = stats.outcomes.ok;
    metrics[`${kind}Plan`] = mainPlan(stats);
    metrics[`${kind}Partitions`] = stats.meanPartitions;
    metrics[`${kind}Replicas`] = stats.meanReplicas;
    metrics[`${kind}Ranges`] = stats.meanRanges;
    metrics[`${kind}P50Ms`] = stats.latencyMs.p50;
    metrics[`${kind}P99Ms`] = stats.latencyMs.p99;
    metrics[`${kind}ShortAnswers`] = stats.shortAnswers;
  }
  return metrics;
}

const DESIGN_COLUMNS: readonly TableColumn[] = [
  column('design', 'design', 'text'),
  column('partitions', 'partitions', 'count'),
  column('largestRows', 'largest rows', 'count'),
  column('largestBytes', 'largest', 'bytes'),
  column('largestShare', 'largest share', 'percent'),
  column('largestOverMean', 'largest/mean', 'ratio'),
  column('nodeBytesMaxOverMean', 'node max/mean', 'ratio'),
  column('replicaWritesPerOrder', 'replica writes/order', 'number'),
  column('writeP99Ms', 'write p99', 'ms'),
  column('customerPartitions', 'customer: partitions', 'number'),
  column('customerReplicas', 'customer: replica reqs', 'number'),
  column('customerP99Ms', 'customer p99', 'ms'),
  column('dayPartitions', 'day: partitions', 'number'),
  column('dayReplicas', 'day: replica reqs', 'number'),
  column('dayP99Ms', 'day p99', 'ms'),
];

const READ_COLUMNS: readonly TableColumn[] = [
  column('design', 'design', 'text'),
  column('read', 'read', 'text'),
  column('plan', 'plan', 'text'),
  column('reads', 'reads', 'count'),
  column('ok', 'ok', 'count'),
  column('partitions', 'partitions', 'number'),
  column('replicas', 'replica reqs', 'number'),
  column('ranges', 'ranges', 'number'),
  ...LATENCY_COLUMNS,
];

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const fixed = (x: number, digits = 2): string => x.toFixed(digits);
const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

/** The finding on the largest customer, when some design keys by customer_id unsalted. */
function largestCustomerFinding(runs: readonly DesignRun[], orders: number): Finding | undefined {
  const plain = runs.find((run) => run.design.key === 'customer_id' && run.design.salts === 1);
  if (plain === undefined) return undefined;
  const share = plain.partitions.maxRows / orders;
  const overMean = plain.partitions.maxRows / plain.partitions.meanRows;
  const before = imbalance(plain.nodes.map((node) => node.bytes)).maxOverMean;
  const numbers: Record<string, number> = {
    largestShare: share,
    largestOverMean: overMean,
    nodeMaxOverMean: before,
    customerP99Ms: plain.reads.customer.latencyMs.p99,
  };
  let text =
    `By customer_id, the largest customer's partition (${plain.partitions.largestKey}) holds ` +
    `${pct(share)} of the orders, ${fixed(overMean, 0)}× the mean partition; node bytes max/mean is ${fixed(before, 3)}`;
  const salted = runs.find((run) => run.design.key === 'customer_id' && run.design.salts > 1);
  if (salted !== undefined) {
    const after = imbalance(salted.nodes.map((node) => node.bytes)).maxOverMean;
    const { salts, saltedCustomers } = salted.design;
    Object.assign(numbers, {
      salts,
      saltedCustomers,
      saltedLargestShare: salted.partitions.maxRows / orders,
      saltedNodeMaxOverMean: after,
      saltedCustomerPartitions: salted.reads.customer.meanPartitions,
      saltedCustomerP99Ms: salted.reads.customer.latencyMs.p99,
    });
    text +=
      `. Salting the ${saltedCustomers} largest customers with ${salts} salts (${salted.design.name}) ` +
      `brings the largest partition to ${pct(salted.partitions.maxRows / orders)} of the orders and node max/mean from ` +
      `${fixed(before, 3)} to ${fixed(after, 3)}, at the cost of ${salts} partitions per read of a salted customer ` +
      `(${fixed(salted.reads.customer.meanPartitions)} per customer read on average, p99 ` +
      `${ms(salted.reads.customer.latencyMs.p99)} against ${ms(plain.reads.customer.latencyMs.p99)})`;
  }
  return { id: 'largest-customer', text: `${text}.`, numbers };
}

/** Compares the fastest and the slowest design at p99 for one read kind. */
function readFinding(runs: readonly DesignRun[], kind: OrderReadKind): Finding | undefined {
  const answered = runs.filter((run) => run.reads[kind].outcomes.ok > 0);
  if (answered.length === 0) return undefined;
  const p99 = (run: DesignRun): number => run.reads[kind].latencyMs.p99;
  const sorted = [...answered].sort((a, b) => p99(a) - p99(b));
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  const describe = (run: DesignRun): string => {
    const stats = run.reads[kind];
    const where =
      stats.meanRanges > 0
        ? `asks ${fixed(stats.meanRanges, 0)} token ranges (${mainPlan(stats)})`
        : `reads ${fixed(stats.meanPartitions)} partitions (${mainPlan(stats)})`;
    return `${run.design.name} ${where}, ${fixed(stats.meanReplicas, 1)} replica requests, at p99 ${ms(p99(run))}`;
  };
  const numbers: Record<string, number> = {
    bestP99Ms: p99(best),
    bestReplicas: best.reads[kind].meanReplicas,
    bestReplicaWritesPerOrder: best.replicaWritesPerOrder,
  };
  let text = `Reads of ${READ_LABELS[kind]}: ${describe(best)}`;
  if (worst !== best) {
    const ratio = p99(best) === 0 ? 0 : p99(worst) / p99(best);
    Object.assign(numbers, {
      worstP99Ms: p99(worst),
      worstReplicas: worst.reads[kind].meanReplicas,
      worstReplicaWritesPerOrder: worst.replicaWritesPerOrder,
      p99Ratio: ratio,
    });
    text += `; ${describe(worst)}, ${fixed(ratio, 1)}× slower`;
    // What a faster read by time costs: the index's mutations on every write.
    if (kind === 'day' && best.replicaWritesPerOrder !== worst.replicaWritesPerOrder) {
      text += `. ${best.design.name} writes ${fixed(best.replicaWritesPerOrder, 1)} replica mutations per order against ${fixed(worst.replicaWritesPerOrder, 1)}`;
    }
  }
  return { id: `${kind}-read`, text: `${text}.`, numbers };
}

export function ordersReport(experiment: OrdersExperiment, runs: readonly DesignRun[]): KataReport {
  const designs = runs.map((run) => ({
    name: run.design.name,
    metrics: metricsOf(run, experiment.orders),
  }));
  const comparison: ReportTable = {
    id: 'designs',
    title: 'Designs side by side',
    columns: DESIGN_COLUMNS,
    rows: designs.map(({ name, metrics }) => ({ design: name, ...metrics })),
  };
  const reads: ReportTable = {
    id: 'reads',
    title: 'Reads by kind',
    columns: READ_COLUMNS,
    rows: runs.flatMap((run) =>
      orderReadKinds.map((kind) => {
        const stats = run.reads[kind];
        return {
          design: run.design.name,
          read: READ_LABELS[kind],
          plan: mainPlan(stats),
          reads: stats.count,
          ok: stats.outcomes.ok,
          partitions: stats.meanPartitions,
          replicas: stats.meanReplicas,
          ranges: stats.meanRanges,
          ...stats.latencyMs,
        };
      }),
    ),
  };
  const nodeIds = runs[0]?.nodes.map((node) => node.id) ?? [];
  const nodes: ReportTable = {
    id: 'nodes',
    title: 'Bytes stored per node (base and index, all replicas)',
    columns: [
      column('node', 'node', 'text'),
      ...runs.map((run, i) => column(`d${i}`, run.design.name, 'bytes')),
    ],
    rows: nodeIds.map((id, n) => {
      const row: Record<string, Cell> = { node: id };
      runs.forEach((run, i) => (row[`d${i}`] = run.nodes[n]!.bytes));
      return row;
    }),
  };
  const latency = (kind: OrderReadKind | 'write'): ReportChart => ({
    kind: 'distribution',
    id: `${kind}-latency`,
    title: kind === 'write' ? 'Write latency' : `Latency of a read of ${READ_LABELS[kind]}`,
    unit: 'ms',
    series: runs.map((run) => {
      const { p50, p95, p99, max } =
        kind === 'write' ? run.write.latencyMs : run.reads[kind].latencyMs;
      return { label: run.design.name, p50, p95, p99, max };
    }),
  });
  const charts: ReportChart[] = [
    {
      kind: 'bars',
      id: 'node-bytes',
      title: 'Bytes stored per node',
      unit: 'MiB',
      categories: nodeIds,
      series: runs.map((run) => ({
        label: run.design.name,
        values: run.nodes.map((node) => Math.round((node.bytes / 2 ** 20) * 1000) / 1000),
      })),
    },
    {
      kind: 'bars',
      id: 'fanout',
      title: 'Replica requests per read',
      unit: 'replica requests',
      categories: orderReadKinds.map((kind) => READ_LABELS[kind]),
      series: runs.map((run) => ({
        label: run.design.name,
        values: orderReadKinds.map((kind) => run.reads[kind].meanReplicas),
      })),
    },
    latency('customer'),
    latency('day'),
    latency('write'),
  ];
  const findings = [
    largestCustomerFinding(runs, experiment.orders),
    readFinding(runs, 'customer'),
    readFinding(runs, 'day'),
  ].filter((finding): finding is Finding => finding !== undefined);
  return {
    kata: 'orders',
    title: ORDERS_TITLE,
    question: ORDERS_QUESTION,
    seed: experiment.seed,
    experiment,
    designs,
    tables: [comparison, reads, nodes],
    charts,
    findings,
    violations: runs.reduce(
      (sum, run) => sum + run.reads.customer.shortAnswers + run.reads.day.shortAnswers,
      0,
    ),
  };
}
