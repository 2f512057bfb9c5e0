/**
 * The outside implementations the suite measures ringlab against, both dev dependencies:
 *
 * - cassandra-driver's `Murmur3Tokenizer` (lib/tokenizer.js), the JavaScript Murmur3 most users
 *   have: `hash(buffer)` returns a Murmur3Token over the driver's MutableLong;
 * - `hashring`, the consistent-hash ring most npm users reach for: `new HashRing(servers)` with
 *   its defaults (40 vnodes and 4 points per vnode, so 160 points per server, ketama-style MD5)
 *   and `range(key, size)` for the first `size` distinct servers clockwise from the key.
 *
 * Both are CommonJS without the typings used here, so they are loaded with `createRequire` and
 * checked at runtime against the narrow interfaces below; a missing package or a renamed
 * method fails with a message that says which, instead of a TypeError in the middle of a run.
 */
import { createRequire } from 'node:module';

export interface DriverTokenizer {
  hash(key: Buffer): unknown;
}

export interface HashRingLike {
  range(key: string, size: number): string[];
}

interface DriverTokenizerModule {
  Murmur3Tokenizer: new () => DriverTokenizer;
}

type HashRingConstructor = new (servers: readonly string[]) => HashRingLike;

const require = createRequire(import.meta.url);

function load(name: string): unknown {
  try {
    return require(name) as unknown;
  } catch (error) {
    throw new Error(
      `bench perf compares against ${name}, a dev dependency that could not be loaded ` +
        `(${error instanceof Error ? error.message : String(error)}); run npm install in a checkout`,
    );
  }
}

export function driverTokenizer(): DriverTokenizer {
  const loaded = load('cassandra-driver/lib/tokenizer.js') as Partial<DriverTokenizerModule>;
  if (typeof loaded.Murmur3Tokenizer !== 'function') {
    throw new Error('cassandra-driver/lib/tokenizer.js no longer exports Murmur3Tokenizer');
  }
  const tokenizer = new loaded.Murmur3Tokenizer();
  if (typeof tokenizer.hash !== 'function') {
    throw new Error('cassandra-driver Murmur3Tokenizer has no hash method');
  }
  return tokenizer;
}

export function hashRing(servers: readonly string[]): HashRingLike {
  const HashRing = load('hashring');
  if (typeof HashRing !== 'function') throw new Error('hashring no longer exports its constructor');
  const ring = new (HashRing as HashRingConstructor)(servers);
  if (typeof ring.range !== 'function') throw new Error('hashring rings have no range method');
  return ring;
}
