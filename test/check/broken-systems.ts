/**
 * Deliberately broken variants of the system, for the negative controls: each models one bug
 * from outside the engine (bench/check/run.ts `SystemVariant`), so that the checkers can be
 * shown to catch it. A checker that cannot fail is not a checker.
 */
import type { SystemVariant } from '../../bench/check/run.js';
import type { ConsistencyLevel } from '../../engine/consistency.js';

/** The level with one replica fewer: what a read that skips a replica it needed waits for. */
const oneFewer: Readonly<Record<ConsistencyLevel, ConsistencyLevel>> = {
  ONE: 'ONE',
  LOCAL_ONE: 'LOCAL_ONE',
  TWO: 'ONE',
  THREE: 'TWO',
  QUORUM: 'ONE',
  LOCAL_QUORUM: 'LOCAL_ONE',
  ALL: 'TWO',
};

export const brokenSystems = {
  /** The coordinator acknowledges at once, before sending the write to any replica. */
  'ack-before-apply': {
    coordinator: (real) => ({
      ...real,
      write: (row, cl, done) => {
        done({ kind: 'ok', acked: 0, latencyMs: 0 });
        real.write(row, cl, () => {});
      },
    }),
  },
  /**
   * One write in ten is acknowledged and never sent: a coordinator that answers before it has
   * written anything, then drops it (the final reads find it nowhere).
   */
  'ack-and-drop': {
    coordinator: (real) => {
      let writes = 0;
      return {
        ...real,
        write: (row, cl, done) => {
          if (++writes % 10 === 0) done({ kind: 'ok', acked: 0, latencyMs: 0 });
          else real.write(row, cl, done);
        },
      };
    },
  },
  /** A read waits for one replica fewer than its level needs (QUORUM of 3 reads one). */
  'read-skips-replica': {
    coordinator: (real) => ({
      ...real,
      read: (key, cl, done) => real.read(key, oneFewer[cl], done),
    }),
  },
  /**
   * Hints are never replayed: modelled by never keeping them (hints.enabled false), which a
   * replica that missed a write cannot tell apart.
   */
  'hints-never-replayed': { hints: { enabled: false } },
  /** A repair that copies nothing: the wiped node stays empty, and so does the final repair. */
  'repair-copies-nothing': { faultTarget: (sim) => ({ ...sim, repair: () => 0 }) },
  /**
   * A join or leave that streams nothing: the new placement is installed at once, so the nodes
   * that gain a range serve it empty.
   */
  'move-streams-nothing': {
    move: (sim, to, done) => {
      sim.cluster.install(to);
      done();
    },
  },
  /** An index query that filters nothing: every key comes back, whatever its value's parity. */
  'index-filters-nothing': {
    coordinator: (real) => ({
      ...real,
      query: (q, cl, options, done) => real.query({ ...q, where: {} }, cl, options, done),
    }),
  },
  /** An `unavailable` that was in fact applied: the write goes out at ONE all the same. */
  'unavailable-applied': {
    coordinator: (real) => ({
      ...real,
      write: (row, cl, done) =>
        real.write(row, cl, (result) => {
          if (result.kind === 'unavailable') real.write(row, 'ONE', () => {});
          done(result);
        }),
    }),
  },
} as const satisfies Record<string, SystemVariant>;

export type BrokenSystemName = keyof typeof brokenSystems;
export const brokenSystemNames = Object.keys(brokenSystems) as BrokenSystemName[];
