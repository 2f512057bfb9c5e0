/**
 * The time plane end to end: a simulation of the suite's cluster (12 nodes, 16 vnodes, rf 3,
 * hash-event-id on Murmur3, load counters only) taking writes at QUORUM from one coordinator,
 * measured in simulated messages (`network.sent`: each write's three requests and three replies)
 * per second of wall time. Everything a write costs on the time plane is in it: the coordinator,
 * the scheduler, the network's delay draws and each replica's write stage.
 *
 * Writes arrive as an open stream, each arrival scheduling the next after a pre-generated
 * exponential gap, so the simulation stays in a steady state with about as many writes in flight
 * from one operation to the next, and the queue holds only what is in flight. The events are the
 * fixture's, generated before any timing.
 */
import { createRandom } from '../../engine/random.js';
import { createSimulation } from '../../engine/time/simulation.js';
import { createTimeCoordinator, type TimedWriteResult } from '../../engine/time/coordinator.js';
import { getTokenFunction, hashEventId } from '../../partitioners/index.js';
import { logTable } from '../workloads/log-events.js';
import type { MicroRow } from './micro.js';

export const TIME_PLANE_ROW = 'time-plane';

/**
 * Writes per virtual second. The cluster's write stages take 12 x 160,000 replica writes a
 * second, 640,000 writes at rf 3; at a sixth of that the queues stay short, so the row measures
 * the simulator's work per message, not a backlog growing from one operation to the next.
 */
export const TIME_PLANE_WRITES_PER_SEC = 100_000;

/** Pre-generated gaps between arrivals, a power of two so that cycling through them is a mask. */
const GAPS = 1 << 16;

/** The most messages one event sends: a write's requests to its rf (3) replicas. */
const MAX_MESSAGES_PER_EVENT = 3;

const sink: { value: unknown } = { value: undefined };

export const timePlaneRow: MicroRow = {
  name: TIME_PLANE_ROW,
  unit: 'messages',
  description: `the time plane end to end: writes at QUORUM arriving at ${TIME_PLANE_WRITES_PER_SEC.toLocaleString('en-US')}/s of virtual time, one coordinator; simulated messages`,
  usesFixture: true,
  // A simulation allocates as it runs (its results, its queue's growth) and reads rows spread
  // over the whole fixture: timed after the other rows, in a heap they have filled and churned,
  // its rate says as much about them as about the time plane.
  isolated: true,
  prepare: (fixture, { seed, batch }) => {
    const { events, placement } = fixture();
    const random = createRandom(seed).fork('perf/time-plane');
    const sim = createSimulation({
      placement,
      partitioner: hashEventId(getTokenFunction('murmur3')),
      table: logTable,
      storage: 'counters',
      random: random.fork('simulation'),
    });
    const { scheduler, network } = sim;
    const coordinator = createTimeCoordinator(sim);
    const arrivals = random.fork('arrivals');
    const meanGapMs = 1000 / TIME_PLANE_WRITES_PER_SEC;
    const gaps = new Float64Array(GAPS);
    for (let i = 0; i < GAPS; i++) gaps[i] = -Math.log(1 - arrivals.nextFloat()) * meanGapMs;

    let acked = 0;
    const done = (result: TimedWriteResult): void => {
      if (result.kind === 'ok') acked++;
    };
    let next = 0;
    let gap = 0;
    const arrive = (): void => {
      coordinator.write(events[next]!, 'QUORUM', done);
      if (++next === events.length) next = 0;
      scheduler.after(gaps[gap]!, arrive);
      gap = (gap + 1) & (GAPS - 1);
    };
    scheduler.after(0, arrive);

    // Each operation runs events until `batch` more messages have been sent. No event sends more
    // than MAX_MESSAGES_PER_EVENT, so a chunk of a third of the messages still due never passes
    // the mark; the last events may pass it by at most two, which the next operation's mark
    // absorbs, so over a cycle of many operations the count is exact.
    let mark = network.sent;
    return () => {
      mark += batch;
      for (let due = mark - network.sent; due > 0; due = mark - network.sent) {
        scheduler.runAll(Math.max(1, Math.floor(due / MAX_MESSAGES_PER_EVENT)));
      }
      sink.value = acked;
    };
  },
};
