import { RinglabError } from '../engine/errors.js';
import type { Partitioner } from '../engine/partitioner.js';
import type { TokenFunction } from '../engine/token.js';
import { composite, DAY_MS } from './composite.js';
import { hashEventId } from './hash-event-id.js';
import { serverId } from './server-id.js';
import { serverSalted, type SaltMode } from './server-salted.js';
import { timeBucket } from './time-bucket.js';
import { getTokenFunction } from './token-functions.js';

export { getTokenFunction, tokenFunctionNames, type TokenFunctionName } from './token-functions.js';
export { composite, bucketOf, DAY_MS, type KeyComponent, type BucketUnit } from './composite.js';
export {
  serverSalted,
  type SaltMode,
  type SaltMetadata,
  type SaltedPartitioner,
} from './server-salted.js';
export { timeBucket } from './time-bucket.js';
export { serverId } from './server-id.js';
export { hashEventId } from './hash-event-id.js';

/**
 * The key-strategy registry: one name, one factory, over one resolved options value. `engine/`
 * never imports a concrete strategy; `bench/` resolves a name here. Each factory takes what it
 * needs from the options and ignores the rest.
 */
export interface StrategyOptions {
  /** The token function for hashed strategies (time-bucket always uses byte-ordered). */
  readonly tokenFunction: TokenFunction;
  readonly salt: SaltMode;
  readonly bucketMs: number;
  /** The time span the data is expected to cover, for pre-splitting range-partitioned rings. */
  readonly startMs: number;
  readonly spanMs: number;
}

const strategies = {
  'hash-event-id': (options: StrategyOptions): Partitioner => hashEventId(options.tokenFunction),
  'server-id': (options: StrategyOptions): Partitioner => serverId(options.tokenFunction),
  'server-salted': (options: StrategyOptions): Partitioner =>
    serverSalted({ tokenFunction: options.tokenFunction, mode: options.salt }),
  'time-bucket': (options: StrategyOptions): Partitioner =>
    timeBucket({
      tokenFunction: getTokenFunction('byte-ordered'),
      bucketMs: options.bucketMs,
      startMs: options.startMs,
      spanMs: options.spanMs,
    }),
  'server-day': (options: StrategyOptions): Partitioner =>
    composite({
      name: 'server-day',
      tokenFunction: options.tokenFunction,
      components: [
        { kind: 'text', column: 'server_id' },
        { kind: 'bucket', column: 'ts', label: 'day', unit: { kind: 'fixed', ms: DAY_MS } },
      ],
    }),
} as const satisfies Record<string, (options: StrategyOptions) => Partitioner>;

export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategies, name);
}

export function createPartitioner(name: string, options: StrategyOptions): Partitioner {
  if (!isStrategyName(name)) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `unknown strategy "${name}"; expected one of ${strategyNames.join(', ')}`,
      'strategy',
    );
  }
  return strategies[name](options);
}
