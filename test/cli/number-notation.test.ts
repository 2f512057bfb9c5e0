import { describe, expect, it } from 'vitest';
import { parseInteger, parseNumber } from '../../cli/parse.js';
import { expectRinglabError } from '../helpers/errors.js';
import { runCli } from '../helpers/run-cli.js';

describe('numbers are read in plain decimal notation only', () => {
  it.each(['0.5', '-0.5', '+0.5', '1e3', '1E-3', '0', '12.25'])('parseNumber takes %j', (text) => {
    expect(parseNumber(text, '--theta')).toBe(Number(text));
  });

  it.each([
    '0x1',
    '0b1',
    '0o1',
    'Infinity',
    '-Infinity',
    'NaN',
    ' 1',
    '1 ',
    '',
    '.5',
    '5.',
    '01',
    '1e',
    '1_000',
    '\t1',
  ])('parseNumber refuses %j', (text) => {
    expectRinglabError(() => parseNumber(text, '--theta'), 'INVALID_ARGUMENT', '--theta');
  });

  it.each(['0', '5', '+5', '-5', '10000'])('parseInteger takes %j', (text) => {
    expect(parseInteger(text, '--nodes')).toBe(Number(text));
  });

  it.each([' 5', '5 ', '05', '0x10', '5.0', '1e3', '', '9007199254740993'])(
    'parseInteger refuses %j',
    (text) => {
      expectRinglabError(() => parseInteger(text, '--nodes'), 'INVALID_ARGUMENT', '--nodes');
    },
  );

  it.each([
    [['bench', 'skew', '--theta', '0x1'], '--theta'],
    [['workload', 'sample', '--theta', 'Infinity'], '--theta'],
    [['ring', '--nodes', '0x6'], '--nodes'],
    [['ring', '--seed', '1e3'], '--seed'],
  ])('%j exits 2 naming %s', async (argv, flag) => {
    const run = await runCli(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^error: ${flag} expects`));
  });
});
