/**
 * The rebalance experiment: a cluster laid out by a rebalancing strategy, loaded with log events,
 * then changed one node at a time (add, remove, decommission, replace). Each change plans the
 * streams between the two placements (engine/streaming.ts), carries them out, installs the new
 * epoch and cleans up; the report compares the data before and after with what an ideal
 * strategy would move.
 */
import { createCluster, type Cluster } from '../../engine/cluster.js';
import { createCoordinator } from '../../engine/coordinator.js';
import { createRandom } from '../../engine/random.js';
import type { DataShape, RebalanceContext, RebalanceStrategy } from '../../engine/rebalance.js';
import { createPlacement, replicatedOwnership, type Placement } from '../../engine/replication.js';
import { membersOf, type NodeSpec, type Ring } from '../../engine/ring.js';
import { imbalance } from '../../engine/stats.js';
import { moveTo, type StreamPlan } from '../../engine/streaming.js';
import { newTokenParts, tokenFromParts } from '../../engine/token.js';
import { createPartitioner, getTokenFunction } from '../../partitioners/index.js';
import { getRebalanceStrategy } from '../../rebalancing/index.js';
import { strategyOf, topologyOf } from '../cluster-config.js';
import { noProgress, type Progress } from '../progress.js';
import { createSimulation } from '../../engine/time/simulation.js';
import { DEFAULT_MOVE } from '../../engine/time/streaming.js';
import {
  createLogEvents,
  DEFAULT_START_MS,
  logTable,
  type LogEvent,
} from '../workloads/log-events.js';
import { runDuringTraffic, type DuringMove, type TimedChange } from './traffic.js';
import type { RebalanceConfig } from './config.js';

export interface NodeLoad {
  /** Share of all row copies the node's ranges hold (its replicated ownership over rf). */
  readonly ownership: number;
  readonly rows: number;
  readonly bytes: number;
}

export interface RebalanceReport {
  readonly seed: number;
  readonly strategy: string;
  readonly change: RebalanceConfig['change'];
  readonly config: RebalanceConfig;
  /** Row copies streamed to a node that did not hold them, over all row copies before. */
  readonly movedFraction: number;
  /** What the least movement that ends balanced would be: k/(n+k) for k joins to n, k/n else. */
  readonly idealFraction: number;
  /** Largest node's rows over the members' mean. */
  readonly maxOverMean: { readonly before: number; readonly after: number };
  readonly nodes: readonly {
    readonly id: string;
    readonly before: NodeLoad | null;
    readonly after: NodeLoad | null;
  }[];
  readonly streaming: {
    readonly bytes: number;
    readonly rows: number;
    readonly partitions: number;
    readonly streams: number;
    /** Ranges rebuilt from every live replica, because the node they replaced was down. */
    readonly rebuiltRanges: number;
    /** Virtual time the streams take, change after change, at the outbound cap. */
    readonly durationMs: number;
  };
  /** What reads and writes saw while the move ran (`--during-traffic`); null without traffic. */
  readonly duringMove: DuringMove | null;
  readonly lost: { readonly rows: number; readonly partitions: number; readonly ranges: number };
  /** `dynamic` only: each reshape while the rows were loaded and after each change. */
  readonly reshapes: readonly ReshapePoint[];
}

export interface ReshapePoint {
  /** Rows written when it ran. */
  readonly rows: number;
  readonly ranges: number;
  readonly splits: number;
  readonly merges: number;
  /** Ranges the balancer gave to another node. */
  readonly moves: number;
  /** Row copies the balancer's moves streamed. */
  readonly movedRows: number;
}

export interface RebalanceRunOptions {
  /** Told rows written out of all, then changes done out of all. */
  readonly progress?: Progress | undefined;
}

/** How often `dynamic` reshapes while loading: every this share of the rows. */
const RESHAPE_EVERY = 0.02;

export function runRebalance(
  config: RebalanceConfig,
  options: RebalanceRunOptions = {},
): RebalanceReport {
  const progress = options.progress ?? noProgress;
  const strategy = getRebalanceStrategy(config.strategy);
  const before = config.cluster.nodes;
  const { count } = config.change;
  const roster = rosterOf(config);
  const root = createRandom(config.cluster.seed);
  // The events' time span: at least 1,000 s, so that an ordered key space (time-bucket) can be
  // cut into as many ranges as any strategy needs, at least 1 ms each.
  const spanMs = Math.max(1_000_000, config.rows);
  const partitioner = createPartitioner(config.keys, {
    tokenFunction: getTokenFunction(config.cluster.partitioner),
    salt: { kind: 'fixed', salts: 8 },
    bucketMs: Math.max(1, Math.ceil(spanMs / 1000)),
    startMs: DEFAULT_START_MS,
    spanMs,
  });
  const replication = strategyOf(config.cluster);
  const context: RebalanceContext = {
    replication,
    vnodes: config.cluster.vnodes,
    partitions: config.partitions,
    splitBytes: config.splitBytes,
    random: root.fork('tokens'),
    splitKeySpace: partitioner.splitKeySpace?.bind(partitioner),
  };
  const members = Array.from({ length: before }, (_, i) => i);
  const placement = createPlacement(strategy.initial(roster, members, context), replication);
  // With traffic the move runs on the time plane, whose reads need the rows themselves; without,
  // per-partition counters are all a move needs, at a fraction of the memory.
  const sim =
    config.duringTraffic > 0
      ? createSimulation({
          placement,
          partitioner,
          table: logTable,
          storage: 'rows',
          random: root.fork('simulation'),
        })
      : undefined;
  const cluster =
    sim?.cluster ??
    createCluster({ placement, partitioner, table: logTable, storage: 'partitions' });
  const written = createWrittenData(config.rows);
  const reshapes: ReshapePoint[] = [];
  /** Reshapes a `dynamic` ring; returns the plan when the balancer moved data. */
  const reshape = (rows: number): StreamPlan | undefined => {
    if (strategy.reshape === undefined) return undefined;
    const result = strategy.reshape(cluster.placement.ring, context, written);
    if (result.ring === cluster.placement.ring) return undefined;
    const next = createPlacement(result.ring, replication);
    const plan = result.moves === 0 ? undefined : moveTo(cluster, next);
    if (plan === undefined) cluster.install(next);
    const movedRows = plan?.movedRows ?? 0;
    reshapes.push({
      rows,
      ranges: result.ring.size,
      splits: result.splits,
      merges: result.merges,
      moves: result.moves,
      movedRows,
    });
    return plan;
  };

  // Load: every row at ALL through the data-plane coordinator, placed as the key strategy says.
  const coordinator = createCoordinator(cluster);
  const token = newTokenParts();
  const events = createLogEvents(
    { events: config.rows, servers: config.servers, startMs: DEFAULT_START_MS, spanMs },
    root.fork('events'),
  );
  const every = Math.max(1, Math.floor(config.rows * RESHAPE_EVERY));
  const loaded: LogEvent[] = [];
  let rows = 0;
  for (const event of events) {
    coordinator.write(event, 'ALL');
    if (sim !== undefined) loaded.push(event);
    const key = partitioner.keyOf(event);
    partitioner.tokenFunction.tokenParts(key.bytes, token);
    written.add(token.hi, token.lo, logTable.sizeOf(event));
    rows++;
    if (rows % every === 0) {
      reshape(rows);
      progress(rows, config.rows + count);
    }
  }
  reshape(rows);
  const loadBefore = loads(cluster);

  // The change, one node at a time, each streamed and cleaned up before the next.
  const plans: PlanSummary[] = [];
  let durationMs = 0;
  let duringMove: DuringMove | null = null;
  const nextPlacement = (step: number): Placement =>
    createPlacement(
      changedRing(strategy, cluster.placement.ring, config, step, context, written),
      replication,
    );
  if (sim === undefined) {
    // The dead nodes of a removal or replacement are all dead before the first is dealt with.
    for (let step = 0; step < count; step++) {
      const dead = deadNode(config, step);
      if (dead !== undefined) cluster.markDown(roster[dead]!.id);
    }
    for (let step = 0; step < count; step++) {
      const plan = moveTo(cluster, nextPlacement(step));
      plans.push(summaryOf(plan));
      durationMs += streamingMs(plan, config.streamBytesPerSec);
      // What the balancer moves after the change is the change's doing too.
      const balanced = reshape(rows);
      if (balanced !== undefined) {
        plans.push(summaryOf(balanced));
        durationMs += streamingMs(balanced, config.streamBytesPerSec);
      }
      progress(config.rows + step + 1, config.rows + count);
    }
  } else {
    const steps: TimedChange[] = Array.from({ length: count }, (_, step) => ({
      dead: deadNode(config, step),
      next: () => nextPlacement(step),
    }));
    const traffic = createLogEvents(
      {
        events: MAX_TRAFFIC_WRITES,
        servers: config.servers,
        startMs: DEFAULT_START_MS + spanMs,
        rateEventsPerSec: config.duringTraffic / 2,
      },
      root.fork('traffic-events'),
    );
    duringMove = runDuringTraffic(sim, partitioner, steps, {
      rate: config.duringTraffic,
      bytesPerSec: config.streamBytesPerSec,
      ringDelayMs: DEFAULT_MOVE.ringDelayMs,
      events: { next: () => eventResult(traffic.next()) },
      loaded,
      random: root.fork('traffic'),
      onChange: (report) => {
        plans.push(summaryOf(report.plan));
        progress(config.rows + plans.length, config.rows + count);
      },
    });
    durationMs = duringMove.changes.reduce((s, c) => s + c.streamingMs, 0);
  }
  const loadAfter = loads(cluster);

  const totalRows = plans[0]?.totalRows ?? 0;
  const movedRows = sum(plans.map((p) => p.movedRows));
  const isMember = (load: NodeLoad | null): load is NodeLoad => load !== null;
  return {
    seed: config.cluster.seed,
    strategy: strategy.name,
    change: config.change,
    config,
    movedFraction: totalRows === 0 ? 0 : movedRows / totalRows,
    idealFraction: idealFraction(config),
    maxOverMean: {
      before: imbalance(loadBefore.filter(isMember).map((l) => l.rows)).maxOverMean,
      after: imbalance(loadAfter.filter(isMember).map((l) => l.rows)).maxOverMean,
    },
    nodes: roster.map((spec, i) => ({
      id: spec.id,
      before: loadBefore[i]!,
      after: loadAfter[i]!,
    })),
    streaming: {
      bytes: sum(plans.map((p) => p.bytes)),
      rows: movedRows,
      partitions: sum(plans.map((p) => p.movedPartitions)),
      streams: sum(plans.map((p) => p.streams)),
      rebuiltRanges: sum(plans.map((p) => p.rebuiltRanges)),
      durationMs,
    },
    duringMove,
    lost: {
      rows: sum(plans.map((p) => p.lost.rows)),
      partitions: sum(plans.map((p) => p.lost.partitions)),
      ranges: sum(plans.map((p) => p.lost.ranges)),
    },
    reshapes,
  };
}

/**
 * The ring after step `step` of the change. Joining and replacing nodes are the roster's nodes
 * after the first `nodes`; the nodes that leave are the last members, one per step.
 */
function changedRing(
  strategy: RebalanceStrategy,
  ring: Ring,
  config: RebalanceConfig,
  step: number,
  context: RebalanceContext,
  data: DataShape,
): Ring {
  const before = config.cluster.nodes;
  const leaving = before - 1 - step;
  const joining = before + step;
  switch (config.change.kind) {
    case 'add':
      return strategy.join(ring, joining, context, data);
    case 'decommission':
    case 'remove':
      return strategy.leave(ring, leaving, context, data);
    case 'replace':
      return strategy.replace(ring, leaving, joining, context);
  }
}

/** The node step `step` removes or replaces: dead, so nothing streams from it. */
function deadNode(config: RebalanceConfig, step: number): number | undefined {
  const { kind } = config.change;
  return kind === 'remove' || kind === 'replace' ? config.cluster.nodes - 1 - step : undefined;
}

function eventResult(event: LogEvent | undefined): IteratorResult<LogEvent> {
  return event === undefined ? { done: true, value: undefined } : { done: false, value: event };
}

/** Writes the traffic may send at most; far more than any move's duration needs. */
const MAX_TRAFFIC_WRITES = 100_000_000;

/** Each roster node's load under the cluster's placement; null for a node that owns nothing. */
function loads(cluster: Cluster): (NodeLoad | null)[] {
  const placement: Placement = cluster.placement;
  const ownership = replicatedOwnership(placement);
  const owns = membersOf(placement.ring);
  return cluster.nodes.map((node, i) =>
    owns[i] === 1
      ? { ownership: ownership[i]! / placement.rf, rows: node.rows, bytes: node.bytes }
      : null,
  );
}

/** What the report keeps of a plan: its counts, not its streams' keys. */
type PlanSummary = Omit<StreamPlan, 'tasks' | 'lostKeys' | 'from' | 'to'> & {
  readonly bytes: number;
  readonly streams: number;
};

function summaryOf(plan: StreamPlan): PlanSummary {
  const { tasks, lostKeys, from, to, ...counts } = plan;
  return { ...counts, bytes: sum(tasks.map((t) => t.bytes)), streams: tasks.length };
}

/**
 * The least a strategy could move, change by change: a join of the (n+1)-th node moves 1/(n+1)
 * of the copies, a leave of one of n moves 1/n, a replacement 1/n; summed over the steps.
 */
export function idealFraction(config: RebalanceConfig): number {
  const n = config.cluster.nodes;
  let ideal = 0;
  for (let step = 0; step < config.change.count; step++) {
    if (config.change.kind === 'add') ideal += 1 / (n + step + 1);
    else if (config.change.kind === 'replace') ideal += 1 / n;
    else ideal += 1 / (n - step);
  }
  return ideal;
}

/**
 * The cluster's nodes: the first `nodes` laid out as the cluster flags say, then the nodes that
 * join. A replacement takes the DC and rack of the node it replaces.
 */
function rosterOf(config: RebalanceConfig): NodeSpec[] {
  const { kind, count } = config.change;
  const before = config.cluster.nodes;
  if (kind === 'add') return topologyOf({ ...config.cluster, nodes: before + count });
  const nodes = topologyOf(config.cluster);
  if (kind !== 'replace') return nodes;
  const replacements = Array.from({ length: count }, (_, step) => {
    const replaced = nodes[before - 1 - step]!;
    return { id: `n${before + step + 1}`, dc: replaced.dc, rack: replaced.rack };
  });
  return [...nodes, ...replacements];
}

/** The virtual time a plan's streams take: every node sends its share at `bytesPerSec`. */
export function streamingMs(plan: StreamPlan, bytesPerSec: number): number {
  const out = new Map<number, number>();
  for (const task of plan.tasks) out.set(task.from, (out.get(task.from) ?? 0) + task.bytes);
  let slowest = 0;
  for (const bytes of out.values()) slowest = Math.max(slowest, bytes);
  return (slowest / bytesPerSec) * 1000;
}

/**
 * The rows written, as (token, bytes) per write, growing as the load goes: what `dynamic`
 * reshapes by. Log events are never overwritten, so the bytes written into a range are the bytes
 * it stores.
 */
interface WrittenData extends DataShape {
  add(hi: number, lo: number, bytes: number): void;
}

function createWrittenData(capacity: number): WrittenData {
  let hi = new Int32Array(Math.max(16, capacity));
  let lo = new Uint32Array(hi.length);
  let size = new Float64Array(hi.length);
  let length = 0;
  const parts = newTokenParts();
  return {
    add(h, l, bytes) {
      if (length === hi.length) {
        const grow = <T extends Int32Array | Uint32Array | Float64Array>(a: T, b: T): T => {
          b.set(a);
          return b;
        };
        hi = grow(hi, new Int32Array(length * 2));
        lo = grow(lo, new Uint32Array(length * 2));
        size = grow(size, new Float64Array(length * 2));
      }
      hi[length] = h;
      lo[length] = l >>> 0;
      size[length] = bytes;
      length++;
    },
    bytesAt(ring) {
      const bytes = new Float64Array(ring.size);
      for (let i = 0; i < length; i++) {
        parts.hi = hi[i]!;
        parts.lo = lo[i]!;
        bytes[ring.positionOfParts(parts)]! += size[i]!;
      }
      return bytes;
    },
    splitPoint(ring, position) {
      const inside: number[] = [];
      for (let i = 0; i < length; i++) {
        parts.hi = hi[i]!;
        parts.lo = lo[i]!;
        if (ring.positionOfParts(parts) === position) inside.push(i);
      }
      if (inside.length < 2) return undefined;
      inside.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
      const total = inside.reduce((s, i) => s + size[i]!, 0);
      const same = (a: number, b: number): boolean => hi[a] === hi[b] && lo[a] === lo[b];
      let acc = 0;
      let at = 0;
      while (at < inside.length - 1 && (acc += size[inside[at]!]!) < total / 2) at++;
      // The range becomes (start, t] and (t, end], so t must leave a partition on the right.
      const last = inside.at(-1);
      while (at >= 0 && last !== undefined && same(inside[at]!, last)) at--;
      if (at < 0) return undefined;
      return tokenFromParts(hi[inside[at]!]!, lo[inside[at]!]!);
    },
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}
