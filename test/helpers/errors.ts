/**
 * Assertions on misuse errors. Tests check an error's stable `code` and `field`, never its
 * wording (ARCHITECTURE.md, "Outcomes and errors").
 */
import { expect } from 'vitest';

import { RinglabError, type ErrorCode } from '../../engine/errors.js';

/** Runs `action`, which must throw a RinglabError, and returns that error. */
export function catchRinglabError(action: () => unknown): RinglabError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(RinglabError);
    return error as RinglabError;
  }
  throw new Error('expected a RinglabError, but nothing was thrown');
}

/** Runs `action`, which must throw a RinglabError with this code and (when given) field. */
export function expectRinglabError(action: () => unknown, code: ErrorCode, field?: string): void {
  const error = catchRinglabError(action);
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.field).toBe(field);
}
