import type { Command } from 'commander';
import { maxOf } from '../../engine/stats.js';
import { resolveClusterConfig, type ClusterConfig } from '../../bench/cluster-config.js';
import { ringReport, type RingReport } from '../../bench/ring-report.js';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';
import {
  addClusterOptions,
  addExamples,
  clusterInput,
  jsonOption,
  type ClusterFlags,
} from '../options.js';
import { fixed, percent, renderBar, renderTable, toJson } from '../render.js';

interface RingFlags extends ClusterFlags {
  grow?: boolean;
  json?: boolean;
}

export function registerRing(program: Command, io: Io): void {
  const command = addClusterOptions(
    program
      .command('ring')
      .description('build a ring and show each node’s tokens and ownership')
      .option('--grow', 'also show max/mean ownership as the cluster grows one node at a time'),
  )
    .addOption(jsonOption())
    .action((flags: RingFlags) => {
      const config = resolveClusterConfig(clusterInput(flags));
      const json = flags.json ?? false;
      const report = withProgress(io, 'allocating tokens', { json }, (progress) =>
        ringReport(config, { grow: flags.grow ?? false, progress }),
      );
      io.out(json ? toJson(report) : renderRing(report));
    });
  addExamples(command, [
    ['ringlab ring --nodes 6 --rf 3 --seed 42', 'ownership per node under SimpleStrategy'],
    ['ringlab ring --nodes 250 --grow', 'imbalance after each join, against Cassandra’s bound'],
    ['ringlab ring --nodes 12 --dcs 2 --racks 3 --json', 'every token, as JSON'],
  ]);
}

/**
 * One line for a cluster: the seed, the nodes and how tokens are laid out (`layout` replaces
 * "× V vnodes (allocator)" for commands that lay out the ring otherwise), the partitioner and
 * the replication.
 */
export function describeCluster(
  config: ClusterConfig,
  layout = `× ${config.vnodes} vnodes (${config.allocator})`,
): string {
  const replication =
    config.replication === 'simple'
      ? `SimpleStrategy rf ${config.rf}`
      : `NetworkTopologyStrategy rf ${config.rf} per DC, ${config.dcs} DC${config.dcs > 1 ? 's' : ''} × ${config.racks} rack${config.racks > 1 ? 's' : ''}`;
  return `seed ${config.seed} · ${config.nodes} nodes ${layout} · ${config.partitioner} · ${replication}`;
}

function renderRing(report: RingReport): string {
  const maxShare = maxOf(report.nodes.map((node) => node.replicatedOwnership));
  const table = renderTable(
    [
      { header: 'node' },
      { header: 'dc' },
      { header: 'rack' },
      { header: 'tokens', align: 'right' },
      { header: 'primary', align: 'right' },
      { header: 'replicated', align: 'right' },
      { header: '' },
    ],
    report.nodes.map((node) => [
      node.id,
      node.dc,
      node.rack,
      String(node.tokens.length),
      percent(node.ownership),
      percent(node.replicatedOwnership),
      renderBar(node.replicatedOwnership, maxShare),
    ]),
  );
  const { imbalance } = report;
  const lines = [
    describeCluster(report.config),
    '',
    table,
    '',
    `replicated ownership: max/mean ${fixed(imbalance.maxOverMean)}, min/mean ${fixed(imbalance.minOverMean)}, cv ${percent(imbalance.cv)}, gini ${fixed(imbalance.gini)}`,
    `primary ownership:    max/mean ${fixed(imbalance.primaryMaxOverMean)}`,
  ];
  if (report.growth) {
    const bound = 1 + 4 / (report.config.vnodes * report.config.rf);
    const worst = maxOf(report.growth.map((point) => point.maxOverMean));
    lines.push(
      '',
      'growth: max/mean of replicated ownership after each join',
      renderGrowth(report.growth),
      `worst ${fixed(worst, 4)}; Cassandra's allocator test accepts up to 1 + 4/(vnodes·rf) = ${fixed(bound, 4)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function renderGrowth(growth: NonNullable<RingReport['growth']>): string {
  // Show every step for small clusters; for large ones, a readable sample plus the last step.
  const step = growth.length <= 30 ? 1 : Math.ceil(growth.length / 25);
  const shown = growth.filter(
    (point, i) => i % step === step - 1 || i === growth.length - 1 || point.nodes <= 4,
  );
  const worst = maxOf(shown.map((point) => point.maxOverMean));
  return renderTable(
    [{ header: 'nodes', align: 'right' }, { header: 'max/mean', align: 'right' }, { header: '' }],
    shown.map((point) => [
      String(point.nodes),
      fixed(point.maxOverMean),
      renderBar(point.maxOverMean - 1, worst - 1),
    ]),
  );
}
