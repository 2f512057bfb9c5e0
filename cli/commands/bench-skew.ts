import type { Command } from 'commander';
import { maxOf } from '../../engine/stats.js';
import {
  estimateSkew,
  longRunNote,
  runSkew,
  resolveSkewConfig,
  SKEW_DEFAULTS,
  type SkewOptionsInput,
  type SkewReport,
  type SkewResult,
} from '../../bench/skew.js';
import { formatDuration } from '../../bench/duration.js';
import { DEFAULT_THETA, distributionNames } from '../../bench/workloads/distributions.js';
import { idKinds } from '../../bench/workloads/ids.js';
import { MAX_SERVERS } from '../../bench/workloads/log-events.js';
import { quoted, RinglabError } from '../../engine/errors.js';
import { strategyNames } from '../../partitioners/index.js';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';
import {
  addClusterOptions,
  addExamples,
  choiceOption,
  clusterInput,
  integerOption,
  jsonOption,
  numberOption,
  textOption,
  type ClusterFlags,
} from '../options.js';
import { bytes, count, fixed, percent, renderBar, renderTable, toJson } from '../render.js';
import { describeCluster } from './ring.js';

interface SkewFlags extends ClusterFlags {
  strategy?: string;
  compare?: boolean;
  salt?: string;
  bucket?: string;
  window?: string;
  span?: string;
  events?: number;
  servers?: number;
  dist?: string;
  theta?: number;
  ids?: string;
  reads?: number;
  json?: boolean;
}

const FLAG_RULES = `
Flags that cannot apply are refused: --strategy with --compare, --salt unless server-salted runs,
--theta with a distribution that has none (uniform, hotspot), --bucket with --window unless
time-bucket runs. A flag that applies only in part is taken with a warning on stderr: --bucket
without time-bucket still sets the window width.`;

export function registerSkew(bench: Command, io: Io): void {
  const command = addClusterOptions(
    bench
      .command('skew')
      .description(
        'partition one log-event stream by a strategy and measure write skew, partition sizes and read fan-out',
      )
      .addOption(
        choiceOption(
          '--strategy <name>',
          `key strategy (default: ${SKEW_DEFAULTS.strategy})`,
          strategyNames,
        ),
      )
      .option('--compare', 'run every strategy on the identical event stream, side by side')
      .addOption(
        textOption(
          '--salt <n|adaptive>',
          `salts per server for server-salted, 1-65536 or adaptive (default: ${SKEW_DEFAULTS.salt})`,
        ),
      )
      .addOption(
        textOption(
          '--bucket <duration>',
          `time bucket for time-bucket, and the default window, e.g. 30m, 1h (default: ${SKEW_DEFAULTS.bucket})`,
        ),
      )
      .addOption(
        textOption(
          '--window <duration>',
          'window for per-window load, e.g. 10m, 1h (default: one bucket)',
        ),
      )
      .addOption(
        textOption(
          '--span <duration>',
          `simulated time the events cover, at least one bucket, e.g. 30m, 1d (default: ${SKEW_DEFAULTS.span})`,
        ),
      )
      .addOption(
        integerOption(
          '--events <n>',
          `events to write, at least 1 (default: ${SKEW_DEFAULTS.events})`,
        ),
      )
      .addOption(
        integerOption(
          '--servers <k>',
          `distinct servers, 1-${MAX_SERVERS} (default: ${SKEW_DEFAULTS.servers})`,
        ),
      )
      .addOption(
        choiceOption(
          '--dist <name>',
          `how events spread over servers (default: ${SKEW_DEFAULTS.dist})`,
          distributionNames,
        ),
      )
      .addOption(
        numberOption(
          '--theta <t>',
          `Zipfian constant, 0 < t < 1, for zipfian, scrambled-zipfian and latest (default: ${DEFAULT_THETA})`,
        ),
      )
      .addOption(
        choiceOption('--ids <kind>', `event id kind (default: ${SKEW_DEFAULTS.ids})`, idKinds),
      )
      .addOption(
        integerOption(
          '--reads <n>',
          `reads sampled per read kind, at least 1 (default: ${SKEW_DEFAULTS.reads})`,
        ),
      )
      .addOption(jsonOption()),
  ).action((flags: SkewFlags) => {
    const warnings = checkFlagsApply(flags);
    const config = resolveSkewConfig({ ...clusterInput(flags), ...skewInput(flags) });
    for (const warning of warnings) io.err(`warning: ${warning}\n`);
    const note = longRunNote(config, estimateSkew(config));
    if (note !== undefined && !flags.json) io.err(`note: ${note}\n`);
    const report = withProgress(io, 'bench skew', { json: flags.json === true }, (progress) =>
      runSkew(config, { progress }),
    );
    io.out(flags.json ? toJson(report) : renderSkew(report));
  });
  command.addHelpText('after', FLAG_RULES);
  addExamples(command, [
    ['ringlab bench skew --compare --events 200000 --servers 10000 --nodes 12', 'every strategy'],
    ['ringlab bench skew --strategy server-salted --salt 8', 'every server salted 8 ways'],
    ['ringlab bench skew --strategy time-bucket --bucket 30m --span 1d', 'half-hour buckets'],
  ]);
}

/**
 * Refuses a flag that the run would ignore, and returns a warning for each that applies only in
 * part, so that no flag is ever dropped without a word.
 */
function checkFlagsApply(flags: SkewFlags): string[] {
  const refuse = (flag: string, message: string): never => {
    throw new RinglabError('INVALID_ARGUMENT', `${flag} ${message}`, flag);
  };
  if (flags.compare && flags.strategy !== undefined) {
    refuse('--strategy', 'cannot be combined with --compare, which runs every strategy');
  }
  const strategy = flags.strategy ?? SKEW_DEFAULTS.strategy;
  const runs = (name: string): boolean => flags.compare === true || strategy === name;
  if (flags.salt !== undefined && !runs('server-salted')) {
    refuse('--salt', `applies only to --strategy server-salted (or --compare), not to ${strategy}`);
  }
  if (flags.bucket !== undefined && !runs('time-bucket')) {
    if (flags.window !== undefined) {
      refuse(
        '--bucket',
        `applies only to --strategy time-bucket (or --compare), and --window already sets the window; ${strategy} would ignore it`,
      );
    }
    return [
      `--bucket partitions only time-bucket; with ${strategy} it only sets the window width (as --window ${quoted(flags.bucket)} would)`,
    ];
  }
  return [];
}

/** The run's own flags, as the resolver takes them (it names each field by its flag). */
function skewInput(flags: SkewFlags): SkewOptionsInput {
  const { json, ...input } = flags;
  return input;
}

function renderSkew(report: SkewReport): string {
  const { config, results } = report;
  const lines = [
    describeCluster(config.cluster),
    `${count(config.events)} events from ${count(config.servers)} servers (${config.distribution.kind}${
      config.distribution.theta === undefined ? '' : ` θ=${config.distribution.theta}`
    }) over ${formatDuration(config.spanMs)}; windows of ${formatDuration(config.windowMs)}; ${count(config.readSamples)} reads per kind`,
    '',
    'writes (per node, replicas included)',
    renderTable(
      [
        { header: 'strategy' },
        { header: 'max/mean', align: 'right' },
        { header: 'cv', align: 'right' },
        { header: 'gini', align: 'right' },
        { header: 'window max/mean', align: 'right' },
        { header: 'worst window', align: 'right' },
        { header: 'hottest node', align: 'right' },
      ],
      results.map((r) => [
        r.strategy,
        fixed(r.write.maxOverMean),
        percent(r.write.cv, 1),
        fixed(r.write.gini),
        fixed(r.write.windowMaxOverMean),
        fixed(r.write.worstWindowMaxOverMean),
        percent(r.write.hottestNodeShare, 1),
      ]),
    ),
    '',
    'partitions',
    renderTable(
      [
        { header: 'strategy' },
        { header: 'count', align: 'right' },
        { header: 'p50 rows', align: 'right' },
        { header: 'max rows', align: 'right' },
        { header: 'p99 size', align: 'right' },
        { header: 'max size', align: 'right' },
        { header: 'largest' },
        { header: '>100 MB', align: 'right' },
      ],
      results.map((r) => [
        r.strategy,
        count(r.partitions.count),
        count(r.partitions.p50Rows),
        count(r.partitions.maxRows),
        bytes(r.partitions.p99Bytes),
        bytes(r.partitions.maxBytes),
        r.partitions.largestKey,
        String(r.partitions.overLargeLine),
      ]),
    ),
    '',
    'read fan-out (partitions touched, nodes holding their primaries; "scan" = every range)',
    renderTable(
      [
        { header: 'strategy' },
        { header: 'by server: mean', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'nodes', align: 'right' },
        { header: 'by time range: mean', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'nodes', align: 'right' },
      ],
      results.map((r) => [
        r.strategy,
        fanoutCell(r.readFanout.byServer),
        count(r.readFanout.byServer.maxPartitions),
        fixed(r.readFanout.byServer.meanNodes, 1),
        fanoutCell(r.readFanout.byTimeRange),
        count(r.readFanout.byTimeRange.maxPartitions),
        fixed(r.readFanout.byTimeRange.meanNodes, 1),
      ]),
    ),
  ];
  for (const r of results) {
    if (r.salt) {
      lines.push(
        '',
        `salt metadata (${r.strategy}): ${r.salt.saltedServers} servers salted now, up to ${r.salt.maxSalts} salts; ${r.salt.entries} changes over ${r.salt.epochs} windows; ${bytes(r.salt.bytes)}`,
      );
    }
  }
  if (results.length === 1) lines.push('', nodeBars(results[0]!));
  lines.push('', `seed ${report.seed}`);
  return `${lines.join('\n')}\n`;
}

function fanoutCell(stats: SkewResult['readFanout']['byServer']): string {
  return stats.scanFraction === 1
    ? `scan (${count(stats.meanPartitions)})`
    : fixed(stats.meanPartitions, 2);
}

function nodeBars(result: SkewResult): string {
  const max = maxOf(result.nodes.map((node) => node.writes));
  return renderTable(
    [
      { header: 'node' },
      { header: 'writes', align: 'right' },
      { header: 'bytes', align: 'right' },
      { header: '' },
    ],
    result.nodes.map((node) => [
      node.id,
      count(node.writes),
      bytes(node.bytes),
      renderBar(node.writes, max),
    ]),
  );
}
