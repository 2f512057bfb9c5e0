import type { Command } from 'commander';
import { resolveClusterConfig } from '../../bench/cluster-config.js';
import { replicasReport } from '../../bench/ring-report.js';
import type { Io } from '../io.js';
import { addClusterOptions, clusterInput, parseKeys, type ClusterFlags } from '../options.js';
import { renderTable, toJson } from '../render.js';
import { describeCluster } from './ring.js';

export function registerReplicas(program: Command, io: Io): void {
  addClusterOptions(
    program
      .command('replicas')
      .description('print the token and replica nodes of each partition key')
      .argument('<key...>', 'partition keys: UTF-8 strings, or hex bytes with --hex')
      .option('--hex', 'read keys as hex bytes', false)
      .option('--json', 'print JSON', false),
  ).action((keys: string[], flags: ClusterFlags & { hex: boolean; json: boolean }) => {
    const config = resolveClusterConfig(clusterInput(flags));
    const entries = replicasReport(config, parseKeys(keys, flags.hex));
    if (flags.json) {
      io.out(toJson(entries));
      return;
    }
    io.out(`${describeCluster(config)}\n\n`);
    io.out(
      `${renderTable(
        [
          { header: 'key' },
          { header: 'token', align: 'right' },
          { header: 'replicas (primary first)' },
        ],
        entries.map((entry) => [entry.key, entry.token.toString(), entry.replicas.join(', ')]),
      )}\n`,
    );
  });
}
