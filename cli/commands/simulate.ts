import { Option, type Command } from 'commander';
import { maxOf } from '../../engine/stats.js';
import {
  estimateSimulate,
  fanouts,
  longRunNote,
  MAX_EVENTS,
  MAX_INDEX_BUCKETS,
  MAX_LIMIT,
  MAX_SCANS,
  MAX_RATE,
  operationKinds,
  partials,
  readKindNames,
  resolveSimulateConfig,
  runSimulate,
  SIMULATE_DEFAULTS,
  snitches,
  type SimulateOptionsInput,
  type SimulateReport,
} from '../../bench/simulate.js';
import { formatDuration } from '../../bench/duration.js';
import { MAX_SERVERS } from '../../bench/workloads/log-events.js';
import { consistencyLevels } from '../../engine/consistency.js';
import { indexModeNames } from '../../indexes/index.js';
import { strategyNames } from '../../partitioners/index.js';
import type { Io } from '../io.js';
import {
  addClusterOptions,
  addExamples,
  choiceOption,
  clusterInput,
  integerOption,
  jsonOption,
  numberOption,
  setNodesDefault,
  textOption,
  type ClusterFlags,
} from '../options.js';
import { withProgress } from '../progress.js';
import { count, fixed, percent, renderBar, renderTable, toJson } from '../render.js';
import { describeCluster } from './ring.js';

interface SimulateFlags extends ClusterFlags {
  strategy?: string;
  salt?: string;
  bucket?: string;
  index?: string;
  indexBuckets?: number;
  indexSync?: string;
  indexLag?: string;
  events?: number;
  servers?: number;
  rate?: number;
  reads?: string;
  readRate?: number;
  scans?: number;
  limit?: number;
  cl?: string;
  writeCl?: string;
  readCl?: string;
  speculative?: string;
  snitch?: string;
  fanout?: string;
  partial?: string;
  fault?: string[];
  json?: boolean;
}

const D = SIMULATE_DEFAULTS;

const FAULTS_HELP = `
Faults (--fault, repeatable; times are offsets on the virtual clock, within the workload's span):
  crash:n3@10s                 stop n3 (its data is kept); coordinators notice after 10s
  recover:n3@40s               start it again (after a crash)
  slow:n2x10@0s[-20s]          n2's service times x10, optionally until 20s
  partition:n1,n2/n3,n4@5s-20s cut every link between the two sides, optionally until 20s
  drop:0.01[:n1-n2][@5s-20s]   lose 1% of messages, optionally on one link, in a window
  wipe:n4@60s                  n4 loses its data (disk replaced)
  repair:n4@70s                rebuild n4's ranges from the other replicas

Reads (--reads kind:weight,...): ${readKindNames.join(', ')}. Each reads what exists: a server,
a ts range or an event_id of an acknowledged write; by-severity asks for ERROR or FATAL;
full-scan reads every row (ignoring --limit).`;

export function registerSimulate(program: Command, io: Io): void {
  const command = addClusterOptions(
    program
      .command('simulate')
      .description(
        'run a log-event workload on the time plane with faults, and report outcomes, latency, fan-out and index cost',
      )
      .addOption(
        choiceOption('--strategy <name>', `key strategy (default: ${D.strategy})`, strategyNames),
      )
      .addOption(
        textOption(
          '--salt <n|adaptive>',
          `salts per server for server-salted, 1-65536 or adaptive (default: ${D.salt})`,
        ),
      )
      .addOption(
        textOption(
          '--bucket <duration>',
          `time bucket for time-bucket, e.g. 1s, 10s (default: ${D.bucket})`,
        ),
      )
      .addOption(
        choiceOption(
          '--index <mode>',
          `secondary index on severity (default: ${D.index})`,
          indexModeNames,
        ),
      )
      .addOption(
        integerOption(
          '--index-buckets <b>',
          `index partitions per value for global-bucketed, 1-${MAX_INDEX_BUCKETS} (default: ${D.indexBuckets})`,
        ),
      )
      .addOption(
        choiceOption(
          '--index-sync <mode>',
          `a global index updated with the write, waiting for it at the write's level, or after a lag, not waited for (default: ${D.indexSync})`,
          ['sync', 'async'],
        ),
      )
      .addOption(
        textOption(
          '--index-lag <duration>',
          `mean lag of an asynchronous index (exponential), e.g. 100ms, 2s (default: ${D.indexLag})`,
        ),
      )
      .addOption(
        integerOption(
          '--events <n>',
          `events to write, 1-${MAX_EVENTS.toLocaleString('en-US')} (default: ${D.events})`,
        ),
      )
      .addOption(
        integerOption(
          '--servers <k>',
          `distinct servers, 1-${MAX_SERVERS} (default: ${D.servers})`,
        ),
      )
      .addOption(
        numberOption(
          '--rate <r>',
          `writes per second of virtual time, 0.001-${MAX_RATE}; the span is events / rate (default: ${D.rate})`,
        ),
      )
      .addOption(
        textOption(
          '--reads <mix>',
          `read kinds and weights, kind:weight,... (default: ${D.reads})`,
        ),
      )
      .addOption(
        numberOption(
          '--read-rate <r>',
          `reads per second of virtual time, 0-${MAX_RATE} (default: ${D.readShare * 100}% of --rate)`,
        ),
      )
      .addOption(
        integerOption(
          '--scans <n>',
          `full scans (every row, as an analytics job reads) at even times over the run, besides the mix, 0-${MAX_SCANS} (default: 0)`,
        ),
      )
      .addOption(
        integerOption(
          '--limit <n>',
          `rows a read returns at most (a page), 1-${MAX_LIMIT} (default: ${D.limit})`,
        ),
      )
      .addOption(
        choiceOption('--cl <level>', `consistency level of writes and reads (default: ${D.cl})`, [
          ...consistencyLevels,
        ]),
      )
      .addOption(
        choiceOption('--write-cl <level>', 'consistency level of writes (default: --cl)', [
          ...consistencyLevels,
        ]),
      )
      .addOption(
        choiceOption('--read-cl <level>', 'consistency level of reads (default: --cl)', [
          ...consistencyLevels,
        ]),
      )
      .addOption(
        textOption(
          '--speculative <policy>',
          `speculative retry: a percentile such as 99p, a delay such as 50ms, none or always (default: ${D.speculative})`,
        ),
      )
      .addOption(
        choiceOption('--snitch <kind>', `replica order for reads (default: ${D.snitch})`, [
          ...snitches,
        ]),
      )
      .addOption(
        choiceOption(
          '--fanout <kind>',
          `range reads in adaptive batches, or every range at once (default: ${D.fanout})`,
          [...fanouts],
        ),
      )
      .addOption(
        choiceOption(
          '--partial <kind>',
          `a failed range fails the read, or it returns the rest marked partial (default: ${D.partial})`,
          [...partials],
        ),
      )
      .addOption(
        new Option(
          '--fault <spec>',
          'a fault on the virtual clock, e.g. crash:n3@10s; repeat for more (see below)',
        ).argParser((text: string, previous: string[] | undefined) => [...(previous ?? []), text]),
      )
      .addOption(jsonOption()),
  ).action((flags: SimulateFlags) => {
    const config = resolveSimulateConfig({ ...clusterInput(flags), ...simulateInput(flags) });
    const note = longRunNote(config, estimateSimulate(config));
    if (note !== undefined && !flags.json) io.err(`note: ${note}\n`);
    const report = withProgress(io, 'simulate', { json: flags.json === true }, (progress) =>
      runSimulate(config, { progress }),
    );
    io.out(flags.json ? toJson(report) : renderSimulate(report));
  });
  // This command's cluster is larger than the shared default: the experiment targets 12 nodes.
  setNodesDefault(command, D.nodes);
  command.addHelpText('after', FAULTS_HELP);
  addExamples(command, [
    ['ringlab simulate', '100,000 events at 10,000/s on 12 nodes, QUORUM, local index'],
    [
      'ringlab simulate --fault crash:n3@2s --fault recover:n3@6s',
      'a node down for 4 s: hints stored and replayed, no failed QUORUM writes',
    ],
    [
      'ringlab simulate --index global --reads by-severity:1 --read-rate 200',
      'a global index: one write per entry, one hot partition per value',
    ],
    [
      'ringlab simulate --fault partition:n1,n2/n3,n4,n5,n6@1s-5s --cl ONE --json',
      'a network partition at ONE, as one JSON document',
    ],
  ]);
}

/** The run's own flags, as the resolver takes them (it names each field by its flag). */
function simulateInput(flags: SimulateFlags): SimulateOptionsInput {
  const { json, ...input } = flags;
  return input;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

const SPARKS = '▁▂▃▄▅▆▇█';

function sparkline(values: readonly number[]): string {
  const max = maxOf(values);
  return values
    .map((value) =>
      max > 0 && value > 0
        ? SPARKS[Math.min(SPARKS.length - 1, Math.floor((value / max) * SPARKS.length))]!
        : ' ',
    )
    .join('');
}

export function renderSimulate(report: SimulateReport): string {
  const { config } = report;
  const speculative =
    config.speculative.kind === 'percentile'
      ? `${config.speculative.percentile}p`
      : config.speculative.kind === 'fixed'
        ? `${config.speculative.ms}ms`
        : config.speculative.kind;
  const lines = [
    describeCluster(config.cluster),
    `${config.strategy} · index ${config.index} on ${config.indexColumn} · ${count(config.events)} events at ${count(config.rateEventsPerSec)}/s over ${formatDuration(config.spanMs)} · reads ${count(config.readRatePerSec)}/s (${config.reads.map((r) => `${r.kind}:${r.weight}`).join(',')}), limit ${config.limit}`,
    `writes ${config.writeCl} · reads ${config.readCl} · speculative ${speculative} · snitch ${config.snitch} · fanout ${config.fanout} · partial ${config.partial} · ran ${formatDuration(Math.round(report.durationMs))} of virtual time`,
  ];
  if (report.faults.length > 0) {
    lines.push(
      '',
      'faults',
      ...report.faults.map(
        (event) =>
          `  ${formatDuration(Math.round(event.atMs))}  ${event.phase === 'start' ? 'start' : 'end  '}  ${event.spec}${event.rowsCopied === undefined ? '' : ` (${count(event.rowsCopied)} rows copied)`}`,
      ),
    );
  }
  lines.push(
    '',
    'operations (latency in virtual ms over ok and partial answers)',
    renderTable(
      [
        { header: 'kind' },
        { header: 'count', align: 'right' },
        { header: 'ok', align: 'right' },
        { header: 'partial', align: 'right' },
        { header: 'unavail', align: 'right' },
        { header: 'timeout', align: 'right' },
        { header: 'unanswered', align: 'right' },
        { header: 'p50', align: 'right' },
        { header: 'p95', align: 'right' },
        { header: 'p99', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'partitions', align: 'right' },
        { header: 'replicas', align: 'right' },
        { header: 'plan' },
      ],
      operationKinds
        .filter((kind) => kind === 'write' || report.operations[kind].count > 0)
        .map((kind) => {
          const op = report.operations[kind];
          return [
            kind,
            count(op.count),
            count(op.outcomes.ok),
            count(op.outcomes.partial),
            count(op.outcomes.unavailable),
            count(op.outcomes.timeout),
            count(op.outcomes.unanswered),
            ms(op.latencyMs.p50),
            ms(op.latencyMs.p95),
            ms(op.latencyMs.p99),
            ms(op.latencyMs.max),
            fixed(op.meanPartitions, 1),
            fixed(op.meanReplicas, 1),
            Object.keys(op.plans).join(', '),
          ];
        }),
    ),
    `checks: ${report.checks.falseSuccesses} false successes (writes ok on fewer than blockFor replicas), ${report.checks.staleReads} stale by-id reads, ${report.checks.staleEntries} stale index entries dropped, ${report.checks.rekeyedRows} rows re-keyed after their write${report.readsNotIssued > 0 ? ` · ${report.readsNotIssued} reads not sent before the first ack` : ''}`,
  );
  const index = report.index;
  if (index.mode !== 'none') {
    const largest = index.largestPartition;
    lines.push(
      '',
      `index ${index.mode} on ${index.column}: ` +
        (index.mode === 'local'
          ? 'written by each replica with its own rows (no extra messages)'
          : `${fixed(index.messagesPerBaseWrite, 2)} index mutations per base write, ${percent(index.indexBytesOverBaseBytes, 1)} of the base bytes`) +
        ` · ${count(index.entries)} entries` +
        (largest === null
          ? ''
          : ` · largest partition ${largest.key}: ${count(largest.entries)} entries (${percent(largest.share, 1)})`) +
        ` · index writes max/mean ${fixed(index.writesMaxOverMean)} vs base ${fixed(index.baseWritesMaxOverMean)}`,
    );
  } else {
    lines.push('', `no index · base writes max/mean ${fixed(index.baseWritesMaxOverMean)}`);
  }
  lines.push(
    `hints ${count(report.hints.stored)} stored, ${count(report.hints.replayed)} replayed, ${count(report.hints.dropped)} dropped, ${count(report.hints.pending)} pending · read repairs ${count(report.readRepairs)} · speculative retries ${count(report.speculativeRetries)} · messages ${count(report.network.sent)} sent, ${count(report.network.dropped)} dropped`,
    '',
    renderTable(
      [
        { header: 'node' },
        { header: 'state' },
        { header: 'writes', align: 'right' },
        { header: 'index', align: 'right' },
        { header: 'rows', align: 'right' },
        { header: 'reads', align: 'right' },
        { header: 'write util', align: 'right' },
        { header: 'read util', align: 'right' },
        { header: 'queue', align: 'right' },
        { header: '' },
      ],
      report.nodes.map((node) => [
        node.id,
        node.running ? 'up' : 'down',
        count(node.baseWrites),
        count(node.indexWrites),
        count(node.rows),
        count(node.reads),
        percent(node.writeUtilisation, 1),
        percent(node.readUtilisation, 1),
        count(Math.max(node.maxWriteQueue, node.maxReadQueue)),
        renderBar(node.readUtilisation + node.writeUtilisation, 1, 20),
      ]),
    ),
    '',
    timeline(report),
    '',
    `seed ${report.seed}`,
  );
  return `${lines.join('\n')}\n`;
}

function timeline(report: SimulateReport): string {
  const seconds = report.timeline;
  const header = `timeline, per virtual second (${seconds.length} s)`;
  if (seconds.length <= 20) {
    return [
      header,
      renderTable(
        [
          { header: 'second', align: 'right' },
          { header: 'completed', align: 'right' },
          { header: 'failures', align: 'right' },
          { header: 'p99 ms', align: 'right' },
          { header: '' },
        ],
        seconds.map((s) => [
          String(s.second),
          count(s.completed),
          count(s.failures),
          ms(s.p99Ms),
          renderBar(s.completed, maxOf(seconds.map((t) => t.completed)), 20),
        ]),
      ),
    ].join('\n');
  }
  const max = (pick: (s: (typeof seconds)[number]) => number): string =>
    count(maxOf(seconds.map(pick)));
  return [
    header,
    `  completed  ${sparkline(seconds.map((s) => s.completed))}  max ${max((s) => s.completed)}/s`,
    `  failures   ${sparkline(seconds.map((s) => s.failures))}  max ${max((s) => s.failures)}/s`,
    `  p99        ${sparkline(seconds.map((s) => s.p99Ms))}  max ${ms(maxOf(seconds.map((s) => s.p99Ms)))} ms`,
  ].join('\n');
}
