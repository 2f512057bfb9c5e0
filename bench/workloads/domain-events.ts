/**
 * The domain-counters workload: events, each a (domain, event type) pair to count, arriving as a
 * Poisson stream, and the client-side batching that turns them into counter writes.
 *
 * Domains are ranks of a zipfian over `domains` items (rank 0 the most popular), drawn with the
 * YCSB sampler of distributions.ts; ten million domains are never materialised, a domain is its
 * rank and its partition key the text `d<rank>`. Event types are a zipfian over `eventTypes`.
 *
 * Batching, as this workload defines it: events are dealt round-robin to `aggregators` client
 * processes; each collects `batch` events and then writes one counter mutation per distinct
 * domain in them (the counter table is `PRIMARY KEY ((domain), event_type)`, and Cassandra
 * applies all the increments of one partition in a batch as one mutation). A batch of b events
 * thus becomes between 1 and b writes, one per distinct domain, each carrying the increments of
 * that domain's types. At batch 1 every event is its own write.
 */
import type { Random } from '../../engine/random.js';
import type { Row, TableSpec } from '../../engine/row.js';
import { genericTable } from '../../engine/row.js';
import { createDistribution, zeta } from './distributions.js';

export interface DomainEventsOptions {
  readonly domains: number;
  readonly eventTypes: number;
  /** Zipf exponent of the domains (and of the types). */
  readonly theta: number;
  readonly rateEventsPerSec: number;
}

export interface DomainEvent {
  readonly domain: number;
  readonly type: number;
  readonly atMs: number;
}

export interface DomainEventStream {
  /** The next event: its domain rank, type and arrival time (virtual ms, increasing). */
  next(): DomainEvent;
}

/** The counter table: one partition per domain, one counter row per event type. */
export const domainCounterTable: TableSpec = genericTable('domain_counters', ['event_type']);

export function domainKeyText(domain: number): string {
  return `d${domain}`;
}

/** Events from three named streams of `random`: domains, types and arrival gaps. */
export function createDomainEvents(
  options: DomainEventsOptions,
  random: Random,
): DomainEventStream {
  const domains = createDistribution(
    { kind: 'zipfian', items: options.domains, theta: options.theta },
    random.fork('domains'),
  );
  const types = createDistribution(
    { kind: 'zipfian', items: options.eventTypes, theta: options.theta },
    random.fork('types'),
  );
  const gaps = random.fork('arrivals');
  const meanGapMs = 1000 / options.rateEventsPerSec;
  let atMs = 0;
  return {
    next: () => {
      atMs += -Math.log(1 - gaps.nextFloat()) * meanGapMs;
      return { domain: domains.next(), type: types.next(), atMs };
    },
  };
}

/** One counter mutation: a domain's increments from one batch. */
export interface CounterMutation {
  readonly domain: number;
  /** Distinct event types incremented (counter cells). */
  readonly cells: number;
  /** The arrival times of the events it counts. */
  readonly arrivalsMs: readonly number[];
}

/** The row a mutation writes: its partition key and a summary of its increments. */
export function mutationRow(mutation: CounterMutation): Row {
  return {
    domain: domainKeyText(mutation.domain),
    event_type: mutation.cells,
    delta: mutation.arrivalsMs.length,
  };
}

/**
 * Coalesces one batch of events into one mutation per distinct domain, in order of each
 * domain's first event in the batch.
 */
export function coalesce(events: readonly DomainEvent[]): CounterMutation[] {
  const byDomain = new Map<number, { types: Set<number>; arrivalsMs: number[] }>();
  for (const event of events) {
    let entry = byDomain.get(event.domain);
    if (entry === undefined)
      byDomain.set(event.domain, (entry = { types: new Set(), arrivalsMs: [] }));
    entry.types.add(event.type);
    entry.arrivalsMs.push(event.atMs);
  }
  return [...byDomain].map(([domain, { types, arrivalsMs }]) => ({
    domain,
    cells: types.size,
    arrivalsMs,
  }));
}

/**
 * The share of events of each of the `top` most popular domains under the pure Zipf law
 * (1/(rank+1)^theta over zeta(domains, theta)), and the share of all the others together: the
 * model's view, independent of the sampler (which draws ranks 1 and 2 a little more often).
 */
export function zipfShares(
  domains: number,
  theta: number,
  top: number,
): { readonly shares: Float64Array; readonly rest: number } {
  const count = Math.min(top, domains);
  const norm = zeta(domains, theta);
  const shares = new Float64Array(count);
  let sum = 0;
  for (let rank = 0; rank < count; rank++) {
    shares[rank] = (rank + 1) ** -theta / norm;
    sum += shares[rank]!;
  }
  return { shares, rest: Math.max(0, 1 - sum) };
}

/**
 * Expected writes per event a domain of share `p` causes at batch size `batch`: a batch holds the
 * domain with probability 1 - (1 - p)^b and then writes it once, so (1 - (1 - p)^b) / b per event.
 */
export function writesPerEvent(share: number, batch: number): number {
  if (batch === 1) return share;
  return -Math.expm1(batch * Math.log1p(-share)) / batch;
}
