/**
 * A hand-written report shaped like a `logsentry` run (4 designs on 6 nodes): the comparison,
 * a per-node table, and one chart of each kind. The figures are invented but plausible, so the
 * rendered page looks like a real one; the ring's arcs come from a fixed linear congruential
 * sequence, so the fixture is the same on every run.
 */
import type { KataReport, ReportTable, RingChart } from '../../bench/kata/report.js';

export const DESIGNS = [
  'hash-event-id + local index',
  'hash-event-id + global-bucketed index',
  'server-salted + local index',
  'time-bucket',
] as const;

export const NODES = ['dc1-n1', 'dc1-n2', 'dc1-n3', 'dc2-n1', 'dc2-n2', 'dc2-n3'] as const;

/** Rows stored per node, per design (rf 3 of 1,000,000 writes: 3,000,000 copies). */
const LOAD: readonly (readonly number[])[] = [
  [501_220, 498_310, 502_904, 497_765, 500_118, 499_683],
  [512_840, 509_977, 515_316, 508_402, 511_209, 513_006],
  [472_118, 561_904, 488_230, 530_771, 455_012, 491_965],
  [188_410, 1_204_388, 203_551, 196_030, 1_011_247, 196_374],
];

const comparison: ReportTable = {
  id: 'comparison',
  title: 'Designs side by side',
  columns: [
    { key: 'design', label: 'design', format: 'text' },
    { key: 'writes', label: 'writes', format: 'count' },
    { key: 'imbalance', label: 'max/mean load', format: 'ratio' },
    { key: 'serverFanout', label: 'by-server fan-out', format: 'number' },
    { key: 'severityP99', label: 'by-severity p99', format: 'ms' },
    { key: 'indexBytes', label: 'index size', format: 'bytes' },
    { key: 'partial', label: 'partial under fault', format: 'percent' },
  ],
  rows: [
    {
      design: DESIGNS[0],
      writes: 1_000_000,
      imbalance: 1.006,
      serverFanout: 6,
      severityP99: 48.26,
      indexBytes: 41_943_040,
      partial: 0.1667,
    },
    {
      design: DESIGNS[1],
      writes: 1_000_000,
      imbalance: 1.009,
      serverFanout: 6,
      severityP99: 7.914,
      indexBytes: 1_610_612_736,
      partial: 0.0412,
    },
    {
      design: DESIGNS[2],
      writes: 1_000_000,
      imbalance: 1.124,
      serverFanout: 1.35,
      severityP99: 51.07,
      indexBytes: 40_370_176,
      partial: 0.0833,
    },
    {
      design: DESIGNS[3],
      writes: 1_000_000,
      imbalance: 2.409,
      serverFanout: 'scan',
      severityP99: 1_834.5,
      indexBytes: null,
      partial: 0.004,
    },
  ],
};

const perNode: ReportTable = {
  id: 'load-per-node',
  title: 'Rows stored per node',
  columns: [
    { key: 'node', label: 'node', format: 'text' },
    ...DESIGNS.map((design, d) => ({ key: `d${d}`, label: design, format: 'count' as const })),
  ],
  rows: NODES.map((node, i) => ({
    node,
    ...Object.fromEntries(DESIGNS.map((_, d) => [`d${d}`, LOAD[d]![i]!])),
  })),
};

/** p95 write latency each 2 s; time-bucket's hot nodes queue from 20 s and recover at 44 s. */
function timeline(design: number): [number, number][] {
  const base = [2.1, 2.6, 2.4, 3.2][design]!;
  const points: [number, number][] = [];
  for (let t = 0; t <= 60; t += 2) {
    const wobble = 1 + 0.15 * Math.sin(t / 3 + design);
    const hot =
      design === 3 && t >= 20 && t <= 44 ? 40 * Math.sin(((t - 20) / 24) * Math.PI) ** 2 : 0;
    points.push([t, Math.round(base * wobble * (1 + hot) * 1000) / 1000]);
  }
  return points;
}

/** 16 vnodes a node, at positions from a fixed sequence, sorted into ring order. */
function ringArcs(): RingChart['arcs'] {
  let state = 20240611;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const tokens = NODES.flatMap((_, node) =>
    Array.from({ length: 16 }, () => ({ at: next(), node })),
  );
  tokens.sort((a, b) => a.at - b.at);
  // A range (previous token, token] belongs to the node of its closing token; the first range
  // wraps around, so it is split at 0 into [0, first] and [last, 1].
  const arcs = tokens.map((token, i) => ({
    start: i === 0 ? 0 : tokens[i - 1]!.at,
    end: token.at,
    node: token.node,
  }));
  arcs.push({ start: tokens[tokens.length - 1]!.at, end: 1, node: tokens[0]!.node });
  return arcs;
}

export const fixtureReport: KataReport = {
  kata: 'logsentry',
  title: 'logsentry: where to put a server-log store’s severity index',
  question:
    'Which partitioning and index design serves reads by server and by severity best at 1M writes?',
  seed: 42,
  experiment: {
    cluster: { nodes: 6, dcs: 2, rf: 3, vnodes: 16 },
    workload: { events: 1_000_000, servers: 2_000, rate: 20_000 },
    reads: { mix: { 'by-server': 0.9, 'by-severity': 0.1 } },
    designs: DESIGNS,
  },
  designs: comparison.rows.map((row) => ({ name: String(row['design']), metrics: row })),
  tables: [comparison, perNode],
  charts: [
    {
      kind: 'bars',
      id: 'load-per-node',
      title: 'Rows stored per node',
      unit: 'rows',
      categories: NODES,
      series: DESIGNS.map((label, d) => ({ label, values: LOAD[d]! })),
    },
    {
      kind: 'lines',
      id: 'write-p95-timeline',
      title: 'Write p95 latency over time',
      xLabel: 'time (s)',
      yLabel: 'p95 (ms)',
      logY: true,
      series: DESIGNS.map((label, d) => ({ label, points: timeline(d) })),
    },
    {
      kind: 'distribution',
      id: 'read-latency',
      title: 'Read latency by severity',
      unit: 'ms',
      series: [
        { label: DESIGNS[0], p50: 12.4, p95: 31.9, p99: 48.26, max: 212.7 },
        { label: DESIGNS[1], p50: 1.38, p95: 4.21, p99: 7.914, max: 63.5 },
        { label: DESIGNS[2], p50: 13.1, p95: 34.6, p99: 51.07, max: 240.2 },
        { label: DESIGNS[3], p50: 96.3, p95: 811.4, p99: 1_834.5, max: 4_102.8 },
      ],
    },
    {
      kind: 'ring',
      id: 'ownership',
      title: 'Token ring ownership',
      nodes: NODES,
      arcs: ringArcs(),
    },
  ],
  findings: [
    {
      id: 'severity-reads',
      text: 'The global bucketed index answers by-severity reads 6.1x faster at p99 (7.91 ms against 48.3 ms) than the local index, for 38x the index storage.',
      numbers: { speedup: 6.098, p99Global: 7.914, p99Local: 48.26, storageRatio: 38.4 },
    },
    {
      id: 'server-reads',
      text: 'Salting by server reads 1.35 partitions per by-server read instead of 6, at 12% more load on the busiest node.',
      numbers: { fanoutSalted: 1.35, fanoutHashed: 6, imbalance: 1.124 },
    },
    {
      id: 'time-bucket-hotspot',
      text: 'time-bucket puts the current bucket on 2 of 6 nodes: they hold 2.4x the mean load and p95 writes climb to 130 ms while a bucket is hot.',
      numbers: { hotNodes: 2, imbalance: 2.409, peakP95Ms: 130.2 },
    },
  ],
  violations: 0,
};

export const HOSTILE = '<script>alert(1)</script>';

/** The fixture with its fourth design renamed to markup, everywhere the name appears. */
export function hostileReport(): KataReport {
  const renamed = JSON.stringify(fixtureReport).split(DESIGNS[3]).join(HOSTILE);
  return { ...(JSON.parse(renamed) as KataReport), title: `${HOSTILE} & "quotes"` };
}
