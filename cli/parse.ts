/**
 * Flag value parsers. Each takes the text the user typed and the flag it came with, and throws
 * RinglabError naming that flag. They check notation only: ranges belong to the config resolvers,
 * which know the other fields a range depends on.
 */
import { RinglabError, quoted } from '../engine/errors.js';
import { MAX_SEED } from '../engine/random.js';

/**
 * Plain decimal notation: an optional sign, digits without a leading zero, an optional fraction,
 * an optional exponent. Number() would also take "0x1", "0b1", "Infinity" and " 5 ", none of which
 * a user means as a parameter value.
 */
const DECIMAL = /^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?(?:0|[1-9]\d*)$/;

function badValue(flag: string, text: string, expected: string): RinglabError {
  return new RinglabError(
    'INVALID_ARGUMENT',
    `${flag} expects ${expected}, got ${quoted(text)}`,
    flag,
  );
}

export function parseInteger(text: string, flag: string): number {
  if (!INTEGER.test(text)) throw badValue(flag, text, 'a whole number in decimal, such as 12');
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw badValue(flag, text, `a whole number of at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return value;
}

export function parseNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) {
    throw badValue(flag, text, 'a decimal number, such as 0.5 or 1e-3');
  }
  return value;
}

export function parseSeed(text: string, flag: string): number {
  const value = parseInteger(text, flag);
  if (value < 0 || value > MAX_SEED) throw badValue(flag, text, `an integer 0-${MAX_SEED}`);
  return value;
}

export function parseText(text: string): string {
  return text;
}

/**
 * Wraps a parser so that a value flag given twice is an error rather than the last one winning.
 * Commander passes the value parsed so far as `previous`; it is undefined the first time only
 * because no value option here declares a commander default (each states its default in its
 * help text and the resolver applies it).
 */
export function once<T>(
  flag: string,
  parse: (text: string, flag: string) => T,
): (text: string, previous: T | undefined) => T {
  return (text, previous) => {
    if (previous !== undefined) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `${flag} was given twice (${quoted(previous)} and ${quoted(text)}); give it once`,
        flag,
      );
    }
    return parse(text, flag);
  };
}

/** A parser accepting one of `names`, for flags with a fixed set of values. */
export function oneOfNames(names: readonly string[]): (text: string, flag: string) => string {
  return (text, flag) => {
    if (!names.includes(text)) {
      throw new RinglabError(
        'UNKNOWN_NAME',
        `${flag} ${quoted(text)} is unknown; expected one of ${names.join(', ')}`,
        flag,
      );
    }
    return text;
  };
}
