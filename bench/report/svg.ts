/**
 * Charts as SVG strings, for the HTML report and (later) the live dashboard. Pure functions of
 * the chart: no DOM, no measurement, no clock, coordinates rounded to 0.01, so the same chart
 * gives the same bytes. Text widths are estimated from character counts (a system sans-serif
 * at 12 px averages about 6.8 px a character), which is all the layout needs.
 *
 * The `<svg>` is meant to sit inline in HTML, so it carries no `xmlns` (a standalone .svg file
 * needs `xmlns="http://www.w3.org/2000/svg"` added). Each one has `data-chart="<id>"` and a
 * `<title>`; every mark has a `<title>` of its own with the exact figures, shown on hover.
 *
 * Colours are Okabe-Ito, safe for the common colour-vision deficiencies; lines also differ by
 * dash and distribution percentiles by marker shape, so nothing rests on colour alone.
 */
import type {
  BarChart,
  DistributionChart,
  LineChart,
  ReportChart,
  RingChart,
} from '../kata/report.js';
import { decimal, ms, percent } from './format.js';

/** Okabe-Ito, ordered for a white background: the pale yellow comes last. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#000000',
  '#F0E442',
] as const;

const DASHES = ['', '7 4', '2 3', '10 3 2 3', '4 2', '1 2'] as const;
const WIDTH = 760;
const CHAR_PX = 6.8;
const INK = '#1f2933';
const MUTED = '#616e7c';
const GRID = '#e4e7eb';

/** The colour of series (or node) `i`; past the palette, the colours repeat lighter. */
export function colourOf(i: number): { readonly fill: string; readonly opacity: number } {
  const cycle = Math.floor(i / PALETTE.length);
  return {
    fill: PALETTE[i % PALETTE.length]!,
    opacity: cycle === 0 ? 1 : cycle === 1 ? 0.6 : 0.35,
  };
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${ENTITIES[c]};`);
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': 'amp',
  '<': 'lt',
  '>': 'gt',
  '"': 'quot',
  "'": '#39',
};

/** The SVG of any report chart. */
export function chartSvg(chart: ReportChart): string {
  switch (chart.kind) {
    case 'bars':
      return barChartSvg(chart);
    case 'lines':
      return lineChartSvg(chart);
    case 'distribution':
      return distributionChartSvg(chart);
    case 'ring':
      return ringChartSvg(chart);
  }
}

/** Grouped vertical bars: one group per category, one bar per series, from zero. */
export function barChartSvg(chart: BarChart): string {
  const legend = legendSvg(
    chart.series.map((s, i) => ({ label: s.label, swatch: swatchRect(i) })),
    WIDTH,
  );
  const values = chart.series.flatMap((s) => s.values.filter(isFiniteNumber));
  const y = linearScale(Math.min(0, ...values), Math.max(0, ...values));
  const left = axisMargin(y.ticks.map((t) => y.label(t)));
  const band = (WIDTH - left - 16) / Math.max(1, chart.categories.length);
  const widest = Math.max(0, ...chart.categories.map((c) => textWidth(clip(c, 16))));
  const rotate = widest > band - 4;
  const labelRoom = rotate ? widest * 0.72 + 16 : 24;
  const plot = { left, top: legend.height + 16, right: WIDTH - 16, bottom: legend.height + 276 };
  const height = plot.bottom + labelRoom + 8;
  const toY = (v: number) =>
    plot.bottom - ((v - y.min) / (y.max - y.min)) * (plot.bottom - plot.top);
  const barWidth = (band * 0.8) / Math.max(1, chart.series.length);
  const bars = chart.series.flatMap((series, s) =>
    series.values.flatMap((value, c) => {
      if (!isFiniteNumber(value)) return [];
      const category = chart.categories[c] ?? '';
      const x = plot.left + c * band + band * 0.1 + s * barWidth;
      const top = Math.min(toY(value), toY(0));
      const h = Math.abs(toY(value) - toY(0));
      const tip = `${series.label} · ${category}: ${decimal(value)} ${chart.unit}`;
      return [
        `<rect x="${n(x)}" y="${n(top)}" width="${n(Math.max(1, barWidth - 1))}" height="${n(Math.max(h, 0.5))}"${paint(s)}><title>${escapeXml(tip)}</title></rect>`,
      ];
    }),
  );
  const categoryLabels = chart.categories.map((category, c) => {
    const x = plot.left + (c + 0.5) * band;
    return rotate
      ? `<text x="${n(x)}" y="${n(plot.bottom + 14)}" text-anchor="end" transform="rotate(-40 ${n(x)} ${n(plot.bottom + 14)})" fill="${INK}">${escapeXml(clip(category, 16))}</text>`
      : `<text x="${n(x)}" y="${n(plot.bottom + 18)}" text-anchor="middle" fill="${INK}">${escapeXml(clip(category, 16))}</text>`;
  });
  return svgRoot(chart, height, [
    legend.svg,
    yAxisSvg(y, toY, plot, chart.unit),
    `<g class="bars">${bars.join('')}</g>`,
    line(plot.left, toY(0), plot.right, toY(0), INK),
    categoryLabels.join(''),
  ]);
}

/** Lines over a numeric x; on a log y, points at or below zero break the line. */
export function lineChartSvg(chart: LineChart): string {
  const legend = legendSvg(
    chart.series.map((s, i) => ({ label: s.label, swatch: swatchLine(i) })),
    WIDTH,
  );
  const logY = chart.logY === true;
  const points = chart.series.flatMap((s) => s.points);
  const xs = points.map((p) => p[0]).filter(isFiniteNumber);
  const ys = points.map((p) => p[1]).filter((v) => isFiniteNumber(v) && (!logY || v > 0));
  const x = linearScale(Math.min(...xs), Math.max(...xs), false);
  const y = logY
    ? logScale(Math.min(...ys), Math.max(...ys))
    : linearScale(Math.min(0, ...ys), Math.max(0, ...ys));
  const left = axisMargin(y.ticks.map((t) => y.label(t)));
  const plot = { left, top: legend.height + 16, right: WIDTH - 20, bottom: legend.height + 276 };
  const height = plot.bottom + 46;
  const toX = (v: number) => plot.left + ((v - x.min) / (x.max - x.min)) * (plot.right - plot.left);
  const toY = (v: number) => plot.bottom - y.fraction(v) * (plot.bottom - plot.top);
  const paths = chart.series.map((series, s) => {
    let d = '';
    let pen = false;
    for (const [px, py] of series.points) {
      const ok = isFiniteNumber(px) && isFiniteNumber(py) && (!logY || py > 0);
      if (ok) d += `${pen ? 'L' : 'M'}${n(toX(px))} ${n(toY(py))}`;
      pen = ok;
    }
    const { fill, opacity } = colourOf(s);
    const dash = DASHES[s % DASHES.length]!;
    const markers =
      series.points.length <= 40
        ? series.points
            .filter(([px, py]) => isFiniteNumber(px) && isFiniteNumber(py) && (!logY || py > 0))
            .map(
              ([px, py]) =>
                `<circle cx="${n(toX(px))}" cy="${n(toY(py))}" r="2.5" fill="${fill}" fill-opacity="${opacity}"><title>${escapeXml(`${series.label}: ${decimal(py)} at ${chart.xLabel} ${decimal(px)}`)}</title></circle>`,
            )
            .join('')
        : '';
    const path =
      d === ''
        ? ''
        : `<path d="${d}" fill="none" stroke="${fill}" stroke-opacity="${opacity}" stroke-width="2" stroke-linejoin="round"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}><title>${escapeXml(series.label)}</title></path>`;
    return `<g class="series">${path}${markers}</g>`;
  });
  const xTicks = x.ticks.map((t) => {
    const at = toX(t);
    return `${line(at, plot.bottom, at, plot.bottom + 4, INK)}<text x="${n(at)}" y="${n(plot.bottom + 17)}" text-anchor="middle" fill="${MUTED}">${escapeXml(x.label(t))}</text>`;
  });
  return svgRoot(chart, height, [
    legend.svg,
    yAxisSvg(y, toY, plot, chart.yLabel),
    line(plot.left, plot.bottom, plot.right, plot.bottom, INK),
    xTicks.join(''),
    `<text x="${n((plot.left + plot.right) / 2)}" y="${n(plot.bottom + 36)}" text-anchor="middle" fill="${INK}">${escapeXml(chart.xLabel)}</text>`,
    paths.join(''),
  ]);
}

const PERCENTILES = [
  { key: 'p50', shape: (x: number, y: number) => `<circle cx="${n(x)}" cy="${n(y)}" r="4.5"` },
  {
    key: 'p95',
    shape: (x: number, y: number) => `<path d="M${n(x)} ${n(y - 5.5)}l5.5 5.5l-5.5 5.5l-5.5 -5.5z"`,
  },
  { key: 'p99', shape: (x: number, y: number) => `<path d="M${n(x)} ${n(y - 5.5)}l5.5 9.5h-11z"` },
  {
    key: 'max',
    shape: (x: number, y: number) =>
      `<rect x="${n(x - 1.25)}" y="${n(y - 7)}" width="2.5" height="14"`,
  },
] as const;

/**
 * One row per series: a band from p50 to p99 and a whisker to max, with a marker per
 * percentile. A log axis when the values span two decades or more, since then a linear axis
 * crushes every median against zero.
 */
export function distributionChartSvg(chart: DistributionChart): string {
  const legend = legendSvg(
    PERCENTILES.map((p) => ({ label: p.key, swatch: `${p.shape(7, 0)} fill="${MUTED}"/>` })),
    WIDTH,
  );
  const values = chart.series.flatMap((s) => [s.p50, s.p95, s.p99, s.max]).filter(isFiniteNumber);
  const positive = values.filter((v) => v > 0);
  const useLog =
    positive.length === values.length &&
    positive.length > 0 &&
    Math.max(...positive) / Math.min(...positive) >= 100;
  const scale = useLog
    ? logScale(Math.min(...positive), Math.max(...positive))
    : linearScale(0, Math.max(0, ...values));
  const left = Math.min(
    300,
    Math.max(60, ...chart.series.map((s) => textWidth(clip(s.label, 40)) + 16)),
  );
  const right = WIDTH - 110;
  const rowHeight = 32;
  const top = legend.height + 12;
  const bottom = top + rowHeight * Math.max(1, chart.series.length);
  const height = bottom + 44;
  const toX = (v: number) => left + scale.fraction(v) * (right - left);
  const grid = scale.ticks.map((t) => {
    const at = toX(t);
    return `${line(at, top, at, bottom, GRID)}<text x="${n(at)}" y="${n(bottom + 17)}" text-anchor="middle" fill="${MUTED}">${escapeXml(scale.label(t))}</text>`;
  });
  const rows = chart.series.map((series, s) => {
    const cy = top + rowHeight * (s + 0.5);
    const { fill, opacity } = colourOf(s);
    const at = (v: number) => toX(isFiniteNumber(v) && (!useLog || v > 0) ? v : scale.min);
    const tip = `${series.label}: p50 ${valueText(series.p50, chart.unit)}, p95 ${valueText(series.p95, chart.unit)}, p99 ${valueText(series.p99, chart.unit)}, max ${valueText(series.max, chart.unit)}`;
    const markers = PERCENTILES.map(
      (p) =>
        `${p.shape(at(series[p.key]), cy)} fill="${fill}" fill-opacity="${opacity}" stroke="#fff" stroke-width="1"/>`,
    );
    return [
      `<g class="series"><title>${escapeXml(tip)}</title>`,
      `<text x="${n(left - 10)}" y="${n(cy + 4)}" text-anchor="end" fill="${INK}">${escapeXml(clip(series.label, 40))}</text>`,
      line(at(series.p99), cy, at(series.max), cy, fill, 1.5, opacity),
      `<rect x="${n(at(series.p50))}" y="${n(cy - 4)}" width="${n(Math.max(1, at(series.p99) - at(series.p50)))}" height="8" rx="4" fill="${fill}" fill-opacity="${n(opacity * 0.3)}"/>`,
      markers.join(''),
      `<text x="${n(right + 14)}" y="${n(cy + 4)}" fill="${MUTED}">p99 ${escapeXml(valueText(series.p99, chart.unit))}</text>`,
      '</g>',
    ].join('');
  });
  return svgRoot(chart, height, [
    legend.svg,
    grid.join(''),
    line(left, bottom, right, bottom, INK),
    `<text x="${n((left + right) / 2)}" y="${n(bottom + 36)}" text-anchor="middle" fill="${INK}">${escapeXml(chart.unit)}${useLog ? ' (log scale)' : ''}</text>`,
    rows.join(''),
  ]);
}

/** A donut of the ring, clockwise from the top, one colour per node, and each node's share. */
export function ringChartSvg(chart: RingChart): string {
  const cx = 190;
  const cy = 190;
  const outer = 165;
  const inner = 105;
  const arcs = mergeArcs(chart.arcs);
  // The range that wraps past the top may come as two arcs, [last, 1] and [0, first]: one range.
  const first = chart.arcs[0];
  const last = chart.arcs[chart.arcs.length - 1];
  const wrapSplit =
    chart.arcs.length > 1 && first?.start === 0 && last?.end === 1 && first.node === last.node;
  const ranges = chart.arcs.length - (wrapSplit ? 1 : 0);
  const share = chart.nodes.map(() => 0);
  for (const arc of arcs) share[arc.node] = (share[arc.node] ?? 0) + (arc.end - arc.start);
  // Thin white gaps separate arcs while there are few enough that the gaps do not eat them.
  const stroke = arcs.length <= 120 ? ' stroke="#fff" stroke-width="1"' : '';
  const paths = arcs.map((arc) => {
    const node = chart.nodes[arc.node] ?? `node ${arc.node}`;
    const tip = `${node}: ${decimal(arc.start, 4)} – ${decimal(arc.end, 4)} (${percent(arc.end - arc.start)} of the ring)`;
    return `<path d="${sector(cx, cy, outer, inner, arc.start, arc.end)}"${paint(arc.node)}${stroke}><title>${escapeXml(tip)}</title></path>`;
  });
  const columns = chart.nodes.length > 16 ? 2 : 1;
  const perColumn = Math.max(1, Math.ceil(chart.nodes.length / columns));
  const legend = chart.nodes.map((node, i) => {
    const x = 400 + Math.floor(i / perColumn) * 180;
    const y = 40 + (i % perColumn) * 20;
    return `<g><rect x="${x}" y="${y - 10}" width="12" height="12" rx="2"${paint(i)}/><text x="${x + 18}" y="${y}" fill="${INK}">${escapeXml(clip(node, 14))} <tspan fill="${MUTED}">${escapeXml(percent(share[i] ?? 0, 1))}</tspan></text></g>`;
  });
  const height = Math.max(380, 40 + perColumn * 20);
  return svgRoot(chart, height, [
    `<g class="arcs">${paths.join('')}</g>`,
    `<text x="${cx}" y="${cy - 4}" text-anchor="middle" font-size="22" font-weight="600" fill="${INK}">${decimal(ranges)}</text>`,
    `<text x="${cx}" y="${cy + 16}" text-anchor="middle" fill="${MUTED}">ranges on ${decimal(chart.nodes.length)} nodes</text>`,
    `<g class="legend">${legend.join('')}</g>`,
  ]);
}

/** Adjacent arcs of one node as one arc; an arc that wraps (end before start) goes past 1. */
function mergeArcs(arcs: RingChart['arcs']): { start: number; end: number; node: number }[] {
  const merged: { start: number; end: number; node: number }[] = [];
  for (const arc of arcs) {
    const end = arc.end < arc.start ? arc.end + 1 : arc.end;
    const last = merged[merged.length - 1];
    if (last !== undefined && last.node === arc.node && Math.abs(last.end - arc.start) < 1e-12)
      last.end = end;
    else merged.push({ start: arc.start, end, node: arc.node });
  }
  return merged;
}

function sector(
  cx: number,
  cy: number,
  outer: number,
  inner: number,
  start: number,
  end: number,
): string {
  const span = end - start;
  if (span >= 1 - 1e-9) {
    // A whole ring cannot be one arc (start and end coincide): two halves, the hole cut out.
    return `M${n(cx)} ${n(cy - outer)}A${outer} ${outer} 0 1 1 ${n(cx)} ${n(cy + outer)}A${outer} ${outer} 0 1 1 ${n(cx)} ${n(cy - outer)}M${n(cx)} ${n(cy - inner)}A${inner} ${inner} 0 1 0 ${n(cx)} ${n(cy + inner)}A${inner} ${inner} 0 1 0 ${n(cx)} ${n(cy - inner)}Z`;
  }
  const at = (r: number, f: number) =>
    `${n(cx + r * Math.sin(2 * Math.PI * f))} ${n(cy - r * Math.cos(2 * Math.PI * f))}`;
  const large = span > 0.5 ? 1 : 0;
  return `M${at(outer, start)}A${outer} ${outer} 0 ${large} 1 ${at(outer, end)}L${at(inner, end)}A${inner} ${inner} 0 ${large} 0 ${at(inner, start)}Z`;
}

interface Scale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** Where `v` falls between min (0) and max (1). */
  fraction(v: number): number;
  label(v: number): string;
}

/**
 * A linear axis on round ticks (1, 2 or 5 times a power of ten). With `widen`, the ends move
 * out to the ticks around the data (a bar chart's top tick sits above its tallest bar);
 * without, the axis spans the data exactly (time along x).
 */
function linearScale(lo: number, hi: number, widen = true): Scale {
  if (!isFiniteNumber(lo) || !isFiniteNumber(hi)) return linearScale(0, 1, widen);
  if (hi <= lo) {
    const half = lo === 0 ? 0.5 : Math.abs(lo) / 2;
    return linearScale(lo === 0 ? 0 : lo - half, lo + half, widen);
  }
  const raw = (hi - lo) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw * (1 - 1e-9)) ?? 10) * power;
  const min = widen ? Math.floor(lo / step + 1e-9) * step : lo;
  const max = widen ? Math.ceil(hi / step - 1e-9) * step : hi;
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i <= Math.floor(max / step + 1e-9); i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  const top = Math.max(Math.abs(min), Math.abs(max));
  return {
    min,
    max,
    ticks,
    fraction: (v) => (v - min) / (max - min),
    label: (v) => compact(v, step, top),
  };
}

/** A log axis over whole decades, with 2 and 5 between them when there are few decades. */
function logScale(lo: number, hi: number): Scale {
  if (!(lo > 0) || !isFiniteNumber(lo) || !isFiniteNumber(hi) || hi < lo) return logScale(1, 10);
  const a = Math.floor(Math.log10(lo));
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) {
    for (const m of b - a <= 2 ? [1, 2, 5] : [1]) {
      const t = Number((m * 10 ** e).toPrecision(12));
      if (t <= 10 ** b) ticks.push(t);
    }
  }
  const min = 10 ** a;
  const max = 10 ** b;
  return {
    min,
    max,
    ticks,
    fraction: (v) => (Math.log10(v) - a) / (b - a),
    label: (v) => compact(v, v, v),
  };
}

/** A tick label: 12,000 as "12k", 0.25 as "0.25", with as many decimals as the step needs. */
function compact(v: number, step: number, top: number): string {
  if (v === 0) return '0';
  const [divisor, suffix] =
    top >= 1e9 ? [1e9, 'G'] : top >= 1e6 ? [1e6, 'M'] : top >= 1e4 ? [1e3, 'k'] : [1, ''];
  const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step / divisor) + 1e-9)));
  return `${decimal(v / divisor, digits)}${suffix}`;
}

function yAxisSvg(y: Scale, toY: (v: number) => number, plot: Plot, title: string): string {
  const marks = y.ticks.map((t) => {
    const at = toY(t);
    return `${line(plot.left, at, plot.right, at, GRID)}<text x="${n(plot.left - 8)}" y="${n(at + 4)}" text-anchor="end" fill="${MUTED}">${escapeXml(y.label(t))}</text>`;
  });
  const mid = (plot.top + plot.bottom) / 2;
  return `<g class="axis">${marks.join('')}${line(plot.left, plot.top, plot.left, plot.bottom, INK)}<text x="14" y="${n(mid)}" text-anchor="middle" transform="rotate(-90 14 ${n(mid)})" fill="${INK}">${escapeXml(title)}</text></g>`;
}

interface Plot {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** Legend items flowing left to right, wrapping at the width. */
function legendSvg(
  items: readonly { label: string; swatch: string }[],
  width: number,
): { svg: string; height: number } {
  let x = 0;
  let row = 0;
  const placed = items.map((item) => {
    const label = clip(item.label, 40);
    const w = 24 + textWidth(label) + 18;
    if (x > 0 && x + w > width - 16) {
      x = 0;
      row++;
    }
    const at = { x: 16 + x, y: 16 + row * 20 };
    x += w;
    return `<g transform="translate(${n(at.x)} ${n(at.y)})">${item.swatch}<text x="22" y="4" fill="${INK}">${escapeXml(label)}</text></g>`;
  });
  return { svg: `<g class="legend">${placed.join('')}</g>`, height: 16 + (row + 1) * 20 };
}

function swatchRect(i: number): string {
  return `<rect x="0" y="-6" width="14" height="12" rx="2"${paint(i)}/>`;
}

function swatchLine(i: number): string {
  const { fill, opacity } = colourOf(i);
  const dash = DASHES[i % DASHES.length]!;
  return `<path d="M0 0h16" stroke="${fill}" stroke-opacity="${opacity}" stroke-width="2.5"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>`;
}

function svgRoot(chart: ReportChart, height: number, parts: readonly string[]): string {
  const id = escapeXml(chart.id);
  return (
    `<svg class="chart chart-${chart.kind}" data-chart="${id}" viewBox="0 0 ${WIDTH} ${n(height)}" width="${WIDTH}" height="${n(height)}" role="img" aria-labelledby="chart-${id}-title" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="12">` +
    `<title id="chart-${id}-title">${escapeXml(chart.title)}</title>${parts.join('')}</svg>`
  );
}

function paint(i: number): string {
  const { fill, opacity } = colourOf(i);
  return opacity === 1 ? ` fill="${fill}"` : ` fill="${fill}" fill-opacity="${opacity}"`;
}

function line(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  colour: string,
  width = 1,
  opacity = 1,
): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${colour}" stroke-width="${width}"${opacity === 1 ? '' : ` stroke-opacity="${opacity}"`}/>`;
}

function axisMargin(labels: readonly string[]): number {
  return Math.max(56, 34 + Math.max(0, ...labels.map(textWidth)));
}

function valueText(v: number, unit: string): string {
  if (!isFiniteNumber(v)) return '–';
  if (unit === 'ms') return ms(v);
  return `${decimal(v, Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)} ${unit}`;
}

function textWidth(text: string): number {
  return [...text].length * CHAR_PX;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function isFiniteNumber(v: number | null): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A coordinate rounded to 0.01, never "-0". */
function n(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(r === 0 ? 0 : r);
}
