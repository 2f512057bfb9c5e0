/**
 * The one error class for misuse: a bad config, an unknown name, an argument out of range.
 * Outcomes of simulated operations (unavailable, timeout) are values, never errors.
 *
 * `code` is stable and is what tests assert; `field` names the offending input so that the
 * CLI can say which flag to fix.
 */
export type ErrorCode =
  'INVALID_CONFIG' | 'INVALID_ARGUMENT' | 'UNKNOWN_NAME' | 'UNKNOWN_NODE' | 'INVALID_KEY';

export class RinglabError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'RinglabError';
    this.code = code;
    this.field = field;
  }
}

export function invalidConfig(field: string, message: string): RinglabError {
  return new RinglabError('INVALID_CONFIG', `${field} ${message}`, field);
}

/**
 * A user-given value as error messages quote it: in double quotes, and cut in the middle past
 * `max` characters, so that a 70 KB key or a pasted file does not flood the terminal.
 */
export function quoted(value: unknown, max = 48): string {
  const text = String(value);
  if (text.length <= max) return `"${text}"`;
  const keep = Math.floor((max - 1) / 2);
  return `"${text.slice(0, keep)}…${text.slice(-keep)}" (${text.length} characters)`;
}

export function isRinglabError(error: unknown): error is RinglabError {
  return error instanceof RinglabError;
}
