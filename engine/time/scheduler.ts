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
 *
 * Events that are all the same delay after they were scheduled (every write timeout, say) are
 * due in the order they were scheduled, so they need no heap: `fixedDelay` gives a FIFO of them,
 * O(1) to schedule and to pop. The loop takes the earliest of the heap's root and each FIFO's
 * head by (time, sequence), the one order of the whole queue, so an event runs at the same point
 * whether it was scheduled with `after` or through a FIFO; cancelling works the same in both.
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
  /**
   * Events each `delayMs` (>= 0, finite) after it is scheduled: `fixed.after(handler)` is
   * `after(delayMs, handler)`, run at the same point and cancelled by its id alike, but kept in a
   * FIFO instead of the heap. One FIFO per delay, shared by every caller asking for it.
   */
  fixedDelay(delayMs: number): FixedDelay;
}

export interface FixedDelay {
  readonly delayMs: number;
  /** Schedules `handler` `delayMs` from now. */
  after(handler: EventHandler): EventId;
}

/** A FIFO of events in (time, sequence) order: a ring over parallel typed arrays, grown by doubling. */
interface Fifo {
  readonly delayMs: number;
  times: Float64Array;
  seqs: Float64Array;
  slots: Int32Array;
  head: number;
  length: number;
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
  /** Entries whose event was cancelled and are still in the heap or a FIFO. */
  let dead = 0;
  /** The fixed-delay FIFOs, and the entries they hold. */
  const fifos: Fifo[] = [];
  let fifoSize = 0;

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

  /** Drops a FIFO's dead entries, keeping the order of the others. */
  const compactFifo = (fifo: Fifo): void => {
    const mask = fifo.times.length - 1;
    let kept = 0;
    for (let i = 0; i < fifo.length; i++) {
      const from = (fifo.head + i) & mask;
      const slot = fifo.slots[from]!;
      if (handlers[slot] === undefined) {
        releaseSlot(slot);
        continue;
      }
      const to = (fifo.head + kept) & mask;
      fifo.times[to] = fifo.times[from]!;
      fifo.seqs[to] = fifo.seqs[from]!;
      fifo.slots[to] = slot;
      kept++;
    }
    fifoSize -= fifo.length - kept;
    fifo.length = kept;
  };

  /** Drops every dead entry and restores the heap (Floyd's construction): O(queued). */
  const compact = (): void => {
    for (const fifo of fifos) compactFifo(fifo);
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

  /** A slot holding `handler`, under its next generation. */
  const slotFor = (handler: EventHandler): number => {
    if (typeof handler !== 'function') {
      throw new RinglabError('INVALID_ARGUMENT', 'handler must be a function', 'handler');
    }
    const slot = takeSlot();
    generations[slot] = generations[slot]! + 1;
    handlers[slot] = handler;
    return slot;
  };

  const idOf = (slot: number): EventId => generations[slot]! * SLOT_SPAN + slot;

  const at = (timeMs: number, handler: EventHandler): EventId => {
    // Written to be false for NaN as well.
    if (!(timeMs >= now && timeMs < Infinity)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `timeMs must be finite and not before now (${now} ms), got ${timeMs}`,
        'timeMs',
      );
    }
    const slot = slotFor(handler);
    push(timeMs, sequence++, slot);
    return idOf(slot);
  };

  const fixedDelay = (delayMs: number): FixedDelay => {
    checkDelay(delayMs);
    let fifo = fifos.find((held) => held.delayMs === delayMs);
    if (fifo === undefined) {
      fifo = {
        delayMs,
        times: new Float64Array(64),
        seqs: new Float64Array(64),
        slots: new Int32Array(64),
        head: 0,
        length: 0,
      };
      fifos.push(fifo);
    }
    const queue = fifo;
    return {
      delayMs,
      after: (handler: EventHandler): EventId => {
        const slot = slotFor(handler);
        if (queue.length === queue.times.length) growFifo(queue);
        // `now` never goes back, so the FIFO stays in (time, sequence) order.
        const tail = (queue.head + queue.length++) & (queue.times.length - 1);
        queue.times[tail] = now + delayMs;
        queue.seqs[tail] = sequence++;
        queue.slots[tail] = slot;
        fifoSize++;
        return idOf(slot);
      },
    };
  };

  const growFifo = (fifo: Fifo): void => {
    const capacity = fifo.times.length;
    const times = new Float64Array(capacity * 2);
    const seqs = new Float64Array(capacity * 2);
    const slots = new Int32Array(capacity * 2);
    for (let i = 0; i < fifo.length; i++) {
      const from = (fifo.head + i) & (capacity - 1);
      times[i] = fifo.times[from]!;
      seqs[i] = fifo.seqs[from]!;
      slots[i] = fifo.slots[from]!;
    }
    fifo.times = times;
    fifo.seqs = seqs;
    fifo.slots = slots;
    fifo.head = 0;
  };

  /** The FIFO whose head is due before the heap's root and every other head, if any. */
  const earliestFifo = (): Fifo | undefined => {
    let earliest: Fifo | undefined;
    let timeMs = times[0]!;
    // With the heap empty its root is the Infinity sentinel, which every head is before.
    let seq = seqs[0]!;
    for (let i = 0; i < fifos.length; i++) {
      const fifo = fifos[i]!;
      if (fifo.length === 0) continue;
      const headTime = fifo.times[fifo.head]!;
      const headSeq = fifo.seqs[fifo.head]!;
      if (headTime < timeMs || (headTime === timeMs && headSeq < seq)) {
        earliest = fifo;
        timeMs = headTime;
        seq = headSeq;
      }
    }
    return earliest;
  };

  /** Removes a FIFO's head; returns its slot. */
  const shiftFifo = (fifo: Fifo): number => {
    const slot = fifo.slots[fifo.head]!;
    fifo.head = (fifo.head + 1) & (fifo.times.length - 1);
    fifo.length--;
    fifoSize--;
    return slot;
  };

  const after = (delayMs: number, handler: EventHandler): EventId => {
    checkDelay(delayMs);
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
    if (dead >= COMPACT_MIN_DEAD && dead * 2 > size + fifoSize) compact();
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
        const fifo = fifoSize === 0 ? undefined : earliestFifo();
        let slot: number;
        let timeMs: number;
        if (fifo === undefined) {
          timeMs = times[0]!;
          if (timeMs > limitMs) break;
          slot = heapSlots[0]!;
          popRoot();
        } else {
          timeMs = fifo.times[fifo.head]!;
          if (timeMs > limitMs) break;
          slot = shiftFifo(fifo);
        }
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
      return size + fifoSize - dead;
    },
    get queued() {
      return size + fifoSize;
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
      let earliest = times[0]!;
      for (const fifo of fifos) {
        while (fifo.length > 0 && handlers[fifo.slots[fifo.head]!] === undefined) {
          releaseSlot(shiftFifo(fifo));
          dead--;
        }
        if (fifo.length > 0) earliest = Math.min(earliest, fifo.times[fifo.head]!);
      }
      return earliest;
    },
    fixedDelay,
  };
}

function checkDelay(delayMs: number): void {
  if (!(delayMs >= 0 && delayMs < Infinity)) {
    throw new RinglabError(
      'INVALID_ARGUMENT',
      `delayMs must be finite and at least 0, got ${delayMs}`,
      'delayMs',
    );
  }
}
