/**
 * A worker thread of pool.ts: runs each job it is sent, by name (jobs.ts), and answers with the
 * job's output or with the error that stopped it.
 */
import { parentPort } from 'node:worker_threads';

import { jobs } from './jobs.js';
import { sendError, type JobAnswer, type JobTask } from './pool.js';

const port = parentPort;
if (port === null) throw new Error('worker.js runs as a worker thread, started by pool.ts');

port.on('message', ({ job, index, input }: JobTask) => {
  let answer: JobAnswer;
  try {
    answer = { index, output: (jobs[job] as (input: unknown) => unknown)(input) };
  } catch (error) {
    answer = { index, error: sendError(error) };
  }
  port.postMessage(answer);
});
