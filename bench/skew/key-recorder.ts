import type { Partitioner } from '../../engine/partitioner.js';
import type { Row } from '../../engine/row.js';
import type { TokenParts } from '../../engine/token.js';

/**
 * A partitioner that remembers the partition of the write it last placed, so that a run learns
 * each write's partition from the write itself instead of building the key a second time (for
 * time-bucket, say, an ISO date per event). It is the partitioner it wraps in every other respect
 * (it inherits every member), with a `placeRow` that agrees with `keyOf` as the contract asks:
 * the inner fast path when there is one, else `keyOf` and its token, as a write would compute
 * them.
 */
export interface KeyRecorder {
  readonly partitioner: Partitioner;
  /**
   * The key text of the write placed since the last call, or undefined when none was (a write
   * path that does not call `placeRow`); the caller then asks `keyOf`.
   */
  take(): string | undefined;
}

export function recordKeys(partitioner: Partitioner): KeyRecorder {
  const place =
    partitioner.placeRow?.bind(partitioner) ??
    ((row: Row, out: TokenParts): string => {
      const key = partitioner.keyOf(row);
      partitioner.tokenFunction.tokenParts(key.bytes, out);
      return key.text;
    });
  let last: string | undefined;
  const recording = Object.create(partitioner, {
    placeRow: {
      value: (row: Row, out: TokenParts): string => {
        last = place(row, out);
        return last;
      },
    },
  }) as Partitioner;
  return {
    partitioner: recording,
    take() {
      const key = last;
      last = undefined;
      return key;
    },
  };
}
