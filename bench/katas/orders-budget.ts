/**
 * What an orders run will cost, estimated before it starts, so that a run too big is refused
 * with the estimate and the field to lower instead of running for an hour.
 */
import type { OrdersDesign, OrdersExperiment } from './orders.js';
import type { OrderReadKind } from './orders-run.js';

/** What the cost estimate and refusal say. */
export interface OrdersEstimate {
  readonly seconds: number;
  readonly describe: string;
  /** The field whose lowering helps most: orders, customerReads or dayReads. */
  readonly costliest: 'orders' | 'customerReads' | 'dayReads';
}

/**
 * CPU seconds per unit of work, measured on this driver (Node 20, x86-64, one core of a loaded
 * 2-core machine) and rounded up: a bulk write through the data plane at rf 3, a timed write on
 * the time plane, a read of one listed partition (messages and a page of rows merged from two
 * replicas), and a read that asks every range (per range asked, and per replica row a filtering
 * walk passes over).
 */
const BULK_WRITE_SECONDS = 6e-6;
const TIMED_WRITE_SECONDS = 60e-6;
const LISTED_PARTITION_SECONDS = 80e-6;
const RANGE_SECONDS = 25e-6;
const SCANNED_ROW_SECONDS = 2.5e-6;

function scans(design: OrdersDesign, kind: OrderReadKind): boolean {
  const indexed = design.index.mode !== 'none' && design.index.mode !== 'local';
  if (kind === 'customer') {
    return design.key === 'order_id' && !(indexed && design.index.column === 'customer_id');
  }
  return !(indexed && design.index.column === 'day');
}

export function estimateOrders(experiment: OrdersExperiment): OrdersEstimate {
  const { cluster, orders, timedWrites, customerReads, dayReads } = experiment;
  const replicas = cluster.rf! * cluster.dcs!;
  const ranges = cluster.nodes! * cluster.vnodes!;
  const months = Math.ceil(experiment.months) + 1;
  let writeSeconds = 0;
  const readSeconds = { customerReads: 0, dayReads: 0 };
  for (const design of experiment.designs) {
    const amplification = (replicas / 3) * (design.index.mode.startsWith('global') ? 2 : 1);
    writeSeconds +=
      amplification *
      ((orders - timedWrites) * BULK_WRITE_SECONDS + timedWrites * TIMED_WRITE_SECONDS);
    const scan = ranges * RANGE_SECONDS + orders * replicas * SCANNED_ROW_SECONDS;
    const listed = (partitions: number): number => partitions * LISTED_PARTITION_SECONDS;
    readSeconds.customerReads +=
      customerReads *
      (scans(design, 'customer')
        ? scan
        : listed(design.key === 'customer_month' ? months : design.salts));
    readSeconds.dayReads +=
      dayReads * (scans(design, 'day') ? scan : listed(design.index.buckets + experiment.limit));
  }
  const seconds = writeSeconds + readSeconds.customerReads + readSeconds.dayReads;
  const costliest =
    writeSeconds >= Math.max(readSeconds.customerReads, readSeconds.dayReads)
      ? 'orders'
      : readSeconds.customerReads >= readSeconds.dayReads
        ? 'customerReads'
        : 'dayReads';
  const round = (s: number): string => `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return {
    seconds,
    costliest,
    describe: `${round(writeSeconds)} for ${orders.toLocaleString('en-US')} orders × ${experiment.designs.length} designs, ${round(readSeconds.customerReads)} for the customer reads, ${round(readSeconds.dayReads)} for the day reads`,
  };
}
