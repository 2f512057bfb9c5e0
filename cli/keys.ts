/** Partition keys as `token` and `replicas` take them: arguments, a file, or stdin. */
import { Option } from 'commander';
import { RinglabError, isRinglabError, quoted } from '../engine/errors.js';
import { MAX_KEY_BYTES, textBytes } from '../partitioners/key-bytes.js';
import type { Io } from './io.js';
import { textOption } from './options.js';

export interface Key {
  readonly label: string;
  readonly bytes: Uint8Array;
}

export interface KeyFlags {
  hex?: boolean;
  keysFile?: string;
}

export function keyOptions(): Option[] {
  return [
    new Option('--hex', 'read keys as hex bytes, e.g. 0a1b or 0x0a1b'),
    textOption(
      '--keys-file <file>',
      'read keys from a file, one per line (blank lines skipped); - reads stdin',
    ),
  ];
}

/** The keys of the command line followed by those of --keys-file; at least one in all. */
export async function gatherKeys(io: Io, args: readonly string[], flags: KeyFlags): Promise<Key[]> {
  const fromFile =
    flags.keysFile === undefined ? [] : linesOf(await readKeysFile(io, flags.keysFile));
  const texts = [...args, ...fromFile];
  if (texts.length === 0) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      flags.keysFile === undefined
        ? 'no keys given: pass keys as arguments or with --keys-file <file>'
        : `--keys-file ${quoted(flags.keysFile)} holds no keys (and none were given as arguments)`,
      flags.keysFile === undefined ? 'key' : '--keys-file',
    );
  }
  return parseKeys(texts, flags.hex ?? false);
}

async function readKeysFile(io: Io, path: string): Promise<string> {
  try {
    return path === '-' ? await io.readStdin() : await io.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : error instanceof Error
              ? error.message
              : String(error);
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `--keys-file ${quoted(path === '-' ? 'stdin' : path)} cannot be read: ${reason}`,
      '--keys-file',
    );
  }
}

function linesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line !== '');
}

/** Keys as given: UTF-8 strings, or hex bytes with `hex`; each within Cassandra's key limit. */
export function parseKeys(keys: readonly string[], hex: boolean): Key[] {
  return keys.map((key) => ({ label: key, bytes: hex ? hexBytes(key) : utf8Bytes(key) }));
}

function utf8Bytes(key: string): Uint8Array {
  try {
    return textBytes(key);
  } catch (error) {
    if (isRinglabError(error) && error.code === 'INVALID_KEY')
      throw tooLong(key, Buffer.byteLength(key));
    throw error;
  }
}

function hexBytes(key: string): Uint8Array {
  const digits = /^0[xX]/.test(key) ? key.slice(2) : key;
  const bad = digits.search(/[^0-9a-fA-F]/);
  if (bad >= 0) {
    const position = bad + key.length - digits.length + 1;
    throw new RinglabError(
      'INVALID_KEY',
      `--hex key ${quoted(key)} has a non-hex character ${quoted(digits[bad])} at position ${position}; use 0-9 and a-f, e.g. 0a1b or 0x0a1b`,
      '--hex',
    );
  }
  if (digits.length % 2 === 1) {
    throw new RinglabError(
      'INVALID_KEY',
      `--hex key ${quoted(key)} has an odd number of hex digits (${digits.length}); each byte takes two, e.g. 0a1b`,
      '--hex',
    );
  }
  if (digits.length / 2 > MAX_KEY_BYTES) throw tooLong(key, digits.length / 2);
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

function tooLong(key: string, bytes: number): RinglabError {
  return new RinglabError(
    'INVALID_KEY',
    `key ${quoted(key)} is ${bytes} bytes; Cassandra refuses partition keys over ${MAX_KEY_BYTES} bytes`,
    'key',
  );
}
