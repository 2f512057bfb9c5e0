/**
 * Runs a sweep's points: in this thread one after another (one worker), or on worker threads
 * across the cores, each worker taking the next point as it finishes one. Each point is resolved
 * and run by the same function (runPoint) either way, and is deterministic from its experiment's
 * seed, so the reports, kept in grid order, do not depend on the worker count.
 */
import type { Progress } from '../progress.js';
import { runOnWorkers } from '../workers/pool.js';
import type { KataReport } from '../kata/report.js';
import { resolveDocument } from './experiment.js';

export { defaultWorkers, MAX_WORKERS } from '../workers/pool.js';

/** One point: its document validated, resolved and run by its kata. */
export function runPoint(document: unknown): KataReport {
  const { kata, experiment } = resolveDocument(document);
  return kata.run(experiment, {});
}

export interface RunPointsOptions {
  readonly workers: number;
  /** Points done so far, of all of them. */
  readonly progress?: Progress | undefined;
  /** Each point's report as it comes in (in any order), so that a stopped sweep keeps them. */
  readonly onPoint?: ((index: number, report: KataReport) => void) | undefined;
}

/** The reports of `documents`, in their order. */
export async function runPoints(
  documents: readonly unknown[],
  options: RunPointsOptions,
): Promise<KataReport[]> {
  const workers = Math.min(options.workers, documents.length);
  if (workers <= 1) {
    const reports: KataReport[] = [];
    for (const document of documents) {
      const report = runPoint(document);
      options.onPoint?.(reports.length, report);
      reports.push(report);
      options.progress?.(reports.length, documents.length);
    }
    return reports;
  }
  return onWorkers(documents, workers, options);
}

function onWorkers(
  documents: readonly unknown[],
  count: number,
  { progress, onPoint }: RunPointsOptions,
): Promise<KataReport[]> {
  const reports = new Array<KataReport>(documents.length);
  return runOnWorkers<KataReport>('point', documents, {
    workers: count,
    what: 'points',
    progress,
    onArrival: (report, index) => onPoint?.(index, report),
    onOutput: (report, index) => (reports[index] = report),
  }).then(() => reports);
}
