/**
 * `ringlab check`'s options, resolved once at the edge: every field defaulted and checked, each
 * error naming its field.
 */
import { parseConsistencyLevel, type ConsistencyLevel } from '../../engine/consistency.js';
import { invalidConfig } from '../../engine/errors.js';
import { MAX_SEED } from '../../engine/random.js';
import { DEFAULT_SEED } from '../cluster-config.js';
import { SCHEDULE_SHAPE, type ScheduleShape } from './schedule.js';

export interface CheckOptionsInput {
  readonly seed?: number | undefined;
  readonly schedules?: number | undefined;
  readonly clWrite?: string | undefined;
  readonly clRead?: string | undefined;
  /** One schedule's own seed, as a failure prints it: run only that schedule. */
  readonly replay?: number | undefined;
}

export interface CheckConfig {
  readonly seed: number;
  /** The seeds of the schedules to run, drawn from `seed` (or the one being replayed). */
  readonly schedules: number;
  readonly clWrite: ConsistencyLevel;
  readonly clRead: ConsistencyLevel;
  readonly replay: number | undefined;
  readonly shape: ScheduleShape;
}

export const CHECK_DEFAULTS = { schedules: 100, clWrite: 'QUORUM', clRead: 'QUORUM' } as const;
export const MAX_SCHEDULES = 1_000_000;

export function resolveCheckConfig(input: CheckOptionsInput): CheckConfig {
  const seed = input.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw invalidConfig('seed', `must be an integer between 0 and ${MAX_SEED}, got ${seed}`);
  }
  const schedules = input.schedules ?? CHECK_DEFAULTS.schedules;
  if (!Number.isSafeInteger(schedules) || schedules < 1 || schedules > MAX_SCHEDULES) {
    throw invalidConfig(
      'schedules',
      `must be an integer between 1 and ${MAX_SCHEDULES}, got ${schedules}`,
    );
  }
  const replay = input.replay;
  if (replay !== undefined && (!Number.isSafeInteger(replay) || replay < 0 || replay > MAX_SEED)) {
    throw invalidConfig('replay', `must be a schedule's seed, 0-${MAX_SEED}, got ${replay}`);
  }
  return {
    seed,
    schedules: replay === undefined ? schedules : 1,
    clWrite: level('clWrite', input.clWrite ?? CHECK_DEFAULTS.clWrite),
    clRead: level('clRead', input.clRead ?? CHECK_DEFAULTS.clRead),
    replay,
    shape: SCHEDULE_SHAPE,
  };
}

function level(field: string, text: string): ConsistencyLevel {
  try {
    return parseConsistencyLevel(text);
  } catch (error) {
    throw invalidConfig(field, (error as Error).message);
  }
}
