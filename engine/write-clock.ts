/**
 * Write timestamps, owned by the cluster (or, on the time plane, by the simulation), never by one
 * coordinator: several coordinators share a cluster as clients share a real one, and replicas
 * reconcile rows by timestamp, so timestamps from two sources could make one coordinator's later
 * write lose to another's earlier one.
 *
 * A timestamp is a safe integer. As Cassandra's coordinators do with microsecond clocks, the
 * clock never hands out the same value twice: each call returns max(now(), previous + 1), so
 * timestamps follow the clock when it moves and stay unique and increasing when it does not.
 * On the data plane there is no time, `now` is constant, and timestamps are 1, 2, 3, ...
 */
export interface WriteClock {
  /** A timestamp greater than every one returned before. */
  next(): number;
  /** The last timestamp returned, or 0 before the first. */
  readonly last: number;
}

export function createWriteClock(now: () => number = () => 0): WriteClock {
  let last = 0;
  return {
    next() {
      const current = now();
      last = current > last ? current : last + 1;
      return last;
    },
    get last() {
      return last;
    },
  };
}
