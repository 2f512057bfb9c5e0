import type { Command } from 'commander';
import {
  MAX_PARTITIONS,
  MAX_ROWS,
  REBALANCE_DEFAULTS,
  resolveRebalanceConfig,
  runRebalance,
  type RebalanceConfig,
  type RebalanceOptionsInput,
  type RebalanceReport,
} from '../../bench/rebalance.js';
import { MAX_SERVERS } from '../../bench/workloads/log-events.js';
import { RinglabError } from '../../engine/errors.js';
import { strategyNames } from '../../partitioners/index.js';
import { getRebalanceStrategy, rebalanceStrategyNames } from '../../rebalancing/index.js';
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
  type ClusterFlags,
} from '../options.js';
import { withProgress } from '../progress.js';
import { bytes, count, fixed, percent, renderBar, renderTable, toJson } from '../render.js';
import { describeCluster } from './ring.js';

interface RebalanceFlags extends ClusterFlags {
  strategy?: string;
  add?: number;
  remove?: number;
  decommission?: number;
  replace?: number;
  partitions?: number;
  splitMib?: number;
  keyStrategy?: string;
  rows?: number;
  servers?: number;
  streamMibps?: number;
  duringTraffic?: number;
  compare?: boolean;
  json?: boolean;
}

const D = REBALANCE_DEFAULTS;

const STRATEGIES_HELP = `
Strategies (--strategy):
${rebalanceStrategyNames.map((name) => `  ${name.padEnd(17)}${getRebalanceStrategy(name).summary}`).join('\n')}

Changes, one node at a time, each streamed and cleaned up before the next:
  --add K            K new nodes bootstrap
  --decommission K   K live nodes stream their ranges to the new owners, then leave
  --remove K         K nodes, all dead at once, leave; their ranges are rebuilt from the survivors
  --replace K        K nodes, all dead at once, are replaced by new ones in their DC and rack`;

export function registerRebalance(program: Command, io: Io): void {
  const command = addClusterOptions(
    program
      .command('rebalance')
      .description(
        'change membership under a rebalancing strategy and report what moved, how long streaming takes, and what was lost',
      )
      .addOption(
        choiceOption(
          '--strategy <name>',
          `rebalancing strategy (default: ${D.strategy})`,
          rebalanceStrategyNames,
        ),
      )
      .addOption(
        integerOption('--add <k>', 'nodes to add, 1-10000 (default: none; give one change)'),
      )
      .addOption(
        integerOption(
          '--remove <k>',
          'dead nodes to remove, all dead at once, 1 to nodes - rf in each DC (default: none)',
        ),
      )
      .addOption(
        integerOption(
          '--decommission <k>',
          'live nodes to decommission, 1 to nodes - rf in each DC (default: none)',
        ),
      )
      .addOption(
        integerOption(
          '--replace <k>',
          'dead nodes to replace with new ones in their DC and rack, all dead at once, 1 to nodes (default: none)',
        ),
      )
      .addOption(
        integerOption(
          '--partitions <p>',
          `partitions of fixed-partitions, or the pre-split of dynamic, 1-${MAX_PARTITIONS} and at least the nodes (default: 1024, or one per node for dynamic)`,
        ),
      )
      .addOption(
        numberOption(
          '--split-mib <m>',
          `dynamic splits a range past this many MiB, 0.001-1048576 (default: the expected data over 4 per node, at least 64 KiB)`,
        ),
      )
      .addOption(
        choiceOption(
          '--key-strategy <name>',
          `key strategy of the rows (default: ${D.keyStrategy})`,
          strategyNames,
        ),
      )
      .addOption(
        integerOption(
          '--rows <m>',
          `log events written before the change, 1-${MAX_ROWS.toLocaleString('en-US')} (default: ${count(D.rows)})`,
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
          '--stream-mibps <m>',
          'outbound streaming per node in MiB/s (stream_throughput_outbound), 0.001-1048576 (default: 24)',
        ),
      )
      .addOption(
        numberOption(
          '--during-traffic <r>',
          'operations per second of virtual time while streaming runs, 0-1000000, 0 for none (default: 0)',
        ),
      )
      .option('--compare', 'run every strategy on the same rows and print one table')
      .addOption(jsonOption()),
  ).action((flags: RebalanceFlags) => {
    const input: RebalanceOptionsInput = { ...clusterInput(flags), ...rebalanceInput(flags) };
    if (flags.compare === true) {
      if (flags.strategy !== undefined) {
        throw new RinglabError(
          'INVALID_ARGUMENT',
          'strategy does not apply with --compare, which runs every strategy; drop --strategy',
          'strategy',
        );
      }
      // Ordered keys (time-bucket) can only be placed by strategies that cut ranges from the
      // key space; the others are left out, and the table says so.
      const names = rebalanceStrategyNames.filter(
        (strategy) => !orderedKeys(input) || wholePartitions(strategy),
      );
      const configs = names.map((strategy) =>
        resolveRebalanceConfig(applicable({ ...input, strategy })),
      );
      const reports = withProgress(io, 'rebalance', { json: flags.json === true }, (progress) =>
        configs.map((config, i) =>
          runRebalance(config, {
            progress: (done, total) => progress(i * total + done, configs.length * total),
          }),
        ),
      );
      io.out(
        flags.json
          ? toJson(reports)
          : renderComparison(reports, names.length < rebalanceStrategyNames.length),
      );
      return;
    }
    const config = resolveRebalanceConfig(input);
    const report = withProgress(io, 'rebalance', { json: flags.json === true }, (progress) =>
      runRebalance(config, { progress }),
    );
    io.out(flags.json ? toJson(report) : renderRebalance(report));
  });
  setNodesDefault(command, D.nodes);
  command.addHelpText('after', STRATEGIES_HELP);
  addExamples(command, [
    ['ringlab rebalance --add 1', 'the 11th node joins a 10-node ring of balanced vnodes'],
    ['ringlab rebalance --add 1 --compare', 'every strategy on the same 100,000 rows'],
    ['ringlab rebalance --strategy mod-n --add 1 --json', 'hash mod N: almost everything moves'],
    [
      'ringlab rebalance --strategy fixed-partitions --remove 2 --rf 3',
      'two dead nodes removed; their partitions rebuilt from the survivors',
    ],
  ]);
}

function wholePartitions(strategy: string): boolean {
  return strategy === 'fixed-partitions' || strategy === 'dynamic';
}

function orderedKeys(input: RebalanceOptionsInput): boolean {
  return input.keyStrategy === 'time-bucket';
}

/** The flags --compare passes to a strategy: those that apply to it. */
function applicable(input: RebalanceOptionsInput): RebalanceOptionsInput {
  const whole = input.strategy === 'fixed-partitions' || input.strategy === 'dynamic';
  return {
    ...input,
    partitions: whole ? input.partitions : undefined,
    splitMib: input.strategy === 'dynamic' ? input.splitMib : undefined,
  };
}

function rebalanceInput(flags: RebalanceFlags): RebalanceOptionsInput {
  const { json, compare, ...input } = flags;
  return input;
}

/** Virtual time: "459 ms", "2.7 s", "3.2 min". */
function elapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** How the strategy lays out the ring, for the cluster line. */
function layoutOf(config: RebalanceConfig): string {
  switch (config.strategy) {
    case 'mod-n':
      return 'placed by hash mod N';
    case 'fixed-partitions':
      return `over ${count(config.partitions)} fixed partitions`;
    case 'dynamic':
      return `over ranges pre-split into ${count(config.partitions)}, split past ${bytes(config.splitBytes)}`;
    case 'vnodes-random':
      return `× ${config.cluster.vnodes} vnodes (random)`;
    case 'vnodes-balanced':
      return `× ${config.cluster.vnodes} vnodes (balanced)`;
  }
}

function describeChange(config: RebalanceConfig): string {
  const { kind, count: k } = config.change;
  const n = config.cluster.nodes;
  const after = kind === 'add' ? n + k : kind === 'replace' ? n : n - k;
  const verb = {
    add: 'add',
    remove: 'remove (dead)',
    decommission: 'decommission',
    replace: 'replace (dead)',
  }[kind];
  return `${verb} ${k} · ${n} → ${after} nodes`;
}

export function renderRebalance(report: RebalanceReport): string {
  const { config } = report;
  const lines = [
    describeCluster(config.cluster, layoutOf(config)),
    `${report.strategy} · ${describeChange(config)} · ${count(config.rows)} rows keyed by ${config.keys}`,
    '',
    `moved ${percent(report.movedFraction)} of row copies (ideal ${percent(report.idealFraction)}, ${fixed(report.movedFraction / report.idealFraction, 2)}x)` +
      ` · max/mean rows per node ${fixed(report.maxOverMean.before)} → ${fixed(report.maxOverMean.after)}`,
    `streaming ${bytes(report.streaming.bytes)} in ${count(report.streaming.streams)} streams (${count(report.streaming.rows)} row copies, ${count(report.streaming.partitions)} partitions) · ${elapsed(report.streaming.durationMs)} at ${fixed(config.streamBytesPerSec / 2 ** 20, 0)} MiB/s per node` +
      (report.streaming.rebuiltRanges > 0
        ? ` · ${count(report.streaming.rebuiltRanges)} ranges rebuilt from every surviving replica`
        : ''),
    report.lost.rows > 0 || report.lost.ranges > 0
      ? `LOST ${count(report.lost.rows)} rows (${count(report.lost.partitions)} partitions) in ${count(report.lost.ranges)} ranges with no surviving replica`
      : 'lost nothing: every range kept a live replica',
    '',
    renderTable(
      [
        { header: 'node' },
        { header: 'owns before', align: 'right' },
        { header: 'owns after', align: 'right' },
        { header: 'rows before', align: 'right' },
        { header: 'rows after', align: 'right' },
        { header: '' },
      ],
      report.nodes.map((node) => [
        node.id,
        node.before === null ? '-' : percent(node.before.ownership, 1),
        node.after === null ? '-' : percent(node.after.ownership, 1),
        node.before === null ? '-' : count(node.before.rows),
        node.after === null ? '-' : count(node.after.rows),
        renderBar(
          node.after?.rows ?? 0,
          Math.max(...report.nodes.map((n) => n.after?.rows ?? 0)),
          20,
        ),
      ]),
    ),
  ];
  const during = report.duringMove;
  if (during !== null) {
    const outcomes = (op: typeof during.writes): string =>
      `${count(op.count)}: ${count(op.outcomes.ok)} ok, ${count(op.outcomes.unavailable)} unavailable, ${count(op.outcomes.timeout)} timeout, p99 ${fixed(op.latencyMs.p99, 2)} ms`;
    const delay = during.changes.reduce((s, c) => s + c.ringDelayMs, 0);
    lines.push(
      '',
      `during the move, ${count(during.rate)} operations/s at QUORUM (virtual time: ${elapsed(delay)} of ring delay, ${elapsed(report.streaming.durationMs)} of streaming)`,
      `  writes ${outcomes(during.writes)}`,
      `  reads  ${outcomes(during.reads)}`,
      `  ${count(during.staleReads)} reads missed a write acknowledged before them · ${count(during.lostAcknowledged)} acknowledged writes lost · ${count(during.failedStreams)} streams failed`,
    );
  }
  if (report.reshapes.length > 0) {
    const last = report.reshapes.at(-1)!;
    const splits = report.reshapes.reduce((s, r) => s + r.splits, 0);
    const merges = report.reshapes.reduce((s, r) => s + r.merges, 0);
    const moves = report.reshapes.reduce((s, r) => s + r.moves, 0);
    lines.push(
      '',
      `dynamic: ${count(report.reshapes.length)} reshapes, ${count(splits)} splits, ${count(merges)} merges, ${count(moves)} ranges moved by the balancer; ${count(last.ranges)} ranges at the end (split past ${bytes(config.splitBytes)})`,
    );
  }
  lines.push('', `seed ${report.seed}`);
  return `${lines.join('\n')}\n`;
}

export function renderComparison(reports: readonly RebalanceReport[], leftOut = false): string {
  const first = reports[0]!;
  return `${[
    describeCluster(
      first.config.cluster,
      `× ${first.config.cluster.vnodes} vnodes for vnode strategies`,
    ),
    `${describeChange(first.config)} · ${count(first.config.rows)} rows keyed by ${first.config.keys} · the same rows for every strategy`,
    '',
    renderTable(
      [
        { header: 'strategy' },
        { header: 'moved', align: 'right' },
        { header: 'ideal', align: 'right' },
        { header: 'x ideal', align: 'right' },
        { header: 'max/mean before', align: 'right' },
        { header: 'after', align: 'right' },
        { header: 'streamed', align: 'right' },
        { header: 'duration', align: 'right' },
        { header: 'lost rows', align: 'right' },
      ],
      reports.map((r) => [
        r.strategy,
        percent(r.movedFraction, 1),
        percent(r.idealFraction, 1),
        fixed(r.movedFraction / r.idealFraction, 2),
        fixed(r.maxOverMean.before),
        fixed(r.maxOverMean.after),
        bytes(r.streaming.bytes),
        elapsed(r.streaming.durationMs),
        count(r.lost.rows),
      ]),
    ),
    ...(leftOut
      ? [
          '',
          `${first.config.keys} keys are ordered: only the strategies that cut ranges from the key space can place them`,
        ]
      : []),
    '',
    `seed ${first.seed}`,
  ].join('\n')}\n`;
}
