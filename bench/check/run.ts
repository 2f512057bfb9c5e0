/**
 * The runner of `ringlab check`: one schedule (schedule.ts) on the time plane, recorded as a
 * history (history.ts) and judged by the checkers (checkers.ts), and a campaign of many.
 *
 * A schedule runs as bench/simulate/run.ts runs a workload: one simulation, one coordinator per
 * node, the faults on the same virtual clock (bench/faults.ts specs, engine/time/faults.ts). Each
 * client sends its operations one at a time to its own node, or the next running one. When the
 * span is over and every client is answered, the cluster heals (every link, every node), hints are
 * given time to replay, every node is repaired, and each key is read at ALL by process "final":
 * the final state the checkers hold the acknowledged writes to.
 *
 * A `SystemVariant` changes the system under test from outside, for the negative controls: the
 * coordinator clients talk to, the simulation's hint options, and the simulation the faults act on.
 * The engine itself is never changed.
 */
import { blockFor, type ConsistencyLevel } from '../../engine/consistency.js';
import type { Partitioner } from '../../engine/partitioner.js';
import { createCoordinator } from '../../engine/coordinator.js';
import { invalidConfig, quoted } from '../../engine/errors.js';
import type { IndexMode } from '../../engine/index-mode.js';
import { createIndexMode } from '../../indexes/index.js';
import { NO_DATA, type RebalanceContext } from '../../engine/rebalance.js';
import { createPlacement, simpleStrategy, type Placement } from '../../engine/replication.js';
import { buildRing, membersOf } from '../../engine/ring.js';
import { createRandom, type Random } from '../../engine/random.js';
import { startMove } from '../../engine/time/streaming.js';
import { getRebalanceStrategy } from '../../rebalancing/index.js';
import { genericTable, type Row } from '../../engine/row.js';
import { createTimeCoordinator, type TimeCoordinator } from '../../engine/time/coordinator.js';
import { scheduleFaults } from '../../engine/time/faults.js';
import {
  createSimulation,
  type DEFAULT_HINTS,
  type Simulation,
} from '../../engine/time/simulation.js';
import { composite, getTokenFunction } from '../../partitioners/index.js';
import { placementOf, resolveClusterConfig } from '../cluster-config.js';
import { parseFaults } from '../faults.js';
import { noProgress, type Progress } from '../progress.js';
import { runOnWorkers } from '../workers/pool.js';
import {
  checkerNames,
  checkHistory,
  combine,
  type CheckerName,
  type CheckOptions,
  type HistoryVerdict,
  type Verdict,
} from './checkers.js';
import type { CheckConfig } from './config.js';
import {
  createHistoryRecorder,
  pairOperations,
  type HistoryEvent,
  type QueryValue,
} from './history.js';
import {
  generateSchedule,
  keyName,
  nodeName,
  type PlannedOperation,
  type Schedule,
  type ScheduleShape,
} from './schedule.js';

/** The system under test, changed from outside (see the negative controls' tests). */
export interface SystemVariant {
  readonly hints?: Partial<typeof DEFAULT_HINTS>;
  /** The coordinator a client talks to, in place of the real one. */
  coordinator?(real: TimeCoordinator, sim: Simulation): TimeCoordinator;
  /** The simulation faults and the final repair act on, in place of the real one. */
  faultTarget?(sim: Simulation): Simulation;
  /** How a join or leave moves the cluster to `to`, in place of streaming (startMove). */
  move?(sim: Simulation, to: Placement, done: () => void): void;
}

export interface Levels {
  readonly clWrite: ConsistencyLevel;
  readonly clRead: ConsistencyLevel;
}

export interface ScheduleRun {
  readonly schedule: Schedule;
  readonly events: readonly HistoryEvent[];
  /** Hints not yet replayed when the final phase gave up waiting (0 when all were delivered). */
  readonly hintsPending: number;
  /** Virtual ms the schedule took, final reads included. */
  readonly durationMs: number;
  /** Membership changes (join, leave) made, and of those, finished: every range switched. */
  readonly changes: { readonly made: number; readonly finished: number };
}

/**
 * The register every key is: one row per key, no clustering columns, its value a number and the
 * value's parity, which a local index serves (`ringlab check`'s index queries).
 */
const registerTable = { ...genericTable('register', []), columns: ['key', 'value', 'parity'] };
const parityIndex = (): IndexMode =>
  createIndexMode('local', { column: 'parity', base: registerTable, buckets: 1 });

/** The indexed column's value for a value: `even` or `odd`. */
export const parityName = (value: number): 'even' | 'odd' => (value % 2 === 0 ? 'even' : 'odd');
const DRAIN_MS = 60_000;
const STEP_MS = 500;
/** After the heal: a recovered node is noticed in 1 s; a late hint is retried every 2 s. */
const SETTLE_MS = 5_000;
const HINT_WAIT_MS = 60_000;

function registerPartitioner(): Partitioner {
  return composite({
    name: 'by-key',
    tokenFunction: getTokenFunction('murmur3'),
    components: [{ kind: 'text', column: 'key' }],
  });
}

/** Runs one schedule and records its history; the same schedule gives the same history. */
export function runSchedule(
  schedule: Schedule,
  levels: Levels,
  variant: SystemVariant = {},
): ScheduleRun {
  const { shape } = schedule;
  const root = createRandom(schedule.seed);
  const cluster = resolveClusterConfig({
    nodes: shape.nodes,
    rf: shape.rf,
    vnodes: shape.vnodes,
    seed: schedule.seed,
  });
  const partitioner = registerPartitioner();
  const sim = createSimulation({
    placement: withSpare(placementOf(cluster, root)),
    partitioner,
    table: registerTable,
    index: parityIndex(),
    storage: 'rows',
    random: root.fork('simulation'),
    ...(variant.hints === undefined ? {} : { hints: variant.hints }),
  });
  const { scheduler } = sim;
  const coordinators = sim.cluster.placement.ring.nodes.map((node) => {
    const real = createTimeCoordinator(sim, { node: node.id });
    return variant.coordinator?.(real, sim) ?? real;
  });
  const target = variant.faultTarget?.(sim) ?? sim;
  const nodeIds = coordinators.map((_, i) => nodeName(i));
  const changes = schedule.faults.filter(isMembershipSpec);
  const faults = schedule.faults.filter((spec) => !isMembershipSpec(spec));
  scheduleFaults(target, parseFaults(faults, { nodes: nodeIds, endMs: shape.spanMs }));
  const move =
    variant.move ??
    ((into: Simulation, to: Placement, done: () => void) =>
      startMove(into, to, { ringDelayMs: MEMBERSHIP_RING_DELAY_MS }, done));
  const moved = scheduleMembership(sim, changes, nodeIds, cluster.vnodes, {
    random: root.fork('membership'),
    move,
  });
  /** Whether a node owns ranges now: one that has not joined, or has left, coordinates nothing. */
  const member = (node: number): boolean => membersOf(sim.cluster.placement.ring)[node] === 1;

  const history = createHistoryRecorder();
  let outstanding = 0;
  /** A client's own node, or the next member running (one is, always: see schedule.ts). */
  const coordinatorFor = (client: number): TimeCoordinator | undefined => {
    for (let step = 0; step < coordinators.length; step++) {
      const candidate = coordinators[(client + step) % coordinators.length]!;
      if (sim.running[candidate.node] === 1 && member(candidate.node)) return candidate;
    }
    return undefined;
  };

  const issue = (
    process: number | 'final',
    coordinator: TimeCoordinator,
    op: PlannedOperation,
    cl: ConsistencyLevel,
    then: () => void,
  ): void => {
    outstanding++;
    const id = history.invoke(process, op.f, op.key, op.value, scheduler.now);
    const finish = (kind: 'ok' | 'unavailable' | 'timeout', value: HistoryEvent['value']): void => {
      outstanding--;
      if (kind === 'ok') history.complete(id, 'ok', value, scheduler.now);
      else
        history.complete(id, kind === 'unavailable' ? 'fail' : 'info', value, scheduler.now, kind);
      then();
    };
    if (op.f === 'write') {
      const row: Row = { key: op.key!, value: op.value!, parity: parityName(op.value!) };
      coordinator.write(row, cl, (result) => finish(result.kind, op.value));
    } else if (op.f === 'read') {
      coordinator.read(partitioner.keyOf({ key: op.key! }), cl, (result) =>
        finish(
          result.kind,
          result.kind === 'ok' ? ((result.rows[0]?.['value'] as number | undefined) ?? null) : null,
        ),
      );
    } else {
      const where = op.value === null ? {} : { parity: parityName(op.value) };
      coordinator.query({ where }, cl, { partial: 'allow' }, (result) => {
        if (result.kind !== 'ok') return finish(result.kind, null);
        const rows = result.rows
          .map((row) => [row['key'] as string, row['value'] as number] as const)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const value: QueryValue = {
          rows: Object.fromEntries(rows),
          complete: result.complete,
          failed: result.failedRanges.map((failed) => failed.range),
        };
        finish('ok', value);
      });
    }
  };

  const isRead = (op: PlannedOperation): boolean => op.f !== 'write';
  schedule.clients.forEach((ops, client) => {
    let next = 0;
    const step = (): void => {
      const op = ops[next++];
      if (op === undefined) return;
      scheduler.at(Math.max(op.atMs, scheduler.now), () => {
        const coordinator = coordinatorFor(client);
        if (coordinator === undefined) return step();
        issue(client, coordinator, op, isRead(op) ? levels.clRead : levels.clWrite, step);
      });
    };
    step();
  });

  sim.runUntil(shape.spanMs);
  let nowMs = shape.spanMs;
  const runWhile = (busy: () => boolean, limitMs: number): void => {
    const untilMs = nowMs + limitMs;
    while (busy() && nowMs < untilMs) sim.runUntil((nowMs += STEP_MS));
  };
  runWhile(() => outstanding > 0 || sim.cluster.placement.pending !== undefined, DRAIN_MS);

  // Heal: every link, every loss, every node. The schedule's windows have closed by now, but a
  // link's loss window closed inside an all-links one keeps that probability after the all-links
  // window closes (engine/time/faults.ts sets it on the link), so each link is cleared here.
  sim.network.heal();
  sim.network.setLoss(0);
  for (let a = 0; a < nodeIds.length; a++) {
    for (let b = a + 1; b < nodeIds.length; b++) sim.network.setLoss(0, [a, b]);
  }
  nodeIds.forEach((id, i) => {
    if (sim.running[i] !== 1) target.recover(id);
  });
  const pending = (): number => coordinators.reduce((sum, c) => sum + c.hintsPending(), 0);
  sim.runUntil((nowMs += SETTLE_MS));
  runWhile(() => pending() > 0, HINT_WAIT_MS);
  const hintsPending = pending();
  // Every replica's own copy of every key, once every hint is in: what hinted handoff promises.
  if (hintsPending === 0) {
    const locator = createCoordinator(sim.cluster);
    for (let i = 0; i < shape.keys; i++) {
      const key = partitioner.keyOf({ key: keyName(i) });
      for (const replica of locator.locate(key).replicas) {
        const row = sim.cluster.nodes[replica]!.partitions.get(key.text)?.rows[0];
        const value = (row?.['value'] as number | undefined) ?? null;
        const process = `replica:${nodeIds[replica]}` as const;
        const id = history.invoke(process, 'read', keyName(i), null, scheduler.now);
        history.complete(id, 'ok', value, scheduler.now);
      }
    }
  }
  for (const id of nodeIds) target.repair(id);

  // The final state: each key read at ALL, one after another, by one coordinator.
  const finalReader = coordinators.find((c) => member(c.node))!;
  const keys = Array.from({ length: shape.keys }, (_, i) => keyName(i));
  const readFinal = (i: number): void => {
    const key = keys[i];
    if (key === undefined) return;
    issue('final', finalReader, { f: 'read', key, value: null, atMs: 0 }, 'ALL', () =>
      readFinal(i + 1),
    );
  };
  readFinal(0);
  runWhile(() => outstanding > 0, DRAIN_MS);
  return { schedule, events: history.events, hintsPending, durationMs: nowMs, changes: moved };
}

/**
 * The cluster a schedule runs on: its members, and one spare roster node that owns nothing until
 * a `join` makes it a member (engine/ring.ts keeps roster nodes without tokens).
 */
function withSpare(placement: Placement): Placement {
  const { ring } = placement;
  const nodes = [...ring.nodes, { ...ring.nodes[0]!, id: nodeName(ring.nodes.length) }];
  const tokens = [...ring.nodes.map((_, i) => ring.tokensOf(i)), []];
  return createPlacement(buildRing(nodes, tokens, { tokenless: true }), placement.strategy);
}

/** `join:n6@4000ms` and `leave:n2@9000ms`: membership changes, which the runner makes itself. */
export function isMembershipSpec(spec: string): boolean {
  return spec.startsWith('join:') || spec.startsWith('leave:');
}

/** Ring delay in a schedule: short, so that a change streams and switches within the span. */
export const MEMBERSHIP_RING_DELAY_MS = 1_000;

/**
 * Makes each membership change at its time, as Cassandra's bootstrap (`join`) and decommission
 * (`leave`) do, on the time plane with traffic running (engine/time/streaming.ts): the pending
 * replicas take writes at once, the streams start after the ring delay, each range switches when
 * its streams are done. Tokens come from the balanced allocator, as the cluster's did.
 */
function scheduleMembership(
  sim: Simulation,
  specs: readonly string[],
  nodeIds: readonly string[],
  vnodes: number,
  how: {
    readonly random: Random;
    readonly move: (sim: Simulation, to: Placement, done: () => void) => void;
  },
): { made: number; finished: number } {
  const strategy = getRebalanceStrategy('vnodes-balanced');
  const moved = { made: 0, finished: 0 };
  for (const spec of specs) {
    const match = /^(join|leave):(n\d+)@(\d+)ms$/.exec(spec);
    const node = match === null ? -1 : nodeIds.indexOf(match[2]!);
    if (match === null || node < 0) {
      throw invalidConfig('fault', `${quoted(spec)} is not a membership change of this cluster`);
    }
    sim.scheduler.at(Number(match[3]), () => {
      const { placement } = sim.cluster;
      // One change at a time, as Cassandra allows; the generator never plans two at once.
      if (placement.pending !== undefined) return;
      const context: RebalanceContext = {
        replication: placement.strategy,
        vnodes,
        partitions: 0,
        splitBytes: 0,
        random: how.random.fork(spec),
        splitKeySpace: undefined,
      };
      const ring =
        match[1] === 'join'
          ? strategy.join(placement.ring, node, context, NO_DATA)
          : strategy.leave(placement.ring, node, context, NO_DATA);
      moved.made++;
      how.move(sim, createPlacement(ring, placement.strategy), () => moved.finished++);
    });
  }
  return moved;
}

/** Whether every read's replicas meet every acknowledged write's: W + R > rf. */
export function levelsIntersect(levels: Levels, rf: number): boolean {
  const strategy = simpleStrategy(rf);
  const need = (cl: ConsistencyLevel): number => blockFor(cl, strategy, 'dc1');
  return need(levels.clWrite) + need(levels.clRead) > rf;
}

/**
 * Whether reads promise monotonic values: they repair blocking (blockFor(R) > 1, as the time
 * plane's read path does) and two reads' replica sets always meet (2 blockFor(R) > rf).
 */
export function readsMonotonic(levels: Levels, rf: number): boolean {
  const need = blockFor(levels.clRead, simpleStrategy(rf), 'dc1');
  return need > 1 && 2 * need > rf;
}

/** The seeds of a campaign's schedules: the replayed one, or `schedules` drawn from the seed. */
export function scheduleSeeds(config: CheckConfig): number[] {
  if (config.replay !== undefined) return [config.replay];
  const random = createRandom(config.seed).fork('schedules');
  return Array.from({ length: config.schedules }, () => random.nextUint32());
}

export interface CheckFailure {
  /** The schedule's own seed: `ringlab check --replay <seed>` runs it again. */
  readonly seed: number;
  readonly checker: CheckerName;
  readonly key: string | null;
  readonly message: string;
  /** The operations at fault, by the index of their invocation in the schedule's history. */
  readonly operations: readonly number[];
  readonly faults: readonly string[];
}

export interface CheckerSummary {
  readonly verdict: Verdict;
  readonly violations: number;
  readonly anomalies: number;
  readonly unknown: number;
}

export interface CheckReport {
  readonly seed: number;
  readonly config: ScheduleShape & {
    readonly clWrite: ConsistencyLevel;
    readonly clRead: ConsistencyLevel;
    /** Whether W + R > rf, so that reads promise to see acknowledged writes. */
    readonly intersecting: boolean;
    /** Whether reads at R promise monotonic values (readsMonotonic). */
    readonly monotonic: boolean;
    readonly replay: number | null;
  };
  readonly schedules: number;
  readonly operations: number;
  readonly violations: number;
  readonly verdict: Verdict;
  readonly byChecker: Readonly<Record<CheckerName, CheckerSummary>>;
  /** Hints still undelivered after the final phase's wait, over every schedule. */
  readonly hintsPending: number;
  /** Joins and leaves made over every schedule, and how many finished before the final reads. */
  readonly changes: { readonly made: number; readonly finished: number };
  /** The first MAX_FAILURES violations, in schedule order. */
  readonly failures: readonly CheckFailure[];
}

export const MAX_FAILURES = 100;

export interface CampaignOptions {
  readonly progress?: Progress | undefined;
  readonly variant?: SystemVariant | undefined;
  /** Hears each schedule as it is judged, in seed order: to write its history, or keep a failing one. */
  readonly onSchedule?: ((run: ScheduleRun, verdict: HistoryVerdict) => void) | undefined;
}

/** Schedules as a worker thread runs them (bench/workers/jobs.ts): plain data in and out. */
export interface ScheduleJob {
  readonly seeds: readonly number[];
  readonly shape: ScheduleShape;
  readonly levels: Levels;
  readonly promises: CheckOptions;
  /**
   * Whether every schedule's history comes back (for --history); otherwise only those of
   * invalid ones do, and the others come back with no events, which keeps what crosses between
   * threads small.
   */
  readonly keepEvents: boolean;
}

export interface JudgedSchedule {
  readonly run: ScheduleRun;
  readonly verdict: HistoryVerdict;
  /** Operations invoked, counted before the events may have been dropped. */
  readonly operations: number;
}

/**
 * What the levels promise for this schedule's faults. A write acknowledged by one replica alone
 * (blockFor(W) = 1) lives only on that replica and in the coordinator's hints: if that replica
 * loses its disk, the repair has no copy to bring back, and until the hints replay a read at any
 * level can miss the write, as it would in Cassandra. So with a disk lost at such a level, reads
 * promise nothing about earlier writes, and what the checkers find is reported as anomalies.
 */
export function promisesOf(schedule: Schedule, job: Omit<ScheduleJob, 'seeds'>): CheckOptions {
  const losesDisk = schedule.faults.some((spec) => spec.startsWith('wipe:'));
  const oneAck = blockFor(job.levels.clWrite, simpleStrategy(job.shape.rf), 'dc1') < 2;
  // Hinted handoff promises every replica its writes where no coordinator crashed (a hint is
  // written when a write times out: a crash first loses it) and no range moved (a hint is for a
  // node, not a range).
  const handoff = !schedule.faults.some(
    (spec) => spec.startsWith('crash:') || isMembershipSpec(spec),
  );
  const intersecting = job.promises.intersecting && !(losesDisk && oneAck);
  return { ...job.promises, intersecting, handoff };
}

/** Runs one schedule of a campaign (or `schedule`, one shrunk from it) and judges its history. */
export function judgeSchedule(
  seed: number,
  job: Omit<ScheduleJob, 'seeds'>,
  variant?: SystemVariant,
  schedule: Schedule = generateSchedule(seed, job.shape),
): JudgedSchedule {
  const run = runSchedule(schedule, job.levels, variant);
  const verdict = checkHistory(pairOperations(run.events), promisesOf(schedule, job));
  const operations = run.events.filter((event) => event.type === 'invoke').length;
  const keep = job.keepEvents || verdict.verdict === 'invalid';
  return { run: keep ? run : { ...run, events: [] }, verdict, operations };
}

export function runScheduleJob(job: ScheduleJob): JudgedSchedule[] {
  return job.seeds.map((seed) => judgeSchedule(seed, job));
}

/**
 * Schedules per job on worker threads: one schedule takes a few milliseconds, about what a
 * message between threads costs, so a job carries a batch.
 */
const SCHEDULES_PER_JOB = 25;

/** The campaign's settings every schedule shares. */
export function campaignJob(config: CheckConfig, keepEvents: boolean): Omit<ScheduleJob, 'seeds'> {
  return {
    shape: config.shape,
    levels: { clWrite: config.clWrite, clRead: config.clRead },
    promises: {
      intersecting: levelsIntersect(config, config.shape.rf),
      monotonic: readsMonotonic(config, config.shape.rf),
    },
    keepEvents,
  };
}

/** The campaign's settings every schedule shares, and its seeds. */
function campaignPlan(config: CheckConfig, keepEvents: boolean) {
  return { job: campaignJob(config, keepEvents), seeds: scheduleSeeds(config) };
}

/** Adds up judged schedules, in seed order, into the campaign's report. */
function createTally(config: CheckConfig, options: CampaignOptions) {
  const totals = Object.fromEntries(
    checkerNames.map((name) => [name, { verdicts: [] as Verdict[], v: 0, a: 0, u: 0 }]),
  ) as Record<CheckerName, { verdicts: Verdict[]; v: number; a: number; u: number }>;
  const failures: CheckFailure[] = [];
  let schedules = 0;
  let operations = 0;
  let violations = 0;
  let hintsPending = 0;
  const changes = { made: 0, finished: 0 };
  const add = ({ run, verdict, operations: invoked }: JudgedSchedule): void => {
    schedules++;
    operations += invoked;
    hintsPending += run.hintsPending;
    changes.made += run.changes.made;
    changes.finished += run.changes.finished;
    for (const name of checkerNames) {
      const result = verdict.byChecker[name];
      const total = totals[name];
      total.verdicts.push(result.verdict);
      total.v += result.violations.length;
      total.a += result.anomalies.length;
      total.u += result.unknown.length;
      violations += result.violations.length;
      for (const finding of result.violations) {
        if (failures.length < MAX_FAILURES) {
          const { seed, faults } = run.schedule;
          failures.push({ seed, checker: name, ...finding, faults });
        }
      }
    }
    options.onSchedule?.(run, verdict);
  };
  const report = (): CheckReport => {
    const byChecker = Object.fromEntries(
      checkerNames.map((name) => {
        const { verdicts, v, a, u } = totals[name];
        return [name, { verdict: combine(verdicts), violations: v, anomalies: a, unknown: u }];
      }),
    ) as Record<CheckerName, CheckerSummary>;
    return {
      seed: config.seed,
      config: {
        clWrite: config.clWrite,
        clRead: config.clRead,
        intersecting: levelsIntersect(config, config.shape.rf),
        monotonic: readsMonotonic(config, config.shape.rf),
        replay: config.replay ?? null,
        ...config.shape,
      },
      schedules,
      operations,
      violations,
      verdict: combine(Object.values(byChecker).map((summary) => summary.verdict)),
      byChecker,
      hintsPending,
      changes: { ...changes },
      failures,
    };
  };
  return { add, report };
}

/** A campaign in this thread, one schedule after another. */
export function runCampaign(config: CheckConfig, options: CampaignOptions = {}): CheckReport {
  const progress = options.progress ?? noProgress;
  const tally = createTally(config, options);
  const { job, seeds } = campaignPlan(config, true);
  seeds.forEach((seed, i) => {
    tally.add(judgeSchedule(seed, job, options.variant));
    progress(i + 1, seeds.length);
  });
  return tally.report();
}

/**
 * Whether `runCampaignOn` sends the schedules to worker threads: for more than one worker, more
 * than one batch, and no system variant (its functions cannot cross to a thread). Otherwise the
 * campaign runs in this thread, in one synchronous stretch.
 */
export function runsOnWorkers(
  config: CheckConfig,
  workers: number,
  variant?: SystemVariant,
): boolean {
  return workers > 1 && config.schedules > SCHEDULES_PER_JOB && variant === undefined;
}

/**
 * A campaign on `workers` threads (bench/workers/pool.ts), or in this thread for one. The
 * schedules are judged where they run and added up in seed order, so the report is the same for
 * any worker count. A system variant holds functions, which cannot cross to a thread: it runs
 * here. `keepEvents` false lets valid schedules come back without their histories.
 */
export async function runCampaignOn(
  config: CheckConfig,
  workers: number,
  options: CampaignOptions & {
    readonly keepEvents?: boolean;
    /** Given, once the schedules are under way, a way to report those judged so far. */
    readonly onStart?: (soFar: () => CheckReport) => void;
  } = {},
): Promise<CheckReport> {
  const { job, seeds } = campaignPlan(config, options.keepEvents ?? true);
  if (!runsOnWorkers(config, workers, options.variant)) return runCampaign(config, options);
  const jobs: ScheduleJob[] = [];
  for (let i = 0; i < seeds.length; i += SCHEDULES_PER_JOB) {
    jobs.push({ ...job, seeds: seeds.slice(i, i + SCHEDULES_PER_JOB) });
  }
  const tally = createTally(config, options);
  options.onStart?.(tally.report);
  const progress = options.progress ?? noProgress;
  let done = 0;
  await runOnWorkers<JudgedSchedule[]>('schedule', jobs, {
    workers,
    what: 'schedules',
    onOutput: (judged) => {
      for (const one of judged) tally.add(one);
      done += judged.length;
      progress(done, seeds.length);
    },
  });
  return tally.report();
}
