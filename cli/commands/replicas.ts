import type { Command } from 'commander';
import { resolveClusterConfig } from '../../bench/cluster-config.js';
import { replicasReport } from '../../bench/ring-report.js';
import type { Io } from '../io.js';
import { withProgress } from '../progress.js';
import { gatherKeys, keyOptions, type KeyFlags } from '../keys.js';
import {
  addClusterOptions,
  addExamples,
  clusterInput,
  jsonOption,
  type ClusterFlags,
} from '../options.js';
import { renderTable, shorten, toJson } from '../render.js';
import { describeCluster } from './ring.js';

interface ReplicasFlags extends ClusterFlags, KeyFlags {
  json?: boolean;
}

export function registerReplicas(program: Command, io: Io): void {
  const command = program
    .command('replicas')
    .description('print the token and replica nodes of each partition key')
    .argument('[key...]', 'partition keys: UTF-8 strings, or hex bytes with --hex');
  for (const option of keyOptions()) command.addOption(option);
  addClusterOptions(command)
    .addOption(jsonOption())
    .action(async (args: string[], flags: ReplicasFlags) => {
      const config = resolveClusterConfig(clusterInput(flags));
      const given = await gatherKeys(io, args, flags);
      const keys = withProgress(
        io,
        'allocating tokens',
        { json: flags.json ?? false },
        (progress) => replicasReport(config, given, { progress }),
      );
      if (flags.json) {
        io.out(toJson({ seed: config.seed, cluster: config, keys }));
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
          keys.map((entry) => [
            shorten(entry.key),
            entry.token.toString(),
            entry.replicas.join(', '),
          ]),
        )}\n`,
      );
    });
  addExamples(command, [
    ['ringlab replicas user:1 user:2 --nodes 12 --rf 3', 'replicas under SimpleStrategy'],
    [
      'ringlab replicas user:1 --nodes 12 --dcs 2 --racks 3',
      'NetworkTopologyStrategy: distinct racks first',
    ],
    ['cut -f1 ids.tsv | ringlab replicas --keys-file - --json', 'keys from stdin'],
  ]);
}
