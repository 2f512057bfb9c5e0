import { RinglabError } from '../engine/errors.js';
import type { RebalanceStrategy } from '../engine/rebalance.js';
import { dynamic } from './dynamic.js';
import { fixedPartitions } from './fixed-partitions.js';
import { modN } from './mod-n.js';
import { vnodesBalanced, vnodesRandom } from './vnodes.js';

export { modN, moduloRing } from './mod-n.js';
export { fixedPartitions } from './fixed-partitions.js';
export { dynamic } from './dynamic.js';
export { vnodesBalanced, vnodesRandom } from './vnodes.js';

/**
 * The rebalancing-strategy registry: one name, one strategy. `engine/` never imports one;
 * `bench/` resolves a name here.
 */
const strategies = {
  'mod-n': modN,
  'fixed-partitions': fixedPartitions,
  dynamic,
  'vnodes-random': vnodesRandom,
  'vnodes-balanced': vnodesBalanced,
} as const satisfies Record<string, RebalanceStrategy>;

export type RebalanceStrategyName = keyof typeof strategies;
export const rebalanceStrategyNames = Object.keys(strategies) as RebalanceStrategyName[];

export function getRebalanceStrategy(name: string): RebalanceStrategy {
  if (!Object.hasOwn(strategies, name)) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `unknown rebalancing strategy "${name}"; expected one of ${rebalanceStrategyNames.join(', ')}`,
      'strategy',
    );
  }
  return strategies[name as RebalanceStrategyName];
}
