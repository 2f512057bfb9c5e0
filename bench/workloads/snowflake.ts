/**
 * Snowflake ids for a fleet of log producers: one generator per service instance, its machine id
 * the instance's number, so ids from different instances never collide, and every id carries its
 * millisecond: ids sort by time (then machine, then sequence), which is what lets a log store
 * find an event's time bucket from its id alone. The bit layout and the generator are ids.ts's.
 */
import { invalidConfig } from '../../engine/errors.js';
import {
  createSnowflake,
  decodeSnowflake,
  TWITTER_EPOCH_MS,
  type IdGenerator,
  type SnowflakeParts,
} from './ids.js';

/** Machine ids are 10 bits. */
export const MAX_INSTANCES = 1024;

export interface SnowflakeFleet {
  readonly instances: number;
  /** The id of an event instance `instance` logged at `tsMs` (integer unix ms). */
  next(instance: number, tsMs: number): string;
}

export function createSnowflakeFleet(
  instances: number,
  epochMs = TWITTER_EPOCH_MS,
): SnowflakeFleet {
  if (!Number.isSafeInteger(instances) || instances < 1 || instances > MAX_INSTANCES) {
    throw invalidConfig(
      'instances',
      `must be an integer from 1 to ${MAX_INSTANCES}, got ${instances}`,
    );
  }
  const generators: IdGenerator[] = Array.from({ length: instances }, (_, machineId) =>
    createSnowflake({ epochMs, machineId }),
  );
  return {
    instances,
    next: (instance, tsMs) => generators[instance]!.next(tsMs),
  };
}

/** The millisecond, machine and sequence of an id. */
export function snowflakeParts(id: string, epochMs = TWITTER_EPOCH_MS): SnowflakeParts {
  return decodeSnowflake(id, epochMs);
}
