import { describe, expect, it } from 'vitest';

import {
  combineSweep,
  expandGrid,
  MAX_SWEEP_POINTS,
  parseSweepSpec,
  parseSweepSpecs,
  planSweep,
  SweepPointError,
  sweepAliases,
  type SweepAxis,
} from '../../bench/experiment/sweep.js';
import type { KataReport } from '../../bench/kata/report.js';
import { parseWith } from '../../bench/experiment/schema-kit.js';
import { getKata } from '../../bench/katas/index.js';

const logsentry = getKata('logsentry');
const aliases = sweepAliases(logsentry);
const fields = new Set(['kata', 'seed', 'cluster', 'workload', 'reads', 'designs']);
const axis = (spec: string): SweepAxis => parseSweepSpec(spec, aliases, fields);

function refusal(run: () => unknown): { code?: string; field?: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; field?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('a sweep key is a short name or a field path', () => {
  it.each([
    ['nodes=6,12', 'cluster.nodes'],
    ['vnodes=4', 'cluster.vnodes'],
    ['rf=1,3', 'cluster.rf'],
    ['dcs=1,2', 'cluster.dcs'],
    ['racks=1,3', 'cluster.racks'],
    ['seed=1,2', 'seed'],
    ['events=500,1000', 'workload.events'],
    ['read-rate=10,20', 'reads.rate'],
    ['cluster.vnodes=4,8', 'cluster.vnodes'],
    ['designs[1].indexBuckets=4,16', 'designs[1].indexBuckets'],
  ])('%s sets %s', (spec, path) => {
    expect(axis(spec).path).toBe(path);
  });

  it('numbers parse as numbers, anything else stays text', () => {
    expect(axis('allocator=random,balanced').values).toEqual(['random', 'balanced']);
    expect(axis('read-rate=0.5,1e2,20').values).toEqual([0.5, 100, 20]);
    expect(axis('designs[0].bucket=1s,0x10').values).toEqual(['1s', '0x10']);
  });

  it("a kata flag's own parser makes the field's value", () => {
    const cl = axis('cl=ONE,quorum');
    expect(cl.values).toEqual(['ONE', 'quorum']);
    expect(cl.settings).toEqual([
      { write: 'ONE', read: 'ONE' },
      { write: 'QUORUM', read: 'QUORUM' },
    ]);
  });

  it.each([
    ['vnodes', /field=value/],
    ['=4', /field=value/],
    ['vnodes=', /none empty/],
    ['vnodes=4,,8', /none empty/],
    ['vnodes=4,4', /given twice/],
    ['vnode=4', /neither a field path.*vnodes/],
    ['cluster..vnodes=4', /not a field path/],
    ['kata=orders', /not kata/],
  ])('%s is refused naming --sweep', (spec, message) => {
    const error = refusal(() => axis(spec));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('--sweep');
    expect(error.message).toMatch(message);
  });

  it('two sweeps of one field are refused', () => {
    const error = refusal(() =>
      parseSweepSpecs(['vnodes=4,8', 'cluster.vnodes=16'], aliases, fields),
    );
    expect(error.field).toBe('--sweep');
    expect(error.message).toMatch(/both set cluster\.vnodes/);
  });
});

describe('the grid is the cross product, the first axis outermost', () => {
  it('expands 3 × 2 into 6 points', () => {
    const points = expandGrid([axis('vnodes=4,16,256'), axis('nodes=6,12')]);
    expect(points.map((point) => point.values)).toEqual([
      { vnodes: 4, nodes: 6 },
      { vnodes: 4, nodes: 12 },
      { vnodes: 16, nodes: 6 },
      { vnodes: 16, nodes: 12 },
      { vnodes: 256, nodes: 6 },
      { vnodes: 256, nodes: 12 },
    ]);
    expect(points[3]!.settings).toEqual([
      ['cluster.vnodes', 16],
      ['cluster.nodes', 12],
    ]);
  });

  it('no axes is one point, the experiment itself', () => {
    expect(expandGrid([])).toEqual([{ values: {}, settings: [] }]);
  });
});

describe('every point is resolved before anything runs', () => {
  const base = { kata: 'logsentry', workload: { events: 500 }, reads: { rate: 20, scans: 0 } };

  it('resolves each point with its fields set', () => {
    const points = planSweep(base, [axis('vnodes=4,8'), axis('nodes=6,8')]);
    expect(points).toHaveLength(4);
    const cluster = (points[3]!.resolved.experiment as unknown as Record<string, unknown>)[
      'cluster'
    ];
    expect(cluster).toMatchObject({ vnodes: 8, nodes: 8, rf: 3 });
  });

  it('a bad value at one point refuses the sweep, naming the sweep and the field', () => {
    const error = refusal(() => planSweep(base, [axis('vnodes=4,2000'), axis('nodes=6,8')]));
    expect(error).toBeInstanceOf(SweepPointError);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('--sweep');
    expect((error as SweepPointError).path).toBe('cluster.vnodes');
    expect(error.message).toMatch(
      /^--sweep vnodes=2000 \(at vnodes=2000, nodes=6\): cluster\.vnodes: /,
    );
  });

  it("sets a field inside the defaults' lists, and names the sweep when the list is too short", () => {
    const defaults = parseWith(logsentry.schema, { ...base, cluster: { vnodes: 4 } });
    const points = planSweep(defaults, [axis('designs[1].indexBuckets=4,64')]);
    const designs = (points[1]!.resolved.experiment as unknown as Record<string, unknown>)[
      'designs'
    ];
    expect(designs).toMatchObject([{}, { indexBuckets: 64 }, {}, {}]);
    const error = refusal(() => planSweep(defaults, [axis('designs[7].indexBuckets=4')]));
    expect((error as SweepPointError).path).toBe('designs[7]');
    expect(error.message).toMatch(
      /^--sweep designs\[7\]\.indexBuckets=4: designs\[7\]: does not exist/,
    );
  });

  it('a point refused in a field not swept names the point', () => {
    // 500 events at 5,000/s span 100 ms: too short for time-bucket's 16 × 12 ranges.
    const error = refusal(() => planSweep(base, [axis('vnodes=4,16')]));
    expect((error as SweepPointError).path).toBe('workload.events');
    expect(error.message).toMatch(/^--sweep at vnodes=16: workload\.events: /);
  });

  it(`past ${MAX_SWEEP_POINTS.toLocaleString('en-US')} points the grid is refused with its size`, () => {
    const many = (key: string, count: number): string =>
      `${key}=${Array.from({ length: count }, (_, i) => i + 1).join(',')}`;
    const error = refusal(() =>
      planSweep(base, [axis(many('vnodes', 101)), axis(many('nodes', 100))]),
    );
    expect(error.field).toBe('--sweep');
    expect(error.message).toMatch(/10,100 points, over the 10,000/);
  });
});

/** A point's report: one design table, as a kata's first table is. */
function pointReport(vnodes: number, p99: [number, number], reqs: [number, number]): KataReport {
  const rows = [
    { design: 'a', p99: p99[0], reqs: reqs[0], kind: 'x' },
    { design: 'b', p99: p99[1], reqs: reqs[1], kind: 'y' },
  ];
  return {
    kata: 'logsentry',
    title: 't',
    question: 'Which design?',
    seed: 7,
    experiment: { vnodes },
    designs: rows.map((row) => ({ name: row.design, metrics: { p99: row.p99 } })),
    tables: [
      {
        id: 'designs',
        title: 'Designs',
        columns: [
          { key: 'design', label: 'design', format: 'text' },
          { key: 'p99', label: 'p99', format: 'ms' },
          { key: 'reqs', label: 'reqs', format: 'number' },
          { key: 'kind', label: 'kind', format: 'text' },
        ],
        rows,
      },
    ],
    charts: [],
    findings: [],
    violations: vnodes === 16 ? 1 : 0,
  };
}

describe('the point reports combine into one report', () => {
  const vnodes = axis('vnodes=4,16,64');
  const points = [
    { values: { vnodes: 4 }, report: pointReport(4, [1, 2], [4, 4]) },
    { values: { vnodes: 16 }, report: pointReport(16, [1.5, 2], [16, 4]) },
    { values: { vnodes: 64 }, report: pointReport(64, [3, 2], [64, 4]) },
  ];
  const report = combineSweep({
    kata: 'logsentry',
    base: { kata: 'logsentry' },
    axes: [vnodes],
    points,
  });

  it('is titled by the axes and shows the base experiment with its sweep', () => {
    expect(report.title).toBe('logsentry sweep over vnodes');
    expect(report.experiment).toEqual({
      kata: 'logsentry',
      sweep: [{ key: 'vnodes', path: 'cluster.vnodes', values: [4, 16, 64] }],
    });
    expect(report.violations).toBe(1);
    expect(report.points).toEqual(points);
  });

  it('has a row per point × design, the swept values first', () => {
    const [table] = report.tables;
    expect(table!.columns.map((column) => column.key)).toEqual([
      'sweep.vnodes',
      'design',
      'p99',
      'reqs',
      'kind',
    ]);
    expect(table!.rows.map((row) => [row['sweep.vnodes'], row['design'], row['p99']])).toEqual([
      [4, 'a', 1],
      [4, 'b', 2],
      [16, 'a', 1.5],
      [16, 'b', 2],
      [64, 'a', 3],
      [64, 'b', 2],
    ]);
    expect(report.designs.map((design) => design.name)).toContain('b (vnodes=16)');
  });

  it('charts each numeric metric that moves against the first axis, a line per design', () => {
    expect(report.charts.map((chart) => chart.id)).toEqual(['sweep-p99', 'sweep-reqs']);
    const reqs = report.charts[1]!;
    expect(reqs.kind === 'lines' && reqs.series).toEqual([
      {
        label: 'a',
        points: [
          [4, 4],
          [16, 16],
          [64, 64],
        ],
      },
      {
        label: 'b',
        points: [
          [4, 4],
          [16, 4],
          [64, 4],
        ],
      },
    ]);
  });

  it('finds where the lowest latency changes hands and how a metric scales', () => {
    const lowest = report.findings.find((finding) => finding.id === 'lowest-p99');
    expect(lowest?.text).toMatch(/changes across vnodes: a at 2 of 3 points, b at 1 \(vnodes=64\)/);
    expect(lowest?.numbers).toMatchObject({ points: 3, decided: 3, designsLowest: 2 });
    const scaling = report.findings.find((finding) => finding.id === 'scaling-vnodes');
    expect(scaling?.numbers).toMatchObject({ from: 4, to: 64, exponent: 1 });
    expect(report.tables[1]!.rows.map((row) => row['p99'])).toEqual(['a', 'a', 'b']);
  });
});

describe('a lead of a few percent is not called a win', () => {
  it('says no design leads when the runner-up is within 5% everywhere', () => {
    const report = combineSweep({
      kata: 'logsentry',
      base: { kata: 'logsentry' },
      axes: [axis('vnodes=4,16')],
      points: [
        { values: { vnodes: 4 }, report: pointReport(4, [2, 2.02], [4, 4]) },
        { values: { vnodes: 16 }, report: pointReport(16, [2.03, 2], [16, 4]) },
      ],
    });
    const lowest = report.findings.find((finding) => finding.id === 'lowest-p99');
    expect(lowest?.text).toMatch(/^No design leads on p99 by 5% or more at any point of vnodes/);
    expect(lowest?.numbers['mostMargin']).toBeCloseTo(1.015, 3);
  });
});
