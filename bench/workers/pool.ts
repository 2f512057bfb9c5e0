/**
 * Runs independent jobs on worker threads, each worker taking the next job as it finishes one,
 * and hands back the results in the jobs' order, so that what a caller builds from them does not
 * depend on the worker count. One worker module (worker.ts) serves every kind of job, by name
 * (jobs.ts); a job is plain data in and plain data out, as structured clone carries them.
 *
 * Sweeps (bench/experiment/pool.ts) and fault campaigns (bench/check/run.ts) run here.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { isRinglabError, RinglabError, type ErrorCode } from '../../engine/errors.js';
import type { JobName } from './jobs.js';

/**
 * A worker per core by default; one (this thread) when running from the TypeScript sources, where
 * there is no compiled worker module to start (a test, or the library loaded by a TS runner).
 */
export function defaultWorkers(): number {
  return workerBuilt() ? availableParallelism() : 1;
}

function workerBuilt(): boolean {
  return existsSync(fileURLToPath(workerUrl));
}

export const MAX_WORKERS = 256;

/** The compiled worker beside this module: dist/bench/workers/worker.js. */
const workerUrl = new URL('./worker.js', import.meta.url);

/** What a worker is sent, and what it answers. */
export interface JobTask {
  readonly job: JobName;
  readonly index: number;
  readonly input: unknown;
}

export type JobAnswer =
  | { readonly index: number; readonly output: unknown }
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

export interface WorkerPoolOptions<Output> {
  readonly workers: number;
  /** What the jobs are, for messages: "points", "schedules". */
  readonly what: string;
  /**
   * Told of each job's output in the jobs' order (an output that arrives early waits for those
   * before it), with how many are done.
   */
  readonly onOutput: (output: Output, index: number) => void;
  /** Told of each job's output as it arrives, in any order (to keep what is done if stopped). */
  readonly onArrival?: ((output: Output, index: number) => void) | undefined;
  /** Jobs done so far, of all of them, as they arrive. */
  readonly progress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Runs `inputs` as jobs `job` on `options.workers` threads (at least two: one worker is the
 * caller's own loop, with no thread). Rejects with the first error a job throws, after stopping
 * every worker.
 */
export function runOnWorkers<Output>(
  job: JobName,
  inputs: readonly unknown[],
  options: WorkerPoolOptions<Output>,
): Promise<void> {
  // More threads than cores only add memory and switching: never more than one per core.
  const count = Math.min(options.workers, inputs.length, availableParallelism());
  if (inputs.length === 0) return Promise.resolve();
  if (!workerBuilt()) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `--workers ${count} runs ${options.what} on worker threads, which need the compiled CLI (npm run build); give --workers 1 to run them here`,
      '--workers',
    );
  }
  return new Promise((resolve, reject) => {
    const pool = Array.from({ length: count }, () => new Worker(workerUrl));
    const busy = new Set<Worker>();
    const early = new Map<number, unknown>();
    let next = 0;
    let delivered = 0;
    let done = 0;
    let ended = false;
    const end = (error?: Error): void => {
      if (ended) return;
      ended = true;
      void Promise.all(pool.map((worker) => worker.terminate())).then(() =>
        error === undefined ? resolve() : reject(error),
      );
    };
    const feed = (worker: Worker): void => {
      if (next >= inputs.length) return;
      const task: JobTask = { job, index: next, input: inputs[next] };
      next++;
      busy.add(worker);
      worker.postMessage(task);
    };
    for (const worker of pool) {
      worker.on('message', (answer: JobAnswer) => {
        busy.delete(worker);
        if (ended) return;
        if ('error' in answer) {
          end(receivedError(answer.error));
          return;
        }
        early.set(answer.index, answer.output);
        try {
          options.onArrival?.(answer.output as Output, answer.index);
        } catch (error) {
          end(error as Error);
          return;
        }
        while (early.has(delivered)) {
          const output = early.get(delivered) as Output;
          early.delete(delivered);
          try {
            options.onOutput(output, delivered);
          } catch (error) {
            end(error as Error);
            return;
          }
          delivered++;
        }
        done++;
        try {
          options.progress?.(done, inputs.length);
        } catch (error) {
          end(error as Error);
          return;
        }
        if (done === inputs.length) end();
        else feed(worker);
      });
      worker.on('error', (error) => end(error));
      worker.on('exit', (code) => {
        if (busy.has(worker)) end(new Error(`a worker exited with code ${code} mid-job`));
      });
      feed(worker);
    }
  });
}

/** `--workers` as given, or a thread per core; refused outside 1-MAX_WORKERS. */
export function resolveWorkers(requested: number | undefined): number {
  const workers = requested ?? defaultWorkers();
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `--workers expects 1-${MAX_WORKERS} threads, got ${workers}`,
      '--workers',
    );
  }
  return workers;
}
