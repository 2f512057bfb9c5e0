/**
 * The jobs a worker thread can run (pool.ts), by name: each takes plain data and returns plain
 * data, and is the very function the caller runs in its own thread with one worker.
 */
import { runScheduleJob } from '../check/run.js';
import { runPoint } from '../experiment/pool.js';

export const jobs = {
  /** One sweep point: an experiment document, validated, resolved and run by its kata. */
  point: runPoint,
  /** One fault-campaign schedule, run and judged. */
  schedule: runScheduleJob,
} as const satisfies Record<string, (input: never) => unknown>;

export type JobName = keyof typeof jobs;
