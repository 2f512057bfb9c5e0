import type { Command } from 'commander';
import { createRandom } from '../../engine/random.js';
import {
  DEFAULT_THETA,
  distributionNames,
  MAX_ITEMS,
  resolveDistribution,
  sampleTop,
  zeta,
} from '../../bench/workloads/distributions.js';
import { DEFAULT_SEED } from '../../bench/cluster-config.js';
import type { Io } from '../io.js';
import {
  addExamples,
  choiceOption,
  integerOption,
  jsonOption,
  numberOption,
  seedOption,
} from '../options.js';
import { count, percent, renderBar, renderTable, toJson } from '../render.js';

interface SampleFlags {
  dist?: string;
  items?: number;
  count?: number;
  theta?: number;
  seed?: number;
  top?: number;
  json?: boolean;
}

/** What `workload sample` draws when a flag is not given. */
export const SAMPLE_DEFAULTS = {
  dist: 'zipfian',
  items: 10_000,
  count: 1_000_000,
  top: 100,
} as const;

export function registerWorkload(program: Command, io: Io): void {
  const workload = program.command('workload').description('look at the workload generators');
  const sample = workload
    .command('sample')
    .description('draw from a key distribution and show its most frequent items')
    .addOption(
      choiceOption(
        '--dist <name>',
        `distribution (default: ${SAMPLE_DEFAULTS.dist})`,
        distributionNames,
      ),
    )
    .addOption(
      integerOption(
        '--items <n>',
        `items to draw from, 1-${MAX_ITEMS} (default: ${SAMPLE_DEFAULTS.items})`,
      ),
    )
    .addOption(
      integerOption('--count <m>', `draws, 1-${2 ** 32 - 1} (default: ${SAMPLE_DEFAULTS.count})`),
    )
    .addOption(
      numberOption(
        '--theta <t>',
        `Zipfian constant, 0 < t < 1, for zipfian, scrambled-zipfian and latest (default: ${DEFAULT_THETA})`,
      ),
    )
    .addOption(
      integerOption('--top <k>', `items to show, at least 1 (default: ${SAMPLE_DEFAULTS.top})`),
    )
    .addOption(seedOption('seed for the draws'))
    .addOption(jsonOption())
    .action((flags: SampleFlags) => {
      const drawn = flags.count ?? SAMPLE_DEFAULTS.count;
      const items = flags.items ?? SAMPLE_DEFAULTS.items;
      const seed = flags.seed ?? DEFAULT_SEED;
      const spec = resolveDistribution({
        kind: (flags.dist ?? SAMPLE_DEFAULTS.dist) as (typeof distributionNames)[number],
        items,
        ...(flags.theta === undefined ? {} : { theta: flags.theta }),
      });
      const sampled = sampleTop(
        spec,
        drawn,
        flags.top ?? SAMPLE_DEFAULTS.top,
        createRandom(seed).fork('sample'),
      );
      // For Zipfian, the pure Zipf law's share, 1 / ((rank)^theta * zeta(n, theta)), to compare with.
      const norm = spec.kind === 'zipfian' ? zeta(spec.items, spec.theta) : 0;
      const top = sampled.map((entry) =>
        spec.kind === 'zipfian'
          ? { ...entry, zipfShare: 1 / ((entry.item + 1) ** spec.theta * norm) }
          : entry,
      );
      if (flags.json) {
        io.out(toJson({ seed, spec, count: drawn, top }));
        return;
      }
      const max = top[0]?.count ?? 0;
      io.out(
        `${spec.kind} over ${count(spec.items)} items, ${count(drawn)} draws, seed ${seed}\n\n`,
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
            percent(entry.count / drawn),
            ...('zipfShare' in entry ? [percent(entry.zipfShare)] : []),
            renderBar(entry.count, max),
          ]),
        )}\n`,
      );
    });
  addExamples(sample, [
    ['ringlab workload sample --dist zipfian --theta 0.9', 'the Zipf law beside the sample'],
    ['ringlab workload sample --dist hotspot --items 1000 --top 10', 'a hotspot’s top ten items'],
  ]);
  addExamples(workload, [['ringlab workload sample --dist latest', 'draws skewed to the newest']]);
}
