import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('a value flag given twice is refused, not taken as the last one', () => {
  it.each([
    [['ring', '--nodes', '6', '--nodes', '7'], '--nodes'],
    [['ring', '--nodes=6', '--nodes', '6'], '--nodes'],
    [['ring', '--allocator', 'random', '--allocator', 'balanced'], '--allocator'],
    [['ring', '--seed', '1', '--seed', '2'], '--seed'],
    [['token', 'k', '--partitioner', 'murmur3', '--partitioner', 'xxhash64'], '--partitioner'],
    [['token', 'k', '--keys-file', 'a', '--keys-file', 'b'], '--keys-file'],
    [['replicas', 'k', '--rf', '1', '--rf', '2'], '--rf'],
    [['workload', 'sample', '--items', '10', '--items', '20'], '--items'],
    [['workload', 'sample', '--theta', '0.5', '--theta', '0.6'], '--theta'],
    [['bench', 'skew', '--span', '1d', '--span', '2d'], '--span'],
    [['bench', 'skew', '--strategy', 'server-id', '--strategy', 'server-id'], '--strategy'],
    [['bench', 'perf', '--seed', '1', '--seed', '1'], '--seed'],
  ])('%j exits 2 naming %s', async (argv, flag) => {
    const run = await runCli(...argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^error: ${flag} was given twice`));
  });

  it('a boolean flag given twice is harmless', async () => {
    const run = await runCli('token', 'k', '--json', '--json');
    expect(run.code).toBe(0);
  });
});
