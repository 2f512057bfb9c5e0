import { RinglabError } from '../engine/errors.js';
import type { IndexMode } from '../engine/index-mode.js';
import type { TableSpec } from '../engine/row.js';
import { globalIndex } from './global.js';
import { localIndex } from './local.js';
import { noIndex } from './none.js';

export { noIndex } from './none.js';
export { localIndex } from './local.js';
export { globalIndex, type GlobalIndexOptions } from './global.js';

/** What every index factory is given; each takes what it needs. */
export interface IndexOptions {
  /** The indexed column. */
  readonly column: string;
  readonly base: TableSpec;
  /** Index partitions per value for `global-bucketed`. */
  readonly buckets: number;
}

/** Buckets per value when none are given: enough to spread a hot value over a dozen nodes. */
export const DEFAULT_INDEX_BUCKETS = 16;

const modes = {
  none: (): IndexMode => noIndex(),
  local: (options: IndexOptions): IndexMode => localIndex(options.column),
  global: (options: IndexOptions): IndexMode =>
    globalIndex({ column: options.column, base: options.base, buckets: 1 }),
  'global-bucketed': (options: IndexOptions): IndexMode =>
    globalIndex({ column: options.column, base: options.base, buckets: options.buckets }),
} as const satisfies Record<string, (options: IndexOptions) => IndexMode>;

export type IndexModeName = keyof typeof modes;
export const indexModeNames = Object.keys(modes) as IndexModeName[];

export function isIndexModeName(name: string): name is IndexModeName {
  return Object.hasOwn(modes, name);
}

export function createIndexMode(name: string, options: IndexOptions): IndexMode {
  if (!isIndexModeName(name)) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `unknown index mode "${name}"; expected one of ${indexModeNames.join(', ')}`,
      'index',
    );
  }
  return modes[name](options);
}
