/**
 * The in-process rows of the performance suite, one entry each, measured and printed in this
 * order.
 *
 * Adding a row is adding an entry: a name, the unit one item counts in, a sentence saying what
 * is measured, and `prepare`, which builds an operation over the next `batch` items of the shared
 * fixture (wrapping around at its end). The runner times that operation with benchmark.js and
 * reports items per second. Each operation has its own loop, rather than a shared helper calling
 * a per-row callback, so that no indirect call sits inside the timed loop.
 *
 * Nothing here may generate its inputs while timed: everything comes from the fixture or is
 * built in `prepare`.
 */
import { createCluster } from '../../engine/cluster.js';
import { createCoordinator, type Coordinator } from '../../engine/coordinator.js';
import type { StorageMode } from '../../engine/node.js';
import { createRandom } from '../../engine/random.js';
import { newTokenParts } from '../../engine/token.js';
import { getTokenFunction, hashEventId } from '../../partitioners/index.js';
import { textTokenParts } from '../../partitioners/key-bytes.js';
import { createLogEvents, logTable, type LogEvent } from '../workloads/log-events.js';
import { driverTokenizer, hashRing } from './contenders.js';
import { EVENT_LOOP_ROW, eventLoopRows } from './event-loop.js';
import type { Fixture } from './fixture.js';
import { TIME_PLANE_ROW, timePlaneRow } from './time-plane.js';

export interface MicroRowOptions {
  readonly seed: number;
  /** Items per operation. */
  readonly batch: number;
  /** Events per fresh cluster in row-storage mode. */
  readonly rowEvents: number;
}

export interface MicroRow {
  readonly name: string;
  /** What one item is: the rate is reported in `<unit>/s`. */
  readonly unit: 'tokens' | 'lookups' | 'events' | 'messages';
  readonly description: string;
  /**
   * False for a row that never calls `fixture`: it is measured before the fixture exists (see
   * lazyFixture for why that matters). Within each group, the rows take turns, round by round,
   * so that a slow patch on the machine does not land on one row of a ratio only.
   */
  readonly usesFixture: boolean;
  /**
   * True for a row timed in a child process of its own, on a fixture of its own
   * (bench/perf/isolated.ts): one whose allocation and heap the other rows' garbage would skew.
   */
  readonly isolated?: true;
  /** `fixture` makes the shared inputs on first call. */
  prepare(fixture: () => Fixture, options: MicroRowOptions): () => void;
}

const murmur3 = getTokenFunction('murmur3');
const xxhash64 = getTokenFunction('xxhash64');

/** Where each loop leaves its results, so that no loop body is dead code to the compiler. */
const sink: { value: unknown } = { value: undefined };

/** The row names the ratios and targets refer to. */
export const ROW = {
  workload: 'workload',
  murmur3: 'murmur3',
  xxhash64: 'xxhash64',
  driver: 'driver-murmur3',
  ring: 'ring-lookup',
  hashring: 'hashring-lookup',
  writeCounters: 'write-counters',
  writeRows: 'write-rows',
  ...EVENT_LOOP_ROW,
  timePlane: TIME_PLANE_ROW,
} as const;

export const microRows: readonly MicroRow[] = [
  {
    name: ROW.workload,
    unit: 'events',
    description: 'the log-event generator alone (default workload); it feeds the write rows',
    usesFixture: false,
    prepare: (_fixture, { batch, seed }) => {
      const stream = createLogEvents(
        { events: Number.MAX_SAFE_INTEGER },
        createRandom(seed).fork('perf/workload'),
      );
      return () => {
        for (let n = 0; n < batch; n++) sink.value = stream.next();
      };
    },
  },
  {
    name: ROW.murmur3,
    unit: 'tokens',
    description: "ringlab's Murmur3 over pre-generated key bytes: the write path's floor",
    usesFixture: true,
    prepare: (fixture, { batch }) => {
      const { keyBytes } = fixture();
      const parts = newTokenParts();
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          murmur3.tokenParts(keyBytes[next]!, parts);
          if (++next === keyBytes.length) next = 0;
        }
        sink.value = parts;
      };
    },
  },
  {
    name: ROW.xxhash64,
    unit: 'tokens',
    description: 'xxHash64 (xxhash-wasm) over the same bytes',
    usesFixture: true,
    prepare: (fixture, { batch }) => {
      const { keyBytes } = fixture();
      const parts = newTokenParts();
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          xxhash64.tokenParts(keyBytes[next]!, parts);
          if (++next === keyBytes.length) next = 0;
        }
        sink.value = parts;
      };
    },
  },
  {
    name: ROW.driver,
    unit: 'tokens',
    description: "cassandra-driver's Murmur3Tokenizer over the same bytes",
    usesFixture: true,
    prepare: (fixture, { batch }) => {
      const { keyBytes } = fixture();
      const tokenizer = driverTokenizer();
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          sink.value = tokenizer.hash(keyBytes[next]!);
          if (++next === keyBytes.length) next = 0;
        }
      };
    },
  },
  {
    name: ROW.ring,
    unit: 'lookups',
    description:
      'key string -> Murmur3 token of its UTF-8 (as the write path) -> ring position -> the rf replicas',
    usesFixture: true,
    prepare: (fixture, { batch }) => {
      const { ids, placement } = fixture();
      const { ring, rf, table } = placement;
      const parts = newTokenParts();
      // The replica set is read out of the placement's flat table into a reused array, as the
      // coordinator reads it; placement.replicasAt would add an array per lookup.
      const replicas = new Int32Array(rf);
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          textTokenParts(murmur3, ids[next]!, parts);
          const first = ring.positionOfParts(parts) * rf;
          for (let k = 0; k < rf; k++) replicas[k] = table[first + k]!;
          if (++next === ids.length) next = 0;
        }
        sink.value = replicas;
      };
    },
  },
  {
    name: ROW.hashring,
    unit: 'lookups',
    description: "hashring's range(key, 3), same key strings and node ids, default ring",
    usesFixture: true,
    prepare: (fixture, { batch }) => {
      const { ids, placement } = fixture();
      const ring = hashRing(placement.ring.nodes.map((node) => node.id));
      const rf = placement.rf;
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          sink.value = ring.range(ids[next]!, rf);
          if (++next === ids.length) next = 0;
        }
      };
    },
  },
  {
    name: ROW.writeCounters,
    unit: 'events',
    description: 'coordinator.write at ONE, hash-event-id, Murmur3; load counters only',
    usesFixture: true,
    prepare: (fixture, { batch }) => {
      const { events, placement } = fixture();
      const coordinator = coordinatorFor(placement, 'counters');
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          sink.value = coordinator.write(events[next]!, 'ONE');
          if (++next === events.length) next = 0;
        }
      };
    },
  },
  {
    name: ROW.writeRows,
    unit: 'events',
    description: 'the same, storing every row (a fresh cluster per pass: every write inserts)',
    usesFixture: true,
    prepare: (fixture, { batch, rowEvents }) => {
      const { events, placement } = fixture();
      const stored: readonly LogEvent[] = events.slice(0, Math.min(rowEvents, events.length));
      let coordinator = coordinatorFor(placement, 'rows');
      let next = 0;
      return () => {
        for (let n = 0; n < batch; n++) {
          sink.value = coordinator.write(stored[next]!, 'ONE');
          if (++next === stored.length) {
            next = 0;
            coordinator = coordinatorFor(placement, 'rows');
          }
        }
      };
    },
  },
  ...eventLoopRows,
  timePlaneRow,
];

function coordinatorFor(placement: Fixture['placement'], storage: StorageMode): Coordinator {
  const partitioner = hashEventId(murmur3);
  return createCoordinator(createCluster({ placement, partitioner, table: logTable, storage }));
}
