/**
 * The child process of `bench perf`: `node --expose-gc child.js '<job as JSON>'` runs one
 * isolated measurement (see isolated.ts) and prints its result as JSON on stdout.
 */
import { runJob, type IsolatedJob } from './isolated.js';

const job = JSON.parse(process.argv[2] ?? 'null') as IsolatedJob | null;
if (job === null || (job.kind !== 'heap' && job.kind !== 'scale')) {
  process.stderr.write('usage: node --expose-gc child.js \'{"kind":"heap"|"scale",...}\'\n');
  process.exitCode = 2;
} else {
  process.stdout.write(`${JSON.stringify(runJob(job))}\n`);
}
