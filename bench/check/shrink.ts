/**
 * Shrinking a failing schedule to a small one that fails the same way, with fast-check's own
 * shrinker: the schedule's faults and operations become two `fc.subarray`s, the whole schedule is
 * given as the first example, and the property is "this sub-schedule passes the checker". fast-
 * check then removes faults and operations, keeping each removal after which the checker still
 * finds a violation, until no single removal does. What comes out is a schedule a person can read:
 * typically a handful of operations and the one fault that matters.
 *
 * Faults are removed a group at a time (a crash with its recovery; a disk replacement's crash,
 * wipe, repair and recovery), so a shrunk schedule never holds half a fault. Every candidate runs
 * on the time plane from the schedule's own seed, so shrinking is deterministic.
 */
import fc from 'fast-check';

import type { CheckerName, HistoryVerdict } from './checkers.js';
import { judgeSchedule, type ScheduleJob, type ScheduleRun, type SystemVariant } from './run.js';
import type { PlannedOperation, Schedule } from './schedule.js';

export interface ShrunkSchedule {
  readonly schedule: Schedule;
  readonly run: ScheduleRun;
  readonly verdict: HistoryVerdict;
  /** Operations and faults in the original schedule, and candidates run to shrink it. */
  readonly from: { readonly operations: number; readonly faults: number };
  readonly runs: number;
}

/** Candidate schedules run at most, so that shrinking stays within seconds. */
export const MAX_SHRINK_RUNS = 2_000;

/** The node a fault spec names first (`crash:n3@…` → `n3`). */
const nodeOf = (spec: string): string | undefined => /^[a-z]+:(n\d+)[@x]/.exec(spec)?.[1];

/** Faults in groups that stand or fall together: a crash takes its node's later steps with it. */
export function faultGroups(faults: readonly string[]): string[][] {
  const groups: string[][] = [];
  const open = new Map<string, string[]>();
  for (const spec of faults) {
    const node = nodeOf(spec);
    const kind = spec.slice(0, spec.indexOf(':'));
    const group = node === undefined ? undefined : open.get(node);
    if (group !== undefined && (kind === 'wipe' || kind === 'repair' || kind === 'recover')) {
      group.push(spec);
      if (kind === 'recover') open.delete(node!);
      continue;
    }
    const fresh = [spec];
    groups.push(fresh);
    if (kind === 'crash' && node !== undefined) open.set(node, fresh);
  }
  return groups;
}

interface Planned {
  readonly client: number;
  readonly op: PlannedOperation;
}

/**
 * The smallest schedule fast-check finds within MAX_SHRINK_RUNS runs that still makes `checker`
 * find a violation; undefined when the schedule as given does not.
 */
export function shrinkSchedule(
  schedule: Schedule,
  job: Omit<ScheduleJob, 'seeds'>,
  checker: CheckerName,
  variant?: SystemVariant,
): ShrunkSchedule | undefined {
  const groups = faultGroups(schedule.faults);
  const planned: Planned[] = schedule.clients.flatMap((ops, client) =>
    ops.map((op) => ({ client, op })),
  );
  const groupIndexes = groups.map((_, i) => i);
  const opIndexes = planned.map((_, i) => i);
  const build = (keptGroups: readonly number[], keptOps: readonly number[]): Schedule => ({
    ...schedule,
    faults: keptGroups.flatMap((i) => groups[i]!),
    clients: schedule.clients.map((_, client) =>
      keptOps.map((i) => planned[i]!).flatMap((p) => (p.client === client ? [p.op] : [])),
    ),
  });

  let runs = 0;
  let best: { schedule: Schedule; run: ScheduleRun; verdict: HistoryVerdict } | undefined;
  const fails = (candidate: Schedule): boolean => {
    if (runs >= MAX_SHRINK_RUNS) return false;
    runs++;
    const judged = judgeSchedule(candidate.seed, { ...job, keepEvents: true }, variant, candidate);
    if (judged.verdict.byChecker[checker].verdict !== 'invalid') return false;
    best = { schedule: candidate, run: judged.run, verdict: judged.verdict };
    return true;
  };

  fc.check(
    fc.property(
      fc.subarray(groupIndexes),
      fc.subarray(opIndexes),
      (keptGroups, keptOps) => !fails(build(keptGroups, keptOps)),
    ),
    { examples: [[groupIndexes, opIndexes]], numRuns: 1, seed: schedule.seed },
  );
  if (best === undefined) return undefined;
  return {
    ...best,
    from: { operations: planned.length, faults: schedule.faults.length },
    runs,
  };
}
