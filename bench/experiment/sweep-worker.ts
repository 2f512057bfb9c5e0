/**
 * A sweep worker (pool.ts starts one per thread): runs each point it is sent and answers with the
 * point's report, or with the error that stopped it.
 */
import { parentPort } from 'node:worker_threads';

import { runPoint, sendError, type PointAnswer, type PointTask } from './pool.js';

const port = parentPort;
if (port === null) throw new Error('sweep-worker.js runs as a worker thread, started by pool.ts');

port.on('message', ({ index, document }: PointTask) => {
  let answer: PointAnswer;
  try {
    answer = { index, report: runPoint(document) };
  } catch (error) {
    answer = { index, error: sendError(error) };
  }
  port.postMessage(answer);
});
