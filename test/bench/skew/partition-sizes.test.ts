import { describe, expect, it } from 'vitest';
import {
  createPartitionSizes,
  LARGE_PARTITION_BYTES,
} from '../../../bench/skew/partition-sizes.js';
import { expectRinglabError } from '../../helpers/errors.js';

describe('partition sizes: one slot per partition', () => {
  it('counts rows and bytes per key, past its initial capacity', () => {
    const sizes = createPartitionSizes(2);
    for (let i = 0; i < 1000; i++) sizes.add(`k${i % 10}`, i % 10 === 3 ? 100 : 1);
    sizes.add('big', LARGE_PARTITION_BYTES + 1);
    expect(sizes.count).toBe(11);
    const stats = sizes.finish();
    expect(stats).toMatchObject({
      count: 11,
      p50Rows: 100,
      maxRows: 100,
      maxBytes: LARGE_PARTITION_BYTES + 1,
      largestKey: 'big',
      overLargeLine: 1,
    });
    // Sizes of k0..k9 are 100 rows of 1 B (nine of them) and k3's 100 rows of 100 B.
    expect(stats.p50Bytes).toBe(100);
    expect(sizes.finish()).toBe(stats);
    expectRinglabError(() => sizes.add('late', 1), 'INVALID_ARGUMENT');
  });

  it('breaks a tie for the largest partition by the smaller key, in any order', () => {
    for (const order of [
      ['b', 'a', 'c'],
      ['c', 'b', 'a'],
    ]) {
      const sizes = createPartitionSizes();
      for (const key of order) sizes.add(key, 7);
      expect(sizes.finish().largestKey).toBe('a');
    }
  });

  it('keeps concatenated keys as the same text', () => {
    const sizes = createPartitionSizes();
    const parts = ['srv', '-', '00001', '#', '3'];
    sizes.add(parts.join(''), 1);
    sizes.add(`${parts[0]}${parts[1]}${parts[2]}${parts[3]}${parts[4]}`, 1);
    expect(sizes.count).toBe(1);
    expect(sizes.finish()).toMatchObject({ largestKey: 'srv-00001#3', maxRows: 2 });
  });

  it('summarises an empty run as zeros', () => {
    expect(createPartitionSizes().finish()).toEqual({
      count: 0,
      p50Rows: 0,
      p99Rows: 0,
      maxRows: 0,
      p50Bytes: 0,
      p99Bytes: 0,
      maxBytes: 0,
      largestKey: '',
      overLargeLine: 0,
    });
  });
});
