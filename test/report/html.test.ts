import { describe, expect, it } from 'vitest';

import type { KataReport, ReportChart } from '../../bench/kata/report.js';
import { formatCell } from '../../bench/report/format.js';
import { renderHtmlReport } from '../../bench/report/html.js';
import { chartSvg, escapeXml } from '../../bench/report/svg.js';
import { fixtureReport, HOSTILE, hostileReport } from './fixture.js';

describe('renderHtmlReport', () => {
  const html = renderHtmlReport(fixtureReport);

  it('shows the title, the question, the seed and every finding', () => {
    expect(html).toContain(`<h1>${escapeXml(fixtureReport.title)}</h1>`);
    expect(html).toContain(escapeXml(fixtureReport.question));
    expect(html).toMatch(/<dt>seed<\/dt><dd>42<\/dd>/);
    for (const finding of fixtureReport.findings) {
      expect(html).toContain(`<p class="finding">${escapeXml(finding.text)}</p>`);
    }
  });

  it("formats every table's cells by their column's format, numbers aligned right", () => {
    for (const cell of [
      '1,000,000', // count
      '1.124', // ratio
      '1.35', // number
      '48.3 ms',
      '7.91 ms',
      '1,835 ms',
      '1.5 GiB',
      '40.0 MiB',
      '16.7%',
      '0.40%',
      '1,204,388', // the per-node table
    ]) {
      expect(html).toContain(`<td class="num">${cell}</td>`);
    }
    expect(html).toContain('<td class="num">–</td>'); // null: not applicable
    expect(html).toContain('<td class="num">scan</td>'); // a string in a numeric column
    expect(html).toContain('<td>hash-event-id + local index</td>');
    for (const table of fixtureReport.tables) expect(html).toContain(`id="table-${table.id}"`);
  });

  it('draws every chart as an inline svg with its id and title', () => {
    for (const chart of fixtureReport.charts) {
      const svg = new RegExp(
        `<svg [^>]*data-chart="${chart.id}"[^>]*><title id="chart-${chart.id}-title">${escapeXml(chart.title)}</title>`,
      );
      expect(html).toMatch(svg);
    }
    expect(html.match(/<svg /g)).toHaveLength(fixtureReport.charts.length);
  });

  it('escapes text from the report, so a design name cannot inject markup', () => {
    const hostile = renderHtmlReport(hostileReport());
    expect(hostile).not.toContain(HOSTILE);
    expect(hostile).not.toMatch(/<script/i);
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    // It reached every kind of place: tables, legends, tooltips, findings, ids.
    expect(hostile.split('&lt;script&gt;alert(1)&lt;/script&gt;').length).toBeGreaterThan(10);
  });

  it('gives the same bytes for the same report', () => {
    const copy = structuredClone(fixtureReport) as KataReport;
    expect(renderHtmlReport(copy)).toBe(html);
    expect(renderHtmlReport(fixtureReport)).toBe(html);
  });

  it('refers to nothing off the page: no URL, no src or href but a fragment or data:', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i); // protocol-relative
    const targets = [...html.matchAll(/\b(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]*)/gi)];
    for (const [, target] of targets) expect(target).toMatch(/^(#|data:)/);
    expect(html).not.toMatch(/url\(\s*['"]?(?!#|data:)/i);
    expect(html).not.toMatch(/@import|<link|<iframe|<img|<object|<embed/i);
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
    );
  });

  it('shows a run with violations, and no findings or tables, without failing', () => {
    const bare = renderHtmlReport({
      ...fixtureReport,
      kata: 'experiment',
      tables: [],
      charts: [],
      findings: [],
      violations: 3,
    });
    expect(bare).toContain('<dd class="bad">3 violations</dd>');
    expect(bare).toContain('ringlab run experiment.json --seed 42');
    expect(bare).not.toContain('<svg');
  });
});

describe('chartSvg', () => {
  const degenerate: ReportChart[] = [
    { kind: 'bars', id: 'empty-bars', title: 'e', unit: 'rows', categories: [], series: [] },
    {
      kind: 'bars',
      id: 'null-bars',
      title: 'n',
      unit: 'rows',
      categories: ['a', 'b'],
      series: [{ label: 's', values: [null, 0] }],
    },
    {
      kind: 'lines',
      id: 'empty-lines',
      title: 'e',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [],
    },
    {
      kind: 'lines',
      id: 'one-point',
      title: 'o',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ label: 's', points: [[3, 3]] }],
    },
    {
      kind: 'lines',
      id: 'log-zero',
      title: 'z',
      xLabel: 'x',
      yLabel: 'y',
      logY: true,
      series: [
        {
          label: 's',
          points: [
            [0, 0],
            [1, 5],
            [2, 0],
            [3, 50],
          ],
        },
      ],
    },
    { kind: 'distribution', id: 'empty-dist', title: 'e', unit: 'ms', series: [] },
    {
      kind: 'distribution',
      id: 'zero-dist',
      title: 'z',
      unit: 'ms',
      series: [{ label: 's', p50: 0, p95: 0, p99: 0, max: 0 }],
    },
    {
      kind: 'ring',
      id: 'whole-ring',
      title: 'w',
      nodes: ['n1'],
      arcs: [{ start: 0, end: 1, node: 0 }],
    },
    {
      kind: 'ring',
      id: 'wrapping',
      title: 'w',
      nodes: ['n1', 'n2'],
      arcs: [
        { start: 0.9, end: 0.4, node: 0 },
        { start: 0.4, end: 0.9, node: 1 },
      ],
    },
  ];

  it.each(degenerate.map((chart) => [chart.id, chart] as const))(
    'draws %s without NaN or Infinity',
    (_, chart) => {
      const svg = chartSvg(chart);
      expect(svg).toMatch(new RegExp(`^<svg [^>]*data-chart="${chart.id}"`));
      expect(svg).not.toMatch(/NaN|Infinity/);
      expect(svg.endsWith('</svg>')).toBe(true);
    },
  );

  it('breaks a log-scale line at points it cannot place', () => {
    const d = /<g class="series"><path d="([^"]*)"/.exec(chartSvg(degenerate[4]!))?.[1];
    // [1, 5] and [3, 50] survive; the zeros between them are gaps, so each starts a new run.
    expect(d?.match(/[ML]/g)).toEqual(['M', 'M']);
  });

  it('merges adjacent arcs of one node into one path, and gives each node its share', () => {
    const ring = chartSvg({
      kind: 'ring',
      id: 'r',
      title: 'r',
      nodes: ['a', 'b'],
      arcs: [
        { start: 0, end: 0.25, node: 0 },
        { start: 0.25, end: 0.5, node: 0 },
        { start: 0.5, end: 1, node: 1 },
      ],
    });
    expect(ring.match(/<path /g)).toHaveLength(2);
    expect(ring).toContain('50.0%');
  });
});

describe('formatCell', () => {
  it.each([
    [1234567.4, 'count', '1,234,567'],
    [0.25, 'percent', '25.0%'],
    [0.004, 'percent', '0.40%'],
    [0.042, 'ms', '0.042 ms'],
    [3.25, 'ms', '3.25 ms'],
    [48.26, 'ms', '48.3 ms'],
    [1234.6, 'ms', '1,235 ms'],
    [512, 'bytes', '512 B'],
    [1536, 'bytes', '1.5 KiB'],
    [1.0064, 'ratio', '1.006'],
    [2, 'ratio', '2.000'],
    [1234.56789, 'number', '1,234.568'],
    [6, 'number', '6'],
    [null, 'count', '–'],
    ['n/a', 'ms', 'n/a'],
    ['text', 'text', 'text'],
  ] as const)('%s as %s is %s', (value, format, shown) => {
    expect(formatCell(value, format)).toBe(shown);
  });
});
