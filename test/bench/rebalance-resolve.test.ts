/** The rebalance resolver refuses what cannot run, naming the flag to change. */
import { describe, it } from 'vitest';
import { resolveRebalanceConfig } from '../../bench/rebalance.js';
import { expectRinglabError } from '../helpers/errors.js';

describe('resolveRebalanceConfig refuses up front', () => {
  it('a change of too many nodes, naming the change (each lays out a ring of its own)', () => {
    expectRinglabError(
      () => resolveRebalanceConfig({ nodes: 10, add: 9_000, rows: 1_000 }),
      'INVALID_CONFIG',
      'add',
    );
  });

  it('too many rows, naming rows', () => {
    expectRinglabError(
      () => resolveRebalanceConfig({ add: 1, rows: 19_000_000 }),
      'INVALID_CONFIG',
      'rows',
    );
  });

  it('two changes at once, and none', () => {
    expectRinglabError(
      () => resolveRebalanceConfig({ add: 1, remove: 1 }),
      'INVALID_CONFIG',
      'change',
    );
    expectRinglabError(() => resolveRebalanceConfig({}), 'INVALID_CONFIG', 'change');
  });

  it('--partitions with a strategy it does not apply to, and --allocator at all', () => {
    expectRinglabError(
      () => resolveRebalanceConfig({ add: 1, strategy: 'vnodes-random', partitions: 64 }),
      'INVALID_CONFIG',
      'partitions',
    );
    expectRinglabError(
      () => resolveRebalanceConfig({ add: 1, allocator: 'random' }),
      'INVALID_CONFIG',
      'allocator',
    );
  });

  it('vnodes past 1,024 nodes are not held to a partition count', () => {
    resolveRebalanceConfig({ nodes: 1_100, add: 1, rows: 1_000 });
  });
});
