/**
 * The generator of `ringlab check`: one seed gives one schedule, a short run on the time plane
 * planned in full before anything runs. Each client has a list of operations, each with the
 * earliest time it may start (a client issues one at a time, so an operation waits for the one
 * before it): writes of distinct values to a few keys, reads of one key, often right after the
 * client's own write, and now and then a query: a scan of every key, or a query through the
 * local index on the value's parity. Faults are fault specs, as a user
 * would type them for `ringlab simulate --fault` (bench/faults.ts parses them):
 *
 *   crash and recover        a node down for 0.5-15 s (over the 10 s detection delay, or not);
 *                            at most two nodes down at once
 *   slow                     a node's service times x2-x50 for a window
 *   partition                the nodes cut in two for a window
 *   drop                     messages lost, on every link or one, for a window
 *   replace                  a disk replaced: crash, wipe, repair from the other replicas, recover,
 *                            while every other node is running (a repair needs them all)
 *   join, leave              the spare node bootstraps, or a member decommissions, with traffic
 *                            running: at most one per schedule, with every node up meanwhile, as
 *                            Cassandra's consistent range movement requires (run.ts makes them)
 *
 * Every fault has healed by the end of the span; what follows (hint replay, repair, final reads)
 * is the runner's (run.ts).
 */
import { createRandom, type Random } from '../../engine/random.js';
import type { OperationF } from './history.js';

/** The cluster and workload every schedule shares. */
export interface ScheduleShape {
  readonly nodes: number;
  readonly rf: number;
  readonly vnodes: number;
  readonly keys: number;
  readonly clients: number;
  readonly operationsPerClient: number;
  /** Virtual ms over which operations start and faults happen. */
  readonly spanMs: number;
}

export const SCHEDULE_SHAPE: ScheduleShape = {
  nodes: 5,
  rf: 3,
  vnodes: 4,
  keys: 4,
  clients: 5,
  operationsPerClient: 24,
  spanMs: 20_000,
};

export interface PlannedOperation {
  readonly f: OperationF;
  /** Null for a query (every key). */
  readonly key: string | null;
  /**
   * A write's value, distinct over the schedule; for a query, the parity an index query asks for
   * (0 even values, 1 odd ones), or null for a scan of every key; null for a read.
   */
  readonly value: number | null;
  /** The earliest virtual ms it may start: later when the client's previous one is still out. */
  readonly atMs: number;
}

export interface Schedule {
  readonly seed: number;
  readonly shape: ScheduleShape;
  /** Fault specs in bench/faults.ts notation, e.g. `crash:n3@1200ms`. */
  readonly faults: readonly string[];
  readonly clients: readonly (readonly PlannedOperation[])[];
}

/** The probability that a client reads a key right after writing it. */
const READ_OWN_WRITE = 0.35;
const QUERY_SHARE = 0.05;
const WRITE_SHARE = 0.5;
const MAX_DOWN = 2;

export const keyName = (i: number): string => `k${i}`;
export const nodeName = (i: number): string => `n${i + 1}`;

export function generateSchedule(seed: number, shape: ScheduleShape = SCHEDULE_SHAPE): Schedule {
  const random = createRandom(seed);
  return {
    seed,
    shape,
    faults: generateFaults(random.fork('faults'), shape),
    clients: generateClients(random.fork('clients'), shape),
  };
}

function generateClients(random: Random, shape: ScheduleShape): PlannedOperation[][] {
  let nextValue = 1;
  const clients: PlannedOperation[][] = [];
  for (let c = 0; c < shape.clients; c++) {
    const own = random.fork(`client/${c}`);
    // Which queries go through the index: a stream of its own, so that the others stay as drawn.
    const indexed = random.fork(`client/${c}/index`);
    const times = Array.from({ length: shape.operationsPerClient }, () =>
      Math.floor(own.nextFloat() * shape.spanMs),
    ).sort((a, b) => a - b);
    const ops: PlannedOperation[] = [];
    for (const atMs of times) {
      const draw = own.nextFloat();
      const key = keyName(own.nextInt(shape.keys));
      if (draw < QUERY_SHARE) {
        // Half the queries scan everything; half ask the index for the even or the odd values.
        const parity = indexed.nextFloat() < 0.5 ? null : indexed.nextInt(2);
        ops.push({ f: 'query', key: null, value: parity, atMs });
      } else if (draw < QUERY_SHARE + WRITE_SHARE) {
        ops.push({ f: 'write', key, value: nextValue++, atMs });
        if (own.nextFloat() < READ_OWN_WRITE) ops.push({ f: 'read', key, value: null, atMs });
      } else {
        ops.push({ f: 'read', key, value: null, atMs });
      }
    }
    clients.push(ops);
  }
  return clients;
}

interface Down {
  readonly node: number;
  readonly fromMs: number;
  readonly toMs: number;
  /** A disk replacement: no other node may be down meanwhile. */
  readonly alone: boolean;
}

interface FaultPlan {
  readonly random: Random;
  readonly shape: ScheduleShape;
  readonly down: Down[];
  /** Whether a membership change is planned: one per schedule at most. */
  changed: boolean;
}

/** How long a membership change keeps every other fault that takes a node down away. */
const CHANGE_WINDOW_MS = 3_000;

/** A join or leave at a time no downtime overlaps; nothing when the plan cannot take one. */
function membership(plan: FaultPlan, kind: 'join' | 'leave', node: number): readonly string[] {
  if (plan.changed) return [];
  const [fromMs] = drawWindow(plan, CHANGE_WINDOW_MS, CHANGE_WINDOW_MS + 1);
  const window = { node: -1, fromMs, toMs: fromMs + CHANGE_WINDOW_MS, alone: true };
  if (!mayGoDown(plan, window)) return [];
  plan.down.push(window);
  plan.changed = true;
  return [`${kind}:${nodeName(node)}@${at(fromMs)}`];
}

const at = (ms: number): string => `${Math.round(ms)}ms`;
const window = (fromMs: number, toMs: number): string => `@${at(fromMs)}-${at(toMs)}`;

/** A window of `minMs`-`maxMs` starting in the span and ending before its end. */
function drawWindow(plan: FaultPlan, minMs: number, maxMs: number): [number, number] {
  const { random, shape } = plan;
  const fromMs = Math.floor(random.nextFloat() * (shape.spanMs - minMs - 100));
  const lengthMs = minMs + Math.floor(random.nextFloat() * (maxMs - minMs));
  return [fromMs, Math.min(fromMs + lengthMs, shape.spanMs - 100)];
}

/** Whether `node` may go down over [fromMs, toMs] beside the downtimes already planned. */
function mayGoDown(plan: FaultPlan, candidate: Down): boolean {
  const overlapping = plan.down.filter(
    (d) => d.fromMs <= candidate.toMs && candidate.fromMs <= d.toMs,
  );
  if (overlapping.some((d) => d.node === candidate.node)) return false;
  if (overlapping.length > 0 && (candidate.alone || overlapping.some((d) => d.alone))) return false;
  return overlapping.length < MAX_DOWN;
}

type FaultMaker = (plan: FaultPlan) => readonly string[];

const faultMakers = {
  crash: (plan) => {
    const node = plan.random.nextInt(plan.shape.nodes);
    const [fromMs, toMs] = drawWindow(plan, 500, 15_000);
    const down = { node, fromMs, toMs, alone: false };
    if (!mayGoDown(plan, down)) return [];
    plan.down.push(down);
    return [`crash:${nodeName(node)}@${at(fromMs)}`, `recover:${nodeName(node)}@${at(toMs)}`];
  },
  replace: (plan) => {
    const node = plan.random.nextInt(plan.shape.nodes);
    const [fromMs] = drawWindow(plan, 1500, 1501);
    const down = { node, fromMs, toMs: fromMs + 1500, alone: true };
    if (!mayGoDown(plan, down)) return [];
    plan.down.push(down);
    const id = nodeName(node);
    return [
      `crash:${id}@${at(fromMs)}`,
      `wipe:${id}@${at(fromMs + 200)}`,
      `repair:${id}@${at(fromMs + 700)}`,
      `recover:${id}@${at(fromMs + 1500)}`,
    ];
  },
  /** The spare roster node (run.ts adds one beyond the members) bootstraps. */
  join: (plan) => membership(plan, 'join', plan.shape.nodes),
  leave: (plan) => membership(plan, 'leave', plan.random.nextInt(plan.shape.nodes)),
  slow: (plan) => {
    const node = nodeName(plan.random.nextInt(plan.shape.nodes));
    const factor = 2 + plan.random.nextInt(49);
    return [`slow:${node}x${factor}${window(...drawWindow(plan, 500, 10_000))}`];
  },
  partition: (plan) => {
    const { random, shape } = plan;
    const order = Array.from({ length: shape.nodes }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.nextInt(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const cut = 1 + random.nextInt(shape.nodes - 1);
    const side = (nodes: number[]): string =>
      nodes
        .sort((a, b) => a - b)
        .map(nodeName)
        .join(',');
    const sides = `${side(order.slice(0, cut))}/${side(order.slice(cut))}`;
    return [`partition:${sides}${window(...drawWindow(plan, 500, 8000))}`];
  },
  drop: (plan) => {
    const { random, shape } = plan;
    const probability = [0.05, 0.1, 0.3, 0.5][random.nextInt(4)]!;
    let link = '';
    if (random.nextFloat() < 0.5) {
      const a = random.nextInt(shape.nodes);
      const b = (a + 1 + random.nextInt(shape.nodes - 1)) % shape.nodes;
      link = `:${nodeName(a)}-${nodeName(b)}`;
    }
    return [`drop:${probability}${link}${window(...drawWindow(plan, 200, 5000))}`];
  },
} as const satisfies Record<string, FaultMaker>;

type FaultMakerName = keyof typeof faultMakers;
const FAULT_WEIGHTS: readonly (readonly [FaultMakerName, number])[] = [
  ['crash', 3],
  ['replace', 2],
  ['slow', 1],
  ['partition', 2],
  ['drop', 2],
  ['join', 1],
  ['leave', 1],
];
const TOTAL_WEIGHT = FAULT_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

/** One to four faults, each kind by its weight; one the plan cannot take is drawn again. */
function generateFaults(random: Random, shape: ScheduleShape): string[] {
  const plan: FaultPlan = { random, shape, down: [], changed: false };
  const specs: string[] = [];
  const count = 1 + random.nextInt(4);
  for (let made = 0, tries = 0; made < count && tries < 20; tries++) {
    let draw = random.nextFloat() * TOTAL_WEIGHT;
    const [name] = FAULT_WEIGHTS.find(([, weight]) => (draw -= weight) < 0) ?? FAULT_WEIGHTS[0]!;
    const drawn = faultMakers[name](plan);
    if (drawn.length === 0) continue;
    specs.push(...drawn);
    made++;
  }
  return specs;
}
