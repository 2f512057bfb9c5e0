import { describe, expect, it } from 'vitest';

import { createScheduler } from '../../../engine/time/scheduler.js';
import { DEFAULT_WORKERS, SERVICE_MS, createServer } from '../../../engine/time/server.js';
import { expectRinglabError } from '../../helpers/errors.js';

/** Submits jobs of these service times now; returns [job index, completion time] as they end. */
function runJobs(workers: number, serviceMs: readonly number[]): [number, number][] {
  const scheduler = createScheduler();
  const server = createServer(scheduler, { workers });
  const done: [number, number][] = [];
  serviceMs.forEach((ms, index) => server.submit(ms, (now) => done.push([index, now])));
  scheduler.runAll();
  return done;
}

describe('service', () => {
  it('serves one job at a time per worker, first come first served', () => {
    expect(runJobs(1, [1, 1, 1])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('serves `workers` jobs at once; the next queued job takes the first worker freed', () => {
    expect(runJobs(2, [3, 1, 1, 5])).toEqual([
      [1, 1],
      [2, 2],
      [0, 3],
      [3, 7],
    ]);
  });

  it('keeps FIFO order through queue growth and wrap-around', () => {
    const scheduler = createScheduler();
    const server = createServer(scheduler, { workers: 1 });
    const done: number[] = [];
    let submitted = 0;
    const submit = (count: number) => {
      for (let i = 0; i < count; i++) {
        const index = submitted++;
        server.submit(0.5, () => done.push(index));
      }
    };
    submit(50);
    scheduler.runUntil(10); // 20 jobs done: the ring's head has moved
    submit(200);
    scheduler.runAll();
    expect(done).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('lets a callback submit the next job (a closed loop)', () => {
    const scheduler = createScheduler();
    const server = createServer(scheduler, { workers: 1 });
    let rounds = 0;
    const loop = () => {
      if (++rounds < 10) server.submit(2, loop);
    };
    server.submit(2, loop);
    scheduler.runAll();
    expect(rounds).toBe(10);
    expect(scheduler.now).toBe(20);
  });

  it('defaults to 32 workers and documents service times', () => {
    const server = createServer(createScheduler());
    expect(server.workers).toBe(DEFAULT_WORKERS);
    expect(DEFAULT_WORKERS).toBe(32);
    expect(SERVICE_MS.write).toBeLessThan(SERVICE_MS.read);
  });
});

describe('slowdown', () => {
  it('multiplies the service time of jobs that start after it is set, not of those in service', () => {
    const scheduler = createScheduler();
    const server = createServer(scheduler, { workers: 1 });
    const done: number[] = [];
    server.submit(1, (now) => done.push(now));
    server.setSlowdown(3);
    server.submit(1, (now) => done.push(now)); // starts at 1, lasts 3
    scheduler.runAll();
    expect(done).toEqual([1, 4]);
    expect(server.slowdown).toBe(3);
    expect(createServer(scheduler, { slowdown: 2 }).slowdown).toBe(2);
  });
});

describe('accounting', () => {
  it('integrates busy workers over time', () => {
    const scheduler = createScheduler();
    const server = createServer(scheduler, { workers: 2 });
    server.submit(4, () => {});
    scheduler.runUntil(8);
    expect(server.stats()).toMatchObject({
      sinceMs: 0,
      elapsedMs: 8,
      busyMs: 4,
      utilisation: 0.25,
      meanQueueLength: 0,
      meanInSystem: 0.5,
      submitted: 1,
      started: 1,
      completed: 1,
    });
  });

  it('integrates the queue length: 2 waiting for 1 ms, then 1 for 1 ms', () => {
    const scheduler = createScheduler();
    const server = createServer(scheduler, { workers: 1 });
    for (let i = 0; i < 3; i++) server.submit(1, () => {});
    expect(server.queued).toBe(2);
    expect(server.busy).toBe(1);
    scheduler.runUntil(4);
    const stats = server.stats();
    expect(stats.meanQueueLength).toBe(3 / 4);
    expect(stats.meanInSystem).toBe(6 / 4);
    expect(stats.utilisation).toBe(3 / 4);
    expect(stats.maxQueueLength).toBe(2);
    expect(server.busy).toBe(0);
  });

  it('resetStats starts a new period, keeping the jobs in flight', () => {
    const scheduler = createScheduler();
    const server = createServer(scheduler, { workers: 1 });
    server.submit(10, () => {});
    server.submit(10, () => {});
    scheduler.runUntil(5);
    server.resetStats();
    scheduler.runUntil(25);
    expect(server.stats()).toMatchObject({
      sinceMs: 5,
      elapsedMs: 20,
      busyMs: 15,
      meanQueueLength: 5 / 20,
      submitted: 0,
      started: 1,
      completed: 2,
      maxQueueLength: 1,
    });
  });

  it('reports zeros for an empty period', () => {
    const stats = createServer(createScheduler()).stats();
    expect(stats).toMatchObject({ elapsedMs: 0, utilisation: 0, meanQueueLength: 0 });
  });
});

describe('misuse', () => {
  it('refuses bad options, service times, callbacks and slowdowns', () => {
    const scheduler = createScheduler();
    for (const workers of [0, -1, 1.5, NaN]) {
      expectRinglabError(() => createServer(scheduler, { workers }), 'INVALID_CONFIG', 'workers');
    }
    expectRinglabError(
      () => createServer(scheduler, { slowdown: 0 }),
      'INVALID_CONFIG',
      'slowdown',
    );
    const server = createServer(scheduler);
    for (const ms of [-1, NaN, Infinity]) {
      expectRinglabError(() => server.submit(ms, () => {}), 'INVALID_ARGUMENT', 'serviceMs');
    }
    const notAFunction = null as unknown as () => void;
    expectRinglabError(() => server.submit(1, notAFunction), 'INVALID_ARGUMENT', 'onDone');
    for (const m of [0, -2, NaN, Infinity]) {
      expectRinglabError(() => server.setSlowdown(m), 'INVALID_ARGUMENT', 'slowdown');
    }
    expect(server.stats().submitted).toBe(0);
  });
});
