/**
 * The resource guard: what this machine allows a run, and the refusal of a run that would
 * clearly not fit it, given before anything runs, with an estimate and what to change.
 *
 * Every command sizes its run from a config (events, rows, nodes × vnodes, sweep points), and
 * its own estimator turns that config into bytes and seconds from constants measured on it
 * (cluster-config.ts clusterCost, simulate/budget.ts, skew/budget.ts, rebalance/resolve.ts, each
 * kata's estimateSeconds). Those estimators compare against the limits stated here, read from
 * this machine: the memory a run may use (the V8 heap limit, never more than a share of the RAM,
 * `os.totalmem()`) and the cores a sweep runs on (`os.availableParallelism()`). A size past the
 * largest a command supports at all (10^12 events, a million nodes) is refused here too, with
 * what it would cost, rather than with a bare range.
 */
import { availableParallelism, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

import { invalidConfig } from '../engine/errors.js';

export interface Machine {
  /** Physical memory, `os.totalmem()`. */
  readonly totalBytes: number;
  /** Cores this process may run on, `os.availableParallelism()`. */
  readonly cores: number;
  /** This process's V8 heap limit (raised with --max-old-space-size). */
  readonly heapLimitBytes: number;
}

export function machine(): Machine {
  return {
    totalBytes: totalmem(),
    cores: availableParallelism(),
    heapLimitBytes: getHeapStatistics().heap_size_limit,
  };
}

/** Of the RAM, the share one run may plan on: the system and other processes need the rest. */
export const RAM_SHARE = 0.5;

/** The memory a run may plan on: the heap limit, and never more than RAM_SHARE of the RAM. */
export function memoryLimitBytes(of: Machine = machine()): number {
  return Math.min(of.heapLimitBytes, of.totalBytes * RAM_SHARE);
}

/** What a run will cost, as every estimator states it. */
export interface Estimate {
  readonly bytes: number;
  readonly seconds: number;
}

/** An estimated duration as refusals state it: "45 s", "28 min", "3 h", "2 days". */
export function aboutDuration(seconds: number): string {
  if (seconds < 120) return `${Math.ceil(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400).toLocaleString('en-US')} days`;
}

/** An estimated size as refusals state it: "300 MiB", "4.5 GiB", "3.6 TiB". */
export function aboutBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  if (gib >= 1024) return `${(gib / 1024).toFixed(1)} TiB`;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/** "7.8 GiB of memory (of 16.0 GiB RAM, 4 cores)": what the machine allows, for messages. */
export function describeMachine(of: Machine = machine()): string {
  return `${aboutBytes(memoryLimitBytes(of))} of memory a run may use (of ${aboutBytes(of.totalBytes)} RAM, ${of.cores} core${of.cores === 1 ? '' : 's'})`;
}

export interface Oversize {
  /** The field (flag) the size came from, e.g. `events`. */
  readonly field: string;
  readonly value: number;
  /** The largest value the command supports. */
  readonly max: number;
  /** What the value is, e.g. "stored events", for "... is over the 100,000,000 stored events". */
  readonly unit: string;
  readonly estimate: Estimate;
  /** What to do instead: "lower --events, or ...". */
  readonly suggestion: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A run estimated to take longer than this clearly exceeds what a run may take. */
export const CLEARLY_TOO_LONG_SECONDS = 3600;

/**
 * Refuses a size past the largest a command supports whose estimate clearly exceeds this machine
 * (its memory, or an hour), stating what it would cost: `events 1,000,000,000,000 would need
 * about 382.0 TiB of memory and take about 463 days, ...`. A size past the maximum that would
 * still fit is left to the caller's range check, which states the range.
 */
export function refuseOversized(size: Oversize, of: Machine = machine()): void {
  const { field, value, max, unit, estimate, suggestion } = size;
  if (fitsMachine(estimate, { maxSeconds: CLEARLY_TOO_LONG_SECONDS, of })) return;
  throw invalidConfig(
    field,
    `${count(value)} would need about ${aboutBytes(estimate.bytes)} of memory and take about ${aboutDuration(estimate.seconds)}, against this machine's ${describeMachine(of)}; at most ${count(max)} ${unit} are supported: ${suggestion}`,
  );
}

/**
 * Whether an estimate fits this machine's memory (and `maxSeconds`, when given): the check every
 * estimator's refusal comes down to.
 */
export function fitsMachine(
  estimate: Estimate,
  options: { readonly maxSeconds?: number; readonly maxBytes?: number; readonly of?: Machine } = {},
): boolean {
  const limit = Math.min(options.maxBytes ?? Infinity, memoryLimitBytes(options.of));
  return estimate.bytes <= limit && estimate.seconds <= (options.maxSeconds ?? Infinity);
}
