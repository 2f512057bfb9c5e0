/**
 * `npm run bench:check`: the fault campaign at its target size, 10,000 schedules at QUORUM/QUORUM
 * on every core, timed. Prints one JSON document: the campaign's counts and verdicts, and the wall
 * time it took on this machine (which the campaign's own JSON leaves out, being deterministic).
 * Exits 1 on any violation, as `ringlab check` does. `--schedules N` and `--seed S` change the run.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { resolveCheckConfig } from './check/config.js';
import { runCampaignOn } from './check/run.js';
import { checkerNames } from './check/checkers.js';
import { defaultWorkers } from './workers/pool.js';

const { values } = parseArgs({
  options: { schedules: { type: 'string' }, seed: { type: 'string' } },
});
const config = resolveCheckConfig({
  schedules: values.schedules === undefined ? 10_000 : Number(values.schedules),
  seed: values.seed === undefined ? 1 : Number(values.seed),
});
const workers = defaultWorkers();
const started = process.hrtime.bigint();
const report = await runCampaignOn(config, workers, { keepEvents: false });
const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'check',
      seed: report.seed,
      levels: `${config.clWrite}/${config.clRead}`,
      schedules: report.schedules,
      operations: report.operations,
      violations: report.violations,
      verdict: report.verdict,
      byChecker: Object.fromEntries(
        checkerNames.map((name) => [name, report.byChecker[name].verdict]),
      ),
      changes: report.changes,
      workers,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      schedulesPerSecond: Math.round(report.schedules / wallSeconds),
      machine: `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown'}`,
      node: process.version,
    },
    null,
    2,
  )}\n`,
);
if (report.violations > 0) process.exitCode = 1;
