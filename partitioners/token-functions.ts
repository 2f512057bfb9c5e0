import { RinglabError } from '../engine/errors.js';
import type { TokenFunction } from '../engine/token.js';
import { byteOrderedTokenFunction } from './byte-ordered.js';
import { murmur3TokenFunction } from './murmur3.js';
import { randomTokenFunction } from './random-partitioner.js';
import { xxhash64TokenFunction } from './xxhash64.js';

/**
 * The registry of token functions, by the name a config or a CLI flag uses. Each one is a
 * stateless, frozen object, so the same instance is handed out every time.
 */
export const tokenFunctionNames = ['murmur3', 'xxhash64', 'random', 'byte-ordered'] as const;

export type TokenFunctionName = (typeof tokenFunctionNames)[number];

function isTokenFunctionName(name: string): name is TokenFunctionName {
  return (tokenFunctionNames as readonly string[]).includes(name);
}

/** The token function called `name`; throws RinglabError 'UNKNOWN_NAME' for any other name. */
export function getTokenFunction(name: string): TokenFunction {
  if (!isTokenFunctionName(name)) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `unknown partitioner "${name}"; expected one of ${tokenFunctionNames.join(', ')}`,
      'partitioner',
    );
  }
  switch (name) {
    case 'murmur3':
      return murmur3TokenFunction;
    case 'xxhash64':
      return xxhash64TokenFunction;
    case 'random':
      return randomTokenFunction;
    case 'byte-ordered':
      return byteOrderedTokenFunction;
  }
}
