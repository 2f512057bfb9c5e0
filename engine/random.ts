import { RinglabError } from './errors.js';

/**
 * Seeded randomness. One root seed; every component asks for its own named stream with
 * `fork(name)`. A stream depends only on the root seed and its path of names, never on how
 * much any other stream has been used, so adding a component does not change another's draws.
 *
 * The generator is xoshiro128** (32-bit state words, fast without BigInt); seeds are expanded
 * with a 128-bit string hash of "<seed>/<path>".
 */
export interface Random {
  /** The root seed this stream descends from. */
  readonly seed: number;
  /** The names from the root to this stream, joined with '/'. */
  readonly path: string;
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform float in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** Uniform integer in [0, bound), unbiased; bound must be a positive safe integer. */
  nextInt(bound: number): number;
  /** Uniform unsigned 64-bit integer. */
  nextUint64(): bigint;
  /** An independent stream named `name` below this one. */
  fork(name: string): Random;
}

export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RinglabError(
      'INVALID_CONFIG',
      `seed must be an integer between 0 and ${MAX_SEED}, got ${seed}`,
      'seed',
    );
  }
  return makeStream(seed, '');
}

function makeStream(seed: number, path: string): Random {
  const state = new Uint32Array(4);
  seedState(state, `${seed}/${path}`);

  const nextUint32 = (): number => {
    // xoshiro128** (Blackman & Vigna), all arithmetic in uint32.
    const s0 = state[0]!;
    const s1 = state[1]!;
    const s2 = state[2]!;
    const s3 = state[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    state[1] = s1 ^ n2;
    state[0] = s0 ^ n3;
    state[2] = n2 ^ t;
    state[3] = rotl(n3, 11);
    return result;
  };

  const nextFloat = (): number => {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };

  const nextInt = (bound: number): number => {
    if (!Number.isSafeInteger(bound) || bound <= 0) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `bound must be a positive safe integer, got ${bound}`,
        'bound',
      );
    }
    if (bound <= 0x100000000) {
      // Rejection sampling on 32 bits: accept only draws below the largest multiple of bound.
      const limit = 0x100000000 - (0x100000000 % bound);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % bound;
      }
    }
    for (;;) {
      const x = Math.floor(nextFloat() * 9007199254740992);
      const limit = 9007199254740992 - (9007199254740992 % bound);
      if (x < limit) return x % bound;
    }
  };

  const nextUint64 = (): bigint => (BigInt(nextUint32()) << 32n) | BigInt(nextUint32());

  return {
    seed,
    path,
    nextUint32,
    nextFloat,
    nextInt,
    nextUint64,
    fork: (name: string) => makeStream(seed, path === '' ? name : `${path}/${name}`),
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** cyrb128: a 128-bit non-cryptographic string hash, used only to expand seeds. */
function seedState(state: Uint32Array, text: string): void {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  state[0] = h1;
  state[1] = h2;
  state[2] = h3;
  state[3] = h4;
  // xoshiro's all-zero state is a fixed point; it cannot come from the hash in practice,
  // but guard it so the generator is total.
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
}
