import { quoted, RinglabError } from './errors.js';
import { rfInDc, totalRf, type ReplicationStrategy } from './replication.js';

export const consistencyLevels = [
  'ONE',
  'TWO',
  'THREE',
  'QUORUM',
  'ALL',
  'LOCAL_QUORUM',
  'LOCAL_ONE',
] as const;
export type ConsistencyLevel = (typeof consistencyLevels)[number];

export function parseConsistencyLevel(text: string): ConsistencyLevel {
  const upper = text.toUpperCase();
  const found = consistencyLevels.find((cl) => cl === upper);
  if (!found) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `unknown consistency level "${text}"; expected one of ${consistencyLevels.join(', ')}`,
      'cl',
    );
  }
  return found;
}

/** LOCAL_* levels count only replicas in the coordinator's DC. */
export function isDcLocal(cl: ConsistencyLevel): boolean {
  return cl === 'LOCAL_QUORUM' || cl === 'LOCAL_ONE';
}

/**
 * How many replica acknowledgements a level needs (Cassandra's blockFor). Quorum is
 * floor(rf / 2) + 1 over all replicas; LOCAL_QUORUM uses the local DC's rf.
 */
export function blockFor(
  cl: ConsistencyLevel,
  strategy: ReplicationStrategy,
  localDc: string,
): number {
  switch (cl) {
    case 'ONE':
    case 'LOCAL_ONE':
      return 1;
    case 'TWO':
      return 2;
    case 'THREE':
      return 3;
    case 'QUORUM':
      return Math.floor(totalRf(strategy) / 2) + 1;
    case 'ALL':
      return totalRf(strategy);
    case 'LOCAL_QUORUM':
      return Math.floor(rfInDc(strategy, localDc) / 2) + 1;
  }
}

/**
 * blockFor of every level for one strategy and local DC, computed once (it depends only on the
 * level), as a lookup that refuses anything that is not a level: the library's callers pass
 * levels as strings, and `'quorum'` or a typo must throw, not make every write succeed.
 */
export function levelRequirements(
  strategy: ReplicationStrategy,
  localDc: string,
): (cl: ConsistencyLevel) => number {
  const required = new Map<string, number>(
    consistencyLevels.map((cl) => [cl, blockFor(cl, strategy, localDc)]),
  );
  return (cl) => {
    const need = required.get(cl);
    if (need === undefined) {
      throw new RinglabError(
        'UNKNOWN_NAME',
        `unknown consistency level ${quoted(cl)}; expected one of ${consistencyLevels.join(', ')}`,
        'cl',
      );
    }
    return need;
  };
}
