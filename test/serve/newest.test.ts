import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { newestOf } from '../../bench/serve/newest.js';

/** The plain way: keep, sort newest first, take k. */
function reference(ids: readonly string[], k: number, keep: (id: string) => boolean) {
  const kept = ids.filter(keep).sort((a, b) => (a < b ? 1 : -1));
  return { newest: kept.slice(0, Math.max(0, k)), more: kept.length > Math.max(0, k) };
}

describe('newestOf', () => {
  it('picks what sorting every kept item would, in the same order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[0-9]{1,4}$/), { maxLength: 300 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 1, max: 5 }),
        (ids, k, every) => {
          const keep = (id: string) => Number(id) % every === 0;
          expect(newestOf(ids, k, (id) => id, keep)).toEqual(reference(ids, k, keep));
        },
      ),
    );
  });

  it('keeps items whole and says whether a next page exists', () => {
    const rows = ['3', '9', '1', '7', '5'].map((id) => ({ id }));
    expect(
      newestOf(
        rows,
        2,
        (r) => r.id,
        () => true,
      ),
    ).toEqual({
      newest: [{ id: '9' }, { id: '7' }],
      more: true,
    });
    expect(
      newestOf(
        rows,
        5,
        (r) => r.id,
        (r) => r.id !== '9',
      ),
    ).toEqual({
      newest: [{ id: '7' }, { id: '5' }, { id: '3' }, { id: '1' }],
      more: false,
    });
  });
});
