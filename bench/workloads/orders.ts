/**
 * The orders workload: a seeded stream of customer orders { order_id, customer_id, ts, day,
 * order_bytes }, for the question of how to partition a table read both by customer and by time.
 *
 * An order stream has the shape of the log-event stream (an id, an owner drawn from a skewed
 * distribution, a time, a payload size), so it is that stream under other names: the same
 * generator draws the ids (UUID v4), the customers (zipfian, item 0 the largest customer), the
 * times (`orders` uniform times over the span, in order) and the sizes (log-normal), each from
 * its own forked stream. Changing the customer count keeps every order's time and id.
 *
 * Defaults, and why:
 * - Customers are zipfian with theta 0.99, as YCSB's: a few accounts (marketplaces, resellers)
 *   place a large share of the orders. At 2,000 customers the largest places about 12% of them.
 * - Order rows are log-normal around 400 bytes (sigma 0.6): a header and a handful of line items.
 * - `day` is the order's UTC day number, kept as a column so that a global index can be built on
 *   the time bucket (an index on `ts` itself would make one partition per millisecond).
 */
import { valueSizeBytes, type TableSpec } from '../../engine/row.js';
import type { Random } from '../../engine/random.js';
import { DAY_MS } from '../../partitioners/index.js';
import { createLogEvents, DEFAULT_START_MS, serverIdOf } from './log-events.js';

/** One order. A type alias (not an interface) so that it is assignable to `Row`. */
export type Order = {
  readonly order_id: string;
  readonly customer_id: string;
  /** Unix milliseconds. */
  readonly ts: number;
  /** floor(ts / 1 day): the time bucket a global index keys on. */
  readonly day: number;
  /** The order's payload (line items, addresses), not materialised. */
  readonly order_bytes: number;
};

export interface OrderOptions {
  readonly orders: number;
  readonly customers: number;
  /** Zipfian skew of orders over customers, in (0, 1). */
  readonly theta: number;
  /** Unix ms of the first order's window. */
  readonly startMs?: number;
  /** The orders fall uniformly in [startMs, startMs + spanMs). */
  readonly spanMs: number;
}

export const ORDER_MEDIAN_BYTES = 400;
export const ORDER_SIGMA = 0.6;
export { DEFAULT_START_MS };

/** The id of customer number `rank` (0 the largest), `cust-` and the zero-padded number. */
export function customerIdOf(rank: number, customers: number): string {
  return `cust-${serverIdOf(rank, customers).slice('srv-'.length)}`;
}

export interface OrderStream {
  /** The next order, or undefined once `orders` have been returned. */
  next(): Order | undefined;
}

export function createOrders(options: OrderOptions, random: Random): OrderStream {
  const events = createLogEvents(
    {
      events: options.orders,
      servers: options.customers,
      serverDistribution: { kind: 'zipfian', theta: options.theta },
      startMs: options.startMs ?? DEFAULT_START_MS,
      spanMs: options.spanMs,
      messageBytes: { medianBytes: ORDER_MEDIAN_BYTES, sigma: ORDER_SIGMA },
    },
    random,
  );
  return {
    next: () => {
      const event = events.next();
      if (event === undefined) return undefined;
      return {
        order_id: event.event_id,
        customer_id: `cust-${event.server_id.slice('srv-'.length)}`,
        ts: event.ts,
        day: Math.floor(event.ts / DAY_MS),
        order_bytes: event.message_bytes,
      };
    },
  };
}

/** The orders table: a partition's rows ordered by time, the order id breaking ties. */
export const ordersTable: TableSpec = {
  name: 'orders',
  clustering: ['ts', 'order_id'],
  columns: ['order_id', 'customer_id', 'ts', 'day', 'order_bytes'],
  sizeOf: (row) => {
    const payload = row['order_bytes'];
    return (
      valueSizeBytes(row['order_id']) +
      valueSizeBytes(row['customer_id']) +
      valueSizeBytes(row['ts']) +
      valueSizeBytes(row['day']) +
      valueSizeBytes(payload) +
      (typeof payload === 'number' ? payload : 0)
    );
  },
};
