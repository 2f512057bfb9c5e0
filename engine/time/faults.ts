/**
 * Faults on the time plane's clock. A fault is a plain value (which kind, which nodes, when);
 * each kind has one entry in `faultKinds` that schedules it on a Simulation through the
 * simulation's own fault methods and its network, so that every fault changes the simulation and
 * never a coordinator.
 *
 * Windows (`untilMs`) end by undoing only their own fault: a partition's end heals every link and
 * cuts again the partitions still in force, a loss window's end restores the probability of the
 * newest window still open on that link (or none), and a slowdown's end sets the factor of the
 * newest slowdown still open on that node (or 1). Overlapping windows therefore compose.
 */
import type { Simulation } from './simulation.js';

export type Fault =
  | { readonly kind: 'crash'; readonly node: string; readonly atMs: number }
  | { readonly kind: 'recover'; readonly node: string; readonly atMs: number }
  | {
      readonly kind: 'slow';
      readonly node: string;
      /** Service times are multiplied by this, > 1. */
      readonly factor: number;
      readonly atMs: number;
      readonly untilMs?: number;
    }
  | {
      readonly kind: 'partition';
      /** Every link between a node of one side and a node of the other is cut. */
      readonly sides: readonly [readonly string[], readonly string[]];
      readonly atMs: number;
      readonly untilMs?: number;
    }
  | {
      readonly kind: 'drop';
      /** Probability that a message is lost, in (0, 1). */
      readonly probability: number;
      /** One link (both ways); every link when absent. */
      readonly link?: readonly [string, string];
      readonly atMs: number;
      readonly untilMs?: number;
    }
  | { readonly kind: 'wipe'; readonly node: string; readonly atMs: number }
  | { readonly kind: 'repair'; readonly node: string; readonly atMs: number };

export type FaultKind = Fault['kind'];
export type FaultOf<K extends FaultKind> = Extract<Fault, { readonly kind: K }>;

/** What happened when a fault (or the end of its window) took effect. */
export interface FaultEvent {
  readonly atMs: number;
  readonly kind: FaultKind;
  /** `start` when the fault takes effect, `end` when its window closes. */
  readonly phase: 'start' | 'end';
  /** What the simulation reported, e.g. rows copied by a repair. */
  readonly rowsCopied?: number;
}

/** State shared by the faults of one run, so that overlapping windows end correctly. */
interface FaultState {
  readonly partitions: Set<FaultOf<'partition'>>;
  /** Open loss windows per link key ('*' for every link), oldest first. */
  readonly losses: Map<string, FaultOf<'drop'>[]>;
  readonly slowdowns: Map<string, FaultOf<'slow'>[]>;
}

type Schedule<K extends FaultKind> = (
  sim: Simulation,
  fault: FaultOf<K>,
  state: FaultState,
  log: (event: FaultEvent) => void,
) => void;

interface FaultKindSpec<K extends FaultKind> {
  /** Nodes the fault names, for validation by the caller. */
  readonly nodes: (fault: FaultOf<K>) => readonly string[];
  readonly schedule: Schedule<K>;
}

const at = (sim: Simulation, timeMs: number, run: () => void): void => {
  sim.scheduler.at(Math.max(timeMs, sim.scheduler.now), run);
};

const started = (kind: FaultKind, atMs: number): FaultEvent => ({ atMs, kind, phase: 'start' });
const ended = (kind: FaultKind, atMs: number): FaultEvent => ({ atMs, kind, phase: 'end' });

type Instant = FaultOf<'crash' | 'recover' | 'wipe'>;

const single = <K extends Instant['kind']>(
  act: (sim: Simulation, node: string) => void,
): FaultKindSpec<K> => ({
  nodes: (fault) => [(fault as Instant).node],
  schedule: (sim, fault, _, log) => {
    const { kind, node, atMs } = fault as Instant;
    at(sim, atMs, () => {
      act(sim, node);
      log(started(kind, atMs));
    });
  },
});

const linkKey = (sim: Simulation, link: readonly [string, string] | undefined): string => {
  if (link === undefined) return '*';
  const [a, b] = link.map((id) => sim.nodeIndex(id)).sort((x, y) => x - y);
  return `${a}-${b}`;
};

/** Pushes `item` onto the list at `key`; returns a function removing it again. */
function open<T>(map: Map<string, T[]>, key: string, item: T): () => T | undefined {
  const list = map.get(key) ?? [];
  list.push(item);
  map.set(key, list);
  return () => {
    list.splice(list.indexOf(item), 1);
    return list.at(-1);
  };
}

export const faultKinds = {
  crash: single((sim, node) => sim.crash(node)),
  recover: single((sim, node) => sim.recover(node)),
  wipe: single((sim, node) => sim.wipe(node)),
  repair: {
    nodes: (fault) => [fault.node],
    schedule: (sim, fault, _, log) =>
      at(sim, fault.atMs, () => {
        const rowsCopied = sim.repair(fault.node);
        log({ ...started('repair', fault.atMs), rowsCopied });
      }),
  },
  slow: {
    nodes: (fault) => [fault.node],
    schedule: (sim, fault, state, log) => {
      let close: (() => FaultOf<'slow'> | undefined) | undefined;
      at(sim, fault.atMs, () => {
        close = open(state.slowdowns, fault.node, fault);
        sim.slow(fault.node, fault.factor);
        log(started('slow', fault.atMs));
      });
      if (fault.untilMs === undefined) return;
      const untilMs = fault.untilMs;
      at(sim, untilMs, () => {
        const still = close?.();
        sim.slow(fault.node, still?.factor ?? 1);
        log(ended('slow', untilMs));
      });
    },
  },
  partition: {
    nodes: (fault) => [...fault.sides[0], ...fault.sides[1]],
    schedule: (sim, fault, state, log) => {
      const cut = (p: FaultOf<'partition'>): void =>
        sim.network.partition(
          p.sides[0].map((id) => sim.nodeIndex(id)),
          p.sides[1].map((id) => sim.nodeIndex(id)),
        );
      at(sim, fault.atMs, () => {
        state.partitions.add(fault);
        cut(fault);
        log(started('partition', fault.atMs));
      });
      if (fault.untilMs === undefined) return;
      const untilMs = fault.untilMs;
      at(sim, untilMs, () => {
        state.partitions.delete(fault);
        sim.network.heal();
        for (const still of state.partitions) cut(still);
        log(ended('partition', untilMs));
      });
    },
  },
  drop: {
    nodes: (fault) => fault.link ?? [],
    schedule: (sim, fault, state, log) => {
      const link =
        fault.link === undefined
          ? undefined
          : ([sim.nodeIndex(fault.link[0]), sim.nodeIndex(fault.link[1])] as const);
      let close: (() => FaultOf<'drop'> | undefined) | undefined;
      at(sim, fault.atMs, () => {
        close = open(state.losses, linkKey(sim, fault.link), fault);
        sim.network.setLoss(fault.probability, link);
        log(started('drop', fault.atMs));
      });
      if (fault.untilMs === undefined) return;
      const untilMs = fault.untilMs;
      at(sim, untilMs, () => {
        const still = close?.();
        // A link with no window of its own left follows the all-links probability from then
        // on, whatever it becomes (not the value it has now: that would outlive its window).
        if (still !== undefined) sim.network.setLoss(still.probability, link);
        else if (link !== undefined) sim.network.clearLoss(link);
        else sim.network.setLoss(0);
        log(ended('drop', untilMs));
      });
    },
  },
} as const satisfies { readonly [K in FaultKind]: FaultKindSpec<K> };

export const faultKindNames = Object.keys(faultKinds) as FaultKind[];

/** The node ids a fault names (checked by the caller against the cluster before scheduling). */
export function faultNodes(fault: Fault): readonly string[] {
  return (faultKinds[fault.kind] as FaultKindSpec<FaultKind>).nodes(fault);
}

/**
 * Schedules every fault on the simulation's clock; `log` hears each one take effect (and each
 * window close) as it happens, in virtual-time order, with the fault it came from. Node ids are resolved when the fault
 * fires, through `sim.nodeIndex` (which throws UNKNOWN_NODE), so validate them first.
 */
export function scheduleFaults(
  sim: Simulation,
  faults: readonly Fault[],
  log: (event: FaultEvent, fault: Fault) => void = () => {},
): void {
  const state: FaultState = { partitions: new Set(), losses: new Map(), slowdowns: new Map() };
  for (const fault of faults) {
    (faultKinds[fault.kind].schedule as Schedule<FaultKind>)(sim, fault, state, (event) =>
      log(event, fault),
    );
  }
}
