import { describe, expect, it } from 'vitest';
import { parseKeys } from '../../cli/keys.js';
import { MAX_KEY_BYTES } from '../../partitioners/key-bytes.js';
import { expectRinglabError } from '../helpers/errors.js';
import { runCli, runCliIn } from '../helpers/run-cli.js';

interface TokenJson {
  keys: { key: string; token: string }[];
}

describe('--hex says what is wrong with a key', () => {
  it('an even-length key with a non-hex character names the character and its position', async () => {
    const run = await runCli('token', 'zz', '--hex');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --hex .*non-hex character "z" at position 1/);
    expect(run.stderr).not.toMatch(/even/);
  });

  it('counts the position from the start of the key as typed, 0x included', async () => {
    const run = await runCli('token', '0x0a1g', '--hex');
    expect(run.stderr).toMatch(/"g" at position 6/);
  });

  it('an odd number of digits is reported as such', async () => {
    const run = await runCli('token', 'abc', '--hex');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --hex .*odd number of hex digits \(3\)/);
  });

  it('a long bad key is shortened in the message', async () => {
    const run = await runCli('token', `${'ab'.repeat(5000)}z`, '--hex');
    expect(run.code).toBe(2);
    expect(run.stderr.length).toBeLessThan(300);
  });

  it('parseKeys refuses with INVALID_KEY on --hex', () => {
    expectRinglabError(() => parseKeys(['zz'], true), 'INVALID_KEY', '--hex');
  });
});

describe('keys over Cassandra’s 65,535-byte limit are refused', () => {
  const atLimit = 'k'.repeat(MAX_KEY_BYTES);
  const overLimit = 'k'.repeat(MAX_KEY_BYTES + 1);

  it.each([['token'], ['replicas']])('%s takes a key of exactly the limit', async (command) => {
    const run = await runCli(command, atLimit, '--json');
    expect(run.code).toBe(0);
  });

  it.each([['token'], ['replicas']])(
    '%s refuses a key one byte over, naming the limit',
    async (command) => {
      const run = await runCli(command, overLimit);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: key .*65535 bytes/);
      expect(run.stderr.length).toBeLessThan(300);
    },
  );

  it('counts UTF-8 bytes, not characters', () => {
    expectRinglabError(() => parseKeys(['é'.repeat(40_000)], false), 'INVALID_KEY', 'key');
  });

  it('checks --hex keys by their byte length', () => {
    expect(parseKeys(['00'.repeat(MAX_KEY_BYTES)], true)[0]?.bytes.length).toBe(MAX_KEY_BYTES);
    expectRinglabError(
      () => parseKeys(['00'.repeat(MAX_KEY_BYTES + 1)], true),
      'INVALID_KEY',
      'key',
    );
  });
});

describe('--keys-file reads one key per line, from a file or stdin', () => {
  it('gives the same tokens as the keys given as arguments', async () => {
    const args = await runCli('token', 'a', 'b', 'c', '--json');
    const file = await runCliIn(
      { files: { 'keys.txt': 'b\r\n\nc\n' } },
      'token',
      'a',
      '--keys-file',
      'keys.txt',
      '--json',
    );
    expect(file.code).toBe(0);
    expect((JSON.parse(file.stdout) as TokenJson).keys).toEqual(
      (JSON.parse(args.stdout) as TokenJson).keys,
    );
  });

  it('- reads stdin, for replicas too, and hex keys with --hex', async () => {
    const run = await runCliIn(
      { stdin: '68656c6c6f\n' },
      'replicas',
      '--keys-file',
      '-',
      '--hex',
      '--json',
    );
    const text = await runCli('replicas', 'hello', '--json');
    expect(run.code).toBe(0);
    const token = (out: string) => (JSON.parse(out) as TokenJson).keys[0]?.token;
    expect(token(run.stdout)).toBe(token(text.stdout));
  });

  it('a missing file exits 2 naming the flag and the file', async () => {
    const run = await runCliIn({}, 'token', '--keys-file', 'missing.txt');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --keys-file "missing.txt" .*no such file/);
  });

  it('an empty file and no arguments is an error naming the file', async () => {
    const run = await runCliIn(
      { files: { 'empty.txt': '\n' } },
      'replicas',
      '--keys-file',
      'empty.txt',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --keys-file "empty.txt" holds no keys/);
  });

  it.each([['token'], ['replicas']])(
    '%s with neither keys nor a file exits 2 saying how to give keys',
    async (command) => {
      const run = await runCli(command);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: no keys given.*--keys-file/);
    },
  );
});
