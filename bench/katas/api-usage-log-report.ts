/**
 * The api-usage-log kata's report: per design (hints on or off, a write level) what the log
 * kept and what it lost, duplicated or reordered through the faults, the write attempts'
 * outcomes and latency, failures over time, and findings computed from those numbers.
 */
import type {
  Cell,
  Finding,
  KataReport,
  ReportChart,
  ReportTable,
  TableColumn,
} from '../kata/report.js';
import type { ApiLogExperiment } from './api-usage-log.js';
import type { ApiLogRun } from './api-usage-log-run.js';
import { column, LATENCY_COLUMNS } from './time-plane.js';

export const API_LOG_TITLE = 'API usage log: completeness through node failures';
export const API_LOG_QUESTION =
  'Logging every API request into (user_id, day) partitions while a node fails, how many entries are lost, duplicated by retries or out of order, at each write level, with hints on and off?';

const DESIGN_COLUMNS: readonly TableColumn[] = [
  column('design', 'design', 'text'),
  column('availability', 'acked', 'percent'),
  column('writeP99Ms', 'write p99', 'ms'),
  column('gaveUp', 'gave up', 'count'),
  column('lostAcked', 'lost acked', 'count'),
  column('lostUnacked', 'lost unacked', 'count'),
  column('unackedPresent', 'unacked but logged', 'count'),
  column('duplicates', 'duplicates', 'count'),
  column('outOfOrder', 'out of order', 'count'),
  column('underReplicated', 'under-replicated', 'count'),
  column('missedByRead', 'missed by read', 'count'),
  column('hintsStored', 'hints', 'count'),
];

const ATTEMPT_COLUMNS: readonly TableColumn[] = [
  column('design', 'design', 'text'),
  column('attempts', 'attempts', 'count'),
  column('ok', 'ok', 'count'),
  column('timeout', 'timeout', 'count'),
  column('unavailable', 'unavailable', 'count'),
  ...LATENCY_COLUMNS,
];

function metricsOf(run: ApiLogRun): Record<string, Cell> {
  const { counts, attempts } = run;
  return {
    hints: run.design.hints ? 'on' : 'off',
    writeCl: run.design.writeCl,
    entries: counts.entries,
    acked: counts.acked,
    availability: counts.entries === 0 ? 0 : counts.acked / counts.entries,
    gaveUp: counts.gaveUp,
    attempts: attempts.count,
    timeouts: attempts.outcomes.timeout,
    unavailable: attempts.outcomes.unavailable,
    writeP50Ms: attempts.latencyMs.p50,
    writeP99Ms: attempts.latencyMs.p99,
    lostAcked: counts.lostAcked,
    lostUnacked: counts.lostUnacked,
    unackedPresent: counts.unackedPresent,
    duplicates: counts.duplicates,
    duplicatedEntries: counts.duplicatedEntries,
    outOfOrder: counts.outOfOrder,
    stored: counts.stored,
    underReplicated: counts.underReplicated,
    missedByRead: counts.missedByRead,
    unreadPartitions: counts.unreadPartitions,
    unreadEntries: counts.unreadEntries,
    hintsStored: run.hints.stored,
    hintsReplayed: run.hints.replayed,
    overlapping: run.overlapping ? 'yes' : 'no',
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;
const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const availability = (run: ApiLogRun): number =>
  run.counts.entries === 0 ? 0 : run.counts.acked / run.counts.entries;

/** The design with the most and the one with the fewest of `pick`, in design order on ties. */
function extremes(
  runs: readonly ApiLogRun[],
  pick: (run: ApiLogRun) => number,
): [ApiLogRun, ApiLogRun] {
  let most = runs[0]!;
  let fewest = runs[0]!;
  for (const run of runs) {
    if (pick(run) > pick(most)) most = run;
    if (pick(run) < pick(fewest)) fewest = run;
  }
  return [most, fewest];
}

function duplicatesFinding(runs: readonly ApiLogRun[], faults: string): Finding {
  const [most, fewest] = extremes(runs, (run) => run.counts.duplicates);
  const m = most.counts;
  return {
    id: 'duplicates',
    text:
      `Through ${faults}, retrying writes that failed left ${m.duplicates} duplicate rows under ${most.design.name} ` +
      `(${m.duplicatedEntries} entries logged more than once: an attempt that timed out had been applied on the replicas that answered), ` +
      `against ${fewest.counts.duplicates} under ${fewest.design.name}; the request_id tells every duplicate apart. ` +
      `The retries also put ${m.outOfOrder} entries out of their user's order under ${most.design.name} (${fewest.counts.outOfOrder} under ${fewest.design.name}).`,
    numbers: {
      mostDuplicates: m.duplicates,
      mostDuplicatedEntries: m.duplicatedEntries,
      mostOutOfOrder: m.outOfOrder,
      fewestDuplicates: fewest.counts.duplicates,
      fewestOutOfOrder: fewest.counts.outOfOrder,
    },
  };
}

/** Hints on against off at the level where they differ most in under-replicated entries. */
function hintsFinding(runs: readonly ApiLogRun[], faults: string): Finding | undefined {
  let pair: { on: ApiLogRun; off: ApiLogRun } | undefined;
  for (const off of runs.filter((run) => !run.design.hints)) {
    const on = runs.find((run) => run.design.hints && run.design.writeCl === off.design.writeCl);
    if (on === undefined) continue;
    const gap = (p: { on: ApiLogRun; off: ApiLogRun }): number =>
      p.off.counts.underReplicated - p.on.counts.underReplicated;
    if (pair === undefined || gap({ on, off }) > gap(pair)) pair = { on, off };
  }
  if (pair === undefined) return undefined;
  const { on, off } = pair;
  const share = off.counts.entries === 0 ? 0 : off.counts.underReplicated / off.counts.entries;
  return {
    id: 'hints',
    text:
      `With hints off at ${off.design.writeCl}, ${off.counts.underReplicated} entries (${pct(share)}) were still on fewer than rf replicas when the read-back started, after ${faults} and the drain: ` +
      `a read at ONE may miss them until a repair (the read-back at the run's level missed ${off.counts.missedByRead}, and lost ${off.counts.lostAcked} acknowledged). ` +
      `With hints on, ${on.counts.underReplicated} were (${on.hints.replayed} hints replayed).`,
    numbers: {
      offUnderReplicated: off.counts.underReplicated,
      offShare: share,
      offMissedByRead: off.counts.missedByRead,
      offLostAcked: off.counts.lostAcked,
      onUnderReplicated: on.counts.underReplicated,
      onHintsReplayed: on.hints.replayed,
    },
  };
}

function availabilityFinding(runs: readonly ApiLogRun[], maxAttempts: number): Finding {
  const [best, worst] = extremes(runs, availability);
  const w = worst.counts;
  return {
    id: 'availability',
    text:
      `Under ${worst.design.name}, ${pct(availability(worst))} of entries were acknowledged within ${maxAttempts} attempts ` +
      `(p99 of an acknowledged attempt ${ms(worst.attempts.latencyMs.p99)}); ${w.gaveUp} gave up, of which ${w.lostUnacked} are on no replica and the rest were applied anyway. ` +
      `Under ${best.design.name}, ${pct(availability(best))} (p99 ${ms(best.attempts.latencyMs.p99)}).`,
    numbers: {
      worstAvailability: availability(worst),
      worstP99Ms: worst.attempts.latencyMs.p99,
      worstGaveUp: w.gaveUp,
      worstLostUnacked: w.lostUnacked,
      bestAvailability: availability(best),
      bestP99Ms: best.attempts.latencyMs.p99,
    },
  };
}

export function apiLogReport(
  experiment: ApiLogExperiment,
  runs: readonly ApiLogRun[],
  faults: readonly string[],
): KataReport {
  const designs = runs.map((run) => ({ name: run.design.name, metrics: metricsOf(run) }));
  const comparison: ReportTable = {
    id: 'designs',
    title: `Completeness after ${faults.join(', ') || 'no faults'}, read back at ${experiment.readCl}`,
    columns: DESIGN_COLUMNS,
    rows: designs.map(({ name, metrics }) => ({ design: name, ...metrics })),
  };
  const attempts: ReportTable = {
    id: 'attempts',
    title: 'Write attempts by outcome (latency over the acknowledged)',
    columns: ATTEMPT_COLUMNS,
    rows: runs.map((run) => ({
      design: run.design.name,
      attempts: run.attempts.count,
      ok: run.attempts.outcomes.ok,
      timeout: run.attempts.outcomes.timeout,
      unavailable: run.attempts.outcomes.unavailable,
      ...run.attempts.latencyMs,
    })),
  };
  const nodeIds = runs[0]?.nodes.map((node) => node.id) ?? [];
  const charts: ReportChart[] = [
    {
      kind: 'lines',
      id: 'failures',
      title: `Failed write attempts per second (${faults.join(', ') || 'no faults'})`,
      xLabel: 's',
      yLabel: 'failed attempts',
      series: runs.map((run) => ({
        label: run.design.name,
        points: run.timeline.map((second) => [second.second, second.failures] as const),
      })),
    },
    {
      kind: 'distribution',
      id: 'write-latency',
      title: 'Latency of an acknowledged write attempt',
      unit: 'ms',
      series: runs.map((run) => ({ label: run.design.name, ...run.attempts.latencyMs })),
    },
    {
      kind: 'bars',
      id: 'node-rows',
      title: 'Log rows stored per node',
      unit: 'rows',
      categories: nodeIds,
      series: runs.map((run) => ({
        label: run.design.name,
        values: run.nodes.map((node) => node.rows),
      })),
    },
  ];
  const described = faults.join(', ') || 'no faults';
  const findings = [
    availabilityFinding(runs, experiment.maxAttempts),
    duplicatesFinding(runs, described),
    hintsFinding(runs, described),
  ].filter((finding): finding is Finding => finding !== undefined);
  return {
    kata: 'api-usage-log',
    title: API_LOG_TITLE,
    question: API_LOG_QUESTION,
    seed: experiment.seed,
    experiment,
    designs,
    tables: [comparison, attempts],
    charts,
    findings,
    // An acknowledged entry a read at an overlapping level cannot find breaks the levels' promise.
    violations: runs.reduce((sum, run) => sum + (run.overlapping ? run.counts.lostAcked : 0), 0),
  };
}
