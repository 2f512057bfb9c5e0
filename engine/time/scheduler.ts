/**
 * The time plane's clock and event queue: a discrete-event scheduler.
 *
 * Virtual time is a float in milliseconds that only moves when an event runs or `runUntil` ends.
 * Events run in (time, sequence) order: two events for the same instant run in the order they
 * were scheduled, so a run depends only on what was scheduled, never on the heap's layout.
 * Handlers may schedule and cancel events while they run; an event scheduled for the current
 * instant runs after every event already queued for it.
 *
 * Timeouts are scheduled far more often than they fire, so `cancel` is O(1): it clears the
 * event's handler slot, and the dead entry is dropped when it reaches the top of the heap, or
 * sooner when dead entries outnumber live ones (the heap is then rebuilt in O(n), amortised
 * O(1) per cancel, so a flood of cancelled timeouts does not keep memory).
 *
 * The queue is a binary heap over parallel typed arrays (time, sequence, handler slot); the
 * handlers themselves sit in a plain array of slots recycled through a free list. An `EventId`
 * carries its slot and that slot's generation, so a stale id (its event ran or was cancelled,
 * and the slot went to a later event) is recognised and cancels nothing.
 */
import { RinglabError } from '../errors.js';

/** Called with the event's time, which is the scheduler's `now` while it runs. */
export type EventHandler = (nowMs: number) => void;

/** Names one scheduled event for `cancel`; a safe integer, never reused. */
export type EventId = number;

export interface Scheduler {
  /** Virtual time, ms. */
  readonly now: number;
  /** Events scheduled and neither run nor cancelled. */
  readonly pending: number;
  /**
   * Heap entries: `pending` plus cancelled events not yet dropped, at most
   * `pending + max(pending, 1023)`.
   */
  readonly queued: number;
  /** Schedules `handler` at `timeMs` (>= now, finite). */
  at(timeMs: number, handler: EventHandler): EventId;
  /** Schedules `handler` `delayMs` (>= 0, finite) from now. */
  after(delayMs: number, handler: EventHandler): EventId;
  /**
   * Cancels a pending event: true if it was pending, false if it had run or been cancelled
   * already (a timeout that fired first is the common case, not a mistake).
   */
  cancel(id: EventId): boolean;
  /**
   * Runs every event at or before `timeMs`, including those that handlers schedule within it,
   * then sets the clock to `timeMs`. Returns the number of events run.
   */
  runUntil(timeMs: number): number;
  /**
   * Runs events until none is pending, or `maxEvents` have run. The clock stays at the last
   * event's time. Returns the number of events run.
   */
  runAll(maxEvents?: number): number;
  /** Time of the earliest pending event, or Infinity when none is pending. */
  nextTime(): number;
}

export interface SchedulerOptions {
  /** The clock's start, ms; 0 unless given. */
  readonly startMs?: number;
  /** Heap entries to allocate up front; the heap grows by doubling past it. */
  readonly initialCapacity?: number;
}

/** An EventId is generation x SLOT_SPAN + slot: 2^24 heap entries at most at once. */
const SLOT_SPAN = 0x1000000;
/** A slot used this many times is retired rather than recycled, so ids stay below 2^53. */
const MAX_GENERATION = 0x1fffffff;
/** Dead entries tolerated before the heap is rebuilt without them (and then only if most). */
const COMPACT_MIN_DEAD = 1024;

export function createScheduler(options: SchedulerOptions = {}): Scheduler {
  const startMs = options.startMs ?? 0;
  if (!Number.isFinite(startMs)) {
    throw new RinglabError('INVALID_ARGUMENT', `startMs must be finite, got ${startMs}`, 'startMs');
  }
  const initialCapacity = options.initialCapacity ?? 1024;
  if (!Number.isSafeInteger(initialCapacity) || initialCapacity < 1) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `initialCapacity must be a positive integer, got ${initialCapacity}`,
      'initialCapacity',
    );
  }

  let now = startMs;
  let sequence = 0;
  let running = false;

  // The heap: entries 0..size-1, and an Infinity sentinel at index `size`, so that sifting down
  // may read a right child without checking that it exists (capacity >= size + 2).
  let capacity = initialCapacity + 2;
  let times = new Float64Array(capacity).fill(Infinity);
  let seqs = new Float64Array(capacity);
  let heapSlots = new Int32Array(capacity);
  let size = 0;
  /** Entries whose event was cancelled and are still in the heap. */
  let dead = 0;

  // Handler slots: a slot is taken when an event is scheduled and given back when its entry
  // leaves the heap (run, skipped as cancelled, or dropped by a rebuild).
  const handlers: (EventHandler | undefined)[] = [];
  let generations = new Uint32Array(capacity);
  let free = new Int32Array(capacity);
  let freeCount = 0;

  const takeSlot = (): number => {
    if (freeCount > 0) return free[--freeCount]!;
    const slot = handlers.length;
    if (slot >= SLOT_SPAN) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `at most ${SLOT_SPAN} events may be pending at once`,
        'pending',
      );
    }
    handlers.push(undefined);
    if (slot >= generations.length) {
      const grown = new Uint32Array(generations.length * 2);
      grown.set(generations);
      generations = grown;
      const grownFree = new Int32Array(generations.length);
      grownFree.set(free);
      free = grownFree;
    }
    return slot;
  };

  const releaseSlot = (slot: number): void => {
    handlers[slot] = undefined;
    if (generations[slot]! < MAX_GENERATION) free[freeCount++] = slot;
  };

  const grow = (): void => {
    capacity *= 2;
    const grownTimes = new Float64Array(capacity).fill(Infinity);
    grownTimes.set(times.subarray(0, size));
    times = grownTimes;
    const grownSeqs = new Float64Array(capacity);
    grownSeqs.set(seqs.subarray(0, size));
    seqs = grownSeqs;
    const grownSlots = new Int32Array(capacity);
    grownSlots.set(heapSlots.subarray(0, size));
    heapSlots = grownSlots;
  };

  /** Sequence numbers only grow, so a new entry moves above a parent of equal time never. */
  const push = (timeMs: number, seq: number, slot: number): void => {
    if (size + 2 > capacity) grow();
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime <= timeMs) break;
      times[i] = parentTime;
      seqs[i] = seqs[parent]!;
      heapSlots[i] = heapSlots[parent]!;
      i = parent;
    }
    times[i] = timeMs;
    seqs[i] = seq;
    heapSlots[i] = slot;
    times[size] = Infinity;
  };

  /** Sifts (timeMs, seq, slot) down from index `i` into the heap of `size` entries. */
  const siftDown = (start: number, timeMs: number, seq: number, slot: number): void => {
    let i = start;
    let child = 2 * i + 1;
    while (child < size) {
      let childTime = times[child]!;
      let childSeq = seqs[child]!;
      const rightTime = times[child + 1]!;
      if (rightTime < childTime || (rightTime === childTime && seqs[child + 1]! < childSeq)) {
        child++;
        childTime = rightTime;
        childSeq = seqs[child]!;
      }
      if (timeMs < childTime || (timeMs === childTime && seq < childSeq)) break;
      times[i] = childTime;
      seqs[i] = childSeq;
      heapSlots[i] = heapSlots[child]!;
      i = child;
      child = 2 * i + 1;
    }
    times[i] = timeMs;
    seqs[i] = seq;
    heapSlots[i] = slot;
  };

  /** Removes the root entry. */
  const popRoot = (): void => {
    const last = --size;
    const lastTime = times[last]!;
    times[last] = Infinity;
    if (last > 0) siftDown(0, lastTime, seqs[last]!, heapSlots[last]!);
  };

  /** Drops every dead entry and restores the heap (Floyd's construction): O(size). */
  const compact = (): void => {
    let kept = 0;
    for (let i = 0; i < size; i++) {
      const slot = heapSlots[i]!;
      if (handlers[slot] === undefined) {
        releaseSlot(slot);
        continue;
      }
      times[kept] = times[i]!;
      seqs[kept] = seqs[i]!;
      heapSlots[kept] = slot;
      kept++;
    }
    times.fill(Infinity, kept, size + 1);
    size = kept;
    dead = 0;
    for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, times[i]!, seqs[i]!, heapSlots[i]!);
  };

  const at = (timeMs: number, handler: EventHandler): EventId => {
    // Written to be false for NaN as well.
    if (!(timeMs >= now && timeMs < Infinity)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `timeMs must be finite and not before now (${now} ms), got ${timeMs}`,
        'timeMs',
      );
    }
    if (typeof handler !== 'function') {
      throw new RinglabError('INVALID_ARGUMENT', 'handler must be a function', 'handler');
    }
    const slot = takeSlot();
    const generation = generations[slot]! + 1;
    generations[slot] = generation;
    handlers[slot] = handler;
    push(timeMs, sequence++, slot);
    return generation * SLOT_SPAN + slot;
  };

  const after = (delayMs: number, handler: EventHandler): EventId => {
    if (!(delayMs >= 0 && delayMs < Infinity)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `delayMs must be finite and at least 0, got ${delayMs}`,
        'delayMs',
      );
    }
    return at(now + delayMs, handler);
  };

  const cancel = (id: EventId): boolean => {
    if (!Number.isSafeInteger(id) || id < SLOT_SPAN) {
      throw new RinglabError('INVALID_ARGUMENT', `not an event id: ${id}`, 'id');
    }
    const slot = id % SLOT_SPAN;
    if (slot >= handlers.length || generations[slot] !== (id - slot) / SLOT_SPAN) return false;
    if (handlers[slot] === undefined) return false;
    handlers[slot] = undefined;
    dead++;
    if (dead >= COMPACT_MIN_DEAD && dead * 2 > size) compact();
    return true;
  };

  /** The loop behind runUntil and runAll: events at or before `limitMs`, `maxEvents` at most. */
  const run = (limitMs: number, maxEvents: number): number => {
    if (running) {
      throw new RinglabError('INVALID_ARGUMENT', 'a handler may not run the scheduler', 'run');
    }
    running = true;
    let ran = 0;
    try {
      while (ran < maxEvents) {
        const timeMs = times[0]!;
        if (timeMs > limitMs) break;
        const slot = heapSlots[0]!;
        popRoot();
        const handler = handlers[slot];
        releaseSlot(slot);
        if (handler === undefined) {
          dead--;
          continue;
        }
        now = timeMs;
        ran++;
        handler(timeMs);
      }
    } finally {
      running = false;
    }
    return ran;
  };

  return {
    get now() {
      return now;
    },
    get pending() {
      return size - dead;
    },
    get queued() {
      return size;
    },
    at,
    after,
    cancel,
    runUntil: (timeMs: number): number => {
      if (!(timeMs >= now && timeMs < Infinity)) {
        throw new RinglabError(
          'INVALID_ARGUMENT',
          `timeMs must be finite and not before now (${now} ms), got ${timeMs}`,
          'timeMs',
        );
      }
      const ran = run(timeMs, Infinity);
      now = timeMs;
      return ran;
    },
    runAll: (maxEvents = Infinity): number => {
      if (!(maxEvents >= 0) || (maxEvents !== Infinity && !Number.isSafeInteger(maxEvents))) {
        throw new RinglabError(
          'INVALID_ARGUMENT',
          `maxEvents must be a non-negative integer or Infinity, got ${maxEvents}`,
          'maxEvents',
        );
      }
      // Every event time is finite, and the heap's sentinel (Infinity) is not, so the largest
      // finite limit stops the loop exactly when the heap is empty.
      return run(Number.MAX_VALUE, maxEvents);
    },
    nextTime: (): number => {
      while (size > 0 && handlers[heapSlots[0]!] === undefined) {
        const slot = heapSlots[0]!;
        popRoot();
        releaseSlot(slot);
        dead--;
      }
      return times[0]!;
    },
  };
}
