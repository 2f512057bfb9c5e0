/**
 * Sweeps: one experiment run over a grid of settings. `--sweep vnodes=4,16,256 --sweep
 * nodes=6,12,24` names axes; the grid is their cross product, first axis outermost; each point is
 * the base experiment with those fields set, validated and resolved like any experiment before
 * anything runs. The point reports then combine into one KataReport (combineSweep), so every
 * output renders a sweep as it renders a single run.
 *
 * Everything here is pure: running the points is pool.ts's job.
 */
import { RinglabError, quoted } from '../../engine/errors.js';
import type { AnyKata } from '../kata/kata.js';
import type {
  Cell,
  Finding,
  KataReport,
  LineChart,
  ReportTable,
  TableColumn,
} from '../kata/report.js';
import { decimal, formatCell, isNumeric } from '../report/format.js';
import { parsePath, resolveDocument, withValueAt, type ResolvedExperiment } from './experiment.js';
import { aboutDuration, machine } from '../resources.js';
import { clusterSchema, isExperimentError } from './schema-kit.js';

/** Past this many points a sweep is refused before any point is resolved. */
export const MAX_SWEEP_POINTS = 10_000;

export type SweepValue = number | string;

/** A short name for a field: `vnodes` for cluster.vnodes, a kata's flag name for its field. */
export interface SweepAlias {
  readonly path: string;
  /** Turns one value's text into the field's value, as the flag does (`cl=ONE` → both levels). */
  readonly parse?: ((text: string) => unknown) | undefined;
}

export interface SweepAxis {
  /** As given: `vnodes`, `cluster.vnodes`, `read-rate`. */
  readonly key: string;
  /** The field it sets. */
  readonly path: string;
  /** The whole spec as given, for messages: `vnodes=4,16,256`. */
  readonly spec: string;
  /** The values as given: numbers where the text is a number, strings otherwise. */
  readonly values: readonly SweepValue[];
  /** What each value sets the field to: the value itself, or what the flag's parser made of it. */
  readonly settings: readonly unknown[];
}

export interface SweepPoint {
  /** The swept values, keyed by axis key, in axis order. */
  readonly values: Readonly<Record<string, SweepValue>>;
  /** Field path and value, one per axis. */
  readonly settings: readonly (readonly [string, unknown])[];
}

export interface PlannedPoint extends SweepPoint {
  /** The base document with this point's fields set: what a worker resolves and runs. */
  readonly document: unknown;
  readonly resolved: ResolvedExperiment;
}

/**
 * The short names a sweep key may use for `kata`: the cluster's fields, `seed`, and each of the
 * kata's flags by its long name (`--read-rate` sweeps as `read-rate`).
 */
export function sweepAliases(kata: AnyKata): Map<string, SweepAlias> {
  const aliases = new Map<string, SweepAlias>();
  for (const name of Object.keys(clusterSchema.shape)) {
    aliases.set(name, { path: `cluster.${name}` });
  }
  aliases.set('seed', { path: 'seed' });
  for (const flag of kata.flags) {
    const long = /--([a-z0-9-]+)/.exec(flag.flags)?.[1];
    if (long !== undefined) aliases.set(long, { path: flag.path, parse: flag.parse });
  }
  return aliases;
}

/** Plain decimal notation, as the number flags take it. */
const DECIMAL = /^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function valueOf(text: string): SweepValue {
  return DECIMAL.test(text) && Number.isFinite(Number(text)) ? Number(text) : text;
}

const sweepError = (message: string): RinglabError =>
  new RinglabError('INVALID_ARGUMENT', message, '--sweep');

/**
 * One `--sweep key=v1,v2,...`. The key is a short name from `aliases`, a top-level field of the
 * experiment (`fields`), or a field path (`cluster.vnodes`, `designs[0].indexBuckets`).
 */
export function parseSweepSpec(
  spec: string,
  aliases: ReadonlyMap<string, SweepAlias>,
  fields: ReadonlySet<string>,
): SweepAxis {
  const equals = spec.indexOf('=');
  if (equals <= 0) {
    throw sweepError(
      `--sweep expects field=value,value,... such as vnodes=4,16,256, got ${quoted(spec)}`,
    );
  }
  const key = spec.slice(0, equals);
  const texts = spec.slice(equals + 1).split(',');
  if (texts.some((text) => text === '')) {
    throw sweepError(`--sweep ${spec}: give one or more values separated by commas, none empty`);
  }
  const alias = aliases.get(key);
  let path = alias?.path;
  if (path === undefined) {
    const plain = /^[A-Za-z$][\w$-]*$/.test(key);
    if (plain && !fields.has(key)) {
      throw sweepError(
        `--sweep ${spec}: ${quoted(key)} is neither a field path (such as cluster.vnodes) nor a short name: ${[...aliases.keys()].join(', ')}`,
      );
    }
    try {
      parsePath(key);
    } catch {
      throw sweepError(
        `--sweep ${spec}: ${quoted(key)} is not a field path such as cluster.vnodes or designs[0].indexBuckets`,
      );
    }
    path = key;
  }
  if (path === 'kata' || path.startsWith('kata.') || path === '$schema') {
    throw sweepError(`--sweep ${spec}: a sweep varies one experiment's fields, not ${path}`);
  }
  const seen = new Set<string>();
  for (const text of texts) {
    if (seen.has(text)) throw sweepError(`--sweep ${spec}: ${quoted(text)} is given twice`);
    seen.add(text);
  }
  const values = texts.map(valueOf);
  const parse = alias?.parse;
  const settings = parse === undefined ? values : texts.map((text) => parse(text));
  return { key, path, spec, values, settings };
}

/** Every `--sweep` given; two axes may not set the same field, or one field inside another. */
export function parseSweepSpecs(
  specs: readonly string[],
  aliases: ReadonlyMap<string, SweepAlias>,
  fields: ReadonlySet<string>,
): SweepAxis[] {
  const axes = specs.map((spec) => parseSweepSpec(spec, aliases, fields));
  axes.forEach((axis, i) => {
    for (const other of axes.slice(0, i)) {
      if (nests(axis.path, other.path) || nests(other.path, axis.path)) {
        throw sweepError(
          `--sweep ${other.spec} and --sweep ${axis.spec} both set ${other.path.length <= axis.path.length ? other.path : axis.path}; sweep each field once`,
        );
      }
    }
  });
  return axes;
}

/** Whether `inner` is `outer` or a field inside it. */
function nests(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

export function gridSize(axes: readonly SweepAxis[]): number {
  return axes.reduce((size, axis) => size * axis.values.length, 1);
}

/** The cross product of the axes, the first axis outermost (its value changes slowest). */
export function expandGrid(axes: readonly SweepAxis[]): SweepPoint[] {
  let points: SweepPoint[] = [{ values: {}, settings: [] }];
  for (const axis of axes) {
    points = points.flatMap((point) =>
      axis.values.map((value, v) => ({
        values: { ...point.values, [axis.key]: value },
        settings: [...point.settings, [axis.path, axis.settings[v]] as const],
      })),
    );
  }
  return points;
}

/** `vnodes=4, nodes=6`. */
export function describePoint(values: Readonly<Record<string, SweepValue>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/**
 * What a grid too large to plan would take, from its base experiment's estimate (each point is
 * about as costly, the sweep's fields aside) over this machine's cores; empty when the base
 * does not resolve or its kata has no estimate.
 */
function gridEstimate(base: unknown, points: number): string {
  let seconds: number | undefined;
  try {
    const { kata, experiment } = resolveDocument(base);
    seconds = kata.estimateSeconds?.(experiment);
  } catch {
    return '';
  }
  if (seconds === undefined) return '';
  const { cores } = machine();
  return ` (at about ${aboutDuration(seconds)} a point, as the base experiment takes, about ${aboutDuration((seconds * points) / cores)} on this machine's ${cores} core${cores === 1 ? '' : 's'})`;
}

/**
 * Every point of the grid, validated and resolved before anything runs: the first bad point is
 * refused naming the sweep that set the bad field (or the point, when the field is not swept)
 * and the field. `base` is the experiment document without the sweep (the flags' or the file's),
 * its seed already set, and best with its schema's defaults filled in, so that a sweep of
 * `designs[1].salt` finds the default designs.
 */
export function planSweep(base: unknown, axes: readonly SweepAxis[]): PlannedPoint[] {
  const size = gridSize(axes);
  if (size > MAX_SWEEP_POINTS) {
    throw sweepError(
      `${axes.map((axis) => `--sweep ${axis.key}=… (${axis.values.length})`).join(' × ')} is ${size.toLocaleString('en-US')} points, over the ${MAX_SWEEP_POINTS.toLocaleString('en-US')} a sweep may run${gridEstimate(base, size)}; give fewer values`,
    );
  }
  return expandGrid(axes).map((point) => {
    try {
      let document = base;
      for (const [path, value] of point.settings) document = withValueAt(document, path, value);
      return { ...point, document, resolved: resolveDocument(document) };
    } catch (error) {
      throw pointError(error, point, axes);
    }
  });
}

/** A point refused: `field` is `--sweep`, `path` the experiment field at fault. */
export class SweepPointError extends RinglabError {
  readonly path: string;
  readonly values: Readonly<Record<string, SweepValue>>;

  constructor(message: string, path: string, values: Readonly<Record<string, SweepValue>>) {
    super('INVALID_CONFIG', message, '--sweep');
    this.name = 'SweepPointError';
    this.path = path;
    this.values = values;
  }
}

/** A point's refusal, addressed to the sweep: `--sweep vnodes=2000: cluster.vnodes: expected …`. */
function pointError(error: unknown, point: SweepPoint, axes: readonly SweepAxis[]): unknown {
  if (!isExperimentError(error)) return error;
  const at = describePoint(point.values);
  const axis = axes.find(
    (candidate) =>
      error.path !== '' && (nests(error.path, candidate.path) || nests(candidate.path, error.path)),
  );
  const where =
    axis === undefined
      ? `--sweep at ${at}`
      : `--sweep ${axis.key}=${point.values[axis.key]}${axes.length > 1 ? ` (at ${at})` : ''}`;
  return new SweepPointError(`${where}: ${error.message}`, error.path, point.values);
}

// ---- The sweep's report -----------------------------------------------------------------

export interface SweepInput {
  readonly kata: string;
  /** The base experiment as shown: the sweep's fields are added to it. */
  readonly base: unknown;
  readonly axes: readonly SweepAxis[];
  /** Each point's values and report, in grid order. */
  readonly points: readonly {
    readonly values: SweepPoint['values'];
    readonly report: KataReport;
  }[];
}

/** One row of the comparison: a design at a point. */
interface Row {
  readonly values: SweepPoint['values'];
  readonly design: string;
  readonly cells: Readonly<Record<string, Cell>>;
}

const sweepKey = (axis: SweepAxis): string => `sweep.${axis.key}`;

/**
 * One KataReport for the whole sweep: the first table has a row per point × design, the swept
 * values first and then the columns of each point's first table; a line chart per metric that
 * moves against the first numeric axis; findings computed across the points; the full point
 * reports under `points`.
 */
export function combineSweep(input: SweepInput): KataReport {
  const { axes, points } = input;
  const first = points[0]?.report;
  if (first === undefined) throw new RinglabError('INVALID_ARGUMENT', 'a sweep has no points');
  const columns: TableColumn[] = [];
  for (const { report } of points) {
    for (const column of report.tables[0]?.columns ?? []) {
      if (!columns.some((known) => known.key === column.key)) columns.push(column);
    }
  }
  const label = columns[0];
  const metrics = columns.slice(1).filter((column) => isNumeric(column.format));
  const rows: Row[] = points.flatMap(({ values, report }) =>
    (report.tables[0]?.rows ?? []).map((cells) => ({
      values,
      design: label === undefined ? '' : String(cells[label.key] ?? ''),
      cells,
    })),
  );
  const names = axes.map((axis) => axis.key).join(' × ');
  const table: ReportTable = {
    id: 'sweep',
    title: `${first.tables[0]?.title ?? 'Designs'}, at each point of ${names}`,
    columns: [...axes.map((axis) => axisColumn(axis)), ...columns],
    rows: rows.map((row) => ({
      ...Object.fromEntries(axes.map((axis) => [sweepKey(axis), row.values[axis.key] ?? null])),
      ...row.cells,
    })),
  };
  // Latencies are the metrics where lower is better whatever the kata; those measured somewhere.
  const latencies = metrics.filter(
    (column) => column.format === 'ms' && rows.some((row) => numberIn(row, column.key) !== null),
  );
  const tables: ReportTable[] = [table];
  if (latencies.length > 0) tables.push(lowestTable(axes, points, rows, latencies));
  return {
    kata: input.kata,
    title: `${input.kata} sweep over ${names}`,
    question: `${first.question} Swept over ${axes.map((axis) => `${axis.key} (${axis.values.join(', ')})`).join(' × ')}: ${points.length} points.`,
    seed: first.seed,
    experiment: {
      ...(input.base as Record<string, unknown>),
      sweep: axes.map((axis) => ({ key: axis.key, path: axis.path, values: axis.settings })),
    },
    designs: points.flatMap(({ values, report }) =>
      report.designs.map((design) => ({
        name: `${design.name} (${describePoint(values)})`,
        metrics: {
          ...Object.fromEntries(axes.map((axis) => [sweepKey(axis), values[axis.key] ?? null])),
          ...design.metrics,
        },
      })),
    ),
    tables,
    charts: lineCharts(axes, rows, metrics),
    findings: [
      ...latencies
        .map((metric) => lowestFinding(axes, points, rows, metric))
        .filter((finding): finding is Finding => finding !== null)
        .slice(0, 3),
      ...scalingFindings(axes, rows, metrics),
    ],
    violations: points.reduce((sum, { report }) => sum + report.violations, 0),
    points: points.map(({ values, report }) => ({ values, report })),
  };
}

function axisColumn(axis: SweepAxis): TableColumn {
  const numeric = axis.values.every((value) => typeof value === 'number');
  const integers = numeric && axis.values.every((value) => Number.isInteger(value));
  return {
    key: sweepKey(axis),
    label: axis.key,
    format: integers ? 'count' : numeric ? 'number' : 'text',
  };
}

const numberIn = (row: Row, key: string): number | null => {
  const cell = row.cells[key];
  return typeof cell === 'number' && Number.isFinite(cell) ? cell : null;
};

const samePoint = (a: SweepPoint['values'], b: SweepPoint['values']): boolean =>
  Object.keys(a).every((key) => a[key] === b[key]);

/**
 * Where one design alone has the lowest value of `key` at a point: it and how far the next design
 * is behind (their ratio); `tie` when two share the lowest; null when no design has a value.
 */
type Lowest = { readonly design: string; readonly margin: number } | 'tie' | null;

function lowestAt(rows: readonly Row[], key: string): Lowest {
  const values = rows
    .map((row) => ({ design: row.design, value: numberIn(row, key) }))
    .filter((entry): entry is { design: string; value: number } => entry.value !== null)
    .sort((a, b) => a.value - b.value);
  const [best, next] = values;
  if (best === undefined) return null;
  if (next === undefined) return { design: best.design, margin: Infinity };
  if (next.value === best.value) return 'tie';
  return { design: best.design, margin: best.value > 0 ? next.value / best.value : Infinity };
}

type Points = SweepInput['points'];

const rowsAt = (rows: readonly Row[], values: SweepPoint['values']): Row[] =>
  rows.filter((row) => samePoint(row.values, values));

/** Which design has the lowest of each latency at each point. */
function lowestTable(
  axes: readonly SweepAxis[],
  points: Points,
  rows: readonly Row[],
  latencies: readonly TableColumn[],
): ReportTable {
  return {
    id: 'sweep-lowest',
    title: 'Lowest latency at each point',
    columns: [
      ...axes.map((axis) => axisColumn(axis)),
      ...latencies.map((metric) => ({
        key: metric.key,
        label: `lowest ${metric.label}`,
        format: 'text' as const,
      })),
    ],
    rows: points.map(({ values }) => {
      const here = rowsAt(rows, values);
      return {
        ...Object.fromEntries(axes.map((axis) => [sweepKey(axis), values[axis.key] ?? null])),
        ...Object.fromEntries(
          latencies.map((metric) => {
            const lowest = lowestAt(here, metric.key);
            return [metric.key, lowest === null || lowest === 'tie' ? lowest : lowest.design];
          }),
        ),
      };
    }),
  };
}

/** A runner-up within this factor of the lowest is a tie for the findings' purposes. */
const CLOSE = 1.05;

/** Which design has the lowest latency where, where that changes, and by how much it leads. */
function lowestFinding(
  axes: readonly SweepAxis[],
  points: Points,
  rows: readonly Row[],
  metric: TableColumn,
): Finding | null {
  const winners = new Map<string, SweepPoint['values'][]>();
  const margins: number[] = [];
  let measured = 0;
  for (const { values } of points) {
    const lowest = lowestAt(rowsAt(rows, values), metric.key);
    if (lowest !== null) measured++;
    if (lowest === null || lowest === 'tie') continue;
    if (Number.isFinite(lowest.margin)) margins.push(lowest.margin);
    winners.set(lowest.design, [...(winners.get(lowest.design) ?? []), values]);
  }
  if (measured === 0) return null;
  const decided = [...winners.values()].reduce((sum, at) => sum + at.length, 0);
  const ranked = [...winners].sort((a, b) => b[1].length - a[1].length);
  const id = `lowest-${metric.key}`;
  const least = margins.length === 0 ? 1 : Math.min(...margins);
  const most = margins.length === 0 ? 1 : Math.max(...margins);
  const numbers = {
    points: points.length,
    decided,
    designsLowest: ranked.length,
    leastMargin: least,
    mostMargin: most,
  };
  const [top] = ranked;
  if (top === undefined) {
    return {
      id,
      text: `No design has the lowest ${metric.label} alone at any point: they tie.`,
      numbers,
    };
  }
  const lead =
    margins.length === 0
      ? ''
      : least === most
        ? `; the runner-up is ${decimal(least, 2)}× higher`
        : `; the runner-up is ${decimal(least, 2)}× to ${decimal(most, 2)}× higher`;
  const grid = axes.map((axis) => axis.key).join(' × ');
  // A lead of a few percent is the run's noise, not a design's merit: say so, not who led.
  if (decided === points.length && most < CLOSE) {
    return {
      id,
      text: `No design leads on ${metric.label} by ${decimal((CLOSE - 1) * 100, 0)}% or more at any point of ${grid}: the runner-up is at most ${decimal(most, 2)}× the lowest.`,
      numbers,
    };
  }
  if (ranked.length === 1) {
    const where =
      decided === points.length
        ? `every point of ${grid}`
        : `${decided} of ${points.length} points of ${grid} (the others tie or have none)`;
    return { id, text: `${top[0]} has the lowest ${metric.label} at ${where}${lead}.`, numbers };
  }
  const others = ranked.slice(1).map(([design, at]) => {
    const shown = at.slice(0, 2).map((values) => describePoint(values));
    const more = at.length > shown.length ? `; ${at.length - shown.length} more` : '';
    return `${design} at ${at.length} (${shown.join('; ')}${more})`;
  });
  return {
    id,
    text: `The lowest ${metric.label} changes across ${grid}: ${top[0]} at ${top[1].length} of ${points.length} points, ${others.join(', ')}${lead}.`,
    numbers,
  };
}

/** The numeric axes, with at least two values, in axis order. */
const numericAxes = (axes: readonly SweepAxis[]): SweepAxis[] =>
  axes.filter(
    (axis) => axis.values.length > 1 && axis.values.every((value) => typeof value === 'number'),
  );

/** Rows grouped into lines along `axis`: one per design and values of the other axes. */
function linesAlong(
  axes: readonly SweepAxis[],
  axis: SweepAxis,
  rows: readonly Row[],
): { label: string; others: string; rows: Row[] }[] {
  const lines = new Map<string, { label: string; others: string; rows: Row[] }>();
  for (const row of rows) {
    const others = describePoint(
      Object.fromEntries(axes.filter((a) => a !== axis).map((a) => [a.key, row.values[a.key]!])),
    );
    const id = `${row.design}\u0000${others}`;
    const line = lines.get(id) ?? {
      label: others === '' ? row.design : `${row.design}, ${others}`,
      others,
      rows: [],
    };
    line.rows.push(row);
    lines.set(id, line);
  }
  return [...lines.values()];
}

function pointsOf(rows: readonly Row[], axis: SweepAxis, key: string): [number, number][] {
  return rows
    .map((row): [number, number | null] => [row.values[axis.key] as number, numberIn(row, key)])
    .filter((point): point is [number, number] => point[1] !== null)
    .sort((a, b) => a[0] - b[0]);
}

/** A line chart per metric that is not the same everywhere, against the first numeric axis. */
function lineCharts(
  axes: readonly SweepAxis[],
  rows: readonly Row[],
  metrics: readonly TableColumn[],
): LineChart[] {
  const axis = numericAxes(axes)[0];
  if (axis === undefined) return [];
  const lines = linesAlong(axes, axis, rows);
  return metrics.flatMap((metric) => {
    const series = lines
      .map((line) => ({ label: line.label, points: pointsOf(line.rows, axis, metric.key) }))
      .filter((line) => line.points.length > 1);
    // Worth a chart when some line moves along the axis.
    const moves = series.some((line) => line.points.some(([, y]) => y !== line.points[0]![1]));
    if (!moves) return [];
    const ys = series.flatMap((line) => line.points.map(([, y]) => y));
    const low = Math.min(...ys);
    const chart: LineChart = {
      kind: 'lines',
      id: `sweep-${metric.key.replace(/[^A-Za-z0-9-]+/g, '-')}`,
      title: `${metric.label} against ${axis.key}`,
      xLabel: axis.key,
      yLabel: metric.format === 'ms' ? `${metric.label} (ms)` : metric.label,
      ...(low > 0 && Math.max(...ys) / low >= 100 ? { logY: true } : {}),
      series,
    };
    return [chart];
  });
}

/**
 * For each numeric axis, the metric that moves most between its smallest and largest value, as
 * a power law: y grows about as x^k, k = log(y1/y0) / log(x1/x0).
 */
function scalingFindings(
  axes: readonly SweepAxis[],
  rows: readonly Row[],
  metrics: readonly TableColumn[],
): Finding[] {
  return numericAxes(axes).flatMap((axis) => {
    let best: { metric: TableColumn; label: string; points: [number, number][] } | null = null;
    let bestMove = 0;
    for (const line of linesAlong(axes, axis, rows)) {
      for (const metric of metrics) {
        const points = pointsOf(line.rows, axis, metric.key);
        const [x0, y0] = points[0] ?? [0, 0];
        const [x1, y1] = points.at(-1) ?? [0, 0];
        if (points.length < 2 || y0 <= 0 || y1 <= 0 || x0 <= 0 || x1 <= x0) continue;
        const move = Math.abs(Math.log(y1 / y0));
        if (move > bestMove) {
          bestMove = move;
          best = { metric, label: line.label, points };
        }
      }
    }
    if (best === null || bestMove < Math.log(1.05)) return [];
    const [x0, y0] = best.points[0]!;
    const [x1, y1] = best.points.at(-1)!;
    const exponent = Number((Math.log(y1 / y0) / Math.log(x1 / x0)).toFixed(2));
    const show = (y: number): string => formatCell(y, best.metric.format);
    return [
      {
        id: `scaling-${axis.key}`,
        text: `Of the metrics, ${best.metric.label} moves most with ${axis.key}: for ${best.label} it goes from ${show(y0)} at ${axis.key}=${x0} to ${show(y1)} at ${axis.key}=${x1} (${decimal(y1 / y0, 2)}×), about as ${axis.key}^${exponent}.`,
        numbers: { from: y0, to: y1, fromX: x0, toX: x1, exponent },
      },
    ];
  });
}
