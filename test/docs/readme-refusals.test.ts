/**
 * README pastes of refusals: a ```text block that starts with `$ npx ringlab ...`, shows what it
 * prints on stderr and ends with `$ echo $?` and the exit code. The test runs each in-process
 * and compares; the machine a refusal describes ("4.0 GiB of memory a run may use (of 23.5 GiB
 * RAM, 2 cores)") is the one the paste was made on, so that phrase is compared by its shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const MACHINE = /[\d.]+ [GMT]iB of memory a run may use \(of [\d.]+ [GMT]iB RAM, \d+ cores?\)/g;
const machineFree = (text: string): string => text.replace(MACHINE, '<machine>');

const refusals = [
  ...readme.matchAll(/```text\n\$ (npx ringlab [^\n]*)\n([\s\S]*?)\$ echo \$\?\n(\d+)\n```/g),
].map((match) => ({ command: match[1]!, stderr: match[2]!, code: Number(match[3]) }));

describe('README refusal pastes', () => {
  it('are there to check', () => {
    expect(refusals.length).toBeGreaterThanOrEqual(1);
  });

  it.each(refusals)('shows what `$command` prints today', async ({ command, stderr, code }) => {
    const run = await runCli(...command.split(/\s+/).slice(2));
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(machineFree(run.stderr)).toBe(machineFree(stderr));
  });
});
