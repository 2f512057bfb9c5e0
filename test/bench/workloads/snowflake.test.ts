import { describe, expect, it } from 'vitest';

import { createRandom } from '../../../engine/random.js';
import { createSnowflakeFleet, snowflakeParts } from '../../../bench/workloads/snowflake.js';

describe('snowflake fleet', () => {
  it('gives unique ids that sort by time, then machine, then sequence', () => {
    const fleet = createSnowflakeFleet(16);
    const random = createRandom(5);
    const start = Date.UTC(2026, 0, 1);
    const ids: { id: string; ts: number; instance: number }[] = [];
    // Several events per millisecond per instance, instances interleaved, times non-decreasing
    // per instance (each instance's clock).
    let ts = start;
    for (let i = 0; i < 20_000; i++) {
      if (random.nextInt(4) === 0) ts++;
      const instance = random.nextInt(16);
      ids.push({ id: fleet.next(instance, ts), ts, instance });
    }
    expect(new Set(ids.map((e) => e.id)).size).toBe(ids.length);
    const sorted = [...ids].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i]!.ts).toBeGreaterThanOrEqual(sorted[i - 1]!.ts);
    }
    for (const { id, ts: at, instance } of ids.slice(0, 500)) {
      const parts = snowflakeParts(id);
      expect(parts.tsMs).toBe(at);
      expect(parts.machineId).toBe(instance);
    }
  });

  it('refuses a fleet larger than the machine bits', () => {
    expect(() => createSnowflakeFleet(1025)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'instances' }),
    );
  });
});
