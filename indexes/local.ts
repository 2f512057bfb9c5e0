import type { IndexMode } from '../engine/index-mode.js';

/**
 * `local` (document-partitioned, as Cassandra's secondary indexes and SAI): every replica indexes
 * the rows it holds, in the same write, so a write costs no extra messages; but an index lookup
 * cannot know which replicas hold matching rows, so a query asks every token range and each
 * replica answers from its own index (it reads only the matching rows).
 */
export function localIndex(column: string): IndexMode {
  return {
    name: 'local',
    column,
    table: undefined,
    entriesFor: () => [],
    plan: (filter) => {
      const value = filter.where[column];
      return value === undefined ? undefined : { kind: 'local', column, value };
    },
  };
}
