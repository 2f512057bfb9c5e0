/**
 * `ringlab kata <name>`, `ringlab kata list`, `ringlab run <file>` and `ringlab schema`.
 *
 * A kata's flags set fields of its experiment (each KataFlag names its path); the cluster flags
 * set `cluster.*` and `--seed` sets `seed`. The document is then validated and resolved exactly
 * as a file given to `ringlab run` is, so `--export` prints what `run` would run.
 *
 * `--sweep field=v1,v2` (repeatable) on either command runs the grid of such experiments, every
 * point resolved before any runs, the points on `--workers` threads (bench/experiment/pool.ts),
 * and prints one report over them.
 */
import { Option, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';

import {
  experimentJsonSchema,
  kataOfDocument,
  parseExperimentText,
  resolveDocument,
  valueAt,
  withValueAt,
  type ResolvedExperiment,
} from '../../bench/experiment/experiment.js';
import { aboutDuration } from '../../bench/cluster-config.js';
import { MAX_WORKERS, runPoints } from '../../bench/experiment/pool.js';
import { resolveWorkers } from '../../bench/workers/pool.js';
import {
  ExperimentError,
  isExperimentError,
  parseWith,
} from '../../bench/experiment/schema-kit.js';
import {
  combineSweep,
  parseSweepSpecs,
  planSweep,
  sweepAliases,
} from '../../bench/experiment/sweep.js';
import type { AnyKata } from '../../bench/kata/kata.js';
import type { KataReport } from '../../bench/kata/report.js';
import { katas } from '../../bench/katas/index.js';
import { serveJsonSchema } from '../../bench/serve/config-file.js';
import { reportCsvFiles } from '../../bench/report/csv.js';
import { renderHtmlReport } from '../../bench/report/html.js';
import { NOTE_SECONDS } from '../../bench/simulate/budget.js';
import { RinglabError } from '../../engine/errors.js';
import { ExitCode } from '../exit.js';
import type { Io } from '../io.js';
import { renderKataReport } from '../kata-render.js';
import {
  addClusterOptions,
  addExamples,
  choiceOption,
  integerOption,
  jsonOption,
  seedOption,
  setNodesDefault,
  textOption,
  type ClusterFlags,
} from '../options.js';
import { parseNumber } from '../parse.js';
import { progressBar, withProgress } from '../progress.js';
import { renderTable, toJson } from '../render.js';

interface OutputFlags {
  json?: boolean;
  csv?: string;
  report?: string;
  seed?: number;
  sweep?: string[];
  workers?: number;
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
    )
    .addOption(
      repeatedOption(
        '--sweep <field=values>',
        'run the experiment at each value, e.g. vnodes=4,16,256 or cluster.rf=1,3; repeat it for a grid (a field path, a cluster flag or seed, or a flag of the kata)',
      ),
    )
    .addOption(
      integerOption(
        '--workers <k>',
        `worker threads running a sweep's points, 1-${MAX_WORKERS} (default: the number of cores)`,
      ),
    );
}

/** A flag that may be given again and again; its values gather into a list, in order. */
function repeatedOption(flags: string, description: string): Option {
  return new Option(flags, description).argParser(
    (text: string, previous: string[] | undefined) => [...(previous ?? []), text],
  );
}

/** The flag that set `path` (or a field inside it) in a document built from flags, if any. */
function setBy(
  path: string,
  document: unknown,
  paths: ReadonlyMap<string, string>,
): string | undefined {
  for (const [flagPath, flag] of paths) {
    const related =
      path === flagPath || path.startsWith(`${flagPath}.`) || flagPath.startsWith(`${path}.`);
    if (related && valueAt(document, flagPath) !== undefined) return flag;
  }
  return undefined;
}

/** A longer sweep is refused up front with its estimate. */
const MAX_SWEEP_SECONDS = 3600;

/**
 * Each flag's help with its range and default, read from the kata's own schema (the JSON Schema
 * it generates, and the default experiment) where the flag's description does not state them,
 * so that the help and the validation cannot disagree.
 */
function flagHelp(kata: AnyKata): Map<string, string> {
  const help = new Map<string, string>();
  let schema: unknown;
  let defaults: unknown;
  try {
    schema = z.toJSONSchema(kata.schema, { io: 'input', unrepresentable: 'any' });
    defaults = parseWith(kata.schema, { kata: kata.name });
  } catch {
    return help;
  }
  const number = (n: number): string => n.toLocaleString('en-US');
  for (const flag of kata.flags) {
    if (/\(default: /.test(flag.description)) continue;
    let node = schema as JsonNode | undefined;
    for (const part of flag.path.split('.')) node = node?.properties?.[part];
    const extra: string[] = [];
    if (node?.enum !== undefined) extra.push(`one of ${node.enum.join(', ')}`);
    else if (node?.minimum !== undefined && node.maximum !== undefined) {
      extra.push(`${number(node.minimum)}-${number(node.maximum)}`);
    } else if (node?.minimum !== undefined) extra.push(`at least ${number(node.minimum)}`);
    const value = valueAt(defaults, flag.path);
    const shown =
      typeof value === 'number'
        ? number(value)
        : typeof value === 'string'
          ? value === ''
            ? 'none'
            : value
          : undefined;
    const text = `${flag.description}${extra.length > 0 ? `, ${extra.join(', ')}` : ''}${shown === undefined ? '' : ` (default: ${shown})`}`;
    help.set(flag.path, text);
  }
  return help;
}

interface JsonNode {
  readonly properties?: Readonly<Record<string, JsonNode>>;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The cluster size a kata runs with by default, as its help states it. */
function defaultNodes(kata: AnyKata): number {
  const experiment = kata.resolve(parseWith(kata.schema, { kata: kata.name })) as unknown as {
    cluster?: { nodes?: number };
  };
  return experiment.cluster?.nodes ?? 6;
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
    const parse = (raw: string): unknown =>
      flag.parse ? flag.parse(raw) : parseNumber(raw, longOf(flag.flags));
    // A repeatable flag's values make a list, each parsed as the flag parses one.
    overrides.set(
      flag.path,
      Array.isArray(text)
        ? text.map((one) => parse(String(one)))
        : parse(text === true ? '' : String(text)),
    );
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
  if (flags.workers !== undefined) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      '--workers applies only with --sweep (the points of a grid run in parallel; one run does not); drop it or add --sweep',
      '--workers',
    );
  }
  await checkOutputs(io, flags);
  const { kata, experiment } = resolved;
  const seconds = kata.estimateSeconds?.(experiment);
  if (seconds !== undefined && seconds >= NOTE_SECONDS && flags.json !== true) {
    io.err(`note: this run will take about ${aboutDuration(seconds)}\n`);
  }
  const report: KataReport = withProgress(
    io,
    kata.name,
    { json: flags.json === true },
    (progress) => kata.run(experiment, { progress }),
  );
  await writeReport(
    io,
    report,
    describeRun(experiment as unknown as Record<string, unknown>),
    flags,
  );
}

/** Prints a report (as text, or JSON) and writes the files asked for; exit code 1 on a violation. */
async function writeReport(
  io: Io,
  report: KataReport,
  context: string,
  flags: OutputFlags,
): Promise<void> {
  io.out(flags.json ? toJson(report) : renderKataReport(report, context));
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

/**
 * Runs the grid the `--sweep` flags give over `base` (the experiment without the sweep, its seed
 * set): every point is validated and resolved first, then the points run on `--workers` threads,
 * and one report over them is printed and written like any other.
 */
async function runSweep(
  io: Io,
  base: unknown,
  flags: OutputFlags,
  flagSet?: ReadonlyMap<string, string>,
): Promise<void> {
  await checkOutputs(io, flags);
  const workers = resolveWorkers(flags.workers);
  const kata = kataOfDocument(base);
  // The base as shown: its defaults filled in, not resolved (resolving depends on the swept
  // fields: rf follows nodes). A base that is refused as it stands is shown as given.
  let shown: unknown;
  try {
    shown = parseWith(kata.schema, base);
  } catch {
    shown = base;
  }
  const fields = new Set(Object.keys(shown as Record<string, unknown>));
  const axes = parseSweepSpecs(flags.sweep ?? [], sweepAliases(kata), fields);
  // A field both swept and set by a flag: one of the two would be ignored.
  for (const axis of axes) {
    const flag = flagSet === undefined ? undefined : setBy(axis.path, base, flagSet);
    if (flag !== undefined) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `--sweep ${axis.spec} and ${flag} both set ${axis.path}; drop one of the two`,
        '--sweep',
      );
    }
  }
  // Points set their fields on the defaults too: designs[1].salt needs the default designs.
  const planned = planSweep(shown, axes);
  const seconds = planned.reduce(
    (sum, point) => sum + (point.resolved.kata.estimateSeconds?.(point.resolved.experiment) ?? 0),
    0,
  );
  // On K workers the grid takes about its total over K, at best.
  const wall = seconds / Math.min(workers, planned.length);
  if (wall > MAX_SWEEP_SECONDS) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `--sweep: ${planned.length.toLocaleString('en-US')} points would take about ${aboutDuration(seconds)} in all (${aboutDuration(wall)} on ${workers} worker${workers === 1 ? '' : 's'}), over the ${aboutDuration(MAX_SWEEP_SECONDS)} a sweep may take; sweep fewer values or make each point smaller`,
      '--sweep',
    );
  }
  if (wall >= NOTE_SECONDS && flags.json !== true) {
    io.err(
      `note: ${planned.length.toLocaleString('en-US')} points will take about ${aboutDuration(wall)} on ${workers} worker${workers === 1 ? '' : 's'}\n`,
    );
  }
  const bar = progressBar(io, `${kata.name} sweep`, { json: flags.json === true });
  const context = (report: KataReport): string =>
    `seed ${String((shown as Record<string, unknown>)['seed'] ?? report.seed)} · ${planned.length} points: ${axes.map((axis) => `${axis.key} ${axis.values.join(', ')}`).join(' × ')}`;
  const combine = (indexes: readonly number[], reports: ReadonlyMap<number, KataReport>) =>
    combineSweep({
      kata: kata.name,
      base: shown,
      axes,
      points: indexes.map((i) => ({ values: planned[i]!.values, report: reports.get(i)! })),
    });
  // Points on worker threads leave this thread free for a signal: it prints and writes the
  // points done so far, marked partial, and ends the process (130 or 143). Points run here
  // (one worker) are stopped by the signal itself, as any synchronous run is.
  const done = new Map<number, KataReport>();
  let interrupted = false;
  const release =
    Math.min(workers, planned.length) > 1
      ? io.onInterrupt?.(async (signal) => {
          interrupted = true;
          bar.stop();
          if (done.size === 0) return;
          const indexes = [...done.keys()].sort((a, b) => a - b);
          const report = partialSweep(combine(indexes, done), signal, planned.length);
          await writeReport(io, report, `${context(report)} · partial`, flags);
        })
      : undefined;
  try {
    bar.progress(0, planned.length);
    await runPoints(
      planned.map((point) => point.document),
      { workers, progress: bar.progress, onPoint: (i, report) => done.set(i, report) },
    );
  } finally {
    release?.();
    bar.stop();
  }
  // The signal's handler ends the process once the partial report is out.
  if (interrupted) await new Promise(() => {});
  const report = combine(
    planned.map((_, i) => i),
    done,
  );
  await writeReport(io, report, context(report), flags);
}

/** A sweep's report over the points a signal let finish, saying so first. */
function partialSweep(report: KataReport, signal: string, total: number): KataReport {
  const points = report.points?.length ?? 0;
  return {
    ...report,
    partial: { signal, points, of: total },
    findings: [
      {
        id: 'partial',
        text: `Partial: ${signal} stopped the sweep after ${points.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} points; the tables hold those points only.`,
        numbers: { points, of: total },
      },
      ...report.findings,
    ],
  };
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
  const list = group
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
  addExamples(list, [
    ['ringlab kata list', 'the katas and what each compares'],
    ['ringlab kata list --json', "the same, with each kata's question"],
  ]);
  for (const kata of katas) {
    const command = addClusterOptions(group.command(kata.name).description(kata.summary));
    const described = flagHelp(kata);
    for (const flag of kata.flags) {
      const help = described.get(flag.path) ?? flag.description;
      command.addOption(
        flag.repeatable
          ? repeatedOption(flag.flags, `${help}; repeat it for more`)
          : textOption(flag.flags, help),
      );
    }
    setNodesDefault(command, defaultNodes(kata));
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
      [
        `ringlab kata ${kata.name} --sweep vnodes=4,16,256 --sweep nodes=6,12,24`,
        'the same at each of 9 points, on a worker thread per core, in one report',
      ],
    ]);
    const paths = flagPaths(kata);
    command.action(async (flags: Record<string, unknown> & OutputFlags & { export?: string }) => {
      if (flags.sweep !== undefined) {
        if (flags.export !== undefined) {
          throw new RinglabError(
            'INVALID_ARGUMENT',
            '--export prints one experiment and --sweep runs many; export without --sweep, then give the file to ringlab run with --sweep',
            '--export',
          );
        }
        let base: unknown;
        try {
          base = documentOf(kata, flags);
          if (flags.seed !== undefined) base = withValueAt(base, 'seed', flags.seed);
        } catch (error) {
          throw renamed(error, paths);
        }
        await runSweep(io, base, flags, paths);
        return;
      }
      let resolved: ResolvedExperiment;
      try {
        resolved = resolveDocument(documentOf(kata, flags), flags.seed);
      } catch (error) {
        throw renamed(error, paths);
      }
      if (flags.export !== undefined) {
        const unused = (['json', 'csv', 'report', 'workers'] as const).filter(
          (f) => flags[f] !== undefined,
        );
        if (unused.length > 0) {
          throw new RinglabError(
            'INVALID_ARGUMENT',
            `--export prints the experiment instead of running it, so --${unused[0]} would do nothing; drop one of the two`,
            '--export',
          );
        }
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
      const document = parseExperimentText(text, name);
      if (flags.sweep !== undefined) {
        kataOfDocument(document);
        const base =
          flags.seed === undefined ? document : withValueAt(document, 'seed', flags.seed);
        await runSweep(io, base, flags);
        return;
      }
      resolved = resolveDocument(document, flags.seed);
    } catch (error) {
      // Every refusal of a file names the file, once.
      if (isExperimentError(error) && !error.message.startsWith(name)) {
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
    [
      'ringlab run experiment.yaml --sweep cluster.rf=1,2,3 --workers 2',
      'the experiment at each replication factor, two points at a time',
    ],
  ]);

  const schema = program
    .command('schema')
    .description('print the JSON Schema of experiment files, for editors')
    .option('--serve', 'the schema of ringlab serve --config files instead')
    .action((flags: { serve?: boolean }) =>
      io.out(toJson(flags.serve === true ? serveJsonSchema() : experimentJsonSchema())),
    );
  addExamples(schema, [
    [
      'ringlab schema > experiment.schema.json',
      'the schema, for an editor checking experiment files',
    ],
  ]);
}

/**
 * Refuses, before anything runs, an output that could not be written after it: a report path
 * that is a directory or whose directory does not exist, a CSV directory that is a file.
 */
async function checkOutputs(io: Io, flags: OutputFlags): Promise<void> {
  const bad = (flag: string, why: string): RinglabError =>
    new RinglabError('INVALID_ARGUMENT', `${flag} ${why}`, flag);
  if (flags.report !== undefined) {
    const path = flags.report;
    if (path.trim() === '') throw bad('--report', 'needs a file name, such as report.html');
    if ((await io.pathKind(path)) === 'directory') {
      throw bad(
        '--report',
        `${path} is a directory; give a file name, such as ${path.replace(/\/$/, '')}/report.html`,
      );
    }
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '.' : slash === 0 ? '/' : path.slice(0, slash);
    if ((await io.pathKind(dir)) !== 'directory') {
      throw bad(
        '--report',
        `${path}: the directory ${dir} does not exist; create it first (--csv creates its directory, --report does not)`,
      );
    }
  }
  if (flags.csv !== undefined) {
    const dir = flags.csv;
    if (dir.trim() === '') throw bad('--csv', 'needs a directory name, such as out');
    const kind = await io.pathKind(dir);
    if (kind === 'file' || kind === 'other') {
      throw bad('--csv', `${dir} is a file; give a directory (it is created when missing)`);
    }
  }
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

/** An experiment (or `serve --config`) file's text; `-` is stdin. Refusals name the file. */
export async function readExperiment(io: Io, file: string): Promise<string> {
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
