import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import { runCli } from '../helpers/run-cli.js';

const quietIo = {
  out: () => {},
  err: () => {},
  errIsTty: false,
  readFile: () => Promise.reject(new Error('no files here')),
  readStdin: () => Promise.resolve(''),
  writeFile: () => Promise.reject(new Error('no files here')),
  makeDir: () => Promise.reject(new Error('no files here')),
  pathKind: () => Promise.resolve('missing' as const),
};

/** Every command with the words that reach it: [], ['token'], ['bench', 'skew'], ... */
function commandsOf(command: Command, path: string[] = []): [string[], Command][] {
  return [
    [path, command],
    ...command.commands.flatMap((sub) => commandsOf(sub, [...path, sub.name()])),
  ];
}

const commands = commandsOf(buildProgram(quietIo));

/** An option whose parser turns "1" into a number takes a number. */
function isNumeric(option: Option): boolean {
  try {
    return typeof option.parseArg?.('1', undefined) === 'number';
  } catch {
    return false;
  }
}

/** "1-10000", "0-9007199254740991", "1 to --nodes", "at least 1", "0 < t < 1". */
const RANGE = /\d-\d|\d to |at least \d|\d < \w+ < \d/;

describe('every command’s help has examples, and every number its range', () => {
  it('finds the commands to check', () => {
    expect(commands.map(([path]) => path.join(' '))).toEqual(
      expect.arrayContaining([
        '',
        'token',
        'ring',
        'replicas',
        'workload sample',
        'bench skew',
        'bench perf',
      ]),
    );
  });

  it.each(commands.map(([path]) => [path.join(' ') || '(ringlab)', path]))(
    '%s --help shows an Examples: section',
    async (_, path) => {
      const run = await runCli(...path, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/\nExamples:\n {2}\$ ringlab /);
    },
  );

  const numeric = commands.flatMap(([path, command]) =>
    command.options
      .filter(isNumeric)
      .map((option) => [`${path.join(' ')} ${option.long}`, option] as const),
  );

  it('finds numeric options to check', () => {
    expect(numeric.length).toBeGreaterThan(20);
  });

  it.each(numeric)('%s states its accepted range and default', (_, option) => {
    expect(option.description).toMatch(RANGE);
    expect(option.description).toMatch(/\(default: [^)]+\)$/);
  });

  const durations = commands.flatMap(([path, command]) =>
    command.options
      .filter((option) => option.flags.includes('<duration>'))
      .map((option) => [`${path.join(' ')} ${option.long}`, option] as const),
  );

  it.each(durations)('%s shows its units by example', (_, option) => {
    expect(option.description).toMatch(/e\.g\. \d+(ms|s|m|h|d)\b/);
  });

  it('no value option has a commander default, which would hide a repeated flag', () => {
    for (const [, command] of commands) {
      for (const option of command.options) {
        if (option.required)
          expect([option.long, option.defaultValue]).toEqual([option.long, undefined]);
      }
    }
  });
});
