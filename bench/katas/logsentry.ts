/**
 * logsentry: a write-heavy store of server logs. The kata runs each design (a key strategy and a
 * severity index) on the same seeded event stream and the same reads, on the time plane, and
 * compares what the two questions people ask of it cost: one server's logs, and high-severity
 * events across the whole system. With `--fault` it repeats the run under a node down, a slow
 * node and a partition, and shows what each design then returns.
 *
 * Every run is a `simulate` run (bench/simulate/): the kata resolves each design through the
 * same resolver as the flags, so a design is refused for the same reasons `simulate` refuses it.
 */
import { z } from 'zod';

import { isRinglabError, RinglabError } from '../../engine/errors.js';
import { createRandom } from '../../engine/random.js';
import { indexModeNames } from '../../indexes/index.js';
import { strategyNames } from '../../partitioners/index.js';
import { aboutDuration, placementOf, resolveClusterConfig } from '../cluster-config.js';
import type { Cell, Finding, KataReport, ReportChart, ReportTable } from '../kata/report.js';
import { defineKata, type KataFlag, type KataRunOptions } from '../kata/kata.js';
import {
  atPath,
  CLUSTER_FIELD_PATHS,
  clusterSchema,
  duration,
  expect,
  ExperimentError,
  faultSpec,
  int,
  level,
  num,
  seed,
} from '../experiment/schema-kit.js';
import { estimateSimulate, MAX_SECONDS } from '../simulate/budget.js';
import {
  MAX_EVENTS,
  MAX_INDEX_BUCKETS,
  MAX_LIMIT,
  MAX_RATE,
  MAX_SCANS,
} from '../simulate/config.js';
import { parseReadMix, readKindNames, type ReadKind } from '../simulate/reads.js';
import { resolveSimulateConfig, type SimulateOptionsInput } from '../simulate/resolve.js';
import { runSimulate, type SimulateReport } from '../simulate/run.js';
import { ms } from '../report/format.js';
import { MAX_SERVERS } from '../workloads/log-events.js';
import { ringChartOf } from '../kata/charts.js';
import { checkDesignNames, resolveKataCluster } from './time-plane.js';

const designSchema = z.strictObject({
  name: z.string(expect('a design name')).min(1, expect('a non-empty name')).max(60),
  strategy: z.enum(strategyNames, expect(`a key strategy: one of ${strategyNames.join(', ')}`)),
  salt: z
    .union(
      [int(1, 65_536, 'a positive integer or "adaptive"'), z.literal('adaptive')],
      expect('a positive integer or "adaptive"'),
    )
    .optional(),
  bucket: duration.optional(),
  index: z.enum(indexModeNames, expect(`an index mode: one of ${indexModeNames.join(', ')}`)),
  indexBuckets: int(1, MAX_INDEX_BUCKETS).optional(),
  indexSync: z.enum(['sync', 'async'], expect('sync or async')).optional(),
  indexLag: duration.optional(),
});
export type LogsentryDesign = z.infer<typeof designSchema>;

const DEFAULT_DESIGNS: LogsentryDesign[] = [
  { name: 'hash-event-id + local', strategy: 'hash-event-id', index: 'local' },
  {
    name: 'hash-event-id + global',
    strategy: 'hash-event-id',
    index: 'global-bucketed',
    indexBuckets: 16,
  },
  { name: 'server-salted + local', strategy: 'server-salted', salt: 'adaptive', index: 'local' },
  { name: 'time-bucket', strategy: 'time-bucket', bucket: '1s', index: 'none' },
];

const scenarioSchema = z.strictObject({
  name: z.string(expect('a scenario name')).min(1, expect('a non-empty name')).max(40),
  faults: z.array(faultSpec).max(32).default([]),
});
export type LogsentryScenario = z.infer<typeof scenarioSchema>;

const readMixSchema = z
  .partialRecord(
    z.enum(readKindNames, expect(`a read kind: one of ${readKindNames.join(', ')}`)),
    num(0, 1_000_000, 'a weight >= 0'),
  )
  .refine(
    (mix) => Object.values(mix).some((weight) => weight > 0),
    expect('at least one weight above 0'),
  );

export const logsentrySchema = z
  .strictObject({
    $schema: z.string().optional(),
    kata: z.literal('logsentry', expect('"logsentry"')),
    seed: seed.default(1),
    cluster: clusterSchema.prefault({}),
    workload: z
      .strictObject({
        events: int(1, MAX_EVENTS).default(10_000),
        servers: int(1, MAX_SERVERS).default(1_000),
        rate: num(0.001, MAX_RATE, 'write arrivals per second, 0.001 to 1,000,000').default(5_000),
      })
      .prefault({}),
    reads: z
      .strictObject({
        rate: num(0, MAX_RATE, 'read arrivals per second, 0 to 1,000,000').default(100),
        mix: readMixSchema.default({ 'by-server': 0.9, 'by-severity': 0.1 }),
        limit: int(1, MAX_LIMIT).default(100),
        scans: int(0, MAX_SCANS).default(1),
      })
      .prefault({}),
    consistency: z
      .strictObject({ write: level.default('QUORUM'), read: level.default('QUORUM') })
      .prefault({}),
    coordinator: z
      .strictObject({
        speculative: z.string(expect('99p, 50ms, none or always')).default('99p'),
        snitch: z.enum(['dynamic', 'static'], expect('dynamic or static')).default('dynamic'),
        fanout: z.enum(['adaptive', 'all'], expect('adaptive or all')).default('adaptive'),
        partial: z.enum(['fail', 'allow'], expect('fail or allow')).default('allow'),
      })
      .prefault({}),
    designs: z
      .array(designSchema, expect('a list of designs'))
      .min(1, expect('at least one design'))
      .max(12, expect('at most 12 designs'))
      .default(DEFAULT_DESIGNS),
    scenarios: z
      .array(scenarioSchema, expect('a list of scenarios'))
      .min(1, expect('at least one scenario'))
      .max(8, expect('at most 8 scenarios'))
      .default([{ name: 'healthy', faults: [] }]),
  })
  .describe('logsentry: a write-heavy server-log store, designs compared on one event stream');

export type LogsentryExperiment = z.infer<typeof logsentrySchema>;

/** Twelve nodes, as simulate: enough ranges that fan-out shows. */
const DEFAULT_NODES = 12;

/** The failure modes `--fault` adds, one scenario each, on a workload long enough to show them. */
export const FAULT_MODES = ['node-down', 'slow-node', 'partition'] as const;
type FaultMode = (typeof FAULT_MODES)[number];

/** Faults start 1 s in; the failure detector convicts a crashed node 10 s later. */
function faultsOf(mode: FaultMode, nodes: number): string[] {
  const others = Array.from({ length: nodes - 1 }, (_, i) => `n${i + 2}`).join(',');
  switch (mode) {
    case 'node-down':
      return ['crash:n1@1s'];
    case 'slow-node':
      return ['slow:n1x10@1s'];
    case 'partition':
      return [`partition:n1/${others}@1s`];
  }
}

/**
 * `--fault [modes...]`: the healthy run and one scenario per mode (all three by default). The
 * workload becomes 12 s long (6,000 events at 500/s, 20 reads/s) so that the run covers both
 * sides of the failure detector's conviction, unless the flags set it.
 */
function parseFaultModes(text: string): FaultMode[] {
  const modes = text === '' || text === 'all' ? [...FAULT_MODES] : text.split(',');
  for (const mode of modes) {
    if (!(FAULT_MODES as readonly string[]).includes(mode)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `--fault ${JSON.stringify(mode)} is not a failure mode; use ${FAULT_MODES.join(', ')} or all`,
        '--fault',
      );
    }
  }
  return modes as FaultMode[];
}

const flags: KataFlag[] = [
  {
    flags: '--events <n>',
    description: 'events written, 1-100,000,000 (default: 10,000)',
    path: 'workload.events',
  },
  {
    flags: '--servers <n>',
    description: 'servers logging, Zipf-distributed, 1-1,000,000 (default: 1,000)',
    path: 'workload.servers',
  },
  {
    flags: '--rate <r>',
    description: 'write arrivals per second of virtual time, 0.001-1,000,000 (default: 5,000)',
    path: 'workload.rate',
  },
  {
    flags: '--read-rate <r>',
    description: 'read arrivals per second of virtual time, 0-1,000,000 (default: 100)',
    path: 'reads.rate',
  },
  {
    flags: '--read-mix <mix>',
    description: `read kinds and weights, kind:weight,... of ${readKindNames.join(', ')} (default: by-server:0.9,by-severity:0.1)`,
    path: 'reads.mix',
    parse: parseMix,
  },
  {
    flags: '--scans <n>',
    description: 'analytics full scans over the run, 0-100 (default: 1)',
    path: 'reads.scans',
  },
  {
    flags: '--cl <level>',
    description:
      'consistency level of writes and reads: ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM or LOCAL_ONE (default: QUORUM)',
    path: 'consistency',
    parse: (text) => ({ write: text.toUpperCase(), read: text.toUpperCase() }),
  },
];

/**
 * A read mix as `--reads` of simulate parses it (each kind once, weights plain numbers >= 0, not
 * all 0), as the record the experiment holds; an error names --read-mix.
 */
function parseMix(text: string): Record<string, number> {
  try {
    return Object.fromEntries(parseReadMix(text).map((share) => [share.kind, share.weight]));
  } catch (error) {
    if (!isRinglabError(error) || error.field !== 'reads') throw error;
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `--read-mix ${error.message.replace(/^reads /, '')}`,
      '--read-mix',
    );
  }
}

/** The simulate input of one design under one scenario, as the flags would give it. */
function simulateInput(
  experiment: LogsentryExperiment,
  design: LogsentryDesign,
  scenario: LogsentryScenario,
): SimulateOptionsInput {
  const { cluster, workload, reads, consistency, coordinator } = experiment;
  return {
    ...cluster,
    seed: experiment.seed,
    strategy: design.strategy,
    salt: design.salt === undefined ? undefined : String(design.salt),
    bucket: design.bucket,
    index: design.index,
    indexBuckets: design.indexBuckets,
    indexSync: design.indexSync,
    indexLag: design.indexLag,
    events: workload.events,
    servers: workload.servers,
    rate: workload.rate,
    readRate: reads.rate,
    reads: Object.entries(reads.mix)
      .map(([kind, weight]) => `${kind}:${weight}`)
      .join(','),
    scans: reads.scans,
    limit: reads.limit,
    writeCl: consistency.write,
    readCl: consistency.read,
    speculative: coordinator.speculative,
    snitch: coordinator.snitch,
    fanout: coordinator.fanout,
    partial: coordinator.partial,
    fault: scenario.faults,
  };
}

/** Where each simulate field lives in the experiment, for errors. */
function fieldPaths(d: number, s: number): Record<string, string> {
  const design = `designs[${d}]`;
  return {
    ...CLUSTER_FIELD_PATHS,
    seed: 'seed',
    strategy: `${design}.strategy`,
    salt: `${design}.salt`,
    bucket: `${design}.bucket`,
    index: `${design}.index`,
    indexBuckets: `${design}.indexBuckets`,
    indexSync: `${design}.indexSync`,
    indexLag: `${design}.indexLag`,
    events: 'workload.events',
    servers: 'workload.servers',
    rate: 'workload.rate',
    readRate: 'reads.rate',
    reads: 'reads.mix',
    scans: 'reads.scans',
    limit: 'reads.limit',
    writeCl: 'consistency.write',
    readCl: 'consistency.read',
    speculative: 'coordinator.speculative',
    snitch: 'coordinator.snitch',
    fanout: 'coordinator.fanout',
    partial: 'coordinator.partial',
    fault: `scenarios[${s}].faults`,
  };
}

/** Every design under every scenario, resolved as simulate resolves it; their summed estimate. */
function estimateLogsentry(experiment: LogsentryExperiment): number {
  let seconds = 0;
  experiment.scenarios.forEach((scenario, s) =>
    experiment.designs.forEach((design, d) => {
      const config = atPath(
        '',
        () => resolveSimulateConfig(simulateInput(experiment, design, scenario)),
        fieldPaths(d, s),
      );
      seconds += estimateSimulate(config).seconds;
    }),
  );
  return seconds;
}

function resolveLogsentry(experiment: LogsentryExperiment): LogsentryExperiment {
  const cluster = resolveKataCluster(experiment.cluster, DEFAULT_NODES);
  checkDesignNames(experiment.designs);
  const next: LogsentryExperiment = { ...experiment, cluster };
  // Every design under every scenario goes through simulate's resolver before anything runs.
  const seconds = estimateLogsentry(next);
  if (seconds > MAX_SECONDS * 2) {
    throw new ExperimentError(
      'workload.events',
      `${next.designs.length} designs × ${next.scenarios.length} scenarios would take about ${aboutDuration(seconds)}, over the ${aboutDuration(MAX_SECONDS * 2)} a kata may take; lower workload.events (--events) or reads.rate (--read-rate), or drop designs`,
    );
  }
  return next;
}

// ---- The report -------------------------------------------------------------------------

const KIND_LABEL: Readonly<Record<ReadKind, string>> = {
  'by-server': 'one server',
  'by-severity': 'high severity',
  'by-time': 'time range',
  'by-id': 'one event',
  'full-scan': 'full scan',
};

interface DesignRun {
  readonly design: LogsentryDesign;
  readonly report: SimulateReport;
}

function readsOf(experiment: LogsentryExperiment): ReadKind[] {
  const kinds = readKindNames.filter((kind) => (experiment.reads.mix[kind] ?? 0) > 0);
  if (experiment.reads.scans > 0 && !kinds.includes('full-scan')) kinds.push('full-scan');
  return kinds;
}

/** The comparable numbers of one design's run, flat. */
function metricsOf(experiment: LogsentryExperiment, run: SimulateReport): Record<string, Cell> {
  const ops = run.operations;
  const metrics: Record<string, Cell> = {
    writeP99: ops.write.latencyMs.p99,
    writeOk: ops.write.count === 0 ? null : ops.write.outcomes.ok / ops.write.count,
    writeMessages: 1 + run.index.messagesPerBaseWrite,
    indexBytesRatio: run.index.indexBytesOverBaseBytes,
    writesMaxOverMean: run.index.baseWritesMaxOverMean,
  };
  let requests = 0;
  let reads = 0;
  for (const kind of readsOf(experiment)) {
    const op = ops[kind];
    metrics[`${kind}.p50`] = op.count === 0 ? null : op.latencyMs.p50;
    metrics[`${kind}.p99`] = op.count === 0 ? null : op.latencyMs.p99;
    metrics[`${kind}.partitions`] = op.count === 0 ? null : round(op.meanPartitions);
    metrics[`${kind}.replicas`] = op.count === 0 ? null : round(op.meanReplicas);
    metrics[`${kind}.complete`] = op.count === 0 ? null : op.outcomes.ok / op.count;
    if (kind !== 'full-scan') {
      const returned = op.outcomes.ok + op.outcomes.partial;
      requests += op.meanReplicas * returned;
      reads += returned;
    }
  }
  metrics['readRequests'] = reads === 0 ? null : round(requests / reads);
  return metrics;
}

const round = (value: number, digits = 2): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

function comparisonTable(experiment: LogsentryExperiment, runs: readonly DesignRun[]): ReportTable {
  const columns: ReportTable['columns'][number][] = [
    { key: 'design', label: 'design', format: 'text' },
    { key: 'writeP99', label: 'write p99', format: 'ms' },
    { key: 'writeMessages', label: 'mutations/write', format: 'number' },
    { key: 'writesMaxOverMean', label: 'writes max/mean', format: 'ratio' },
  ];
  for (const kind of readsOf(experiment)) {
    columns.push(
      { key: `${kind}.p99`, label: `${KIND_LABEL[kind]} p99`, format: 'ms' },
      { key: `${kind}.partitions`, label: `${KIND_LABEL[kind]} partitions`, format: 'number' },
      { key: `${kind}.replicas`, label: `${KIND_LABEL[kind]} replica reqs`, format: 'number' },
    );
  }
  columns.push({ key: 'readRequests', label: 'replica reqs/read', format: 'number' });
  return {
    id: 'designs',
    title: 'Designs side by side (latency in virtual ms; partitions and replica requests per read)',
    columns,
    rows: runs.map(({ design, report }) => ({
      design: design.name,
      ...metricsOf(experiment, report),
    })),
  };
}

function faultTable(
  experiment: LogsentryExperiment,
  byScenario: readonly (readonly DesignRun[])[],
): ReportTable {
  const kinds = readsOf(experiment).filter((kind) => kind !== 'full-scan');
  const columns: ReportTable['columns'][number][] = [
    { key: 'scenario', label: 'scenario', format: 'text' },
    { key: 'design', label: 'design', format: 'text' },
    { key: 'writeOk', label: 'writes ok', format: 'percent' },
    { key: 'writeTimeout', label: 'writes timed out', format: 'percent' },
  ];
  for (const kind of kinds) {
    columns.push(
      { key: `${kind}.complete`, label: `${KIND_LABEL[kind]} complete`, format: 'percent' },
      { key: `${kind}.partial`, label: 'partial', format: 'percent' },
      { key: `${kind}.unavailable`, label: 'unavailable', format: 'percent' },
      { key: `${kind}.timeout`, label: 'timeout', format: 'percent' },
      { key: `${kind}.p99`, label: 'p99', format: 'ms' },
    );
  }
  const rows: Record<string, Cell>[] = [];
  byScenario.forEach((runs, s) => {
    for (const { design, report } of runs) {
      const row: Record<string, Cell> = {
        scenario: experiment.scenarios[s]!.name,
        design: design.name,
        writeOk: share(report.operations.write.outcomes.ok, report.operations.write.count),
        writeTimeout: share(
          report.operations.write.outcomes.timeout,
          report.operations.write.count,
        ),
      };
      for (const kind of kinds) {
        const op = report.operations[kind];
        row[`${kind}.complete`] = share(op.outcomes.ok, op.count);
        row[`${kind}.partial`] = share(op.outcomes.partial, op.count);
        row[`${kind}.unavailable`] = share(op.outcomes.unavailable, op.count);
        row[`${kind}.timeout`] = share(op.outcomes.timeout + op.outcomes.unanswered, op.count);
        row[`${kind}.p99`] = op.count === 0 ? null : op.latencyMs.p99;
      }
      rows.push(row);
    }
  });
  return {
    id: 'faults',
    title: 'What each design returns under each failure (shares of each read kind)',
    columns,
    rows,
  };
}

const share = (part: number, whole: number): number | null =>
  whole === 0 ? null : round(part / whole, 4);

function nodesTable(runs: readonly DesignRun[]): ReportTable {
  const nodes = runs[0]!.report.nodes.map((node) => node.id);
  return {
    id: 'nodes',
    title: 'Rows stored per node',
    columns: [
      { key: 'node', label: 'node', format: 'text' },
      ...runs.map(({ design }, i) => ({
        key: `d${i}`,
        label: design.name,
        format: 'count' as const,
      })),
    ],
    rows: nodes.map((node, n) => {
      const row: Record<string, Cell> = { node };
      runs.forEach(({ report }, i) => (row[`d${i}`] = report.nodes[n]!.rows));
      return row;
    }),
  };
}

function charts(experiment: LogsentryExperiment, runs: readonly DesignRun[]): ReportChart[] {
  const nodes = runs[0]!.report.nodes.map((node) => node.id);
  const result: ReportChart[] = [
    {
      kind: 'bars',
      id: 'node-writes',
      title: 'Base writes per node (read repairs and hint replays included)',
      unit: 'writes',
      categories: nodes,
      series: runs.map(({ design, report }) => ({
        label: design.name,
        values: report.nodes.map((node) => node.baseWrites),
      })),
    },
  ];
  for (const kind of readsOf(experiment)) {
    result.push({
      kind: 'distribution',
      id: `latency-${kind}`,
      title: `Latency of ${KIND_LABEL[kind]} reads`,
      unit: 'ms',
      series: runs
        .filter(({ report }) => report.operations[kind].latencyMs.max > 0)
        .map(({ design, report }) => ({
          label: design.name,
          ...report.operations[kind].latencyMs,
        })),
    });
  }
  result.push({
    kind: 'lines',
    id: 'timeline',
    title: 'p99 latency of each second (all operations)',
    xLabel: 'virtual second',
    yLabel: 'p99 ms',
    logY: true,
    series: runs.map(({ design, report }) => ({
      label: design.name,
      points: report.timeline
        .filter((second) => second.p99Ms > 0)
        .map((second) => [second.second, second.p99Ms] as const),
    })),
  });
  const cluster = resolveClusterConfig({ ...experiment.cluster, seed: experiment.seed });
  result.push(
    ringChartOf(
      placementOf(cluster, createRandom(cluster.seed)).ring,
      'Token ring ownership (hashed designs)',
    ),
  );
  return result;
}

// ---- Findings ---------------------------------------------------------------------------

function findingsOf(
  experiment: LogsentryExperiment,
  runs: readonly DesignRun[],
  byScenario: readonly (readonly DesignRun[])[],
): Finding[] {
  const findings: Finding[] = [];
  const metrics = runs.map(({ design, report }) => ({
    name: design.name,
    m: metricsOf(experiment, report),
  }));
  const num = (m: Record<string, Cell>, key: string): number | undefined => {
    const value = m[key];
    return typeof value === 'number' ? value : undefined;
  };
  const best = (key: string) =>
    metrics
      .filter((entry) => num(entry.m, key) !== undefined)
      .sort((a, b) => num(a.m, key)! - num(b.m, key)!);

  for (const kind of ['by-severity', 'by-server'] as const) {
    const ranked = best(`${kind}.p99`);
    if (ranked.length < 2) continue;
    const first = ranked[0]!;
    const last = ranked.at(-1)!;
    const p99 = num(first.m, `${kind}.p99`)!;
    const worst = num(last.m, `${kind}.p99`)!;
    const requests = num(first.m, `${kind}.replicas`)!;
    const worstRequests = num(last.m, `${kind}.replicas`)!;
    const what =
      kind === 'by-severity' ? 'High-severity events across the system' : "One server's logs";
    findings.push({
      id: `${kind}-winner`,
      text: `${what}: ${first.name} answers fastest, p99 ${ms(p99)} with ${sig(requests)} replica requests per read; ${last.name} is slowest, p99 ${ms(worst)} (${ratio(worst, p99)}) with ${sig(worstRequests)}.`,
      numbers: {
        bestP99Ms: p99,
        worstP99Ms: worst,
        bestReplicaRequests: requests,
        worstReplicaRequests: worstRequests,
      },
    });
  }

  const requests = best('readRequests');
  if (requests.length >= 2) {
    const first = requests[0]!;
    const last = requests.at(-1)!;
    const mix = Object.entries(experiment.reads.mix)
      .filter(([, weight]) => weight > 0)
      .map(([kind, weight]) => `${kind} ${weight}`)
      .join(', ');
    const low = num(first.m, 'readRequests')!;
    const high = num(last.m, 'readRequests')!;
    const writeCost = num(first.m, 'writeMessages')!;
    findings.push({
      id: 'read-mix',
      text: `For this read mix (${mix}), ${first.name} costs the least: ${sig(low)} replica requests per read against ${sig(high)} for ${last.name} (${ratio(high, low)}), at ${writeCost} mutation${writeCost === 1 ? '' : 's'} per write.`,
      numbers: {
        bestRequestsPerRead: low,
        worstRequestsPerRead: high,
        mutationsPerWrite: writeCost,
      },
    });
  }

  const skew = best('writesMaxOverMean');
  if (skew.length >= 2) {
    const hot = skew.at(-1)!;
    const even = skew[0]!;
    const hotValue = num(hot.m, 'writesMaxOverMean')!;
    const evenValue = num(even.m, 'writesMaxOverMean')!;
    if (hotValue > 1.5 * evenValue) {
      findings.push({
        id: 'write-hot-spot',
        text: `${hot.name} concentrates writes: the busiest node takes ${sig(hotValue)}× the mean, against ${sig(evenValue)}× for ${even.name}.`,
        numbers: { hotMaxOverMean: hotValue, evenMaxOverMean: evenValue },
      });
    }
  }

  const scans = best('full-scan.p99');
  if (scans.length > 0 && experiment.reads.scans > 0) {
    const scan = scans[0]!;
    const p99 = num(scan.m, 'full-scan.p99')!;
    const parts = num(scan.m, 'full-scan.partitions')!;
    const requests = num(scan.m, 'full-scan.replicas')!;
    findings.push({
      id: 'analytics-scan',
      text: `An analytics full scan reads every range: ${sig(requests)} replica requests and ${sig(parts)} partition${parts === 1 ? '' : 's'}, p99 ${ms(p99)} for ${scan.name}, the quickest. Its cost grows with the rows stored, not with the answer: that is what a warehouse copy built for scans is for.`,
      numbers: { scanP99Ms: p99, scanPartitions: parts, scanReplicaRequests: requests },
    });
  }

  // Under failure: which design keeps high-severity reads complete, against the healthy run.
  byScenario.slice(1).forEach((scenarioRuns, offset) => {
    const scenario = experiment.scenarios[offset + 1]!;
    const rows = scenarioRuns
      .map(({ design, report }, d) => {
        const op = report.operations['by-severity'];
        const healthy = runs[d]!.report.operations['by-severity'];
        return {
          name: design.name,
          complete: share(op.outcomes.ok, op.count),
          p99: op.latencyMs.p99,
          healthyP99: healthy.latencyMs.p99,
          writesFailed: share(
            report.operations.write.count - report.operations.write.outcomes.ok,
            report.operations.write.count,
          ),
        };
      })
      .filter((row): row is typeof row & { complete: number } => row.complete !== null)
      .sort((a, b) => b.complete - a.complete || a.p99 - b.p99);
    if (rows.length === 0) return;
    const top = rows[0]!;
    const bottom = rows.at(-1)!;
    const faults = scenario.faults.join(', ') || 'no faults';
    const writes = top.writesFailed ?? 0;
    const writeNote = writes > 0 ? ` ${pct(writes)} of writes did not succeed.` : '';
    findings.push({
      id: `fault-${scenario.name}`,
      text:
        top.complete === bottom.complete
          ? `With ${scenario.name} (${faults}), every design answers ${pct(top.complete)} of high-severity reads completely; the p99 of ${top.name} goes from ${ms(top.healthyP99)} to ${ms(top.p99)}.${writeNote}`
          : `With ${scenario.name} (${faults}), ${top.name} answers ${pct(top.complete)} of high-severity reads completely, ${bottom.name} ${pct(bottom.complete)}; the rest come back partial or fail, after up to ${ms(bottom.p99)}.${writeNote}`,
      numbers: {
        bestComplete: top.complete,
        worstComplete: bottom.complete,
        bestP99Ms: top.p99,
        healthyP99Ms: top.healthyP99,
        writesFailed: writes,
      },
    });
  });
  return findings;
}

const ratio = (a: number, b: number): string => (b > 0 ? `${sig(a / b)}×` : '—');
/** Three significant figures, with thousands separators: 1,330, 52.9, 6.57; counts exact. */
const sig = (value: number): string =>
  // A count stays exact, as the table shows it (5,059, not 5,060); a mean or ratio is rounded.
  (Number.isInteger(value) ? value : Number(value.toPrecision(3))).toLocaleString('en-US', {
    maximumFractionDigits: 3,
  });
const pct = (fraction: number): string => `${round(fraction * 100, 1)}%`;

function runLogsentry(experiment: LogsentryExperiment, options: KataRunOptions): KataReport {
  const total = experiment.scenarios.length * experiment.designs.length;
  let done = 0;
  const byScenario = experiment.scenarios.map((scenario) =>
    experiment.designs.map((design) => {
      const config = resolveSimulateConfig(simulateInput(experiment, design, scenario));
      const report = runSimulate(config, {
        progress: (at, end) => options.progress?.(done + at / end, total),
      });
      done++;
      options.progress?.(done, total);
      return { design, report };
    }),
  );
  const runs = byScenario[0]!;
  const tables = [comparisonTable(experiment, runs)];
  if (byScenario.length > 1) tables.push(faultTable(experiment, byScenario));
  tables.push(nodesTable(runs));
  const violations = byScenario
    .flat()
    .reduce((sum, { report }) => sum + report.checks.falseSuccesses + report.checks.staleReads, 0);
  return {
    kata: 'logsentry',
    title: 'logsentry: where should a server-log store put its rows?',
    question:
      "Which key and index design serves one server's logs and high-severity events across the system best, at what write cost, and what does each return when nodes fail?",
    seed: experiment.seed,
    experiment,
    designs: runs.map(({ design, report }) => ({
      name: design.name,
      metrics: metricsOf(experiment, report),
    })),
    tables,
    charts: charts(experiment, runs),
    findings: findingsOf(experiment, runs, byScenario),
    violations,
  };
}

export const logsentry = defineKata<LogsentryExperiment>({
  name: 'logsentry',
  summary:
    'server-log store: hash, salted and time-bucket keys with local or global severity indexes',
  title: 'logsentry',
  question:
    "Which key and index design serves one server's logs and high-severity events best, and what does each return when nodes fail?",
  schema: logsentrySchema,
  flags: [
    ...flags,
    {
      flags: '--fault [modes]',
      description: `add failure scenarios: ${FAULT_MODES.join(', ')} or all (default: all); the workload becomes 6,000 events at 500/s with 20 reads/s unless set`,
      path: 'scenarios',
      parse: (text) => text,
    },
  ],
  prepare(overrides) {
    const mode = overrides.get('scenarios');
    if (mode === undefined) return;
    const nodes = Number(overrides.get('cluster.nodes') ?? DEFAULT_NODES);
    overrides.set('scenarios', [
      { name: 'healthy', faults: [] },
      ...parseFaultModes(String(mode)).map((m) => ({ name: m, faults: faultsOf(m, nodes) })),
    ]);
    if (!overrides.has('workload.events')) overrides.set('workload.events', 6_000);
    if (!overrides.has('workload.rate')) overrides.set('workload.rate', 500);
    if (!overrides.has('reads.rate')) overrides.set('reads.rate', 20);
  },
  resolve: resolveLogsentry,
  run: runLogsentry,
  estimateSeconds: estimateLogsentry,
});
