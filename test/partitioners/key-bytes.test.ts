/**
 * Key serialisation against cassandra-driver's Encoder, an independent implementation of the
 * CQL type encodings and of composite routing keys (lib/encoder.js: `encode(value, type)` and
 * `setRoutingKeyFromUser`, which concatenates routing key parts the way Cassandra's CompositeType
 * does). If the bytes agree, a key's token here is the token the driver routes it by.
 */
import { createRequire } from 'node:module';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  MAX_KEY_BYTES,
  bigintBytes,
  compositeKeyBytes,
  intBytes,
  textBytes,
  timestampBytes,
  uuidBytes,
  textByteLength,
  textTokenParts,
  transientTextBytes,
} from '../../partitioners/key-bytes.js';
import { newTokenParts, type TokenParts } from '../../engine/token.js';
import { murmur3TokenFunction } from '../../partitioners/murmur3.js';
import { expectRinglabError } from '../helpers/errors.js';

// ---------------------------------------------------------------------------------------------
// The driver's encoder, loaded the CommonJS way and checked at runtime.

interface DriverEncoder {
  encode(value: unknown, type: string): Buffer;
  setRoutingKeyFromUser(
    params: unknown[],
    options: { getRoutingKey(): unknown; setRoutingKey(key: unknown): void },
  ): void;
}

interface DriverTypes {
  Long: { fromString(text: string): unknown };
  Uuid: { fromString(text: string): unknown };
}

function loadDriver(): { encoder: DriverEncoder; types: DriverTypes } {
  const require = createRequire(import.meta.url);
  const Encoder = require('cassandra-driver/lib/encoder.js') as unknown;
  const types = require('cassandra-driver/lib/types/index.js') as Partial<DriverTypes>;
  if (typeof Encoder !== 'function' || !types.Long || !types.Uuid) {
    throw new Error('cassandra-driver no longer exposes lib/encoder.js or lib/types');
  }
  const protocolV4 = 4;
  const encoder = new (Encoder as new (version: number, options: object) => DriverEncoder)(
    protocolV4,
    {},
  );
  if (typeof encoder.setRoutingKeyFromUser !== 'function') {
    throw new Error('cassandra-driver Encoder lacks setRoutingKeyFromUser; update the oracle');
  }
  return { encoder, types: types as DriverTypes };
}

const { encoder, types } = loadDriver();

/** The routing key the driver builds from already-serialised partition key components. */
function driverRoutingKey(components: readonly Uint8Array[]): Uint8Array {
  let routingKey: unknown;
  encoder.setRoutingKeyFromUser([], {
    getRoutingKey: () => components.map((component) => Buffer.from(component)),
    setRoutingKey: (key) => {
      routingKey = key;
    },
  });
  if (!(routingKey instanceof Uint8Array)) throw new Error('the driver built no routing key');
  return routingKey;
}

/** Compares contents only: our arrays are plain Uint8Arrays, the driver's are Buffers. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(Buffer.from(actual).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
}

// ---------------------------------------------------------------------------------------------

describe('textBytes', () => {
  /**
   * Strings of code points from every UTF-8 length class (1 to 4 bytes), lone surrogates
   * included. Built from integers because `fc.string({ unit: 'binary' })` is slow to generate.
   */
  const anyText = fc
    .array(
      fc.oneof(
        fc.integer({ min: 0, max: 0x7f }),
        fc.integer({ min: 0x80, max: 0x7ff }),
        fc.integer({ min: 0x800, max: 0xffff }),
        fc.integer({ min: 0x10000, max: 0x10ffff }),
      ),
      { maxLength: 60 },
    )
    .map((codePoints) => String.fromCodePoint(...codePoints));

  it('is UTF-8, as the driver encodes text, for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fc.string({ unit: 'grapheme-ascii', maxLength: 40 })),
        (text) => {
          expectBytes(textBytes(text), encoder.encode(text, 'text'));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('encodes a lone surrogate as U+FFFD, like the driver', () => {
    for (const text of ['\ud800', 'a\udc00b', `${'x'.repeat(30)}\ud83d`]) {
      expectBytes(textBytes(text), encoder.encode(text, 'text'));
    }
  });

  it('returns an array of exactly the encoded length, owning its buffer', () => {
    for (const text of ['', 'ascii', 'é', 'x'.repeat(100), 'ü'.repeat(100), 'z'.repeat(5000)]) {
      const bytes = textBytes(text);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.length);
      expect(bytes).toBeInstanceOf(Uint8Array);
    }
  });

  it('does not share a buffer between calls', () => {
    const first = textBytes('é'.repeat(30));
    const second = textBytes('ü'.repeat(30));
    expect(new TextDecoder().decode(first)).toBe('é'.repeat(30));
    expect(first.buffer).not.toBe(second.buffer);
  });
});

describe('bigintBytes, intBytes, timestampBytes', () => {
  it('bigintBytes is the driver bigint encoding, for bigints and safe-integer numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        expectBytes(
          bigintBytes(value),
          encoder.encode(types.Long.fromString(`${value}`), 'bigint'),
        );
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        expectBytes(
          bigintBytes(value),
          encoder.encode(types.Long.fromString(`${value}`), 'bigint'),
        );
        expectBytes(bigintBytes(value), bigintBytes(BigInt(value)));
      }),
      { numRuns: 1000 },
    );
  });

  it('intBytes is the driver int encoding', () => {
    fc.assert(
      fc.property(fc.integer(), (value) => {
        expectBytes(intBytes(value), encoder.encode(value, 'int'));
      }),
      { numRuns: 1000 },
    );
  });

  it('timestampBytes is the driver timestamp encoding of the same instant', () => {
    // The range a JavaScript Date can hold: +-8.64e15 ms around the epoch.
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expectBytes(timestampBytes(ms), encoder.encode(new Date(ms), 'timestamp'));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses values outside the type', () => {
    expectRinglabError(() => bigintBytes(2n ** 63n), 'INVALID_KEY', 'key');
    expectRinglabError(() => bigintBytes(-(2n ** 63n) - 1n), 'INVALID_KEY', 'key');
    expectRinglabError(() => bigintBytes(1.5), 'INVALID_KEY', 'key');
    expectRinglabError(() => bigintBytes(2 ** 53), 'INVALID_KEY', 'key');
    expectRinglabError(() => bigintBytes(Number.NaN), 'INVALID_KEY', 'key');
    expectRinglabError(() => intBytes(2 ** 31), 'INVALID_KEY', 'key');
    expectRinglabError(() => intBytes(-(2 ** 31) - 1), 'INVALID_KEY', 'key');
    expectRinglabError(() => intBytes(0.5), 'INVALID_KEY', 'key');
    expectRinglabError(() => timestampBytes(1.25), 'INVALID_KEY', 'key');
    expectRinglabError(() => timestampBytes(Number.POSITIVE_INFINITY), 'INVALID_KEY', 'key');
  });

  it('keeps the extremes', () => {
    expectBytes(bigintBytes(-(2n ** 63n)), Buffer.from('8000000000000000', 'hex'));
    expectBytes(bigintBytes(2n ** 63n - 1n), Buffer.from('7fffffffffffffff', 'hex'));
    expectBytes(bigintBytes(-1), Buffer.from('ffffffffffffffff', 'hex'));
    expectBytes(intBytes(-(2 ** 31)), Buffer.from('80000000', 'hex'));
  });
});

describe('uuidBytes', () => {
  const uuidText = (bytes: Uint8Array): string => {
    const h = Buffer.from(bytes).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  it('is the driver uuid encoding, in either case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (raw, upper) => {
        const text = upper ? uuidText(raw).toUpperCase() : uuidText(raw);
        expectBytes(uuidBytes(text), raw);
        expectBytes(uuidBytes(text), encoder.encode(types.Uuid.fromString(text), 'uuid'));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uuid(), (text) => {
        expectBytes(uuidBytes(text), encoder.encode(types.Uuid.fromString(text), 'uuid'));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses anything but the canonical 8-4-4-4-12 form', () => {
    const good = '5f0a7a1e-8f2b-4c3d-9e4f-0123456789ab';
    for (const bad of [
      '',
      good.slice(1),
      `${good}0`,
      good.replace(/-/g, ''),
      `{${good.slice(1, -1)}}`,
      good.replace('5', 'g'),
      good.replace('-8f2b', '_8f2b'),
      good.replace('ab', 'a '),
    ]) {
      expectRinglabError(() => uuidBytes(bad), 'INVALID_KEY', 'key');
    }
  });
});

describe('compositeKeyBytes', () => {
  const component = fc.uint8Array({ maxLength: 40 });

  it('frames several components like the driver routing key (CompositeType)', () => {
    fc.assert(
      fc.property(fc.array(component, { minLength: 2, maxLength: 5 }), (components) => {
        expectBytes(compositeKeyBytes(components), driverRoutingKey(components));
      }),
      { numRuns: 1000 },
    );
  });

  it('returns a single component raw, as the driver and Cassandra do', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (only) => {
        expect(compositeKeyBytes([only])).toBe(only);
        expectBytes(compositeKeyBytes([only]), driverRoutingKey([only]));
      }),
      { numRuns: 200 },
    );
  });

  it('frames each component as <uint16 BE length><bytes><0x00>', () => {
    const key = compositeKeyBytes([textBytes('server-7'), intBytes(3)]);
    expectBytes(key, Buffer.from('0008736572766572' + '2d3700' + '00040000000300', 'hex'));
  });

  it('gives a (text, int) key the token the driver routes it by', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.integer(), (server, salt) => {
        const ours = compositeKeyBytes([textBytes(server), intBytes(salt)]);
        const theirs = driverRoutingKey([
          encoder.encode(server, 'text'),
          encoder.encode(salt, 'int'),
        ]);
        expect(murmur3TokenFunction.token(ours)).toBe(murmur3TokenFunction.token(theirs));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses keys Cassandra refuses: none, empty, or longer than 65535 bytes', () => {
    expectRinglabError(() => compositeKeyBytes([]), 'INVALID_KEY', 'key');
    expectRinglabError(() => compositeKeyBytes([new Uint8Array(0)]), 'INVALID_KEY', 'key');
    expectRinglabError(
      () => compositeKeyBytes([new Uint8Array(MAX_KEY_BYTES + 1)]),
      'INVALID_KEY',
      'key',
    );
    expectRinglabError(
      () => compositeKeyBytes([new Uint8Array(MAX_KEY_BYTES + 1), new Uint8Array(1)]),
      'INVALID_KEY',
      'key',
    );
    // Each component fits its uint16 length, but the framed key does not fit the limit.
    expectRinglabError(
      () => compositeKeyBytes([new Uint8Array(40000), new Uint8Array(40000)]),
      'INVALID_KEY',
      'key',
    );
    expect(compositeKeyBytes([new Uint8Array(MAX_KEY_BYTES)]).length).toBe(MAX_KEY_BYTES);
    expect(compositeKeyBytes([new Uint8Array(0), new Uint8Array(0)]).length).toBe(6);
  });
});

describe('transientTextBytes', () => {
  const samples = [
    '',
    'a',
    'srv-00042',
    '0cc5b61e-11fd-41d3-a157-62864aa0509b',
    'κόσμε',
    '\ud83d\ude00 emoji',
    'lone \ud800 surrogate',
    'x'.repeat(64),
    'y'.repeat(65),
    'é'.repeat(64),
  ];

  it('gives the same bytes as textBytes, for ASCII, non-ASCII, lone surrogates and long text', () => {
    for (const text of samples) {
      expect(Array.from(transientTextBytes(text))).toEqual(Array.from(textBytes(text)));
    }
  });

  it('agrees with textBytes on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(Array.from(transientTextBytes(text))).toEqual(Array.from(textBytes(text)));
      }),
    );
  });
});

describe('textTokenParts', () => {
  // The byte path is held to cassandra-driver's tokenizer in token-functions.test.ts.
  const tokenOfBytes = (bytes: Uint8Array): TokenParts => {
    const parts = newTokenParts();
    murmur3TokenFunction.tokenParts(bytes, parts);
    return parts;
  };
  const viaString = (text: string): TokenParts => {
    const parts = newTokenParts();
    textTokenParts(murmur3TokenFunction, text, parts);
    return parts;
  };

  it('gives the token of the UTF-8 bytes, read from the string or encoded', () => {
    for (const text of [
      '',
      'a',
      'srv-00042',
      '0cc5b61e-11fd-41d3-a157-62864aa0509b',
      'x'.repeat(15),
      'x'.repeat(16),
      'x'.repeat(17),
      'x'.repeat(64),
      'y'.repeat(65),
      'κόσμε',
      '\u0100' + 'a'.repeat(15), // a unit over 0xff must not pass as two ASCII bytes
      'a'.repeat(20) + '\u0180',
      'ab\u0080',
      'lone \ud800 surrogate',
    ]) {
      expect(viaString(text), JSON.stringify(text)).toEqual(tokenOfBytes(textBytes(text)));
    }
  });

  it('agrees with hashing textBytes on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.string({ maxLength: 80 }), // ASCII only: the string path
        ),
        (text) => {
          expect(viaString(text)).toEqual(tokenOfBytes(textBytes(text)));
          expect(textByteLength(text)).toBe(textBytes(text).length);
        },
      ),
    );
  });

  it('reads ASCII text without encoding it, and refuses anything else', () => {
    const parts = newTokenParts();
    expect(murmur3TokenFunction.asciiTokenParts!('srv-00042', parts)).toBe(true);
    expect(murmur3TokenFunction.asciiTokenParts!('\u0100' + 'a'.repeat(15), parts)).toBe(false);
    expect(murmur3TokenFunction.asciiTokenParts!('é', parts)).toBe(false);
  });
});
