/**
 * Runs a sweep's points: in this thread one after another (one worker), or on worker threads
 * across the cores, each worker taking the next point as it finishes one. Each point is resolved
 * and run by the same function (runPoint) either way, and is deterministic from its experiment's
 * seed, so the reports, kept in grid order, do not depend on the worker count.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { isRinglabError, RinglabError, type ErrorCode } from '../../engine/errors.js';
import type { Progress } from '../progress.js';
import type { KataReport } from '../kata/report.js';
import { resolveDocument } from './experiment.js';

/** A worker per core by default. */
export function defaultWorkers(): number {
  return availableParallelism();
}

export const MAX_WORKERS = 256;

/** One point: its document validated, resolved and run by its kata. */
export function runPoint(document: unknown): KataReport {
  const { kata, experiment } = resolveDocument(document);
  return kata.run(experiment, {});
}

/** What a worker is sent, and what it answers. */
export interface PointTask {
  readonly index: number;
  readonly document: unknown;
}

export type PointAnswer =
  | { readonly index: number; readonly report: KataReport }
  | { readonly index: number; readonly error: SentError };

export interface SentError {
  readonly message: string;
  readonly code?: ErrorCode | undefined;
  readonly field?: string | undefined;
}

/** An error as it crosses from a worker: a RinglabError keeps its code and field. */
export function sendError(error: unknown): SentError {
  if (isRinglabError(error)) {
    return { message: error.message, code: error.code, field: error.field };
  }
  return { message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

function receivedError(sent: SentError): Error {
  return sent.code === undefined
    ? new Error(sent.message)
    : new RinglabError(sent.code, sent.message, sent.field);
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

/** The compiled worker beside this module: dist/bench/experiment/sweep-worker.js. */
const workerUrl = new URL('./sweep-worker.js', import.meta.url);

function onWorkers(
  documents: readonly unknown[],
  count: number,
  { progress, onPoint }: RunPointsOptions,
): Promise<KataReport[]> {
  if (!existsSync(fileURLToPath(workerUrl))) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `--workers ${count} runs points on worker threads, which need the compiled CLI (npm run build); give --workers 1 to run them here`,
      '--workers',
    );
  }
  return new Promise((resolve, reject) => {
    const reports = new Array<KataReport>(documents.length);
    const pool = Array.from({ length: count }, () => new Worker(workerUrl));
    const busy = new Set<Worker>();
    let next = 0;
    let done = 0;
    let ended = false;
    const end = (error?: Error): void => {
      if (ended) return;
      ended = true;
      void Promise.all(pool.map((worker) => worker.terminate())).then(() =>
        error === undefined ? resolve(reports) : reject(error),
      );
    };
    const feed = (worker: Worker): void => {
      if (next >= documents.length) return;
      const task: PointTask = { index: next, document: documents[next] };
      next++;
      busy.add(worker);
      worker.postMessage(task);
    };
    for (const worker of pool) {
      worker.on('message', (answer: PointAnswer) => {
        busy.delete(worker);
        if ('error' in answer) {
          end(receivedError(answer.error));
          return;
        }
        reports[answer.index] = answer.report;
        onPoint?.(answer.index, answer.report);
        done++;
        progress?.(done, documents.length);
        if (done === documents.length) end();
        else feed(worker);
      });
      worker.on('error', (error) => end(error));
      worker.on('exit', (code) => {
        if (busy.has(worker)) end(new Error(`a sweep worker exited with code ${code} mid-point`));
      });
      feed(worker);
    }
  });
}
