/**
 * The `log-feeding` kata: a log collection service. Service instances log events with Snowflake
 * ids (ms, machine, sequence: bench/workloads/snowflake.ts); people filter them by level, by
 * service and time range, and by correlation id. Designs cross a partitioning with a replication:
 *
 * - partitioning `service-time`: hybrid `(service, time bucket)` composite keys, so "service X
 *   over the last minute" reads a few partitions and no partition grows without bound; or
 *   `event-id`: a partition per event, hashed.
 * - replication `leader-follower`: asynchronous, single leader per range (engine/time/leader-
 *   follower.ts), reads from a follower or the leader; or `leaderless`: Cassandra's quorums, the
 *   time plane's coordinator at the design's levels.
 *
 * Every design takes the identical event stream and the same crash of one node. Reads ask for an
 * event acknowledged a moment before (read-your-writes, the log UI's "show me what I just sent"):
 * a read that does not return it is stale. After the crash, an acknowledged write is lost when its
 * partition's current leader (leader-follower) or every live replica (leaderless) lacks it,
 * counted from the stores; for leader-follower the module's own count must agree (a violation if
 * not). Partitions contacted per query kind come from each partitioner's routes.
 */
import { z } from 'zod';

import type { Histogram } from '../../engine/histogram.js';
import { createHistogram } from '../../engine/histogram.js';
import { readPartition } from '../../engine/node.js';
import type { Partitioner, Query } from '../../engine/partitioner.js';
import { createRandom, type Random } from '../../engine/random.js';
import { genericTable, type Row } from '../../engine/row.js';
import { newTokenParts } from '../../engine/token.js';
import { createTimeCoordinator } from '../../engine/time/coordinator.js';
import { createLeaderFollower } from '../../engine/time/leader-follower.js';
import { createSimulation } from '../../engine/time/simulation.js';
import { composite, hashEventId } from '../../partitioners/index.js';
import {
  aboutDuration,
  placementOf,
  tokenFunctionOf,
  type ClusterConfig,
} from '../cluster-config.js';
import {
  clusterSchema,
  ExperimentError,
  int,
  level,
  num,
  oneOfNames,
  seed,
} from '../experiment/schema-kit.js';
import { checkDesignNames, clusterConfigOf, resolveKataCluster } from './time-plane.js';
import { defineKata, type KataFlag, type KataRunOptions } from '../kata/kata.js';
import type { Cell, Finding, KataReport, ReportTable } from '../kata/report.js';
import { noProgress } from '../progress.js';
import { createDistribution } from '../workloads/distributions.js';
import { createSnowflakeFleet } from '../workloads/snowflake.js';
import { micro, summaryOf } from './domain-counters-sim.js';

const NAME = 'log-feeding';
const HOTTEST = 'hottest-leader';
const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const LEVEL_WEIGHTS = [0.3, 0.55, 0.1, 0.05];

const designSchema = z.strictObject({
  name: z.string().min(1).max(40),
  partitioning: oneOfNames(['service-time', 'event-id'], 'a partitioning').default('service-time'),
  replication: oneOfNames(['leader-follower', 'leaderless'], 'a replication').default(
    'leader-follower',
  ),
  /** Leader-follower only: where reads go. */
  readFrom: oneOfNames(['follower', 'leader'], 'a read target').default('follower'),
  /** Leaderless only: the levels of writes and reads. */
  writeCl: level.default('QUORUM'),
  readCl: level.default('QUORUM'),
});

const DEFAULT_DESIGNS = [
  {
    name: 'service-time/leader-follower',
    partitioning: 'service-time',
    replication: 'leader-follower',
  },
  {
    name: 'service-time/leader-reads',
    partitioning: 'service-time',
    replication: 'leader-follower',
    readFrom: 'leader',
  },
  { name: 'service-time/quorum', partitioning: 'service-time', replication: 'leaderless' },
  { name: 'event-id/quorum', partitioning: 'event-id', replication: 'leaderless' },
] as const;

export const logFeedingSchema = z.strictObject({
  kata: z.literal(NAME),
  seed: seed.default(1),
  cluster: clusterSchema.default({}),
  workload: z
    .strictObject({
      services: int(1, 1_000).default(12),
      instancesPerService: int(1, 64).default(4),
      rateEventsPerSec: int(1, 1_000_000).default(1_000),
      durationMs: int(1_000, 3_600_000).default(12_000),
      /** Events that share one correlation id (one request crossing services). */
      eventsPerCorrelation: int(1, 1_000).default(4),
      theta: num(0.01, 0.999, 'a zipf exponent in [0.01, 0.999]').default(0.9),
    })
    .prefault({}),
  bucketMs: int(1, 86_400_000).default(5_000),
  reads: z
    .strictObject({
      ratePerSec: int(0, 100_000).default(200),
      /** A read asks for one of the last this many acknowledged events. */
      recentEvents: int(1, 100_000).default(20),
    })
    .prefault({}),
  /** Mean time a leader holds a write before shipping it to its followers, ms (exponential). */
  shipDelayMs: num(0, 600_000, 'a mean delay in ms, 0 or more').default(50),
  crash: z
    .strictObject({
      /**
       * The node that crashes and stays down: a node id, `hottest-leader` (the first replica, so
       * the leader, of the busiest service's bucket at the crash) or empty for no crash.
       */
      node: z.string().max(20).default(HOTTEST),
      atMs: int(0, 3_600_000).default(6_000),
    })
    .prefault({}),
  /** How long the failure detector takes to notice a crash, ms (failover waits for it). */
  detectionMs: int(1, 600_000).default(2_000),
  designs: z
    .array(designSchema)
    .min(1)
    .max(12)
    .prefault(DEFAULT_DESIGNS.map((d) => ({ ...d }))),
});

export type LogFeedingExperiment = z.infer<typeof logFeedingSchema>;
type Design = LogFeedingExperiment['designs'][number];

/** Simulated operations per second of CPU (rows mode, rf 3), measured about 20,000 loaded. */
const OPS_PER_CPU_SECOND = 15_000;
const MAX_SECONDS = 300;
/** After the workload, time for in-flight work, failover and the timeouts to finish. */
const DRAIN_MS = 6_000;
const TIMELINE_MS = 1_000;

const flags: readonly KataFlag[] = [
  {
    flags: '--rate <events/s>',
    description: 'events logged per second',
    path: 'workload.rateEventsPerSec',
  },
  {
    flags: '--duration <ms>',
    description: 'virtual time the services log for',
    path: 'workload.durationMs',
  },
  { flags: '--services <n>', description: 'services logging', path: 'workload.services' },
  {
    flags: '--bucket <ms>',
    description: 'time bucket of a (service, bucket) partition',
    path: 'bucketMs',
  },
  {
    flags: '--ship-delay <ms>',
    description: 'mean wait before a leader ships a write',
    path: 'shipDelayMs',
  },
  { flags: '--read-rate <reads/s>', description: 'reads per second', path: 'reads.ratePerSec' },
  {
    flags: '--crash <node>',
    description: 'node that crashes (empty: none)',
    path: 'crash.node',
    parse: (text) => text,
  },
  { flags: '--crash-at <ms>', description: 'when it crashes', path: 'crash.atMs' },
  { flags: '--detection <ms>', description: 'time to notice a crash', path: 'detectionMs' },
];

function clusterOfExperiment(experiment: LogFeedingExperiment): ClusterConfig {
  return clusterConfigOf(resolveKataCluster(experiment.cluster, 6), experiment.seed);
}

export function estimateLogFeedingSeconds(experiment: LogFeedingExperiment): number {
  const { rateEventsPerSec, durationMs } = experiment.workload;
  const ops = ((rateEventsPerSec + experiment.reads.ratePerSec) * durationMs) / 1000;
  const rf = experiment.cluster.rf ?? 3;
  return (experiment.designs.length * ops * (rf / 3)) / OPS_PER_CPU_SECOND;
}

function resolve(experiment: LogFeedingExperiment): LogFeedingExperiment {
  const cluster = clusterOfExperiment(experiment);
  const { seed: _seed, ...clusterInput } = cluster;
  checkDesignNames(experiment.designs);
  const nodeIds = Array.from({ length: cluster.nodes }, (_, i) => `n${i + 1}`);
  const crashNode = experiment.crash.node;
  if (crashNode !== '' && crashNode !== HOTTEST && !nodeIds.includes(crashNode)) {
    throw new ExperimentError(
      'crash.node',
      `"${crashNode}" is not a node; expected n1 to n${cluster.nodes}, ${HOTTEST}, or empty for none`,
    );
  }
  if (experiment.workload.services * experiment.workload.instancesPerService > 1024) {
    throw new ExperimentError(
      'workload.instancesPerService',
      `services x instances must be at most 1,024 (Snowflake's 10 machine bits), got ${experiment.workload.services * experiment.workload.instancesPerService}`,
    );
  }
  const resolved = { ...experiment, cluster: clusterInput };
  const seconds = estimateLogFeedingSeconds(resolved);
  if (seconds > MAX_SECONDS) {
    throw new ExperimentError(
      'workload.durationMs',
      `the run would take about ${aboutDuration(seconds)} (${experiment.designs.length} designs), over the ${aboutDuration(MAX_SECONDS)} a run may take; lower the duration, the rate or the read rate`,
    );
  }
  return resolved;
}

/** The log table: a partition's rows ordered by time, the id breaking ties. */
const logFeedTable = genericTable('log_feed', ['ts', 'event_id']);

/** Unix ms the stream's virtual time 0 stands for. */
const START_MS = Date.UTC(2026, 0, 1);

/** Service number `index`, by popularity (0 the busiest). */
const serviceName = (index: number): string => `svc-${String(index).padStart(3, '0')}`;

interface LoggedEvent {
  readonly row: Row;
  readonly atMs: number;
}

/** The identical stream every design takes: Snowflake ids, services by zipf, levels by a mix. */
function generateEvents(experiment: LogFeedingExperiment, random: Random): LoggedEvent[] {
  const {
    services,
    instancesPerService,
    rateEventsPerSec,
    durationMs,
    eventsPerCorrelation,
    theta,
  } = experiment.workload;
  const fleet = createSnowflakeFleet(services * instancesPerService);
  const serviceOf = createDistribution(
    { kind: 'zipfian', items: services, theta },
    random.fork('services'),
  );
  const draws = random.fork('draws');
  const events: LoggedEvent[] = [];
  let atMs = 0;
  let correlation = 0;
  for (;;) {
    atMs += -Math.log(1 - draws.nextFloat()) * (1000 / rateEventsPerSec);
    if (atMs >= durationMs) break;
    const service = serviceOf.next();
    const instance = service * instancesPerService + draws.nextInt(instancesPerService);
    const u = draws.nextFloat();
    let levelIndex = 0;
    for (let acc = LEVEL_WEIGHTS[0]!; u >= acc && levelIndex < LEVELS.length - 1;) {
      acc += LEVEL_WEIGHTS[++levelIndex]!;
    }
    if (events.length % eventsPerCorrelation === 0) correlation++;
    const ts = START_MS + Math.floor(atMs);
    events.push({
      atMs,
      row: {
        event_id: fleet.next(instance, ts),
        service: serviceName(service),
        ts,
        level: LEVELS[levelIndex]!,
        correlation_id: `req-${correlation}`,
        message_bytes: 200,
      },
    });
  }
  return events;
}

function partitionerOf(design: Design, cluster: ClusterConfig, bucketMs: number): Partitioner {
  const tokenFunction = tokenFunctionOf(cluster);
  if (design.partitioning === 'event-id') return hashEventId(tokenFunction);
  return composite({
    name: 'service-time',
    tokenFunction,
    components: [
      { kind: 'text', column: 'service' },
      { kind: 'bucket', column: 'ts', label: 'bucket', unit: { kind: 'fixed', ms: bucketMs } },
    ],
  });
}

interface DesignRun {
  readonly design: Design;
  readonly write: Histogram;
  readonly read: Histogram;
  readonly lag: Histogram | undefined;
  readonly lagTimeline: readonly (readonly [number, number, number])[];
  readonly writes: number;
  readonly acked: number;
  readonly writeTimeouts: number;
  readonly writeUnavailable: number;
  readonly reads: number;
  readonly staleReads: number;
  readonly lostFromStores: number;
  readonly lostByModule: number | null;
  readonly rowsPerNode: readonly number[];
  readonly contacted: Readonly<Record<QueryKind, number>>;
  readonly ranges: number;
}

const queryKinds = ['service-time', 'level', 'correlation', 'id'] as const;
type QueryKind = (typeof queryKinds)[number];

/** Partitions a query kind contacts under a partitioner, or every range when it cannot route. */
function contactedBy(
  partitioner: Partitioner,
  experiment: LogFeedingExperiment,
  sample: Row,
  ranges: number,
): Record<QueryKind, number> {
  const count = (query: Query): number => {
    const route = partitioner.route(query);
    return route.kind === 'partitions' ? route.keys.length : ranges;
  };
  const ts = sample['ts'] as number;
  // An id names its millisecond (Snowflake): a key with a time bucket can be asked for that
  // bucket of every service, instead of every range.
  const services = Array.from(
    { length: experiment.workload.services },
    (_, s) => `svc-${String(s).padStart(3, '0')}`,
  );
  const byId = count({ where: { event_id: sample['event_id']! } });
  const byIdWithTime = services.reduce(
    (sum, service) =>
      sum +
      count({
        where: { service, event_id: sample['event_id']! },
        range: { column: 'ts', from: ts, to: ts + 1 },
      }),
    0,
  );
  return {
    'service-time': count({
      where: { service: sample['service']! },
      range: { column: 'ts', from: ts - 60_000, to: ts },
    }),
    level: count({ where: { level: 'ERROR' } }),
    correlation: count({ where: { correlation_id: sample['correlation_id']! } }),
    id: Math.min(byId, byIdWithTime),
  };
}

function runDesign(
  experiment: LogFeedingExperiment,
  cluster: ClusterConfig,
  design: Design,
  events: readonly LoggedEvent[],
  crashNode: string,
): DesignRun {
  const root = createRandom(experiment.seed);
  const partitioner = partitionerOf(design, cluster, experiment.bucketMs);
  const placement = placementOf(cluster, createRandom(experiment.seed));
  const sim = createSimulation({
    placement,
    partitioner,
    table: logFeedTable,
    storage: 'rows',
    random: root.fork('simulation'),
    detector: { detectionMs: experiment.detectionMs },
  });
  const { scheduler, running } = sim;
  const nodes = placement.ring.nodes.length;
  const leaderFollower =
    design.replication === 'leader-follower'
      ? createLeaderFollower(sim, {
          shipDelay:
            experiment.shipDelayMs > 0
              ? { kind: 'exponential', meanMs: experiment.shipDelayMs }
              : { kind: 'constant', ms: 0 },
        })
      : undefined;
  const coordinators =
    leaderFollower === undefined
      ? placement.ring.nodes.map((node) => createTimeCoordinator(sim, { node: node.id }))
      : [];
  const write = createHistogram();
  const read = createHistogram();
  const acked: Row[] = [];
  let writeTimeouts = 0;
  let writeUnavailable = 0;
  let reads = 0;
  let staleReads = 0;
  let turn = 0;
  /** The next running node, in turn: the client's load balancer skips a node it cannot reach. */
  const client = (): number => {
    for (let i = 0; i < nodes; i++) {
      const node = turn++ % nodes;
      if (running[node] === 1) return node;
    }
    return 0;
  };
  const lagBuckets = new Map<number, Histogram>();
  leaderFollower?.onLag(({ atMs, lagMs }) => {
    const second = Math.floor(atMs / TIMELINE_MS);
    let bucket = lagBuckets.get(second);
    if (bucket === undefined) lagBuckets.set(second, (bucket = createHistogram()));
    bucket.record(lagMs);
  });

  for (const event of events) {
    scheduler.at(event.atMs, () => {
      const from = client();
      const done = (result: { kind: string; latencyMs?: number }): void => {
        if (result.kind === 'ok') {
          write.record(result.latencyMs!);
          acked.push(event.row);
        } else if (result.kind === 'timeout') writeTimeouts++;
        else writeUnavailable++;
      };
      if (leaderFollower !== undefined) leaderFollower.write(from, event.row, done);
      else coordinators[from]!.write(event.row, design.writeCl, done);
    });
  }
  const readRandom = root.fork('reads');
  const { ratePerSec, recentEvents } = experiment.reads;
  if (ratePerSec > 0) {
    const arrive = (): void => {
      if (acked.length > 0) {
        const wanted =
          acked[acked.length - 1 - readRandom.nextInt(Math.min(recentEvents, acked.length))]!;
        const key = partitioner.keyOf(wanted);
        const from = client();
        const id = wanted['event_id'];
        reads++;
        const done = (result: {
          kind: string;
          latencyMs?: number;
          rows?: readonly Row[];
        }): void => {
          if (result.kind !== 'ok') return;
          read.record(result.latencyMs!);
          if (!result.rows!.some((row) => row['event_id'] === id)) staleReads++;
        };
        if (leaderFollower !== undefined) leaderFollower.read(from, key, design.readFrom, done);
        else coordinators[from]!.read(key, design.readCl, done);
      }
      const next = scheduler.now + -Math.log(1 - readRandom.nextFloat()) * (1000 / ratePerSec);
      if (next < experiment.workload.durationMs) scheduler.at(next, arrive);
    };
    scheduler.at(0, arrive);
  }
  if (crashNode !== '') scheduler.at(experiment.crash.atMs, () => sim.crash(crashNode));
  sim.runUntil(experiment.workload.durationMs + DRAIN_MS);

  // Lost: acknowledged rows missing from the partition's current leader (leader-follower) or
  // from every live replica (leaderless), counted from the stores.
  const { ring, rf, table: replicas } = placement;
  const parts = newTokenParts();
  let lostFromStores = 0;
  for (const row of acked) {
    const key = partitioner.keyOf(row);
    partitioner.tokenFunction.tokenParts(key.bytes, parts);
    const position = ring.positionOfParts(parts);
    const holders =
      leaderFollower !== undefined
        ? [leaderFollower.leaderOf(position)]
        : Array.from({ length: rf }, (_, k) => replicas[position * rf + k]!).filter(
            (n) => running[n] === 1,
          );
    const held = holders.some((node) =>
      (readPartition(sim.cluster.nodes[node]!, key.text)?.rows ?? []).some(
        (r) => r['event_id'] === row['event_id'],
      ),
    );
    if (!held) lostFromStores++;
  }
  const lagTimeline = [...lagBuckets]
    .sort(([a], [b]) => a - b)
    .map(
      ([second, h]) =>
        [(second * TIMELINE_MS) / 1000, micro(h.quantile(0.5)), micro(h.quantile(0.99))] as const,
    );
  return {
    design,
    write,
    read,
    lag: leaderFollower?.lag,
    lagTimeline,
    writes: events.length,
    acked: acked.length,
    writeTimeouts,
    writeUnavailable,
    reads,
    staleReads,
    lostFromStores,
    lostByModule: leaderFollower?.lost ?? null,
    rowsPerNode: sim.cluster.nodes.map((node) => node.rows),
    contacted: contactedBy(
      partitioner,
      experiment,
      events[Math.floor(events.length / 2)]!.row,
      ring.size,
    ),
    ranges: ring.size,
  };
}

/**
 * The node to crash, the same for every design: as given, or the first replica (the leader under
 * leader-follower) of the busiest service's (service, bucket) partition at the crash.
 */
function crashNodeOf(experiment: LogFeedingExperiment, cluster: ClusterConfig): string {
  const node = experiment.crash.node;
  if (node !== HOTTEST) return node;
  const placement = placementOf(cluster, createRandom(experiment.seed));
  const hybrid = partitionerOf(
    { ...experiment.designs[0]!, partitioning: 'service-time' },
    cluster,
    experiment.bucketMs,
  );
  const key = hybrid.keyOf({ service: serviceName(0), ts: START_MS + experiment.crash.atMs });
  const parts = newTokenParts();
  hybrid.tokenFunction.tokenParts(key.bytes, parts);
  const position = placement.ring.positionOfParts(parts);
  return placement.ring.nodes[placement.table[position * placement.rf]!]!.id;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1e4) / 1e4);

function run(experiment: LogFeedingExperiment, options: KataRunOptions): KataReport {
  const progress = options.progress ?? noProgress;
  const cluster = clusterOfExperiment(experiment);
  const events = generateEvents(experiment, createRandom(experiment.seed).fork('events'));
  const crashNode = crashNodeOf(experiment, cluster);
  const runs = experiment.designs.map((design, i) => {
    const result = runDesign(experiment, cluster, design, events, crashNode);
    progress(i + 1, experiment.designs.length);
    return result;
  });
  const designs = runs.map((r) => {
    const writeSummary = summaryOf(r.write);
    const readSummary = summaryOf(r.read);
    return {
      name: r.design.name,
      metrics: {
        partitioning: r.design.partitioning,
        replication:
          r.design.replication === 'leader-follower'
            ? `leader-follower, reads from ${r.design.readFrom}`
            : `leaderless ${r.design.writeCl}/${r.design.readCl}`,
        writeP99Ms: writeSummary.p99,
        readP99Ms: readSummary.p99,
        staleReadRate: ratio(r.staleReads, r.reads),
        lagP50Ms: r.lag === undefined ? null : micro(r.lag.quantile(0.5)),
        lagP99Ms: r.lag === undefined ? null : micro(r.lag.quantile(0.99)),
        acked: r.acked,
        writeTimeouts: r.writeTimeouts,
        lostAfterCrash: r.lostFromStores,
        ...Object.fromEntries(queryKinds.map((kind) => [`contacted:${kind}`, r.contacted[kind]])),
      } satisfies Record<string, Cell>,
    };
  });
  const violations = runs.filter(
    (r) => r.lostByModule !== null && r.lostByModule !== r.lostFromStores,
  ).length;
  const crashText =
    crashNode === '' ? 'no crash' : `${crashNode} crashes at ${experiment.crash.atMs / 1000} s`;
  const tables: ReportTable[] = [
    {
      id: 'designs',
      title: `Designs at ${experiment.workload.rateEventsPerSec.toLocaleString('en-US')} events/s for ${experiment.workload.durationMs / 1000} s, ${crashText}`,
      columns: [
        { key: 'design', label: 'design', format: 'text' },
        { key: 'partitioning', label: 'partitioning', format: 'text' },
        { key: 'replication', label: 'replication', format: 'text' },
        { key: 'writeP99Ms', label: 'write p99', format: 'ms' },
        { key: 'readP99Ms', label: 'read p99', format: 'ms' },
        { key: 'staleReadRate', label: 'stale reads', format: 'percent' },
        { key: 'lagP50Ms', label: 'lag p50', format: 'ms' },
        { key: 'lagP99Ms', label: 'lag p99', format: 'ms' },
        { key: 'lostAfterCrash', label: 'acked writes lost', format: 'count' },
        ...queryKinds.map((kind) => ({
          key: `contacted:${kind}`,
          label: `partitions: ${kind}`,
          format: 'count' as const,
        })),
      ],
      rows: designs.map(({ name, metrics }) => ({ design: name, ...metrics })),
    },
    {
      id: 'writes',
      title: 'Write outcomes',
      columns: [
        { key: 'design', label: 'design', format: 'text' },
        { key: 'writes', label: 'writes', format: 'count' },
        { key: 'acked', label: 'acknowledged', format: 'count' },
        { key: 'timeouts', label: 'timeouts', format: 'count' },
        { key: 'unavailable', label: 'unavailable', format: 'count' },
        { key: 'reads', label: 'reads', format: 'count' },
        { key: 'stale', label: 'stale reads', format: 'count' },
      ],
      rows: runs.map((r) => ({
        design: r.design.name,
        writes: r.writes,
        acked: r.acked,
        timeouts: r.writeTimeouts,
        unavailable: r.writeUnavailable,
        reads: r.reads,
        stale: r.staleReads,
      })),
    },
  ];
  const leaderRuns = runs.filter((r) => r.lag !== undefined);
  return {
    kata: NAME,
    title: logFeeding.title,
    question: logFeeding.question,
    seed: experiment.seed,
    experiment,
    designs,
    tables,
    charts: [
      {
        kind: 'bars',
        id: 'node-rows',
        title: 'Rows stored per node at the end',
        unit: 'rows',
        categories: Array.from({ length: cluster.nodes }, (_, i) => `n${i + 1}`),
        series: runs.map((r) => ({ label: r.design.name, values: [...r.rowsPerNode] })),
      },
      {
        kind: 'distribution',
        id: 'write-latency',
        title: 'Write latency',
        unit: 'ms',
        series: runs.map((r) => ({ label: r.design.name, ...pick(summaryOf(r.write)) })),
      },
      {
        kind: 'distribution',
        id: 'read-latency',
        title: 'Read latency',
        unit: 'ms',
        series: runs.map((r) => ({ label: r.design.name, ...pick(summaryOf(r.read)) })),
      },
      {
        kind: 'lines',
        id: 'replication-lag',
        title: 'Replication lag over time (leader apply to follower apply)',
        xLabel: 'time, s',
        yLabel: 'lag, ms',
        logY: true,
        series: leaderRuns.flatMap((r) => [
          {
            label: `${r.design.name} p50`,
            points: r.lagTimeline.map(([t, p50]) => [t, Math.max(p50, 0.001)] as const),
          },
          {
            label: `${r.design.name} p99`,
            points: r.lagTimeline.map(([t, , p99]) => [t, Math.max(p99, 0.001)] as const),
          },
        ]),
      },
    ],
    findings: findingsOf(experiment, runs, crashNode),
    violations,
  };
}

function pick(s: { p50: number; p95: number; p99: number; max: number }) {
  return { p50: s.p50, p95: s.p95, p99: s.p99, max: s.max };
}

function findingsOf(
  experiment: LogFeedingExperiment,
  runs: readonly DesignRun[],
  crashNode: string,
): Finding[] {
  const findings: Finding[] = [];
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const stale = (r: DesignRun): number => ratio(r.staleReads, r.reads);
  const follower = runs.find((r) => r.lag !== undefined && r.design.readFrom === 'follower');
  const leaderless = runs.find((r) => r.lag === undefined);
  const leaderReads = runs.find((r) => r.lag !== undefined && r.design.readFrom === 'leader');
  if (follower !== undefined) {
    const p50 = micro(follower.lag!.quantile(0.5));
    const p99 = micro(follower.lag!.quantile(0.99));
    findings.push({
      id: 'replication-lag',
      text:
        `Asynchronous replication lags ${p50} ms at p50 and ${p99} ms at p99 (${follower.design.name}), so ${pct(stale(follower))} of reads from a follower missed an event acknowledged just before` +
        (leaderless === undefined
          ? '.'
          : `, against ${pct(stale(leaderless))} for ${leaderless.design.name}, whose ${leaderless.design.readCl} reads overlap its ${leaderless.design.writeCl} writes`) +
        (leaderReads === undefined
          ? '.'
          : `; reading from the leader (${leaderReads.design.name}) gives ${pct(stale(leaderReads))}.`),
      numbers: {
        lagP50Ms: p50,
        lagP99Ms: p99,
        followerStaleRate: stale(follower),
        leaderlessStaleRate: leaderless === undefined ? -1 : stale(leaderless),
        leaderStaleRate: leaderReads === undefined ? -1 : stale(leaderReads),
      },
    });
  }
  if (crashNode !== '') {
    const lf = runs.find((r) => r.lag !== undefined);
    // Writes to its ranges time out from the crash until the failover: their rate is the rate
    // its ranges took.
    const ledPerSec =
      lf === undefined ? 0 : Math.round(lf.writeTimeouts / (experiment.detectionMs / 1000));
    const lagP50 = lf === undefined ? 0 : micro(lf.lag!.quantile(0.5));
    findings.push({
      id: 'leader-crash',
      text:
        `When ${crashNode} crashes at ${experiment.crash.atMs / 1000} s, ` +
        (lf === undefined
          ? ''
          : `${lf.design.name} loses ${lf.lostFromStores} acknowledged writes, those no follower had applied yet (its ranges took about ${ledPerSec.toLocaleString('en-US')} writes/s and the lag p50 is ${lagP50} ms), and ${lf.writeTimeouts} writes to it timed out until the failover ${experiment.detectionMs / 1000} s later. `) +
        (leaderless === undefined
          ? ''
          : `${leaderless.design.name} loses ${leaderless.lostFromStores} and times out ${leaderless.writeTimeouts}: a ${leaderless.design.writeCl} ack means a live replica still holds the write.`),
      numbers: {
        leaderFollowerLost: lf?.lostFromStores ?? -1,
        leaderFollowerTimeouts: lf?.writeTimeouts ?? -1,
        leaderWritesPerSec: ledPerSec,
        leaderlessLost: leaderless?.lostFromStores ?? -1,
      },
    });
  }
  const hybrid = runs.find((r) => r.design.partitioning === 'service-time');
  const byId = runs.find((r) => r.design.partitioning === 'event-id');
  if (hybrid !== undefined) {
    findings.push({
      id: 'partitioning',
      text:
        `A service's last minute reads ${hybrid.contacted['service-time']} (service, ${experiment.bucketMs / 1000} s bucket) partitions` +
        (byId === undefined
          ? ''
          : ` where ${byId.design.partitioning} must ask all ${byId.contacted['service-time']} ranges`) +
        `; an event by id, whose Snowflake time names the bucket, takes ${hybrid.contacted.id} partitions (one per service)` +
        (byId === undefined ? '' : ` against ${byId.contacted.id} by id`) +
        `; filtering by level or correlation id asks every one of the ${hybrid.ranges} ranges under any key here, which is what an index or a correlation-keyed table is for.`,
      numbers: {
        serviceTimePartitions: hybrid.contacted['service-time'],
        idPartitions: hybrid.contacted.id,
        levelPartitions: hybrid.contacted.level,
        correlationPartitions: hybrid.contacted.correlation,
        eventIdServiceTime: byId?.contacted['service-time'] ?? -1,
      },
    });
  }
  return findings;
}

export const logFeeding = defineKata<LogFeedingExperiment>({
  name: NAME,
  summary:
    'log collection: Snowflake ids, (service, time bucket) keys, leader-follower against quorums, a leader crash',
  title: 'Log feeding: hybrid time-and-service keys, leader-follower against leaderless quorums',
  question:
    'How stale are reads and what is lost when a leader dies under asynchronous leader-follower replication, against leaderless quorums, and how many partitions does each log query contact?',
  schema: logFeedingSchema as unknown as z.ZodType<LogFeedingExperiment>,
  flags,
  resolve,
  run,
});
