import { RinglabError } from '../engine/errors.js';
import type { Row, Value } from '../engine/row.js';

/** Reads a text column a strategy keys on; a missing or mistyped column is misuse. */
export function textColumn(row: Readonly<Record<string, Value>>, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') {
    throw new RinglabError(
      'INVALID_KEY',
      `column ${column} must be text, got ${describe(value)}`,
      column,
    );
  }
  return value;
}

/** Reads a numeric column (a timestamp in ms, usually). */
export function numberColumn(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RinglabError(
      'INVALID_KEY',
      `column ${column} must be a finite number, got ${describe(value)}`,
      column,
    );
  }
  return value;
}

function describe(value: Value | undefined): string {
  return value === undefined ? 'nothing' : `${typeof value} ${String(value)}`;
}

/** FNV-1a over UTF-16 code units: a cheap, stable spread for choosing a salt from an id. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
