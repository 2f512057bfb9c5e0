/**
 * Number formatting shared by every output: the terminal tables (`cli/render.ts` re-exports
 * these), the HTML report and its charts. One copy, so a count or a size reads the same
 * everywhere. Pure and locale-independent (always en-US), so the same report gives the same
 * bytes on every machine.
 */
import type { Cell, CellFormat } from '../kata/report.js';

export function percent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function fixed(value: number, digits = 3): string {
  return value.toFixed(digits);
}

/** 1234567 → "1,234,567". */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes with a binary unit: 1536 → "1.5 KiB". */
export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(scaled)} B` : `${scaled.toFixed(1)} ${units[unit]}`;
}

/** Up to `digits` decimals, trailing zeros dropped, thousands separated: 1234.5 → "1,234.5". */
export function decimal(value: number, digits = 3): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: true });
}

/**
 * Milliseconds with as many decimals as a reader can use: 0.042 → "0.042 ms", 3.25 → "3.25 ms",
 * 48.26 → "48.3 ms", 1234.6 → "1,235 ms". The histograms behind them are good to 1/256, so three
 * significant figures say all there is.
 */
export function ms(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return `${decimal(value, digits)} ms`;
}

/** What a cell shows under its column's format; null is "not applicable", shown as a dash. */
export function formatCell(value: Cell, format: CellFormat): string {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  switch (format) {
    case 'count':
      return count(value);
    case 'percent':
      // Small shares keep a second decimal, so 0.4% and 0.04% do not both read "0.0%".
      return percent(value, Math.abs(value) >= 0.01 ? 1 : 2);
    case 'ms':
      return ms(value);
    case 'bytes':
      return bytes(value);
    case 'ratio':
      return fixed(value, 3);
    case 'number':
      return decimal(value, 3);
    case 'text':
      return String(value);
  }
}

/** Whether a column holds numbers, so that it is aligned right. */
export function isNumeric(format: CellFormat): boolean {
  return format !== 'text';
}
