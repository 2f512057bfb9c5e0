/**
 * `ringlab check`'s options, resolved once at the edge: every field defaulted and checked, each
 * error naming its field.
 */
import { parseConsistencyLevel, type ConsistencyLevel } from '../../engine/consistency.js';
import { invalidConfig } from '../../engine/errors.js';
import { MAX_SEED } from '../../engine/random.js';
import { DEFAULT_SEED } from '../cluster-config.js';
import {
  aboutBytes,
  aboutDuration,
  CLEARLY_TOO_LONG_SECONDS,
  describeMachine,
  fitsMachine,
  machine,
  type Estimate,
  type Machine,
} from '../resources.js';
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

/**
 * What a campaign costs, from constants measured on the 2-core machine (Node 20): 3.5-5.5 ms of
 * one core per schedule (5.5 taken), and with `--history` about 90 KB per schedule held until the
 * histories are written (3,000 schedules: 14.6 s and 474 MB peak RSS with, 10.1 s and 212 MB
 * without). Histories are written after the campaign, so they are all in memory at once.
 */
export const CHECK_COST = {
  secondsPerSchedule: 0.0055,
  baseBytes: 150 * 2 ** 20,
  historyBytesPerSchedule: 90 * 2 ** 10,
} as const;

export function estimateCheck(
  config: CheckConfig,
  options: { readonly workers: number; readonly history: boolean; readonly cores: number },
): Estimate {
  const threads = Math.max(1, Math.min(options.workers, options.cores));
  return {
    seconds: (config.schedules * CHECK_COST.secondsPerSchedule) / threads,
    bytes:
      CHECK_COST.baseBytes +
      (options.history ? config.schedules * CHECK_COST.historyBytesPerSchedule : 0),
  };
}

/**
 * Refuses, before anything runs, a campaign that would clearly exceed this machine: its memory
 * (histories kept for --history) or an hour, with the estimate and what to do instead.
 */
export function refuseCostlyCheck(
  config: CheckConfig,
  options: { readonly workers: number; readonly history: boolean },
  of: Machine = machine(),
): void {
  const estimate = estimateCheck(config, { ...options, cores: of.cores });
  const threads = Math.max(1, Math.min(options.workers, of.cores));
  if (fitsMachine(estimate, { maxSeconds: CLEARLY_TOO_LONG_SECONDS, of })) return;
  throw invalidConfig(
    'schedules',
    `${config.schedules.toLocaleString('en-US')}${options.history ? ' with --history' : ''} would need about ${aboutBytes(estimate.bytes)} of memory and take about ${aboutDuration(estimate.seconds)} on ${threads} worker${threads === 1 ? '' : 's'}, against this machine's ${describeMachine(of)}; run fewer schedules${options.history ? ', or without --history' : ''}, or split the campaign over several seeds (--seed)`,
  );
}
