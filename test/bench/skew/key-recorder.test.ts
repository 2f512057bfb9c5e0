import { describe, expect, it } from 'vitest';
import { resolveSkewConfig, saltModeOf } from '../../../bench/skew.js';
import { recordKeys } from '../../../bench/skew/key-recorder.js';
import { generateLogEvents } from '../../../bench/workloads/log-events.js';
import { createRandom } from '../../../engine/random.js';
import { newTokenParts } from '../../../engine/token.js';
import { createPartitioner, getTokenFunction, strategyNames } from '../../../partitioners/index.js';

describe('key recorder', () => {
  const config = resolveSkewConfig({ compare: true, events: 2000, servers: 20 });
  const events = generateLogEvents(
    { events: 2000, servers: 20, spanMs: config.spanMs },
    createRandom(3),
  );

  it.each(strategyNames)('%s: records the key and token the write would use', (strategy) => {
    const options = {
      tokenFunction: getTokenFunction('murmur3'),
      salt: saltModeOf(config),
      bucketMs: config.bucketMs,
      startMs: config.startMs,
      spanMs: config.spanMs,
    };
    const plain = createPartitioner(strategy, options);
    const keys = recordKeys(createPartitioner(strategy, options));
    const parts = newTokenParts();
    const expected = newTokenParts();
    for (const event of events) {
      plain.observe?.(event);
      keys.partitioner.observe?.(event);
      const text = keys.partitioner.placeRow!(event, parts);
      const key = plain.keyOf(event);
      plain.tokenFunction.tokenParts(key.bytes, expected);
      expect(text).toBe(key.text);
      expect(parts).toEqual(expected);
      expect(keys.take()).toBe(key.text);
      expect(keys.take()).toBeUndefined();
    }
    expect(keys.partitioner.name).toBe(strategy);
    expect('metadata' in keys.partitioner).toBe(strategy === 'server-salted');
  });
});
