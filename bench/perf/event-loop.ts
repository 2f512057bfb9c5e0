/**
 * Rows for the time plane's event loop, and the floor it is held to: a bare binary heap over
 * typed arrays doing the same work, with nothing of a scheduler around it (no handler slots, no
 * ids, no checks, no calls).
 *
 * Both keep `EVENT_LOOP_PENDING` events pending: each item pops the earliest event and pushes
 * one at its time plus the next of a fixed set of exponential delays, generated in `prepare`.
 * Both order by (time, sequence), as the scheduler must, so the ratio prices the scheduler's
 * own overhead and not a cheaper ordering.
 */
import { createRandom } from '../../engine/random.js';
import { createScheduler } from '../../engine/time/scheduler.js';
import type { MicroRow } from './micro.js';

/** Events pending throughout, about what a busy simulated cluster keeps in flight. */
export const EVENT_LOOP_PENDING = 4_096;
/** Pre-generated delays, a power of two so that cycling through them is a mask. */
const DELAYS = 1 << 16;

export const EVENT_LOOP_ROW = {
  scheduler: 'event-loop',
  typedHeap: 'typed-heap',
} as const;

const sink: { value: unknown } = { value: undefined };

/** Exponential delays with mean 1 ms, from the row's own stream. */
function delaysFor(seed: number): Float64Array {
  const random = createRandom(seed).fork('perf/event-loop');
  const delays = new Float64Array(DELAYS);
  for (let i = 0; i < DELAYS; i++) delays[i] = -Math.log(1 - random.nextFloat());
  return delays;
}

export const eventLoopRows: readonly MicroRow[] = [
  {
    name: EVENT_LOOP_ROW.scheduler,
    unit: 'events',
    description: `the time plane's scheduler: pop, run a handler that schedules one event; ${EVENT_LOOP_PENDING.toLocaleString('en-US')} pending`,
    usesFixture: false,
    prepare: (_fixture, { seed, batch }) => {
      const delays = delaysFor(seed);
      const scheduler = createScheduler({ initialCapacity: EVENT_LOOP_PENDING });
      let next = 0;
      const handler = (nowMs: number): void => {
        scheduler.at(nowMs + delays[next]!, handler);
        next = (next + 1) & (DELAYS - 1);
      };
      for (let i = 0; i < EVENT_LOOP_PENDING; i++) scheduler.at(delays[next++]!, handler);
      return () => {
        sink.value = scheduler.runAll(batch);
      };
    },
  },
  {
    name: EVENT_LOOP_ROW.typedHeap,
    unit: 'events',
    description:
      'a bare binary heap over typed arrays, (time, sequence) order: the same pops and pushes',
    usesFixture: false,
    prepare: (_fixture, { seed, batch }) => {
      const delays = delaysFor(seed);
      const heap = createTypedHeap(EVENT_LOOP_PENDING + 2);
      let next = 0;
      for (let i = 0; i < EVENT_LOOP_PENDING; i++) heap.push(delays[next++]!, i);
      return () => {
        let last = 0;
        for (let n = 0; n < batch; n++) {
          last = heap.popTime();
          heap.push(last + delays[next]!, n);
          next = (next + 1) & (DELAYS - 1);
        }
        sink.value = last;
      };
    },
  },
];

interface TypedHeap {
  push(timeMs: number, payload: number): void;
  /** Removes the earliest entry and returns its time. */
  popTime(): number;
}

/** A fixed-capacity binary min-heap on (time, sequence), the floor for the scheduler row. */
export function createTypedHeap(capacity: number): TypedHeap {
  // An Infinity sentinel follows the last entry, as in the scheduler.
  const times = new Float64Array(capacity + 2).fill(Infinity);
  const seqs = new Float64Array(capacity + 2);
  const payloads = new Int32Array(capacity + 2);
  let size = 0;
  let sequence = 0;
  return {
    push: (timeMs, payload) => {
      const seq = sequence++;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const parentTime = times[parent]!;
        if (parentTime <= timeMs) break;
        times[i] = parentTime;
        seqs[i] = seqs[parent]!;
        payloads[i] = payloads[parent]!;
        i = parent;
      }
      times[i] = timeMs;
      seqs[i] = seq;
      payloads[i] = payload;
      times[size] = Infinity;
    },
    popTime: () => {
      const top = times[0]!;
      const last = --size;
      const timeMs = times[last]!;
      const seq = seqs[last]!;
      const payload = payloads[last]!;
      times[last] = Infinity;
      if (last === 0) return top;
      let i = 0;
      let child = 1;
      while (child < size) {
        const right = child + 1;
        const rightTime = times[right]!;
        const childTime = times[child]!;
        if (rightTime < childTime || (rightTime === childTime && seqs[right]! < seqs[child]!)) {
          child = right;
        }
        const bestTime = times[child]!;
        if (timeMs < bestTime || (timeMs === bestTime && seq < seqs[child]!)) break;
        times[i] = bestTime;
        seqs[i] = seqs[child]!;
        payloads[i] = payloads[child]!;
        i = child;
        child = 2 * i + 1;
      }
      times[i] = timeMs;
      seqs[i] = seq;
      payloads[i] = payload;
      return top;
    },
  };
}
