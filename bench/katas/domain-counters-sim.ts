/**
 * The domain-counters kata's two ways of answering "what p95 at this node count and rate?":
 *
 * - `probe`: the time plane. The workload's events arrive at the full rate for a short virtual
 *   window, are batched by the aggregators (domain-events.ts), and every mutation is a counter
 *   write on a simulated cluster in `counters` storage mode (load counters only). It measures
 *   each write's latency, each event's (from its arrival to the ack of the write that counted it,
 *   so batching's wait is in it), and each node's offered write-stage utilisation.
 * - `modelLatency` and `expectedNodeLoads`: the queueing model, sharing no code with the
 *   coordinator or the stages. Each node's expected replica writes come from the pure Zipf law
 *   and the placement; a replica's round trip is two network delays, the service time and an
 *   M/M/c wait (Erlang C) at the hottest node's load; a write waits for the blockFor-th fastest
 *   replica. Write stages serve in a constant time, so they are M/D/c queues, which wait less
 *   than M/M/c: near saturation the model lies above the measurement; at low load, where the
 *   wait vanishes, the two must agree.
 *
 * A stage offered more than its capacity (utilisation >= 1) has a queue that grows without bound:
 * its p95 passes any budget given time, however short the window measured. `meetsBudget` holds a
 * probe to both the budget and stability.
 */
import type { ClusterConfig } from '../cluster-config.js';
import type { ConsistencyLevel } from '../../engine/consistency.js';
import { createHistogram, type LatencySummary } from '../../engine/histogram.js';
import type { Partitioner } from '../../engine/partitioner.js';
import type { Random } from '../../engine/random.js';
import { replicatedOwnership, type Placement } from '../../engine/replication.js';
import { newTokenParts } from '../../engine/token.js';
import { createTimeCoordinator, type TimedWriteResult } from '../../engine/time/coordinator.js';
import { NETWORK_DELAY } from '../../engine/time/delay.js';
import { erlangC } from '../../engine/time/queueing-theory.js';
import { DEFAULT_WORKERS, SERVICE_MS } from '../../engine/time/server.js';
import { createSimulation } from '../../engine/time/simulation.js';
import {
  coalesce,
  createDomainEvents,
  domainCounterTable,
  domainKeyText,
  mutationRow,
  writesPerEvent,
  type DomainEvent,
  type DomainEventsOptions,
} from '../workloads/domain-events.js';

export interface ProbeSpec {
  readonly cluster: ClusterConfig;
  readonly placement: Placement;
  readonly partitioner: Partitioner;
  readonly cl: ConsistencyLevel;
  readonly batch: number;
  readonly aggregators: number;
  readonly workload: DomainEventsOptions;
  readonly windowMs: number;
  /** The workload's stream (the same for every probe of a run) and the simulation's. */
  readonly events: Random;
  readonly simulation: Random;
}

export interface ProbeResult {
  readonly windowMs: number;
  readonly events: number;
  /** Events whose latency was measured: those in full batches (see `probe`). */
  readonly measuredEvents: number;
  readonly writes: number;
  readonly writesPerSec: number;
  readonly timeouts: number;
  readonly write: LatencySummary;
  readonly event: LatencySummary;
  /** Per node: write-stage work offered in the window over its capacity. */
  readonly utilisation: readonly number[];
  readonly maxUtilisation: number;
  readonly meanUtilisation: number;
}

/** Time after the window for what is in flight to finish: the write timeout and a margin. */
const DRAIN_MS = 2_500;

/** Rounded to microseconds, so that reports read well. */
export const micro = (ms: number): number => Math.round(ms * 1000) / 1000;

export function summaryOf(histogram: ReturnType<typeof createHistogram>): LatencySummary {
  const s = histogram.summary();
  return {
    count: s.count,
    p50: micro(s.p50),
    p95: micro(s.p95),
    p99: micro(s.p99),
    max: micro(s.max),
  };
}

/**
 * Runs the window. Events are dealt round-robin to the aggregators; each starts part-filled (a
 * uniform share of its batch, standing for the events it held when the window opened), so that
 * flushes are spread over time from the start as in a steady state, and the events of such a
 * first batch, whose waits are cut short, are written but not measured; so are the events still
 * held when the window closes, flushed then (a client's flush on shutdown), so that every event
 * of the window is written. Writes go to the nodes round-robin, as a
 * token-unaware client spreads them.
 */
export function probe(spec: ProbeSpec): ProbeResult {
  const { placement, partitioner, cl, batch, aggregators, windowMs } = spec;
  const sim = createSimulation({
    placement,
    partitioner,
    table: domainCounterTable,
    storage: 'counters',
    random: spec.simulation,
  });
  const { scheduler } = sim;
  const coordinators = placement.ring.nodes.map((node) =>
    createTimeCoordinator(sim, { node: node.id }),
  );
  const stream = createDomainEvents(spec.workload, spec.events);
  const phantoms = spec.events.fork('phase');
  const held: DomainEvent[][] = Array.from({ length: aggregators }, () => []);
  const phantom = Array.from({ length: aggregators }, () =>
    batch === 1 ? 0 : phantoms.nextInt(batch),
  );
  const writeLatency = createHistogram();
  const eventLatency = createHistogram();
  let events = 0;
  let measuredEvents = 0;
  let writes = 0;
  let timeouts = 0;

  const flush = (aggregator: number, last = false): void => {
    const measured = phantom[aggregator] === 0 && !last;
    phantom[aggregator] = 0;
    const batchEvents = held[aggregator]!;
    held[aggregator] = [];
    const mutations =
      batchEvents.length === 1
        ? [{ domain: batchEvents[0]!.domain, cells: 1, arrivalsMs: [batchEvents[0]!.atMs] }]
        : coalesce(batchEvents);
    for (const mutation of mutations) {
      const coordinator = coordinators[writes++ % coordinators.length]!;
      coordinator.write(mutationRow(mutation), cl, (result: TimedWriteResult) => {
        if (result.kind === 'unavailable') return;
        if (result.kind === 'timeout') timeouts++;
        else writeLatency.record(result.latencyMs);
        if (!measured) return;
        const now = scheduler.now;
        for (const atMs of mutation.arrivalsMs) eventLatency.record(now - atMs);
        measuredEvents += mutation.arrivalsMs.length;
      });
    }
  };

  let next = stream.next();
  const arrive = (): void => {
    const aggregator = events++ % aggregators;
    const into = held[aggregator]!;
    into.push(next);
    if (into.length + phantom[aggregator]! >= batch) flush(aggregator);
    next = stream.next();
    if (next.atMs < windowMs) scheduler.at(next.atMs, arrive);
  };
  if (next.atMs < windowMs) scheduler.at(next.atMs, arrive);
  scheduler.at(windowMs, () => {
    for (let aggregator = 0; aggregator < aggregators; aggregator++) {
      if (held[aggregator]!.length > 0) flush(aggregator, true);
    }
  });
  sim.runUntil(windowMs + DRAIN_MS);

  const capacity = sim.stages[0]!.writes.workers / sim.serviceMs.write;
  const utilisation = sim.stages.map(
    (stage) => Math.round((stage.writes.stats().submitted / windowMs / capacity) * 1e4) / 1e4,
  );
  return {
    windowMs,
    events,
    measuredEvents,
    writes,
    writesPerSec: Math.round((writes * 1000) / windowMs),
    timeouts,
    write: summaryOf(writeLatency),
    event: summaryOf(eventLatency),
    utilisation,
    maxUtilisation: Math.max(...utilisation),
    meanUtilisation:
      Math.round((utilisation.reduce((sum, u) => sum + u, 0) / utilisation.length) * 1e4) / 1e4,
  };
}

/**
 * Within the budget, with no timeout, and no write stage offered more than `maxUtilisation` of
 * its capacity (below 1 at most: at 1 or more its queue grows without bound).
 */
export function meetsBudget(
  result: ProbeResult,
  budgetP95Ms: number,
  maxUtilisation: number,
): boolean {
  return (
    result.event.p95 <= budgetP95Ms &&
    result.maxUtilisation < Math.min(1, maxUtilisation + Number.EPSILON) &&
    result.timeouts === 0
  );
}

/** How long a batch takes to fill: `batch` events at each aggregator's share of the rate. */
export function fillMs(batch: number, aggregators: number, rateEventsPerSec: number): number {
  return batch === 1 ? 0 : (batch * aggregators * 1000) / rateEventsPerSec;
}

/** The tokens of the most popular domains' partitions, computed once per run. */
export interface TopDomains {
  readonly shares: Float64Array;
  /** The share of every other domain together. */
  readonly rest: number;
  readonly tokenHi: Int32Array;
  readonly tokenLo: Int32Array;
}

export function topDomains(
  partitioner: Partitioner,
  shares: Float64Array,
  rest: number,
): TopDomains {
  const tokenHi = new Int32Array(shares.length);
  const tokenLo = new Int32Array(shares.length);
  const parts = newTokenParts();
  for (let rank = 0; rank < shares.length; rank++) {
    const key = partitioner.keyOf({ domain: domainKeyText(rank) });
    partitioner.tokenFunction.tokenParts(key.bytes, parts);
    tokenHi[rank] = parts.hi;
    tokenLo[rank] = parts.lo;
  }
  return { shares, rest, tokenHi, tokenLo };
}

/**
 * Expected replica writes per second on each node: every top domain's writes on its replicas,
 * and the rest of the domains (each too rare to appear twice in a batch) spread by each node's
 * replicated ownership.
 */
export function expectedNodeLoads(
  placement: Placement,
  top: TopDomains,
  rateEventsPerSec: number,
  batch: number,
): Float64Array {
  const { ring, rf, table } = placement;
  const loads = new Float64Array(ring.nodes.length);
  const parts = newTokenParts();
  for (let rank = 0; rank < top.shares.length; rank++) {
    parts.hi = top.tokenHi[rank]!;
    parts.lo = top.tokenLo[rank]!;
    const position = ring.positionOfParts(parts);
    const rate = rateEventsPerSec * writesPerEvent(top.shares[rank]!, batch);
    for (let k = 0; k < rf; k++) loads[table[position * rf + k]!]! += rate;
  }
  const ownership = replicatedOwnership(placement);
  for (let node = 0; node < loads.length; node++) {
    loads[node]! += rateEventsPerSec * top.rest * ownership[node]!;
  }
  return loads;
}

export interface LatencyModelInput {
  readonly nodes: number;
  /** Replicas of a partition, over every DC. */
  readonly replicas: number;
  readonly blockFor: number;
  /** The hottest node's replica writes per second; every replica is modelled at this load. */
  readonly nodeWritesPerSec: number;
  /** The wait in a batch of an event that arrived last, ms (0 unbatched). */
  readonly fillMs: number;
  readonly samples: number;
  readonly random: Random;
}

export interface LatencyModel {
  /** Offered utilisation of the hottest write stage. */
  readonly utilisation: number;
  /** Erlang C: the chance a mutation waits for a worker there. */
  readonly waitProbability: number;
  /** null when the stage is unstable (utilisation >= 1). */
  readonly writeP95: number | null;
  readonly eventP95: number | null;
}

/**
 * p95 of a write and of an event by Monte Carlo over the model above: `samples` draws of the
 * blockFor-th fastest of `replicas` round trips (one without network when the coordinator is a
 * replica, as it is for replicas/nodes of the writes), plus, for an event, a uniform share of
 * the batch's fill time.
 */
export function modelLatency(input: LatencyModelInput): LatencyModel {
  const workers = DEFAULT_WORKERS;
  const serviceMs = SERVICE_MS.write;
  const lambdaPerMs = input.nodeWritesPerSec / 1000;
  const offered = lambdaPerMs * serviceMs;
  const utilisation = offered / workers;
  if (!(offered < workers)) {
    return { utilisation, waitProbability: 1, writeP95: null, eventP95: null };
  }
  const waitProbability = erlangC(workers, offered);
  const drainPerMs = workers / serviceMs - lambdaPerMs;
  const { median, sigma } = { median: NETWORK_DELAY.medianMs, sigma: NETWORK_DELAY.sigma };
  const random = input.random;
  const normal = (): number =>
    Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat());
  const network = (): number => median * Math.exp(sigma * normal());
  const wait = (): number =>
    random.nextFloat() < waitProbability ? -Math.log(1 - random.nextFloat()) / drainPerMs : 0;
  const selfShare = Math.min(1, input.replicas / input.nodes);
  const writes = new Float64Array(input.samples);
  const eventsMs = new Float64Array(input.samples);
  const trips = new Float64Array(input.replicas);
  for (let i = 0; i < input.samples; i++) {
    const local = random.nextFloat() < selfShare;
    for (let r = 0; r < input.replicas; r++) {
      const networkMs = local && r === 0 ? 0 : network() + network();
      trips[r] = networkMs + serviceMs + wait();
    }
    trips.sort();
    writes[i] = trips[input.blockFor - 1]!;
    eventsMs[i] = writes[i]! + random.nextFloat() * input.fillMs;
  }
  writes.sort();
  eventsMs.sort();
  const p95 = (sorted: Float64Array): number =>
    micro(sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!);
  return { utilisation, waitProbability, writeP95: p95(writes), eventP95: p95(eventsMs) };
}
