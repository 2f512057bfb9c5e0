import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const small = ['--events', '2000', '--servers', '50', '--reads', '20', '--nodes', '4'];

describe('bench skew refuses a flag that cannot apply', () => {
  it.each([
    [['--compare', '--strategy', 'server-id'], '--strategy'],
    [['--salt', '4'], '--salt'],
    [['--strategy', 'time-bucket', '--salt', 'adaptive'], '--salt'],
    [['--dist', 'uniform', '--theta', '0.5'], '--theta'],
    [['--dist', 'hotspot', '--theta', '0.5'], '--theta'],
    [['--strategy', 'server-id', '--bucket', '30m', '--window', '10m'], '--bucket'],
  ])('%j exits 2 naming %s', async (flags, flag) => {
    const run = await runCli('bench', 'skew', ...small, ...flags);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^error: ${flag} `));
  });
});

describe('bench skew warns about a flag that applies only in part', () => {
  it('--bucket without time-bucket runs, sets the window and says so on stderr', async () => {
    const run = await runCli('bench', 'skew', ...small, '--bucket', '30m', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: --bucket .*window/);
    expect(JSON.parse(run.stdout).config.windowMs).toBe(30 * 60_000);
  });
});

describe('bench skew takes flags that apply without a word', () => {
  it.each([
    [['--strategy', 'server-salted', '--salt', '4']],
    [['--compare', '--salt', '4', '--bucket', '2h']],
    [['--strategy', 'time-bucket', '--bucket', '2h']],
    [['--dist', 'latest', '--theta', '0.5']],
  ])('%j runs with an empty stderr', async (flags) => {
    const run = await runCli('bench', 'skew', ...small, ...flags, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
