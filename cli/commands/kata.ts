/**
 * `ringlab kata <name>`, `ringlab kata list`, `ringlab run <file>` and `ringlab schema`.
 *
 * A kata's flags set fields of its experiment (each KataFlag names its path); the cluster flags
 * set `cluster.*` and `--seed` sets `seed`. The document is then validated and resolved exactly
 * as a file given to `ringlab run` is, so `--export` prints what `run` would run.
 */
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';

import {
  experimentJsonSchema,
  parseExperimentText,
  resolveDocument,
  withValueAt,
  type ResolvedExperiment,
} from '../../bench/experiment/experiment.js';
import { ExperimentError, isExperimentError } from '../../bench/experiment/schema-kit.js';
import type { AnyKata } from '../../bench/kata/kata.js';
import type { KataReport } from '../../bench/kata/report.js';
import { katas } from '../../bench/katas/index.js';
import { reportCsvFiles } from '../../bench/report/csv.js';
import { renderHtmlReport } from '../../bench/report/html.js';
import { RinglabError } from '../../engine/errors.js';
import { ExitCode } from '../exit.js';
import type { Io } from '../io.js';
import { renderKataReport } from '../kata-render.js';
import {
  addClusterOptions,
  addExamples,
  choiceOption,
  jsonOption,
  seedOption,
  textOption,
  type ClusterFlags,
} from '../options.js';
import { parseNumber } from '../parse.js';
import { withProgress } from '../progress.js';
import { renderTable, toJson } from '../render.js';

interface OutputFlags {
  json?: boolean;
  csv?: string;
  report?: string;
  seed?: number;
}

const CLUSTER_FLAGS: readonly (keyof ClusterFlags)[] = [
  'nodes',
  'vnodes',
  'rf',
  'dcs',
  'racks',
  'allocator',
  'replication',
  'partitioner',
];

function addOutputOptions(command: Command): Command {
  return command
    .addOption(jsonOption())
    .addOption(
      textOption(
        '--csv <dir>',
        'also write each table as <dir>/<table>.csv (the directory is created)',
      ),
    )
    .addOption(
      textOption(
        '--report <file>',
        'also write a self-contained HTML report (charts, tables, findings; works offline)',
      ),
    );
}

/** Where a flag's value goes in the experiment, for the flags of one kata. */
function flagPaths(kata: AnyKata): Map<string, string> {
  const paths = new Map<string, string>();
  for (const flag of kata.flags) paths.set(flag.path, longOf(flag.flags));
  for (const name of CLUSTER_FLAGS) paths.set(`cluster.${name}`, `--${name}`);
  paths.set('seed', '--seed');
  return paths;
}

const longOf = (flags: string): string => /--[a-z0-9-]+/.exec(flags)![0];
const camel = (long: string): string =>
  long.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The experiment the flags describe: the kata's defaults with each given flag's field set. */
function documentOf(kata: AnyKata, flags: Record<string, unknown>): unknown {
  const overrides = new Map<string, unknown>();
  for (const flag of kata.flags) {
    const text = flags[camel(longOf(flag.flags))];
    if (text === undefined) continue;
    const raw = text === true ? '' : String(text);
    overrides.set(flag.path, flag.parse ? flag.parse(raw) : parseNumber(raw, longOf(flag.flags)));
  }
  for (const name of CLUSTER_FLAGS) {
    if (flags[name] !== undefined) overrides.set(`cluster.${name}`, flags[name]);
  }
  kata.prepare?.(overrides);
  let document: unknown = { kata: kata.name };
  for (const [path, value] of overrides) document = withValueAt(document, path, value);
  return document;
}

/** An experiment error as the user of a command sees it: the flag, when a flag set the field. */
function renamed(error: unknown, paths: ReadonlyMap<string, string>): unknown {
  if (!isExperimentError(error)) return error;
  for (const [path, flag] of paths) {
    if (
      error.path === path ||
      error.path.startsWith(`${path}.`) ||
      error.path.startsWith(`${path}[`)
    ) {
      return new RinglabError('INVALID_CONFIG', `${flag} ${error.detail}`, flag);
    }
  }
  return error;
}

function describeRun(experiment: Record<string, unknown>): string {
  const cluster = experiment['cluster'] as Record<string, unknown>;
  return `seed ${String(experiment['seed'])} · ${String(cluster['nodes'])} nodes × ${String(cluster['vnodes'])} vnodes (${String(cluster['allocator'])}) · ${String(cluster['partitioner'])} · rf ${String(cluster['rf'])}${Number(cluster['dcs']) > 1 ? ` per DC in ${String(cluster['dcs'])} DCs` : ''}`;
}

/** Runs a resolved experiment and writes every output asked for. */
async function runAndReport(
  io: Io,
  resolved: ResolvedExperiment,
  flags: OutputFlags,
): Promise<void> {
  const { kata, experiment } = resolved;
  const report: KataReport = withProgress(
    io,
    kata.name,
    { json: flags.json === true },
    (progress) => kata.run(experiment, { progress }),
  );
  io.out(
    flags.json
      ? toJson(report)
      : renderKataReport(report, describeRun(experiment as unknown as Record<string, unknown>)),
  );
  // Files after stdout: a file that cannot be written loses nothing already printed.
  if (flags.csv !== undefined) {
    const dir = flags.csv;
    await writing(dir, () => io.makeDir(dir));
    for (const file of reportCsvFiles(report)) {
      const path = `${dir}/${file.name}`;
      await writing(path, () => io.writeFile(path, file.text));
    }
  }
  if (flags.report !== undefined) {
    const path = flags.report;
    await writing(path, () => io.writeFile(path, renderHtmlReport(report)));
  }
  if (report.violations > 0) throw new ExitCode(1);
}

function exportText(experiment: unknown, format: string): string {
  return format === 'yaml' ? toYaml(experiment) : toJson(experiment);
}

export function registerKata(program: Command, io: Io): void {
  const group = program
    .command('kata')
    .description(
      'run a ready-made partitioning study: designs compared on one workload, with findings',
    );
  group
    .command('list')
    .description('list the katas, one line each')
    .addOption(jsonOption())
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        io.out(
          toJson(
            katas.map((kata) => ({
              name: kata.name,
              summary: kata.summary,
              question: kata.question,
            })),
          ),
        );
        return;
      }
      io.out(
        `${renderTable(
          [{ header: 'kata' }, { header: 'what it compares' }],
          katas.map((kata) => [kata.name, kata.summary]),
        )}\n`,
      );
    });
  for (const kata of katas) {
    const command = addClusterOptions(group.command(kata.name).description(kata.summary));
    for (const flag of kata.flags) command.addOption(textOption(flag.flags, flag.description));
    addOutputOptions(command).addOption(
      choiceOption(
        '--export <format>',
        'print the experiment as a file for ringlab run (json or yaml) instead of running it',
        ['json', 'yaml'],
      ),
    );
    addExamples(command, [
      [`ringlab kata ${kata.name}`, kata.question],
      [`ringlab kata ${kata.name} --report ${kata.name}.html`, 'the same, with an HTML report'],
      [
        `ringlab kata ${kata.name} --export yaml > ${kata.name}.yaml`,
        'the experiment as a file: change a number, then ringlab run it',
      ],
    ]);
    const paths = flagPaths(kata);
    command.action(async (flags: Record<string, unknown> & OutputFlags & { export?: string }) => {
      let resolved: ResolvedExperiment;
      try {
        resolved = resolveDocument(documentOf(kata, flags), flags.seed);
      } catch (error) {
        throw renamed(error, paths);
      }
      if (flags.export !== undefined) {
        io.out(exportText(resolved.experiment, flags.export));
        return;
      }
      await runAndReport(io, resolved, flags);
    });
  }
  addExamples(group, [
    ['ringlab kata list', 'what there is'],
    ['ringlab kata logsentry', 'a server-log store: where rows go, what reads cost'],
  ]);

  const run = program
    .command('run')
    .description(
      'run an experiment file (JSON or YAML), as ringlab kata <name> --export prints one',
    )
    .argument('<file>', 'the experiment file; - reads stdin')
    .addOption(seedOption("seed, overriding the file's"));
  addOutputOptions(run).action(async (file: string, flags: OutputFlags) => {
    const text = await readExperiment(io, file);
    const name = file === '-' ? 'stdin' : file;
    let resolved: ResolvedExperiment;
    try {
      resolved = resolveDocument(parseExperimentText(text, name), flags.seed);
    } catch (error) {
      if (isExperimentError(error) && error.path !== '') {
        throw new ExperimentError('', `${name}: ${error.message}`);
      }
      throw error;
    }
    await runAndReport(io, resolved, flags);
  });
  addExamples(run, [
    [
      'ringlab kata logsentry --export yaml > logsentry.yaml && ringlab run logsentry.yaml',
      'export a kata, edit it, run it',
    ],
    [
      'ringlab run experiment.json --seed 7 --json',
      'the same experiment with another seed, as JSON',
    ],
  ]);

  program
    .command('schema')
    .description('print the JSON Schema of experiment files, for editors')
    .action(() => io.out(toJson(experimentJsonSchema())));
}

/** A file the run writes; a file system error becomes a usage error naming the path. */
async function writing(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOENT'
          ? 'its directory does not exist'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code === 'ENOTDIR'
              ? 'a part of the path is not a directory'
              : (error as Error).message;
    throw new RinglabError('INVALID_ARGUMENT', `cannot write ${path}: ${why}`);
  }
}

async function readExperiment(io: Io, file: string): Promise<string> {
  if (file === '-') return io.readStdin();
  try {
    return await io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new RinglabError('INVALID_ARGUMENT', `cannot read ${file}: ${why}`);
  }
}
