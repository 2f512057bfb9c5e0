/**
 * The performance suite (`ringlab bench perf`): one run that measures, side by side,
 *
 * 1. token rates of Murmur3 and xxHash64 over a fixed set of pre-generated keys, and of
 *    cassandra-driver's Murmur3Tokenizer over the same keys;
 * 2. ring lookups with replica set (12 nodes, 16 vnodes, rf 3), and 3. hashring on the same keys;
 * 4. the data-plane write path with load counters only, and 5. with every row stored, plus the
 *    heap one stored row takes;
 * 6. a scale run of 1,000 nodes (tokens from the balanced allocator) and 10 million events;
 * 7. the time plane's event loop (bench/perf/event-loop.ts), and a bare typed-array heap doing
 *    the same pops and pushes;
 * 8. the time plane end to end (bench/perf/time-plane.ts): simulated messages per second of a
 *    stream of writes at QUORUM on the rows' cluster;
 * 9. the balanced allocator at scale (bench/perf/growth.ts): a ring grown from 1 to 1,000 nodes,
 *    one node added to it, and the worst max/mean of replicated ownership along the way;
 *
 * and returns the figures as a value; the CLI renders it. Rows 1-7 run in this process over
 * inputs generated before their timing (bench/perf/fixture.ts), timed by benchmark.js with the
 * median of its cycles; row 8 the same way in a child process of its own, on its own copy of
 * those inputs; the heap figure, the scale run and the balanced growth each run in a
 * child process (bench/perf/isolated.ts). New in-process rows go in bench/perf/micro.ts.
 */
import { cpus } from 'node:os';
import type { AllocatorName } from '../engine/allocation.js';
import { invalidConfig } from '../engine/errors.js';
import { MAX_SEED } from '../engine/random.js';
import { DEFAULT_SEED } from './cluster-config.js';
import { lazyFixture, PERF_CLUSTER, type Fixture } from './perf/fixture.js';
import {
  isolations,
  runIsolated,
  type GrowthResult,
  type HeapResult,
  type Isolation,
  type ScaleResult,
} from './perf/isolated.js';
import { rateOf, timeCycles, type Timing } from './perf/measure.js';
import { microRows, ROW, type MicroRow } from './perf/micro.js';
import { evaluateTargets, type TargetResult } from './perf/targets.js';
import { TIME_PLANE_WRITES_PER_SEC } from './perf/time-plane.js';

export type { GrowthResult, HeapResult, Isolation, ScaleResult, TargetResult };
/** The row names, for readers of a report's rows. */
export { ROW };

export const perfSizes = ['full', 'quick', 'tiny'] as const;
/** `tiny` is for tests: every part runs, on inputs too small for the figures to mean much. */
export type PerfSize = (typeof perfSizes)[number];

export interface PerfOptionsInput {
  /** A smaller run that finishes in under a minute; the scale run is scaled down. */
  readonly quick?: boolean | undefined;
  readonly seed?: number | undefined;
  /** Overrides `quick`. */
  readonly size?: PerfSize | undefined;
  readonly isolation?: Isolation | undefined;
  /** Called with a line before each measurement starts; the run takes minutes. */
  readonly onProgress?: ((line: string) => void) | undefined;
}

export interface PerfSizing {
  /** Pre-generated keys (and events) the in-process rows cycle through. */
  readonly keys: number;
  /** Items per benchmark.js operation. */
  readonly batch: number;
  /** Events written into each fresh cluster by the row-storage row. */
  readonly rowEvents: number;
  readonly heapEvents: number;
  readonly scaleNodes: number;
  readonly scaleEvents: number;
  /** The balanced growth: nodes grown to (and joined), and nodes its balance is measured up to. */
  readonly growthNodes: number;
  readonly growthCurveNodes: number;
  readonly timing: Timing;
}

export interface PerfConfig extends PerfSizing {
  readonly size: PerfSize;
  readonly seed: number;
  readonly isolation: Isolation;
  readonly cluster: typeof PERF_CLUSTER;
  readonly scaleVnodes: number;
  readonly scaleAllocator: AllocatorName;
}

/** The targets' scale run. */
const FULL_SCALE = { nodes: 1_000, events: 10_000_000 } as const;
/** The targets' balanced growth. */
const FULL_GROWTH = 1_000;

const SIZINGS: Readonly<Record<PerfSize, PerfSizing>> = {
  full: {
    keys: 1_000_000,
    batch: 1_000,
    rowEvents: 250_000,
    heapEvents: 200_000,
    scaleNodes: FULL_SCALE.nodes,
    scaleEvents: FULL_SCALE.events,
    growthNodes: FULL_GROWTH,
    growthCurveNodes: FULL_GROWTH,
    timing: { rounds: 4, maxTimeSec: 1, minSamples: 5, minTimeSec: 0.05 },
  },
  quick: {
    keys: 200_000,
    batch: 1_000,
    rowEvents: 100_000,
    heapEvents: 100_000,
    scaleNodes: FULL_SCALE.nodes,
    scaleEvents: 1_000_000,
    growthNodes: FULL_GROWTH,
    // Measuring the balance after every join builds a ring and a placement each time: about
    // 10 s up to 1,000 nodes, most of a quick run's minute.
    growthCurveNodes: 250,
    timing: { rounds: 2, maxTimeSec: 0.5, minSamples: 5, minTimeSec: 0.05 },
  },
  tiny: {
    keys: 2_000,
    batch: 200,
    rowEvents: 1_000,
    heapEvents: 20_000,
    scaleNodes: 24,
    scaleEvents: 5_000,
    growthNodes: 24,
    growthCurveNodes: 24,
    timing: { rounds: 2, maxTimeSec: 0.01, minSamples: 2, minTimeSec: 0.005 },
  },
};

/**
 * The scale run allocates tokens as a cluster does by default, with the replication-aware
 * allocator, growing the ring one node at a time: a few seconds of its 30 s budget at 1,000 nodes
 * (the balanced growth below times that on its own).
 */
const SCALE_ALLOCATOR: AllocatorName = 'balanced';

export function resolvePerfConfig(input: PerfOptionsInput = {}): PerfConfig {
  const size = input.size ?? (input.quick ? 'quick' : 'full');
  if (!perfSizes.includes(size)) {
    throw invalidConfig('size', `must be one of ${perfSizes.join(', ')}, got ${String(size)}`);
  }
  const seed = input.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw invalidConfig('seed', `must be an integer between 0 and ${MAX_SEED}, got ${seed}`);
  }
  const isolation = input.isolation ?? 'child-process';
  if (!isolations.includes(isolation)) {
    throw invalidConfig('isolation', `must be one of ${isolations.join(', ')}, got ${isolation}`);
  }
  return {
    size,
    seed,
    isolation,
    ...SIZINGS[size],
    cluster: PERF_CLUSTER,
    scaleVnodes: PERF_CLUSTER.vnodes,
    scaleAllocator: SCALE_ALLOCATOR,
  };
}

export interface PerfRow {
  readonly name: string;
  /** Items per second, `unit` telling what an item is. */
  readonly opsPerSec: number;
  readonly unit: string;
  readonly description: string;
  /** benchmark.js cycles the median is taken over, from every round. */
  readonly cycles: number;
  /** Half the interquartile range of the cycle times, as a percentage of their median. */
  readonly spreadPercent: number;
}

export interface PerfRatios {
  /** write-counters over murmur3: the write path against its floor, hashing alone. */
  readonly writeOverMurmur3: number;
  /** ring-lookup over hashring-lookup. */
  readonly ringOverHashring: number;
  /** murmur3 over driver-murmur3. */
  readonly murmur3OverDriver: number;
  /** event-loop over typed-heap: the scheduler against its floor, a bare heap. */
  readonly eventLoopOverTypedHeap: number;
}

export interface PerfReport {
  readonly rows: readonly PerfRow[];
  readonly ratios: PerfRatios;
  /** Heap per stored row beyond its payload strings; see `heap` for how it was taken. */
  readonly bytesPerRow: number;
  readonly heap: HeapResult;
  readonly scale: ScaleResult & {
    /** True when smaller than the targets' 1,000 nodes and 10M events (`--quick`). */
    readonly scaledDown: boolean;
  };
  readonly growth: GrowthResult;
  readonly targets: readonly TargetResult[];
  readonly config: PerfConfig;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
  };
  /** Caveats a reader of the figures should know, in sentences. */
  readonly notes: readonly string[];
}

export function runPerf(input: PerfOptionsInput = {}): PerfReport {
  const config = resolvePerfConfig(input);
  const progress = input.onProgress ?? (() => {});

  const fixture = lazyFixture(config.seed, config.keys, () =>
    progress(`generating ${config.keys.toLocaleString('en-US')} keys and events`),
  );
  const rows = measureRows(config, fixture, progress);

  progress(`measuring heap per stored row (${config.heapEvents.toLocaleString('en-US')} events)`);
  const heap = runIsolated(
    { kind: 'heap', seed: config.seed, events: config.heapEvents, ...config.cluster },
    config.isolation,
  );
  progress(
    `scale run: ${config.scaleNodes.toLocaleString('en-US')} nodes, ${config.scaleEvents.toLocaleString('en-US')} events`,
  );
  const scale = runIsolated(
    {
      kind: 'scale',
      seed: config.seed,
      events: config.scaleEvents,
      nodes: config.scaleNodes,
      vnodes: config.scaleVnodes,
      rf: config.cluster.rf,
      allocator: config.scaleAllocator,
    },
    config.isolation,
  );
  const scaledDown = scale.nodes < FULL_SCALE.nodes || scale.events < FULL_SCALE.events;
  progress(
    `balanced growth: 1 to ${config.growthNodes.toLocaleString('en-US')} nodes, then one more`,
  );
  const growth = runIsolated(
    {
      kind: 'growth',
      seed: config.seed,
      nodes: config.growthNodes,
      vnodes: config.scaleVnodes,
      rf: config.cluster.rf,
      curveNodes: config.growthCurveNodes,
    },
    config.isolation,
  );

  const rate = (name: string) => rows.find((row) => row.name === name)!.opsPerSec;
  const ratios: PerfRatios = {
    writeOverMurmur3: rate(ROW.writeCounters) / rate(ROW.murmur3),
    ringOverHashring: rate(ROW.ring) / rate(ROW.hashring),
    murmur3OverDriver: rate(ROW.murmur3) / rate(ROW.driver),
    eventLoopOverTypedHeap: rate(ROW.scheduler) / rate(ROW.typedHeap),
  };
  const targets = evaluateTargets({
    ...ratios,
    writeEventsPerSec: rate(ROW.writeCounters),
    timePlaneMessagesPerSec: rate(ROW.timePlane),
    bytesPerRow: heap.bytesPerRow,
    scaleWallMs: scale.wallMs,
    scalePeakRssBytes: scale.peakRssBytes,
    scaleIsFull: !scaledDown,
    growthMs: growth.growthMs,
    joinMs: growth.joinMs,
    growthIsFull: growth.nodes >= FULL_GROWTH,
    growthWorstMaxOverMean: growth.worstMaxOverMean,
    growthBound: growth.bound,
    growthCurveIsFull: growth.curveNodes >= FULL_GROWTH,
  });

  return {
    rows,
    ratios,
    bytesPerRow: heap.bytesPerRow,
    heap,
    scale: { ...scale, scaledDown },
    growth,
    targets,
    config,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    },
    notes: notesFor(config, scaledDown, growth),
  };
}

interface RowRun {
  readonly row: MicroRow;
  /** Prepared when the row is first timed. */
  operation: (() => void) | undefined;
  /** Seconds per operation, one per benchmark.js cycle, from every round so far. */
  readonly cycles: number[];
}

/**
 * Times every in-process row, `timing.rounds` times each: first the rows that need no fixture,
 * before it exists, then the others; within each group the rows take turns, round by round, so
 * that a slow patch on the machine does not land on one row of a ratio only. A row's figure
 * comes from its cycles of every round. A row marked `isolated` is timed last, all its rounds in
 * a child process of its own (with in-process isolation, here).
 */
function measureRows(
  config: PerfConfig,
  fixture: () => Fixture,
  progress: (line: string) => void,
): PerfRow[] {
  const { seed, keys, batch, rowEvents, timing } = config;
  const entries: RowRun[] = microRows.map((row) => ({ row, operation: undefined, cycles: [] }));
  const timeRound = (entry: RowRun, round: number) => {
    progress(`measuring ${entry.row.name} (round ${round + 1} of ${timing.rounds})`);
    entry.operation ??= entry.row.prepare(fixture, { seed, batch, rowEvents });
    entry.cycles.push(...timeCycles(entry.row.name, entry.operation, timing));
  };
  for (const usesFixture of [false, true]) {
    const group = entries.filter((e) => e.row.usesFixture === usesFixture && !e.row.isolated);
    for (let round = 0; round < timing.rounds; round++) {
      for (const entry of group) timeRound(entry, round);
    }
  }
  for (const entry of entries.filter((e) => e.row.isolated)) {
    progress(`measuring ${entry.row.name} in a process of its own (${timing.rounds} rounds)`);
    const job = {
      kind: 'row',
      name: entry.row.name,
      seed,
      keys,
      batch,
      rowEvents,
      timing,
    } as const;
    entry.cycles.push(...runIsolated(job, config.isolation).cycles);
  }
  return entries.map(({ row, cycles }) => {
    const rate = rateOf(cycles, batch);
    return {
      name: row.name,
      opsPerSec: rate.opsPerSec,
      unit: `${row.unit}/s`,
      description: row.description,
      cycles: rate.cycles,
      spreadPercent: rate.spreadPercent,
    };
  });
}

function notesFor(config: PerfConfig, scaledDown: boolean, growth: GrowthResult): string[] {
  const count = (value: number) => value.toLocaleString('en-US');
  const notes = [
    `each rate is the median of its benchmark.js cycles (${config.timing.rounds} rounds, the rows taking turns) over ${count(config.keys)} pre-generated keys, ${count(config.batch)} per operation; ± is half the interquartile range`,
    `the scale run allocates tokens with "${config.scaleAllocator}", growing the ring node by node`,
    `balanced growth, ${growth.vnodes} vnodes, rf ${growth.rf}, SimpleStrategy: 1 to ${count(growth.nodes)} nodes in ${count(Math.round(growth.growthMs))} ms; one node added to ${count(growth.nodes)} in ${growth.joinMs.toFixed(1)} ms (median of ${growth.joinsMs.length} after a warm-up; the process's first join ${growth.firstJoinMs.toFixed(1)} ms); replicated ownership max/mean at most ${growth.worstMaxOverMean.toFixed(4)} (at ${count(growth.worstAtNodes)} nodes) up to ${count(growth.curveNodes)} nodes, ${growth.finalMaxOverMean.toFixed(4)} there, against the bound ${growth.bound.toFixed(4)}`,
    `write-rows stores ${config.rowEvents.toLocaleString('en-US')} events into each fresh cluster, then starts another`,
    `${ROW.timePlane} counts simulated messages (a write at rf 3 sends 3 requests and gets 3 replies) per second of wall time, writes arriving at ${TIME_PLANE_WRITES_PER_SEC.toLocaleString('en-US')}/s of virtual time`,
  ];
  if (scaledDown) {
    notes.push(
      `scale run scaled down to ${count(config.scaleNodes)} nodes and ${count(config.scaleEvents)} events (${config.size}); its targets are not evaluated`,
    );
  }
  if (growth.nodes < FULL_GROWTH || growth.curveNodes < FULL_GROWTH) {
    notes.push(
      `balanced growth scaled down to ${count(growth.nodes)} nodes, its balance measured up to ${count(growth.curveNodes)} (${config.size}); the targets of what is scaled down are not evaluated`,
    );
  }
  if (config.isolation === 'in-process') {
    notes.push(
      'heap, scale and growth were measured in this process: peak RSS includes the in-process rows',
    );
  }
  return notes;
}
