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
});
