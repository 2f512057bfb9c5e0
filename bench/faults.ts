/**
 * Fault specs as a user types them, parsed into the time plane's typed faults
 * (engine/time/faults.ts). One parser per kind, in one registry:
 *
 *   crash:n3@10s            recover:n3@40s          wipe:n4@60s          repair:n4@70s
 *   slow:n2x10@0s           slow:n2x10@0s-20s       (node x factor, optional end)
 *   partition:n1,n2/n3,n4@5s-20s                    (two sides, optional end)
 *   drop:0.01               drop:0.05:n1-n2         drop:0.01@5s-20s     (probability, link, window)
 *
 * Times are offsets on the run's virtual clock: 0s, 500ms, 10s, 2m. An error names the whole
 * spec and the part that is wrong, under the field `fault`.
 */
import { invalidConfig, quoted, type RinglabError } from '../engine/errors.js';
import { faultNodes, type Fault, type FaultKind, type FaultOf } from '../engine/time/faults.js';
import { formatDuration, parseDuration } from './duration.js';

export interface FaultContext {
  /** The cluster's node ids, n1..nN. */
  readonly nodes: readonly string[];
  /** Virtual time the run's workload covers; a fault must start within it. */
  readonly endMs: number;
  /** What the workload is, for the message when a fault falls past its end. */
  readonly describeEnd?: string;
}

/** Thrown for one spec: `fault "crash:n99@10s": node n99 is not in the cluster (n1..n12)`. */
function bad(spec: string, why: string): RinglabError {
  return invalidConfig('fault', `${quoted(spec)}: ${why}`);
}

interface Window {
  readonly atMs: number;
  readonly untilMs?: number;
}

type Parser<K extends FaultKind> = (body: string, spec: string) => FaultOf<K>;

/** "10s", "0s", "500ms": an offset on the virtual clock, 0 allowed. */
function parseTime(spec: string, text: string): number {
  if (/^0+(?:\.0+)?(?:ms|s|m|h|d)?$/.test(text)) return 0;
  try {
    return parseDuration('fault', text);
  } catch {
    throw bad(spec, `${quoted(text)} is not a time; use e.g. 0s, 500ms, 10s or 2m`);
  }
}

/** "@10s" or "@5s-20s" at the end of a body; a window is required unless `optional`. */
function splitWindow(
  spec: string,
  body: string,
  options: { readonly ranged: boolean; readonly optional?: boolean },
): { readonly head: string; readonly window: Window } {
  const atSign = body.lastIndexOf('@');
  if (atSign < 0) {
    if (options.optional) return { head: body, window: { atMs: 0 } };
    throw bad(spec, `says no time; add @<time>, e.g. ${quoted(`${spec}@10s`)}`);
  }
  const head = body.slice(0, atSign);
  const when = body.slice(atSign + 1);
  const dash = when.indexOf('-');
  if (dash < 0) return { head, window: { atMs: parseTime(spec, when) } };
  if (!options.ranged) {
    throw bad(spec, `${quoted(when)}: this fault happens at an instant; give one time, e.g. @10s`);
  }
  const atMs = parseTime(spec, when.slice(0, dash));
  const untilMs = parseTime(spec, when.slice(dash + 1));
  if (untilMs <= atMs) {
    throw bad(spec, `the window ${quoted(when)} ends before it starts`);
  }
  return { head, window: { atMs, untilMs } };
}

function nodeId(spec: string, text: string): string {
  if (!/^n\d+$/.test(text)) throw bad(spec, `${quoted(text)} is not a node id such as n3`);
  return text;
}

function single<K extends 'crash' | 'recover' | 'wipe' | 'repair'>(kind: K): Parser<K> {
  return (body, spec) => {
    const { head, window } = splitWindow(spec, body, { ranged: false });
    return { kind, node: nodeId(spec, head), atMs: window.atMs } as FaultOf<K>;
  };
}

const parsers = {
  crash: single('crash'),
  recover: single('recover'),
  wipe: single('wipe'),
  repair: single('repair'),
  slow: (body, spec) => {
    const { head, window } = splitWindow(spec, body, { ranged: true });
    const match = /^(n\d+)x(.+)$/.exec(head);
    if (match === null)
      throw bad(spec, `${quoted(head)} should be a node and a factor, e.g. n2x10`);
    const factor = Number(match[2]);
    if (!/^\d+(?:\.\d+)?$/.test(match[2]!) || !(factor > 1) || !Number.isFinite(factor)) {
      throw bad(spec, `factor must be > 1, got ${quoted(match[2])}`);
    }
    return { kind: 'slow', node: match[1]!, factor, ...window };
  },
  partition: (body, spec) => {
    const { head, window } = splitWindow(spec, body, { ranged: true });
    const halves = head.split('/');
    if (halves.length !== 2) {
      throw bad(spec, `${quoted(head)} should be two sides split by /, e.g. n1,n2/n3,n4`);
    }
    const sides = halves.map((side) => {
      if (side === '') throw bad(spec, `a side of ${quoted(head)} is empty`);
      return side.split(',').map((id) => nodeId(spec, id));
    }) as [string[], string[]];
    const both = sides[0].find((id) => sides[1].includes(id));
    if (both !== undefined) throw bad(spec, `${both} is on both sides`);
    return { kind: 'partition', sides, ...window };
  },
  drop: (body, spec) => {
    const { head, window } = splitWindow(spec, body, { ranged: true, optional: true });
    const [probabilityText = '', linkText, ...rest] = head.split(':');
    if (rest.length > 0) throw bad(spec, `${quoted(head)} has too many parts; use drop:P[:nA-nB]`);
    const probability = Number(probabilityText);
    if (
      !/^(?:0|1)?(?:\.\d+)?(?:e-\d+)?$/.test(probabilityText) ||
      !(probability > 0 && probability < 1)
    ) {
      throw bad(
        spec,
        `probability must be between 0 and 1 (exclusive), got ${quoted(probabilityText)}`,
      );
    }
    if (linkText === undefined) return { kind: 'drop', probability, ...window };
    const ends = linkText.split('-');
    if (ends.length !== 2) throw bad(spec, `${quoted(linkText)} should be a link, e.g. n1-n2`);
    const link = [nodeId(spec, ends[0]!), nodeId(spec, ends[1]!)] as const;
    if (link[0] === link[1]) throw bad(spec, `the link ${quoted(linkText)} joins a node to itself`);
    return { kind: 'drop', probability, link, ...window };
  },
} as const satisfies { readonly [K in FaultKind]: Parser<K> };

export const faultSpecKinds = Object.keys(parsers) as FaultKind[];

/** Parses one spec and checks it against the cluster and the run's length. */
export function parseFault(spec: string, context: FaultContext): Fault {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  if (!Object.hasOwn(parsers, kind)) {
    throw bad(
      spec,
      `unknown fault kind ${quoted(kind)}; expected one of ${faultSpecKinds.join(', ')}`,
    );
  }
  if (colon < 0)
    throw bad(spec, `says nothing after the kind; e.g. ${quoted(example(kind as FaultKind))}`);
  const fault = (parsers[kind as FaultKind] as Parser<FaultKind>)(spec.slice(colon + 1), spec);
  for (const id of faultNodes(fault)) {
    if (!context.nodes.includes(id)) {
      throw bad(spec, `node ${id} is not in the cluster (${describeNodes(context.nodes)})`);
    }
  }
  if (fault.atMs >= context.endMs) {
    throw bad(
      spec,
      `${timeText(fault.atMs)} is not before the end of the run's workload (${context.describeEnd ?? timeText(context.endMs)}); move the fault earlier or make the run longer`,
    );
  }
  return fault;
}

const EXAMPLES: Readonly<Record<FaultKind, string>> = {
  crash: 'crash:n3@10s',
  recover: 'recover:n3@40s',
  wipe: 'wipe:n4@60s',
  repair: 'repair:n4@70s',
  slow: 'slow:n2x10@0s',
  partition: 'partition:n1,n2/n3,n4@5s-20s',
  drop: 'drop:0.01',
};

function example(kind: FaultKind): string {
  return EXAMPLES[kind];
}

function timeText(ms: number): string {
  return ms === 0 ? '0s' : formatDuration(ms);
}

function describeNodes(nodes: readonly string[]): string {
  return nodes.length <= 3 ? nodes.join(', ') : `${nodes[0]}..${nodes.at(-1)}`;
}

/**
 * Parses every spec and checks the plan as a whole, in time order: a node recovers only after a
 * crash, and at least one node is running at every moment (a client needs a node to talk to).
 */
export function parseFaults(specs: readonly string[], context: FaultContext): Fault[] {
  const faults = specs.map((spec) => ({ spec, fault: parseFault(spec, context) }));
  const order = faults
    .map((entry, i) => ({ ...entry, i }))
    .filter(({ fault }) => fault.kind === 'crash' || fault.kind === 'recover')
    .sort((a, b) => a.fault.atMs - b.fault.atMs || a.i - b.i);
  const down = new Set<string>();
  for (const { spec, fault } of order) {
    if (fault.kind !== 'crash' && fault.kind !== 'recover') continue;
    if (fault.kind === 'recover') {
      if (!down.has(fault.node)) {
        throw bad(spec, `${fault.node} is not down then; recover follows a crash of that node`);
      }
      down.delete(fault.node);
    } else {
      if (down.has(fault.node)) throw bad(spec, `${fault.node} is already down then`);
      down.add(fault.node);
      if (down.size === context.nodes.length) {
        throw bad(spec, 'leaves no node running; a client needs at least one node to talk to');
      }
    }
  }
  return faults.map(({ fault }) => fault);
}

/** The spec a fault was parsed from, in canonical form (for reports). */
export function describeFault(fault: Fault): string {
  const window = (f: { readonly atMs: number; readonly untilMs?: number }): string =>
    `@${timeText(f.atMs)}${f.untilMs === undefined ? '' : `-${timeText(f.untilMs)}`}`;
  switch (fault.kind) {
    case 'crash':
    case 'recover':
    case 'wipe':
    case 'repair':
      return `${fault.kind}:${fault.node}${window(fault)}`;
    case 'slow':
      return `slow:${fault.node}x${fault.factor}${window(fault)}`;
    case 'partition':
      return `partition:${fault.sides[0].join(',')}/${fault.sides[1].join(',')}${window(fault)}`;
    case 'drop':
      return `drop:${fault.probability}${fault.link ? `:${fault.link.join('-')}` : ''}${window(fault)}`;
  }
}
