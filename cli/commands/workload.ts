import { Option, type Command } from 'commander';
import { createRandom } from '../../engine/random.js';
import {
  distributionNames,
  resolveDistribution,
  sampleTop,
  zeta,
} from '../../bench/workloads/distributions.js';
import { DEFAULT_SEED } from '../../bench/cluster-config.js';
import type { Io } from '../io.js';
import { parseInteger, parseNumber, parseSeed } from '../options.js';
import { count, percent, renderBar, renderTable, toJson } from '../render.js';

interface SampleFlags {
  dist: string;
  items: number;
  count: number;
  theta?: number;
  seed?: number;
  top: number;
  json: boolean;
}

export function registerWorkload(program: Command, io: Io): void {
  const workload = program.command('workload').description('look at the workload generators');
  workload
    .command('sample')
    .description('draw from a key distribution and show its most frequent items')
    .addOption(
      new Option('--dist <name>', 'distribution').choices(distributionNames).default('zipfian'),
    )
    .option('--items <n>', 'items to draw from', parseInteger, 10_000)
    .option('--count <m>', 'draws', parseInteger, 1_000_000)
    .option('--theta <t>', 'Zipfian constant (default: 0.99)', parseNumber)
    .option('--top <k>', 'items to show', parseInteger, 100)
    .option('--seed <s>', `seed (default: ${DEFAULT_SEED})`, parseSeed)
    .option('--json', 'print JSON', false)
    .action((flags: SampleFlags) => {
      const seed = flags.seed ?? DEFAULT_SEED;
      const spec = resolveDistribution({
        kind: flags.dist as (typeof distributionNames)[number],
        items: flags.items,
        ...(flags.theta === undefined ? {} : { theta: flags.theta }),
      });
      const sampled = sampleTop(spec, flags.count, flags.top, createRandom(seed).fork('sample'));
      // For Zipfian, the pure Zipf law's share, 1 / ((rank)^theta * zeta(n, theta)), to compare with.
      const norm = spec.kind === 'zipfian' ? zeta(spec.items, spec.theta) : 0;
      const top = sampled.map((entry) =>
        spec.kind === 'zipfian'
          ? { ...entry, zipfShare: 1 / ((entry.item + 1) ** spec.theta * norm) }
          : entry,
      );
      if (flags.json) {
        io.out(toJson({ seed, spec, count: flags.count, top }));
        return;
      }
      const max = top[0]?.count ?? 0;
      io.out(
        `${spec.kind} over ${count(spec.items)} items, ${count(flags.count)} draws, seed ${seed}\n\n`,
      );
      io.out(
        `${renderTable(
          [
            { header: 'rank', align: 'right' },
            { header: 'item', align: 'right' },
            { header: 'count', align: 'right' },
            { header: 'share', align: 'right' },
            ...(spec.kind === 'zipfian' ? [{ header: 'Zipf law', align: 'right' as const }] : []),
            { header: '' },
          ],
          top.map((entry, i) => [
            String(i + 1),
            String(entry.item),
            count(entry.count),
            percent(entry.count / flags.count),
            ...('zipfShare' in entry ? [percent(entry.zipfShare)] : []),
            renderBar(entry.count, max),
          ]),
        )}\n`,
      );
    });
}
