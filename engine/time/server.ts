/**
 * A node's service model on the time plane: `workers` jobs in service at once, the rest waiting
 * in one FIFO queue, as a Cassandra stage (MutationStage, ReadStage) is a thread pool of
 * concurrent_writes or concurrent_reads threads (32 each by default) in front of a queue. A
 * node with separate read and write stages is two servers.
 *
 * A job is a service time and a callback: the server holds a worker for `serviceMs` times the
 * current slowdown, then frees it (starting the next queued job on it) and calls `onDone` with
 * the time. The service time comes from the caller, drawn as it likes; `SERVICE_MS` suggests
 * figures. The slowdown is read when a job starts, so a job in service keeps the speed it
 * started at: a node turning slow delays what it takes on from then.
 *
 * Accounting integrates over virtual time, so utilisation and mean queue length are exact
 * time averages over the period since creation or the last `resetStats` (which lets a caller
 * drop a warm-up).
 */
import { RinglabError, type ErrorCode } from '../errors.js';
import type { FixedDelay, Scheduler } from './scheduler.js';

/**
 * Suggested worker-holding times, ms, for a replica of a current Cassandra on a 16-core node
 * with SSDs; they are time a worker is held, not CPU time, which is why a node at 32 workers
 * has the capacity given here:
 *
 * - write 0.2 ms: applying a small mutation (commit log append, memtable insert) costs on the
 *   order of 0.1 ms of one core (published benchmarks give about 10,000 small writes per second
 *   per core); 32 workers share 16 cores, so each is held twice that. Capacity 32 / 0.2 ms =
 *   160,000 writes/s per node.
 * - read 0.5 ms: one partition from one or two SSTables, through bloom filters and the
 *   partition index, with an SSD read (about 0.1 ms) when the page cache misses, and the merge
 *   of the copies; reads cost a few times a write. Capacity 64,000 reads/s per node.
 * - perRowScanned 0.002 ms: deserialising and filtering one small row during a scan or a
 *   multi-row read, about 500,000 rows/s per worker; a read of n rows holds its worker for
 *   read + n x perRowScanned.
 */
export const SERVICE_MS = { write: 0.2, read: 0.5, perRowScanned: 0.002 } as const;

/** Cassandra's default concurrent_reads and concurrent_writes. */
export const DEFAULT_WORKERS = 32;

export type JobDone = (nowMs: number) => void;

export interface ServerOptions {
  /** Jobs in service at once; 32 unless given. */
  readonly workers?: number;
  /** Service time multiplier; 1 unless given. */
  readonly slowdown?: number;
  /**
   * The service time most jobs take (a write stage's every mutation): a job of exactly that,
   * times the slowdown, completes through the scheduler's FIFO for that delay instead of its
   * heap. The same event at the same point of the queue (see `Scheduler.fixedDelay`), so it
   * changes no outcome, only what scheduling a completion costs.
   */
  readonly usualServiceMs?: number;
}

export interface ServerStats {
  /** The period the figures cover: from creation or the last resetStats to now. */
  readonly sinceMs: number;
  readonly elapsedMs: number;
  /** Jobs submitted, started and completed in the period. */
  readonly submitted: number;
  readonly started: number;
  readonly completed: number;
  /** The integral of busy workers over time, ms: worker-milliseconds of service. */
  readonly busyMs: number;
  /** busyMs over workers x elapsedMs, in [0, 1]; 0 for an empty period. */
  readonly utilisation: number;
  /** Time average of jobs waiting (not in service). */
  readonly meanQueueLength: number;
  /** Time average of jobs waiting or in service. */
  readonly meanInSystem: number;
  /** Most jobs waiting at once in the period. */
  readonly maxQueueLength: number;
}

export interface Server {
  readonly workers: number;
  /** Workers serving a job now. */
  readonly busy: number;
  /** Jobs waiting for a worker now. */
  readonly queued: number;
  /** The service time multiplier applied to jobs that start from now on. */
  readonly slowdown: number;
  setSlowdown(multiplier: number): void;
  /** Queues a job: `serviceMs` (finite, >= 0) of a worker, then `onDone(now)`. */
  submit(serviceMs: number, onDone: JobDone): void;
  stats(): ServerStats;
  /** Starts a new accounting period now; jobs in flight stay. */
  resetStats(): void;
}

export function createServer(scheduler: Scheduler, options: ServerOptions = {}): Server {
  const workers = options.workers ?? DEFAULT_WORKERS;
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new RinglabError(
      'INVALID_CONFIG',
      `workers must be a positive integer, got ${workers}`,
      'workers',
    );
  }
  let slowdown = checkSlowdown(options.slowdown ?? 1, 'INVALID_CONFIG');
  const usualServiceMs = options.usualServiceMs;
  /** The FIFO for `usualServiceMs` at the current slowdown; made on first use. */
  let usual: FixedDelay | undefined;

  // Workers: which job's callback each holds, its completion handler (made once, so that
  // scheduling a completion allocates nothing), and a stack of idle ones.
  const holding: (JobDone | undefined)[] = new Array<JobDone | undefined>(workers).fill(undefined);
  const idle = new Int32Array(workers);
  for (let i = 0; i < workers; i++) idle[i] = workers - 1 - i;
  let idleCount = workers;

  // The FIFO queue: a ring of service times and callbacks, grown by doubling.
  let queueServiceMs = new Float64Array(64);
  let queueDone: (JobDone | undefined)[] = new Array<JobDone | undefined>(64).fill(undefined);
  let head = 0;
  let queued = 0;

  let sinceMs = scheduler.now;
  let lastMs = sinceMs;
  let busyArea = 0;
  let queueArea = 0;
  let submitted = 0;
  let started = 0;
  let completed = 0;
  let maxQueued = 0;

  /** Integrates busy workers and queue length up to now. */
  const account = (nowMs: number): void => {
    const dt = nowMs - lastMs;
    busyArea += (workers - idleCount) * dt;
    queueArea += queued * dt;
    lastMs = nowMs;
  };

  const start = (worker: number, serviceMs: number, onDone: JobDone): void => {
    holding[worker] = onDone;
    started++;
    if (serviceMs === usualServiceMs) {
      (usual ??= scheduler.fixedDelay(serviceMs * slowdown)).after(completions[worker]!);
    } else {
      scheduler.after(serviceMs * slowdown, completions[worker]!);
    }
  };

  const finish = (worker: number, nowMs: number): void => {
    account(nowMs);
    const onDone = holding[worker]!;
    completed++;
    if (queued > 0) {
      const serviceMs = queueServiceMs[head]!;
      const next = queueDone[head]!;
      queueDone[head] = undefined;
      head = (head + 1) & (queueServiceMs.length - 1);
      queued--;
      start(worker, serviceMs, next);
    } else {
      holding[worker] = undefined;
      idle[idleCount++] = worker;
    }
    onDone(nowMs);
  };

  const completions: JobDone[] = Array.from(
    { length: workers },
    (_, worker) => (nowMs: number) => finish(worker, nowMs),
  );

  const enqueue = (serviceMs: number, onDone: JobDone): void => {
    const capacity = queueServiceMs.length;
    if (queued === capacity) {
      const grownMs = new Float64Array(capacity * 2);
      const grownDone = new Array<JobDone | undefined>(capacity * 2).fill(undefined);
      for (let i = 0; i < queued; i++) {
        const from = (head + i) & (capacity - 1);
        grownMs[i] = queueServiceMs[from]!;
        grownDone[i] = queueDone[from];
      }
      queueServiceMs = grownMs;
      queueDone = grownDone;
      head = 0;
    }
    const tail = (head + queued) & (queueServiceMs.length - 1);
    queueServiceMs[tail] = serviceMs;
    queueDone[tail] = onDone;
    queued++;
    if (queued > maxQueued) maxQueued = queued;
  };

  return {
    workers,
    get busy() {
      return workers - idleCount;
    },
    get queued() {
      return queued;
    },
    get slowdown() {
      return slowdown;
    },
    setSlowdown: (multiplier: number) => {
      slowdown = checkSlowdown(multiplier, 'INVALID_ARGUMENT');
      usual = undefined;
    },
    submit: (serviceMs: number, onDone: JobDone) => {
      if (!(serviceMs >= 0 && serviceMs < Infinity)) {
        throw new RinglabError(
          'INVALID_ARGUMENT',
          `serviceMs must be finite and at least 0, got ${serviceMs}`,
          'serviceMs',
        );
      }
      if (typeof onDone !== 'function') {
        throw new RinglabError('INVALID_ARGUMENT', 'onDone must be a function', 'onDone');
      }
      account(scheduler.now);
      submitted++;
      if (idleCount > 0) start(idle[--idleCount]!, serviceMs, onDone);
      else enqueue(serviceMs, onDone);
    },
    stats: (): ServerStats => {
      account(scheduler.now);
      const elapsedMs = lastMs - sinceMs;
      const per = (area: number) => (elapsedMs > 0 ? area / elapsedMs : 0);
      return {
        sinceMs,
        elapsedMs,
        submitted,
        started,
        completed,
        busyMs: busyArea,
        utilisation: per(busyArea) / workers,
        meanQueueLength: per(queueArea),
        meanInSystem: per(busyArea + queueArea),
        maxQueueLength: maxQueued,
      };
    },
    resetStats: () => {
      account(scheduler.now);
      sinceMs = lastMs;
      busyArea = 0;
      queueArea = 0;
      submitted = 0;
      started = 0;
      completed = 0;
      maxQueued = queued;
    },
  };
}

function checkSlowdown(multiplier: number, code: ErrorCode): number {
  if (!(multiplier > 0 && multiplier < Infinity)) {
    throw new RinglabError(
      code,
      `slowdown must be a finite multiplier above 0, got ${multiplier}`,
      'slowdown',
    );
  }
  return multiplier;
}
