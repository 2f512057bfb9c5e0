/**
 * Counterexamples the bad-input fuzzing (fuzz-bad-input.test.ts) found, each pinned as it was
 * found, after its fix: exit 2, the flag or field named, no stack trace, nothing written.
 */
import { describe, expect, it } from 'vitest';
import { runCliIn, type CliRun } from '../helpers/run-cli.js';

function expectRefused(run: CliRun, mention: string): void {
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(mention);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).toBe('');
  expect(run.written).toEqual({});
}

describe('bad input the fuzzing found', () => {
  it('kata --export refuses --workers, which it would ignore (kata orders --export json --workers=0)', async () => {
    expectRefused(
      await runCliIn({}, 'kata', 'orders', '--export', 'json', '--workers=0'),
      '--workers',
    );
    expectRefused(
      await runCliIn({}, 'kata', 'orders', '--export', 'json', '--workers', '2'),
      '--workers',
    );
  });

  it('--salt refuses a leading zero as every count flag does (simulate --salt=01)', async () => {
    expectRefused(await runCliIn({}, 'simulate', '--events', '2000', '--salt=01'), '--salt');
    expectRefused(await runCliIn({}, 'bench', 'skew', '--salt', '007'), '--salt');
  });

  it('--read-mix of a kata is parsed as simulate parses --reads (logsentry --read-mix=by-server:1,by-server:1)', async () => {
    const kata = ['kata', 'logsentry', '--export', 'json'];
    expectRefused(await runCliIn({}, ...kata, '--read-mix=by-server:1,by-server:1'), '--read-mix');
    expectRefused(await runCliIn({}, ...kata, '--read-mix=by-server:0x10'), '--read-mix');
  });

  it('kata api-usage-log --fault takes a fault, and repeats (it refused every spec: the list got a string)', async () => {
    const kata = ['kata', 'api-usage-log', '--events', '200', '--rate', '100', '--export', 'json'];
    const one = await runCliIn({}, ...kata, '--fault', 'crash:n3@1s');
    expect([one.code, one.stderr]).toEqual([0, '']);
    expect(JSON.parse(one.stdout).faults).toEqual(['crash:n3@1s']);
    const two = await runCliIn(
      {},
      ...kata,
      '--fault',
      'crash:n3@1s',
      '--fault',
      'recover:n3@1500ms',
    );
    expect(JSON.parse(two.stdout).faults).toEqual(['crash:n3@1s', 'recover:n3@1500ms']);
    expectRefused(await runCliIn({}, ...kata, '--fault', 'crash:n3@9s'), '--fault');
  });

  it('the flags whose bad values are fuzzed accept a good one (the fuzzing cannot pass by refusing all)', async () => {
    const cases = [
      ['kata', 'logsentry', '--export', 'json', '--read-mix', 'by-server:1,by-time:0.5'],
      ['kata', 'log-feeding', '--export', 'json', '--crash', 'n2'],
      ['kata', 'orders', '--export', 'json', '--read-cl', 'one'],
      ['kata', 'orders', '--export', 'json', '--months', '12'],
    ];
    for (const argv of cases) {
      const run = await runCliIn({}, ...argv);
      expect([argv, run.code, run.stderr]).toEqual([argv, 0, '']);
    }
  });
});
