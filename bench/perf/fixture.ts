import { createRandom } from '../../engine/random.js';
import type { Placement } from '../../engine/replication.js';
import { transientTextBytes } from '../../partitioners/key-bytes.js';
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
  // Encoded twice, to size the slab and then to fill it, so that no array per key is made only
  // to be copied and dropped.
  let total = 0;
  for (const id of ids) total += transientTextBytes(id).length;
  const slab = Buffer.allocUnsafe(total);
  let offset = 0;
  const keyBytes = ids.map((id) => {
    const bytes = transientTextBytes(id);
    slab.set(bytes, offset);
    offset += bytes.length;
    return slab.subarray(offset - bytes.length, offset);
  });
  const placement = placementOf(resolveClusterConfig({ ...PERF_CLUSTER, seed }));
  return { seed, events, ids, keyBytes, placement };
}

/**
 * The fixture, made on first use: the workload row runs before it exists, so that the generator
 * is timed without a million live events in the heap. (Generating them teaches V8 that objects
 * from the generator's allocation sites live long, and it then allocates them straight in the
 * old generation: measured after the fixture, the generator ran about 3 times slower.)
 */
export function lazyFixture(seed: number, keys: number, onCreate: () => void): () => Fixture {
  let fixture: Fixture | undefined;
  return () => {
    if (fixture === undefined) {
      onCreate();
      fixture = createFixture(seed, keys);
    }
    return fixture;
  };
}
