import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const small = ['simulate', '--events', '1500', '--rate', '1000', '--read-rate', '100'];

describe('ringlab simulate', () => {
  it('--help shows examples, the fault forms and ranges', async () => {
    const run = await runCli('simulate', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nExamples:\n {2}\$ ringlab simulate/);
    expect(run.stdout).toContain('partition:n1,n2/n3,n4@5s-20s');
    expect(run.stdout).toMatch(/--nodes <n> +number of nodes.*\(default: 12\)/s);
    expect(run.stdout).toMatch(/--events <n> +events to write, 1-100,000,000/);
  });

  it('--json prints one document saying what produced it', async () => {
    const run = await runCli(
      ...small,
      '--fault',
      'crash:n2@100ms',
      '--fault',
      'recover:n2@1s',
      '--json',
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'seed',
        'config',
        'operations',
        'index',
        'hints',
        'readRepairs',
        'speculativeRetries',
        'nodes',
        'timeline',
      ]),
    );
    expect(report.seed).toBe(1);
    expect(report.config.faults).toHaveLength(2);
    expect(Object.keys(report.operations.write)).toEqual(
      expect.arrayContaining(['count', 'outcomes', 'latencyMs']),
    );
    expect(Object.keys(report.operations.write.latencyMs)).toEqual(['p50', 'p95', 'p99', 'max']);
  });

  it('renders tables and a timeline as text', async () => {
    const run = await runCli(...small);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^kind +count +ok/m);
    expect(run.stdout).toContain('timeline, per virtual second');
    expect(run.stdout).toMatch(/^seed 1$/m);
  });

  it.each([
    [
      ['--fault', 'crash:n99@10ms'],
      /^error: --fault "crash:n99@10ms": node n99 is not in the cluster \(n1\.\.n12\)/,
    ],
    [['--fault', 'slow:n2x0@1ms'], /^error: --fault "slow:n2x0@1ms": factor must be > 1/],
    [['--reads', 'by-server:0.9,by-sever:0.1'], /^error: --reads .*"by-sever:0.1"/],
    [['--speculative', 'soon'], /^error: --speculative /],
    [['--read-rate', '-1'], /^error: --read-rate /],
    [['--index-buckets', '4'], /^error: --index-buckets applies only/],
    [['--cl', 'MOST'], /^error: --cl "MOST" is unknown/],
    [['--events', '1', '--events', '2'], /^error: --events was given twice/],
  ])('%j exits 2 with %s', async (flags, message) => {
    const run = await runCli(...small, ...flags);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
