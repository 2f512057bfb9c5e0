/**
 * Rows are plain objects of column values. The engine knows only the table's shape: which
 * columns order rows inside a partition, and how big a row is.
 */
export type Value = string | number | bigint;
export type Row = Readonly<Record<string, Value>>;

export interface TableSpec {
  readonly name: string;
  /** Clustering columns, compared in order, ascending: rows sharing them overwrite each other. */
  readonly clustering: readonly string[];
  /**
   * Every column a row of the table may have, when the table declares them; a query whose
   * remaining filter names anything else is refused instead of silently matching nothing.
   */
  readonly columns?: readonly string[];
  /** Stored size of a row in bytes (payload plus columns), used by load counters. */
  sizeOf(row: Row): number;
}

/** Bytes a value takes serialised: UTF-8 length for text, 8 for numbers and bigints. */
export function valueSizeBytes(value: Value | undefined): number {
  if (typeof value === 'string') return utf8Length(value);
  return value === undefined ? 0 : 8;
}

/** Text up to this many UTF-16 code units is measured in JavaScript when it is ASCII. */
const SHORT_TEXT = 16;

/**
 * UTF-8 length of a string, as TextEncoder would encode it (a lone surrogate as U+FFFD, 3 bytes).
 * Short ASCII text (server ids, severities) is counted in JavaScript: its length in code units
 * is its length in bytes, and checking that every unit is below 0x80 costs less than the call
 * into Node's native count. Other text gets the native count: on the generator's ids
 * (concatenated, so V8 cons strings) it measured about twice as fast as a charCodeAt loop.
 */
export function utf8Length(text: string): number {
  const length = text.length;
  if (length <= SHORT_TEXT) {
    let i = 0;
    while (i < length && text.charCodeAt(i) < 0x80) i++;
    if (i === length) return length;
  }
  return Buffer.byteLength(text, 'utf8');
}

/** A table whose row size is the sum of its column sizes. */
export function genericTable(name: string, clustering: readonly string[]): TableSpec {
  return {
    name,
    clustering,
    sizeOf: (row) => {
      let size = 0;
      for (const key in row) size += valueSizeBytes(row[key]);
      return size;
    },
  };
}

/** Total order over values of mixed type: numbers and bigints numerically, then strings. */
export function compareValues(a: Value | undefined, b: Value | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const aText = typeof a === 'string';
  const bText = typeof b === 'string';
  if (aText !== bText) return aText ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A total order over whole rows, for the one case where timestamps cannot decide: two writes of
 * the same row with equal timestamps. Columns are compared by name, then value, so every replica
 * keeps the same row whichever write it saw first (Cassandra breaks such ties by comparing values).
 */
export function compareRows(a: Row, b: Row): number {
  // Replicas of one write hold the same row object: the common tie, answered at once.
  if (a === b) return 0;
  const columns = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const column of columns) {
    const order = compareValues(a[column], b[column]);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Whether a write (`timestamp`, `row`) replaces a held copy of the same row: last write wins by
 * timestamp, and on equal timestamps the greater row by `compareRows`. The one rule for replacing
 * a row, used by a replica's upsert and by the coordinator's merge of replicas' answers.
 */
export function supersedes(timestamp: number, row: Row, heldTimestamp: number, held: Row): boolean {
  return timestamp > heldTimestamp || (timestamp === heldTimestamp && compareRows(row, held) > 0);
}

/**
 * A value as text that keeps its meaning: equal under `compareValues` gives equal keys (a number
 * and a bigint of one value meet; the number 1 and the text '1' do not).
 */
export function valueKey(value: Value | undefined): string {
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'bigint') return `n${value.toString()}`;
  return Number.isInteger(value) ? `n${BigInt(value).toString()}` : `n${String(value)}`;
}
