import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createScheduler, type EventId } from '../../../engine/time/scheduler.js';
import { expectRinglabError } from '../../helpers/errors.js';

/** A schedule: event times drawn from a few values so that ties are common. */
const timesArb = fc.array(
  fc.integer({ min: 0, max: 20 }).map((t) => t / 4),
  { maxLength: 300 },
);

describe('event order', () => {
  it('runs events in (time, scheduling order), as a stable sort of the schedule would', () => {
    fc.assert(
      fc.property(timesArb, (times) => {
        const scheduler = createScheduler({ initialCapacity: 1 });
        const ran: number[] = [];
        times.forEach((t, index) => scheduler.at(t, () => ran.push(index)));
        expect(scheduler.pending).toBe(times.length);
        expect(scheduler.runAll()).toBe(times.length);
        const expected = times.map((t, index) => ({ t, index }));
        expected.sort((a, b) => a.t - b.t || a.index - b.index);
        expect(ran).toEqual(expected.map((e) => e.index));
        expect(scheduler.pending).toBe(0);
      }),
    );
  });

  it('interleaves events scheduled by handlers by (time, sequence), with cancellations', () => {
    // Each op either schedules a child event after a delay, or cancels an earlier event. The
    // reference keeps every event as (time, seq) and replays the same decisions in order.
    const opArb = fc.record({
      delay: fc.integer({ min: 0, max: 6 }).map((d) => d / 2),
      cancelOffset: fc.option(fc.nat(40), { nil: undefined }),
    });
    fc.assert(
      fc.property(timesArb, fc.array(opArb, { maxLength: 400 }), (times, ops) => {
        const scheduler = createScheduler({ initialCapacity: 2 });
        const ids: EventId[] = [];
        const events: { t: number; seq: number; cancelled: boolean }[] = [];
        const ran: number[] = [];
        let nextOp = 0;
        const schedule = (t: number): void => {
          const seq = events.length;
          events.push({ t, seq, cancelled: false });
          ids.push(scheduler.at(t, (now) => fire(seq, now)));
        };
        const fire = (seq: number, now: number): void => {
          expect(now).toBe(events[seq]!.t);
          expect(scheduler.now).toBe(now);
          ran.push(seq);
          const op = ops[nextOp++];
          if (op === undefined) return;
          schedule(now + op.delay);
          if (op.cancelOffset !== undefined && op.cancelOffset < events.length) {
            const target = events.length - 1 - op.cancelOffset;
            const wasPending = !events[target]!.cancelled && !ran.includes(target);
            expect(scheduler.cancel(ids[target]!)).toBe(wasPending);
            if (wasPending) events[target]!.cancelled = true;
          }
        };
        for (const t of times) schedule(t);
        scheduler.runAll();
        // Replaying the reference: a heap-free simulation by repeated minimum search.
        const done = new Set<number>();
        const expected: number[] = [];
        for (;;) {
          let best: { t: number; seq: number } | undefined;
          for (const e of events) {
            if (e.cancelled || done.has(e.seq)) continue;
            if (best === undefined || e.t < best.t || (e.t === best.t && e.seq < best.seq))
              best = e;
          }
          if (best === undefined) break;
          done.add(best.seq);
          expected.push(best.seq);
        }
        expect(ran).toEqual(expected);
        expect(scheduler.pending).toBe(0);
      }),
    );
  });

  it('runs an event scheduled for the current instant after those already queued for it', () => {
    const scheduler = createScheduler();
    const ran: string[] = [];
    scheduler.at(1, () => {
      ran.push('a');
      scheduler.at(1, () => ran.push('c'));
    });
    scheduler.at(1, () => ran.push('b'));
    scheduler.runAll();
    expect(ran).toEqual(['a', 'b', 'c']);
  });
});

describe('the clock', () => {
  it('runUntil runs events at or before its time and then stands at that time', () => {
    const scheduler = createScheduler({ startMs: 10 });
    const ran: number[] = [];
    for (const t of [10, 11, 12.5, 13]) scheduler.at(t, (now) => ran.push(now));
    expect(scheduler.runUntil(12.5)).toBe(3);
    expect(ran).toEqual([10, 11, 12.5]);
    expect(scheduler.now).toBe(12.5);
    expect(scheduler.runUntil(12.75)).toBe(0);
    expect(scheduler.now).toBe(12.75);
    expect(scheduler.pending).toBe(1);
    expect(scheduler.nextTime()).toBe(13);
  });

  it('after counts from now, and runAll leaves the clock at the last event', () => {
    const scheduler = createScheduler();
    scheduler.runUntil(5);
    scheduler.after(2.5, () => {});
    expect(scheduler.nextTime()).toBe(7.5);
    expect(scheduler.runAll()).toBe(1);
    expect(scheduler.now).toBe(7.5);
    expect(scheduler.nextTime()).toBe(Infinity);
  });

  it('runAll stops after maxEvents, so a handler that always reschedules itself can be run', () => {
    const scheduler = createScheduler();
    const tick = (now: number): void => void scheduler.at(now + 1, tick);
    scheduler.at(0, tick);
    expect(scheduler.runAll(100)).toBe(100);
    expect(scheduler.now).toBe(99);
    expect(scheduler.pending).toBe(1);
    expect(scheduler.runAll(0)).toBe(0);
  });

  it('stays consistent when a handler throws: the event is gone, the loop can run again', () => {
    const scheduler = createScheduler();
    const ran: number[] = [];
    scheduler.at(1, () => {
      throw new Error('boom');
    });
    scheduler.at(2, (now) => ran.push(now));
    expect(() => scheduler.runAll()).toThrow('boom');
    expect(scheduler.now).toBe(1);
    expect(scheduler.pending).toBe(1);
    expect(scheduler.runAll()).toBe(1);
    expect(ran).toEqual([2]);
  });
});

describe('cancellation', () => {
  it('cancels a pending event once; its id then cancels nothing, even after its slot is reused', () => {
    const scheduler = createScheduler();
    const ran: string[] = [];
    const id = scheduler.at(5, () => ran.push('timeout'));
    expect(scheduler.cancel(id)).toBe(true);
    expect(scheduler.pending).toBe(0);
    expect(scheduler.cancel(id)).toBe(false);
    scheduler.runAll();
    // The slot has been recycled for this event: the stale id must not cancel it.
    const later = scheduler.at(6, () => ran.push('later'));
    expect(later).not.toBe(id);
    expect(scheduler.cancel(id)).toBe(false);
    scheduler.runAll();
    expect(ran).toEqual(['later']);
    expect(scheduler.cancel(later)).toBe(false);
  });

  it('does not run a cancelled event, and nextTime skips it', () => {
    const scheduler = createScheduler();
    const ran: number[] = [];
    const first = scheduler.at(1, () => ran.push(1));
    scheduler.at(2, () => ran.push(2));
    scheduler.cancel(first);
    expect(scheduler.nextTime()).toBe(2);
    expect(scheduler.runAll()).toBe(1);
    expect(ran).toEqual([2]);
  });

  it('keeps the heap small when most events are cancelled timeouts, without changing order', () => {
    const scheduler = createScheduler();
    const ran: number[] = [];
    // Each request schedules a long timeout and a short reply; the reply cancels the timeout.
    const request = (index: number, now: number): void => {
      const timeout = scheduler.at(now + 5_000, () => ran.push(-index));
      scheduler.at(now + 1, () => {
        if (index % 97 !== 0) scheduler.cancel(timeout);
        ran.push(index);
        if (index < 20_000) request(index + 1, now + 1);
      });
    };
    request(1, 0);
    let maxQueued = 0;
    const sample = (now: number): void => {
      maxQueued = Math.max(maxQueued, scheduler.queued);
      if (now < 19_000) scheduler.at(now + 10, sample);
    };
    scheduler.at(0, sample);
    scheduler.runUntil(20_000);
    // Replies ran in order, interleaved with the uncancelled timeouts of every 97th.
    const replies = ran.filter((v) => v > 0);
    expect(replies).toEqual(Array.from({ length: replies.length }, (_, i) => i + 1));
    const timeouts = ran.filter((v) => v < 0).map((v) => -v);
    expect(timeouts.every((i) => i % 97 === 0)).toBe(true);
    expect(timeouts.length).toBeGreaterThan(50);
    // Live: 1 pending reply and the ~50 uncancelled timeouts of the last 5,000 ms. Without the
    // rebuild the heap would hold all 5,000 timeouts of the last 5,000 ms.
    expect(scheduler.pending).toBeLessThan(60);
    expect(maxQueued).toBeLessThan(2_500);
    expect(maxQueued).toBeGreaterThan(1_000);
  });
});

describe('fixed-delay FIFOs', () => {
  /**
   * Runs one random workload twice: once with every event in the heap (`after`), once with the
   * events of a few fixed delays through `fixedDelay`, and returns what ran when, and the counts.
   */
  const opArb = fc.record({
    kind: fc.constantFrom('heap', 'fixed-a', 'fixed-b'),
    delay: fc.integer({ min: 0, max: 6 }).map((d) => d / 2),
    cancelOffset: fc.option(fc.nat(30), { nil: undefined }),
  });
  const FIXED = { 'fixed-a': 1.5, 'fixed-b': 0 } as const;
  type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;
  const replay = (ops: readonly Op[], fifo: boolean) => {
    const scheduler = createScheduler({ initialCapacity: 1 });
    const queues = {
      'fixed-a': scheduler.fixedDelay(FIXED['fixed-a']),
      'fixed-b': scheduler.fixedDelay(FIXED['fixed-b']),
    };
    const ids: EventId[] = [];
    const ran: string[] = [];
    let next = 0;
    const step = (): void => {
      const op = ops[next++];
      if (op === undefined) return;
      const index = next;
      const handler = (now: number) => {
        ran.push(`${index}@${now}`);
        step();
      };
      if (op.kind === 'heap') ids.push(scheduler.after(op.delay, handler));
      else if (fifo) ids.push(queues[op.kind].after(handler));
      else ids.push(scheduler.after(FIXED[op.kind], handler));
      if (op.cancelOffset !== undefined && ids.length > op.cancelOffset) {
        scheduler.cancel(ids[ids.length - 1 - op.cancelOffset]!);
      }
      // A second event per op keeps the queue from running dry after a cancellation.
      if (index % 3 === 0) scheduler.after(op.delay, step);
    };
    step();
    const counts: number[] = [];
    while (scheduler.nextTime() < Infinity) {
      counts.push(scheduler.pending);
      scheduler.runUntil(scheduler.nextTime());
    }
    return { ran, counts, now: scheduler.now };
  };

  it('runs each event at the same point as after() would, cancellations included', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        expect(replay(ops, true)).toEqual(replay(ops, false));
      }),
    );
  });

  it('shares one FIFO per delay, and refuses a delay that is not finite and at least 0', () => {
    const scheduler = createScheduler();
    const ran: string[] = [];
    scheduler.fixedDelay(2).after(() => ran.push('first'));
    scheduler.after(2, () => ran.push('heap'));
    scheduler.fixedDelay(2).after(() => ran.push('second'));
    scheduler.runAll();
    expect(ran).toEqual(['first', 'heap', 'second']);
    for (const d of [-1, NaN, Infinity]) {
      expectRinglabError(() => scheduler.fixedDelay(d), 'INVALID_ARGUMENT', 'delayMs');
    }
  });

  it('keeps memory bounded under a flood of cancelled timeouts, as the heap does', () => {
    const scheduler = createScheduler();
    const timeouts = scheduler.fixedDelay(5_000);
    let maxQueued = 0;
    let fired = 0;
    const request = (index: number): void => {
      const timeout = timeouts.after(() => fired++);
      scheduler.after(1, () => {
        if (index % 97 !== 0) scheduler.cancel(timeout);
        maxQueued = Math.max(maxQueued, scheduler.queued);
        if (index < 20_000) request(index + 1);
      });
    };
    request(1);
    scheduler.runUntil(20_000);
    expect(fired).toBeGreaterThan(50);
    expect(scheduler.pending).toBeLessThan(60);
    expect(maxQueued).toBeLessThan(2_500);
  });
});

describe('misuse', () => {
  it('refuses a time in the past, not finite, or NaN', () => {
    const scheduler = createScheduler({ startMs: 5 });
    for (const t of [4.999, NaN, Infinity, -Infinity]) {
      expectRinglabError(() => scheduler.at(t, () => {}), 'INVALID_ARGUMENT', 'timeMs');
      expectRinglabError(() => scheduler.runUntil(t), 'INVALID_ARGUMENT', 'timeMs');
    }
    for (const d of [-0.001, NaN, Infinity]) {
      expectRinglabError(() => scheduler.after(d, () => {}), 'INVALID_ARGUMENT', 'delayMs');
    }
    expect(scheduler.pending).toBe(0);
  });

  it('refuses a handler that is not a function, and ids that were never ids', () => {
    const scheduler = createScheduler();
    const notAFunction = 3 as unknown as () => void;
    expectRinglabError(() => scheduler.at(1, notAFunction), 'INVALID_ARGUMENT', 'handler');
    for (const id of [-1, 0, 1.5, NaN]) {
      expectRinglabError(() => scheduler.cancel(id), 'INVALID_ARGUMENT', 'id');
    }
  });

  it('refuses to run from inside a handler, and bad options', () => {
    const scheduler = createScheduler();
    let caught: unknown;
    scheduler.at(1, () => {
      try {
        scheduler.runAll();
      } catch (error) {
        caught = error;
      }
    });
    scheduler.runAll();
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'run' });
    expectRinglabError(() => scheduler.runAll(-1), 'INVALID_ARGUMENT', 'maxEvents');
    expectRinglabError(() => createScheduler({ startMs: NaN }), 'INVALID_ARGUMENT', 'startMs');
    expectRinglabError(
      () => createScheduler({ initialCapacity: 0 }),
      'INVALID_ARGUMENT',
      'initialCapacity',
    );
  });
});
