/**
 * `--csv DIR`: one file per report table, `<id>.csv`, for spreadsheets and scripts. Cells are the
 * report's own values, not their formatted text (a share is 0.25, not "25.0%"), so nothing is
 * lost to rounding; null is an empty cell. RFC 4180 quoting, CRLF line ends.
 */
import type { Cell, KataReport, ReportTable } from '../kata/report.js';

export interface CsvFile {
  readonly name: string;
  readonly text: string;
}

function field(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function tableCsv(table: ReportTable): string {
  const lines = [table.columns.map((column) => field(column.label)).join(',')];
  for (const row of table.rows) {
    lines.push(table.columns.map((column) => field(row[column.key] ?? null)).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Every table of the report, plus `findings.csv`. */
export function reportCsvFiles(report: KataReport): CsvFile[] {
  const files = report.tables.map((table) => ({ name: `${table.id}.csv`, text: tableCsv(table) }));
  files.push({
    name: 'findings.csv',
    text: tableCsv({
      id: 'findings',
      title: 'Findings',
      columns: [
        { key: 'id', label: 'id', format: 'text' },
        { key: 'text', label: 'finding', format: 'text' },
        { key: 'numbers', label: 'numbers', format: 'text' },
      ],
      rows: report.findings.map((finding) => ({
        id: finding.id,
        text: finding.text,
        numbers: JSON.stringify(finding.numbers),
      })),
    }),
  });
  return files;
}
