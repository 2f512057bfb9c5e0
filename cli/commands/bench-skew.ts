import { Option, type Command } from 'commander';
import {
  runSkew,
  resolveSkewConfig,
  SKEW_DEFAULTS,
  type SkewReport,
  type SkewResult,
} from '../../bench/skew.js';
import { formatDuration } from '../../bench/duration.js';
import { distributionNames } from '../../bench/workloads/distributions.js';
import { idKinds } from '../../bench/workloads/ids.js';
import { strategyNames } from '../../partitioners/index.js';
import type { Io } from '../io.js';
import {
  addClusterOptions,
  clusterInput,
  parseInteger,
  parseNumber,
  type ClusterFlags,
} from '../options.js';
import { bytes, count, fixed, percent, renderBar, renderTable, toJson } from '../render.js';
import { describeCluster } from './ring.js';

interface SkewFlags extends ClusterFlags {
  strategy?: string;
  compare: boolean;
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
  json: boolean;
}

export function registerSkew(bench: Command, io: Io): void {
  addClusterOptions(
    bench
      .command('skew')
      .description(
        'partition one log-event stream by a strategy and measure write skew, partition sizes and read fan-out',
      )
      .addOption(
        new Option(
          '--strategy <name>',
          `key strategy (default: ${SKEW_DEFAULTS.strategy})`,
        ).choices(strategyNames),
      )
      .option('--compare', 'run every strategy on the identical event stream, side by side', false)
      .option(
        '--salt <n|adaptive>',
        `salts per server for server-salted (default: ${SKEW_DEFAULTS.salt})`,
      )
      .option(
        '--bucket <duration>',
        `time bucket for time-bucket (default: ${SKEW_DEFAULTS.bucket})`,
      )
      .option('--window <duration>', 'window for per-window load (default: one bucket)')
      .option(
        '--span <duration>',
        `simulated time the events cover (default: ${SKEW_DEFAULTS.span})`,
      )
      .option('--events <n>', `events to write (default: ${SKEW_DEFAULTS.events})`, parseInteger)
      .option('--servers <k>', `distinct servers (default: ${SKEW_DEFAULTS.servers})`, parseInteger)
      .addOption(
        new Option('--dist <name>', 'how events spread over servers (default: zipfian)').choices(
          distributionNames,
        ),
      )
      .option('--theta <t>', 'Zipfian constant (default: 0.99)', parseNumber)
      .addOption(new Option('--ids <kind>', 'event id kind (default: uuid-v4)').choices(idKinds))
      .option(
        '--reads <n>',
        `reads sampled per read kind (default: ${SKEW_DEFAULTS.reads})`,
        parseInteger,
      )
      .option('--json', 'print JSON', false),
  ).action((flags: SkewFlags) => {
    const config = resolveSkewConfig({ ...clusterInput(flags), ...skewInput(flags) });
    const report = runSkew(config);
    io.out(flags.json ? toJson(report) : renderSkew(report));
  });
}

function skewInput(flags: SkewFlags) {
  const {
    strategy,
    compare,
    salt,
    bucket,
    window,
    span,
    events,
    servers,
    dist,
    theta,
    ids,
    reads,
  } = flags;
  return {
    strategy,
    compare,
    salt,
    bucket,
    window,
    span,
    events,
    servers,
    dist,
    theta,
    ids,
    reads,
  };
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
  const max = Math.max(...result.nodes.map((node) => node.writes));
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
