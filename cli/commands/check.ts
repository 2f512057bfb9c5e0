import { dirname } from 'node:path';

import { Option, type Command } from 'commander';
import {
  CHECK_DEFAULTS,
  MAX_SCHEDULES,
  refuseCostlyCheck,
  resolveCheckConfig,
  type CheckConfig,
} from '../../bench/check/config.js';
import { checkerNames, type HistoryVerdict } from '../../bench/check/checkers.js';
import { historyToJsonLines, type HistoryEvent } from '../../bench/check/history.js';
import {
  campaignJob,
  runCampaignOn,
  runsOnWorkers,
  type CheckReport,
  type ScheduleRun,
} from '../../bench/check/run.js';
import { shrinkSchedule, type ShrunkSchedule } from '../../bench/check/shrink.js';
import { MAX_WORKERS, resolveWorkers } from '../../bench/workers/pool.js';
import { consistencyLevels } from '../../engine/consistency.js';
import { RinglabError } from '../../engine/errors.js';
import { MAX_SEED } from '../../engine/random.js';
import { ExitCode } from '../exit.js';
import type { Io } from '../io.js';
import {
  addExamples,
  choiceOption,
  integerOption,
  jsonOption,
  seedOption,
  textOption,
} from '../options.js';
import { once, parseSeed } from '../parse.js';
import { progressBar } from '../progress.js';
import { count, renderTable, toJson } from '../render.js';

interface CheckFlags {
  schedules?: number;
  seed?: number;
  clWrite?: string;
  clRead?: string;
  history?: string;
  replay?: number;
  workers?: number;
  json?: boolean;
}

/** Failing schedules whose histories are printed in full, at most. */
const PRINTED_HISTORIES = 3;

export function registerCheck(program: Command, io: Io): void {
  const command = program
    .command('check')
    .description(
      'run randomized fault schedules on the time plane and judge each history: lost writes, stale reads, failures applied, incomplete queries',
    )
    .addOption(
      integerOption(
        '--schedules <n>',
        `schedules to run, 1-${MAX_SCHEDULES.toLocaleString('en-US')} (default: ${CHECK_DEFAULTS.schedules})`,
      ),
    )
    .addOption(seedOption('seed the schedules are drawn from'))
    .addOption(
      choiceOption(
        '--cl-write <level>',
        `consistency level of writes (default: ${CHECK_DEFAULTS.clWrite})`,
        consistencyLevels,
      ),
    )
    .addOption(
      choiceOption(
        '--cl-read <level>',
        `consistency level of reads and queries (default: ${CHECK_DEFAULTS.clRead})`,
        consistencyLevels,
      ),
    )
    .addOption(textOption('--history <dir>', "write each schedule's history to <dir>/<seed>.jsonl"))
    .addOption(
      new Option(
        '--replay <seed>',
        `run only the schedule with this seed, as a failure prints it, 0-${MAX_SEED} (default: none)`,
      ).argParser(once('--replay', parseSeed)),
    )
    .addOption(
      integerOption(
        '--workers <k>',
        `worker threads running the schedules, the report the same for any count, 1-${MAX_WORKERS} (default: the number of cores)`,
      ),
    )
    .addOption(jsonOption())
    .action(async (flags: CheckFlags) => {
      const config = resolveCheckConfig(flags);
      const workers = resolveWorkers(flags.workers);
      refuseCostlyCheck(config, { workers, history: flags.history !== undefined });
      // A history directory that cannot be one is refused before the campaign, not after it.
      if (flags.history !== undefined) await checkHistoryDir(io, flags.history);
      const histories: ScheduleRun[] = [];
      const failing: { run: ScheduleRun; verdict: HistoryVerdict }[] = [];
      const bar = progressBar(io, 'check', { json: flags.json === true });
      // Schedules on worker threads leave this thread free for a signal: it prints the campaign
      // judged so far, marked partial, and the process ends (130 or 143) with no history written.
      // Schedules run here (one worker) are stopped by the signal itself.
      let soFar: (() => CheckReport) | undefined;
      let interrupted = false;
      const release = !runsOnWorkers(config, workers)
        ? undefined
        : io.onInterrupt?.(async (signal) => {
            interrupted = true;
            bar.stop();
            if (soFar === undefined) return;
            const partial = { ...soFar(), partial: { signal, of: config.schedules } };
            io.out(
              flags.json
                ? toJson(partial)
                : `partial: ${signal} stopped the campaign after ${count(partial.schedules)} of ${count(config.schedules)} schedules; no history was written\n${renderCheck(partial, [])}`,
            );
          });
      let report: CheckReport;
      try {
        report = await runCampaignOn(config, workers, {
          onStart: (report) => (soFar = report),
          progress: bar.progress,
          keepEvents: flags.history !== undefined,
          onSchedule: (run, verdict) => {
            if (flags.history !== undefined) histories.push(run);
            if (verdict.verdict === 'invalid' && failing.length < PRINTED_HISTORIES) {
              failing.push({ run, verdict });
            }
          },
        });
      } finally {
        release?.();
        bar.stop();
      }
      // The signal's handler ends the process once the partial report is out.
      if (interrupted) await new Promise(() => {});
      const shrunk = failing.map(({ run, verdict }) => shrinkFailure(config, run, verdict));
      io.out(
        flags.json
          ? toJson({ ...report, shrunk: shrunk.map(shrunkJson) })
          : renderCheck(report, failing, shrunk),
      );
      // Files after stdout: a directory that cannot be written loses nothing already printed.
      if (flags.history !== undefined) {
        const dir = flags.history;
        await writing(dir, () => io.makeDir(dir));
        for (const run of histories) {
          const path = `${dir}/${run.schedule.seed}.jsonl`;
          await writing(path, () => io.writeFile(path, historyToJsonLines(run.events)));
        }
      }
      if (report.violations > 0) throw new ExitCode(1);
    });
  addExamples(command, [
    ['ringlab check', '100 schedules at QUORUM/QUORUM: every checker should say valid'],
    [
      'ringlab check --cl-write ONE --cl-read ONE',
      'weaker levels: stale reads reported as anomalies, not violations',
    ],
    [
      'ringlab check --schedules 1000 --history out/',
      "a longer campaign, each schedule's history kept",
    ],
    ['ringlab check --replay 1234567 --json', 'one schedule again, as a failure printed it'],
  ]);
}

async function writing(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `cannot write ${path}: ${code ?? (error as Error).message}`,
      '--history',
    );
  }
}

/**
 * Refuses a --history that cannot become a directory: a file, or a path under one (the nearest
 * part of it that exists must be a directory).
 */
async function checkHistoryDir(io: Io, dir: string): Promise<void> {
  for (let at = dir; ;) {
    const kind = await io.pathKind(at);
    if (kind === 'directory') return;
    if (kind !== 'missing') {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        at === dir
          ? `--history ${dir} is a file, not a directory; give a directory (it is created when missing)`
          : `--history ${dir} cannot be made: ${at} is a file; give a directory (it is created when missing)`,
        '--history',
      );
    }
    const parent = dirname(at);
    if (parent === at) return;
    at = parent;
  }
}

/** The failing schedule shrunk for the first checker it fails (bench/check/shrink.ts). */
function shrinkFailure(
  config: CheckConfig,
  run: ScheduleRun,
  verdict: HistoryVerdict,
): ShrunkSchedule | undefined {
  const checker = checkerNames.find((name) => verdict.byChecker[name].verdict === 'invalid');
  if (checker === undefined) return undefined;
  return shrinkSchedule(run.schedule, campaignJob(config, true), checker);
}

function shrunkJson(shrunk: ShrunkSchedule | undefined) {
  if (shrunk === undefined) return null;
  const { schedule, run, verdict, from, runs } = shrunk;
  return {
    seed: schedule.seed,
    faults: schedule.faults,
    operations: schedule.clients.flat().length,
    from,
    runs,
    violations: checkerNames.flatMap((name) =>
      verdict.byChecker[name].violations.map((finding) => ({ checker: name, ...finding })),
    ),
    history: run.events,
  };
}

export function renderCheck(
  report: CheckReport,
  failing: readonly { readonly run: ScheduleRun; readonly verdict: HistoryVerdict }[],
  shrunk: readonly (ShrunkSchedule | undefined)[] = [],
): string {
  const { config } = report;
  const lines = [
    `${count(report.schedules)} schedule${report.schedules === 1 ? '' : 's'} from seed ${report.seed}${config.replay === null ? '' : ` (replaying ${config.replay})`} · ${config.nodes} nodes, rf ${config.rf}, ${config.keys} keys, ${config.clients} clients · writes ${config.clWrite} · reads ${config.clRead}${config.intersecting ? '' : ' (W + R <= rf: stale reads are allowed, reported as anomalies)'}${config.monotonic ? '' : ' (reads may go back: no blocking read repair or read quorums that need not meet, reported as anomalies)'}`,
    `${count(report.operations)} operations · ${count(report.violations)} violation${report.violations === 1 ? '' : 's'} · verdict ${report.verdict}${report.hintsPending > 0 ? ` · ${count(report.hintsPending)} hints never replayed` : ''} · ${count(report.changes.made)} joins and leaves${report.changes.finished === report.changes.made ? '' : `, ${count(report.changes.made - report.changes.finished)} unfinished`}`,
    '',
    renderTable(
      [
        { header: 'checker' },
        { header: 'verdict' },
        { header: 'violations', align: 'right' },
        { header: 'anomalies', align: 'right' },
        { header: 'unknown', align: 'right' },
      ],
      checkerNames.map((name) => {
        const summary = report.byChecker[name];
        return [
          name,
          summary.verdict,
          count(summary.violations),
          count(summary.anomalies),
          count(summary.unknown),
        ];
      }),
    ),
  ];
  failing.forEach(({ run, verdict }, i) => {
    const { seed, faults } = run.schedule;
    lines.push('', `schedule ${seed}: invalid · faults ${faults.join(' ') || 'none'}`);
    const keys = new Set<string | null>();
    for (const name of checkerNames) {
      for (const finding of verdict.byChecker[name].violations) {
        lines.push(`  ${name}: ${finding.message}`);
        keys.add(finding.key);
      }
    }
    lines.push(
      `  reproduce: ringlab check --replay ${seed} --cl-write ${config.clWrite} --cl-read ${config.clRead}`,
      `  history of ${[...keys].map((key) => key ?? 'queries').join(', ')}:`,
      ...historyLines(run.events, keys),
    );
    const small = shrunk[i];
    if (small === undefined) return;
    const operations = small.schedule.clients.flat().length;
    lines.push(
      `  shrunk to ${operations} of ${small.from.operations} operations and ${small.schedule.faults.length} of ${small.from.faults} faults (${count(small.runs)} runs) · faults ${small.schedule.faults.join(' ') || 'none'}:`,
      ...checkerNames.flatMap((name) =>
        small.verdict.byChecker[name].violations.map(
          (finding) => `    ${name}: ${finding.message}`,
        ),
      ),
      ...historyLines(small.run.events, null),
    );
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The events about the keys at fault (a query's, when a query is), or all of them for no keys,
 * as JSON lines.
 */
function historyLines(
  events: readonly HistoryEvent[],
  keys: ReadonlySet<string | null> | null,
): string[] {
  const shown =
    keys === null
      ? events
      : events.filter((event) => keys.has(event.key) || (event.f === 'query' && keys.has(null)));
  return historyToJsonLines(shown)
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`);
}
