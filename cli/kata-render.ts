/**
 * A KataReport as text: the question, the designs side by side (designs as columns, so that a
 * dozen metrics fit a terminal), the other tables, a bar per node for load, and the findings.
 */
import { formatCell, isNumeric } from '../bench/report/format.js';
import type { BarChart, KataReport, ReportTable } from '../bench/kata/report.js';
import { renderBar, renderTable } from './render.js';

/** The comparison table turned on its side: one row per metric, one column per design. */
function transposed(table: ReportTable): string {
  const [label, ...metrics] = table.columns;
  if (label === undefined) return '';
  const columns = [
    { header: 'metric' },
    ...table.rows.map((row) => ({ header: String(row[label.key] ?? ''), align: 'right' as const })),
  ];
  const rows = metrics.map((metric) => [
    metric.label,
    ...table.rows.map((row) => formatCell(row[metric.key] ?? null, metric.format)),
  ]);
  return renderTable(columns, rows);
}

function plain(table: ReportTable): string {
  return renderTable(
    table.columns.map((column) => ({
      header: column.label,
      align: isNumeric(column.format) ? ('right' as const) : ('left' as const),
    })),
    table.rows.map((row) =>
      table.columns.map((column) => formatCell(row[column.key] ?? null, column.format)),
    ),
  );
}

/** One line per category (a node), one column per series: its value and a short bar. */
function bars(chart: BarChart): string {
  let max = 0;
  for (const series of chart.series) {
    for (const value of series.values) max = Math.max(max, value ?? 0);
  }
  const width = chart.series.length > 3 ? 8 : 16;
  const rows = chart.categories.map((category, c) => [
    category,
    ...chart.series.map((series) => {
      const value = series.values[c] ?? null;
      return `${formatCell(value, 'count').padStart(7)} ${renderBar(value ?? 0, max, width).padEnd(width)}`;
    }),
  ]);
  return renderTable(
    [{ header: 'node' }, ...chart.series.map((series) => ({ header: series.label }))],
    rows,
  );
}

export function renderKataReport(report: KataReport, context: string): string {
  const lines = [report.title, report.question, context, ''];
  report.tables.forEach((table, i) => {
    // A table that compares a handful of designs reads better turned on its side.
    // A sweep's first table leads with the swept values, one row per point and design: as is.
    const side =
      i === 0 && report.points === undefined && table.rows.length <= 8 && table.columns.length > 6;
    lines.push(table.title, side ? transposed(table) : plain(table), '');
  });
  const load = report.charts.find((chart): chart is BarChart => chart.kind === 'bars');
  if (load !== undefined && load.categories.length <= 64) {
    lines.push(load.title, bars(load), '');
  }
  lines.push('findings');
  report.findings.forEach((finding, i) => lines.push(`  ${i + 1}. ${finding.text}`));
  if (report.violations > 0) {
    lines.push(
      '',
      `checker: ${report.violations} violation${report.violations === 1 ? '' : 's'} (exit code 1)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
