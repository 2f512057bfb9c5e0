/**
 * The child process of `bench perf`: `node --expose-gc child.js '<job as JSON>'` runs one
 * isolated measurement (see isolated.ts) and prints its result as JSON on stdout.
 */
import { jobKinds, runJob, type IsolatedJob } from './isolated.js';

const job = JSON.parse(process.argv[2] ?? 'null') as IsolatedJob | null;
if (job === null || !jobKinds.includes(job.kind)) {
  const kinds = jobKinds.map((kind) => `"${kind}"`).join('|');
  process.stderr.write(`usage: node --expose-gc child.js '{"kind":${kinds},...}'\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(`${JSON.stringify(runJob(job))}\n`);
}
