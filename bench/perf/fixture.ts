import { createRandom } from '../../engine/random.js';
import type { Placement } from '../../engine/replication.js';
import { textBytes } from '../../partitioners/key-bytes.js';
import { placementOf, resolveClusterConfig } from '../cluster-config.js';
import { generateLogEvents, type LogEvent } from '../workloads/log-events.js';

/** The cluster every in-process row runs on: 12 nodes, 16 vnodes each, rf 3 (SimpleStrategy). */
export const PERF_CLUSTER = { nodes: 12, vnodes: 16, rf: 3 } as const;

/**
 * Inputs shared by the in-process rows, generated once before any timing, so that every row
 * works on the same keys and generating them is never timed: log events from the default
 * workload (UUID v4 event ids, 1,000 zipfian servers), their ids as the keys, and each id's
 * UTF-8 bytes.
 */
export interface Fixture {
  readonly seed: number;
  readonly events: readonly LogEvent[];
  /** `events[i].event_id`: the key strings. */
  readonly ids: readonly string[];
  /**
   * The UTF-8 bytes of each id, as Buffer views of one slab: compact (one backing store, not a
   * million), and Buffers because the driver's tokenizer takes Buffers; ringlab's token
   * functions take any Uint8Array, so every hash row reads the very same arrays.
   */
  readonly keyBytes: readonly Buffer[];
  readonly placement: Placement;
}

export function createFixture(seed: number, keys: number): Fixture {
  const events = generateLogEvents({ events: keys }, createRandom(seed).fork('perf/keys'));
  const ids = events.map((event) => event.event_id);
  const encoded = ids.map(textBytes);
  const slab = Buffer.allocUnsafe(encoded.reduce((sum, bytes) => sum + bytes.length, 0));
  let offset = 0;
  const keyBytes = encoded.map((bytes) => {
    slab.set(bytes, offset);
    offset += bytes.length;
    return slab.subarray(offset - bytes.length, offset);
  });
  const placement = placementOf(resolveClusterConfig({ ...PERF_CLUSTER, seed }));
  return { seed, events, ids, keyBytes, placement };
}
