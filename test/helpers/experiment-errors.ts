/**
 * Assertions on experiment errors: an experiment file's complaint carries the path of the field
 * at fault (`designs[0].salts`), which tests assert, with the start of the message.
 */
import { expect } from 'vitest';

import { ExperimentError } from '../../bench/experiment/schema-kit.js';

/** Runs `action`, which must throw an ExperimentError, and returns it. */
export function experimentErrorOf(action: () => unknown): ExperimentError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ExperimentError);
    return error as ExperimentError;
  }
  throw new Error('expected an ExperimentError, but nothing was thrown');
}
