/**
 * The measurements that need a process of their own: heap per stored row needs `--expose-gc`
 * and no other live data churning the heap, the scale run's peak RSS must not include the
 * in-process rows' million keys, and the balanced growth (bench/perf/growth.ts) times seconds of
 * allocation that should not share a heap with them either; nor do the rows marked `isolated`
 * (bench/perf/micro.ts), timed in a heap that holds only their own fixture. Each is a job (a plain JSON value)
 * run by `runJob`, normally in a child `node --expose-gc bench/perf/child.js <job>` that prints
 * the result as JSON.
 *
 * In-process isolation exists for unit tests, which run from TypeScript sources where there is
 * no compiled child script: the heap job then gets a collector from V8 directly, and the scale
 * job's peak RSS is the whole process's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AllocatorName } from '../../engine/allocation.js';
import { createCluster } from '../../engine/cluster.js';
import { createCoordinator } from '../../engine/coordinator.js';
import { createRandom } from '../../engine/random.js';
import { getTokenFunction, hashEventId } from '../../partitioners/index.js';
import { transientTextBytes } from '../../partitioners/key-bytes.js';
import { placementOf, resolveClusterConfig } from '../cluster-config.js';
import { createLogEvents, logTable } from '../workloads/log-events.js';
import { lazyFixture } from './fixture.js';
import { runGrowth, type GrowthJob, type GrowthResult } from './growth.js';
import { timeCycles, type Timing } from './measure.js';
import { microRows } from './micro.js';

export type { GrowthJob, GrowthResult };

export const isolations = ['child-process', 'in-process'] as const;
export type Isolation = (typeof isolations)[number];

interface ClusterShape {
  readonly nodes: number;
  readonly vnodes: number;
  readonly rf: number;
}

export interface HeapJob extends ClusterShape {
  readonly kind: 'heap';
  readonly seed: number;
  readonly events: number;
}

export interface ScaleJob extends ClusterShape {
  readonly kind: 'scale';
  readonly seed: number;
  readonly events: number;
  readonly allocator: AllocatorName;
}

/** One in-process row (bench/perf/micro.ts) timed in a child: its fixture, then every round. */
export interface RowJob {
  readonly kind: 'row';
  readonly name: string;
  readonly seed: number;
  readonly keys: number;
  readonly batch: number;
  readonly rowEvents: number;
  readonly timing: Timing;
}

export interface RowResult {
  /** Seconds per operation, one per benchmark.js cycle, from every round. */
  readonly cycles: readonly number[];
}

export type IsolatedJob = HeapJob | ScaleJob | GrowthJob | RowJob;

export interface HeapResult {
  readonly events: number;
  /** Rows the replicas hold: events x rf (every replica up, every event its own partition). */
  readonly storedRows: number;
  /** Heap growth from generating and storing the events, minus their payload strings, per row. */
  readonly bytesPerRow: number;
  /** Heap of one event's own strings (its event_id; server ids and severities are shared). */
  readonly payloadStringBytesPerEvent: number;
  /** Heap growth from generating and storing the events, payload strings included. */
  readonly heapGrowthBytes: number;
}

export interface ScaleResult {
  readonly events: number;
  readonly nodes: number;
  readonly vnodes: number;
  readonly rf: number;
  readonly allocator: AllocatorName;
  /** Token allocation, ring and replica table. */
  readonly placementMs: number;
  /** Generating and writing every event (the events are streamed, never held). */
  readonly writeMs: number;
  /** Placement and writes, timed inside the child (Node's own start-up, ~0.1 s, is not in it). */
  readonly wallMs: number;
  /** The child process's peak resident set size (getrusage maxrss), Node itself included. */
  readonly peakRssBytes: number;
  /** Writes the coordinator acknowledged; equal to `events` (every node is up). */
  readonly acked: number;
}

export type ResultOf<J extends IsolatedJob> = J extends HeapJob
  ? HeapResult
  : J extends ScaleJob
    ? ScaleResult
    : J extends RowJob
      ? RowResult
      : GrowthResult;

/** Runs `job` here. The child script calls this; so does in-process isolation. */
export function runJob<J extends IsolatedJob>(job: J): ResultOf<J> {
  switch (job.kind) {
    case 'heap':
      return measureHeap(job) as ResultOf<J>;
    case 'scale':
      return runScale(job) as ResultOf<J>;
    case 'growth':
      return runGrowth(job) as ResultOf<J>;
    case 'row':
      return timeRow(job) as ResultOf<J>;
  }
}

export const jobKinds: readonly IsolatedJob['kind'][] = ['heap', 'scale', 'growth', 'row'];

/** The compiled child script, next to this module's compiled form. */
const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));

/** A job that has not finished after this long is reported as failed rather than waited for. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;

export function runIsolated<J extends IsolatedJob>(job: J, isolation: Isolation): ResultOf<J> {
  if (isolation === 'in-process') return runJob(job);
  if (!existsSync(CHILD_SCRIPT)) {
    throw new Error(
      `bench perf runs its heap and scale measurements in ${CHILD_SCRIPT}, which does not exist; ` +
        'run the compiled CLI (npm run build), or use in-process isolation',
    );
  }
  const child = spawnSync(process.execPath, ['--expose-gc', CHILD_SCRIPT, JSON.stringify(job)], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 1024 * 1024,
  });
  if (child.error !== undefined || child.status !== 0) {
    const why = child.error?.message ?? `exit code ${child.status}, signal ${child.signal}`;
    throw new Error(`the ${job.kind} measurement failed (${why}): ${child.stderr.trim()}`);
  }
  return JSON.parse(child.stdout) as ResultOf<J>;
}

/** A full garbage collection: `gc` from --expose-gc, or, in-process, one V8 is asked for. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Heap per stored row, beyond its payload strings.
 *
 * Two heap figures after full collections bracket generating `events` log events and writing
 * them at ONE, rf 3, in `rows` mode with hash-event-id (every event its own partition): the
 * growth holds the event objects, their payload strings and the store (per replica: the
 * partition, its Map entry, the row's version). From it the payload strings are subtracted, and
 * the rest divided by the rows the replicas hold (events x rf). The event object, shared by its
 * rf replicas, thus counts a third per row.
 *
 * "Payload strings" are the strings only that event owns: its event_id. The server_id and
 * severity strings are shared by every event (1,000 servers, five severities) and exist before
 * the first figure. The event_id's size is measured, not computed, in the form the write path
 * leaves it in (concatenated, then flattened by encoding it): the same events' ids are held in
 * an array, and the heap drops when the array's slots are pointed at one string instead.
 */
function measureHeap(job: HeapJob): HeapResult {
  const gc = collector();
  const heapUsed = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const workload = () =>
    createLogEvents({ events: job.events }, createRandom(job.seed).fork('perf/heap'));

  // Each retained structure is read after its figure is taken: V8 does not count a variable that
  // is never read again as live, and would collect what it holds before the figure.
  const ids: string[] = [];
  const idStream = workload();
  for (let event = idStream.next(); event !== undefined; event = idStream.next()) {
    transientTextBytes(event.event_id); // the write path's encoding, which flattens the id
    ids.push(event.event_id);
  }
  const withIds = heapUsed();
  const shared = ids[0] ?? '';
  ids.fill(shared);
  const withoutIds = heapUsed();
  if (ids.length !== job.events) throw new Error('lost the ids before measuring them');
  const payloadStringBytesPerEvent = job.events === 0 ? 0 : (withIds - withoutIds) / job.events;

  const placement = placementOf(resolveClusterConfig({ ...shape(job), seed: job.seed }));
  const partitioner = hashEventId(getTokenFunction('murmur3'));
  const cluster = createCluster({ placement, partitioner, table: logTable, storage: 'rows' });
  const coordinator = createCoordinator(cluster);
  const stream = workload();
  const before = heapUsed();
  for (let event = stream.next(); event !== undefined; event = stream.next()) {
    coordinator.write(event, 'ONE');
  }
  const after = heapUsed();
  const storedRows = cluster.nodes.reduce((sum, node) => sum + node.rows, 0);
  const heapGrowthBytes = after - before;
  return {
    events: job.events,
    storedRows,
    bytesPerRow:
      storedRows === 0
        ? 0
        : (heapGrowthBytes - payloadStringBytesPerEvent * job.events) / storedRows,
    payloadStringBytesPerEvent,
    heapGrowthBytes,
  };
}

/**
 * The scale run: a cluster of `nodes` built from scratch, then `events` log events generated and
 * written one at a time at ONE in `counters` mode (hash-event-id, Murmur3). The events are
 * streamed, so memory holds the cluster and one event at a time.
 */
function runScale(job: ScaleJob): ScaleResult {
  const started = performance.now();
  const config = resolveClusterConfig({ ...shape(job), allocator: job.allocator, seed: job.seed });
  const placement = placementOf(config);
  const placed = performance.now();
  const partitioner = hashEventId(getTokenFunction('murmur3'));
  const cluster = createCluster({ placement, partitioner, table: logTable, storage: 'counters' });
  const coordinator = createCoordinator(cluster);
  const stream = createLogEvents({ events: job.events }, createRandom(job.seed).fork('perf/scale'));
  let acked = 0;
  for (let event = stream.next(); event !== undefined; event = stream.next()) {
    if (coordinator.write(event, 'ONE').kind === 'ok') acked++;
  }
  const finished = performance.now();
  return {
    events: job.events,
    ...shape(job),
    allocator: job.allocator,
    placementMs: placed - started,
    writeMs: finished - placed,
    wallMs: finished - started,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    acked,
  };
}

/** A row's rounds, one after the other: in a child, nothing else runs between them. */
function timeRow(job: RowJob): RowResult {
  const row = microRows.find((candidate) => candidate.name === job.name);
  if (row === undefined) throw new Error(`no perf row is named ${job.name}`);
  const fixture = lazyFixture(job.seed, job.keys, () => {});
  const operation = row.prepare(fixture, job);
  const cycles: number[] = [];
  for (let round = 0; round < job.timing.rounds; round++) {
    cycles.push(...timeCycles(row.name, operation, job.timing));
  }
  return { cycles };
}

function shape(job: ClusterShape): ClusterShape {
  return { nodes: job.nodes, vnodes: job.vnodes, rf: job.rf };
}
