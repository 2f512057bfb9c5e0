import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

/** Every numeric (and duration) flag of every command, at a value its resolver refuses. */
const outOfRange: [command: string[], flag: string, value: string][] = [];
const clusterFlags: [string, string][] = [
  ['--nodes', '0'],
  ['--nodes', '10001'],
  ['--vnodes', '0'],
  ['--vnodes', '1025'],
  ['--rf', '0'],
  ['--rf', '7'],
  ['--dcs', '0'],
  ['--dcs', '7'],
  ['--racks', '0'],
  ['--racks', '7'],
  ['--seed', '-1'],
];
for (const command of [['ring'], ['replicas', 'k'], ['bench', 'skew']]) {
  for (const [flag, value] of clusterFlags) outOfRange.push([command, flag, value]);
}
outOfRange.push(
  [['workload', 'sample'], '--items', '0'],
  [['workload', 'sample'], '--items', '4294967297'],
  [['workload', 'sample'], '--count', '0'],
  [['workload', 'sample'], '--count', '4294967296'],
  [['workload', 'sample'], '--theta', '0'],
  [['workload', 'sample'], '--theta', '1'],
  [['workload', 'sample'], '--top', '0'],
  [['workload', 'sample'], '--seed', '-1'],
  [['bench', 'skew'], '--events', '0'],
  [['bench', 'skew'], '--events', '-1'],
  [['bench', 'skew'], '--servers', '0'],
  [['bench', 'skew'], '--servers', '1000001'],
  [['bench', 'skew'], '--theta', '2'],
  [['bench', 'skew'], '--theta', '0'],
  [['bench', 'skew'], '--reads', '0'],
  [['bench', 'skew', '--strategy', 'server-salted'], '--salt', '0'],
  [['bench', 'skew', '--strategy', 'server-salted'], '--salt', '65537'],
  [['bench', 'skew', '--strategy', 'time-bucket'], '--bucket', '0'],
  [['bench', 'skew'], '--window', '0'],
  [['bench', 'skew'], '--span', '0'],
  [['bench', 'skew'], '--span', '10m'],
  [['bench', 'perf'], '--seed', '-1'],
);

describe('an out-of-range value is reported under the flag that was typed', () => {
  it.each(outOfRange)(
    '%j %s %s exits 2 and names that flag first',
    async (command, flag, value) => {
      const run = await runCli(...command, `${flag}=${value}`);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: /);
      expect(run.stderr.match(/--[a-z][a-z-]*/)?.[0]).toBe(flag);
      // Resolvers' internal names (rateEventsPerSec, serverDistribution.theta) never leak out.
      expect(run.stderr).not.toMatch(/[a-z][A-Z]|\.[a-z]+ /);
    },
  );
});
