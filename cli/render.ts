/**
 * Plain-text rendering: aligned tables and horizontal bars. Every command renders through
 * these so the output looks the same everywhere.
 */
export { bytes, count, fixed, percent } from '../bench/report/format.js';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  // A loop, not Math.max(...rows): spreading a hundred thousand rows overflows the call stack.
  const widths = columns.map((column, i) => {
    let width = visibleLength(column.header);
    for (const row of rows) width = Math.max(width, visibleLength(row[i] ?? ''));
    return width;
  });
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => pad(cells[i] ?? '', widths[i]!, column.align ?? 'left'))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => column.header));
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [header, rule, ...rows.map(line)].join('\n');
}

function pad(text: string, width: number, align: Align): string {
  const gap = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return align === 'right' ? gap + text : text + gap;
}

function visibleLength(text: string): number {
  return [...text].length;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `value / max` of `width` cells, with eighth-cell resolution. */
export function renderBar(value: number, max: number, width = 30): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.round(Math.min(1, value / max) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

/** JSON with bigints as decimal strings, two-space indented, newline-terminated. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

/**
 * A cell shortened in the middle past `max` characters, so that one 64 KiB key does not make
 * every row of its table 64 KiB wide; the JSON output keeps the whole value.
 */
export function shorten(text: string, max = 60): string {
  if (text.length <= max) return text;
  const keep = Math.floor((max - 1) / 2);
  return `${text.slice(0, keep)}…${text.slice(-keep)}`;
}
