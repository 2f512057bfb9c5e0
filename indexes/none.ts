import type { IndexMode } from '../engine/index-mode.js';

/** `none`: no index. A query on any column that the key does not route is a filtering scan. */
export function noIndex(): IndexMode {
  return {
    name: 'none',
    column: undefined,
    table: undefined,
    entriesFor: () => [],
    plan: () => ({ kind: 'filtering-scan' }),
  };
}
