import { invalidConfig, quoted, RinglabError } from '../engine/errors.js';
import type { PartitionKey, Partitioner, Query, Route, RowFilter } from '../engine/partitioner.js';
import { filterOf, toAllRanges, toPartitions, withRange } from '../engine/query.js';
import type { Row, Value } from '../engine/row.js';
import type { TokenFunction } from '../engine/token.js';
import { numberColumn, textColumn } from './columns.js';
import { bigintBytes, compositeKeyBytes, textBytes } from './key-bytes.js';

/**
 * Composite partition keys, hashed as Cassandra hashes them (each component length-prefixed and
 * terminated, see key-bytes.ts): `(server_id, day)`, `(customer_id, month)` and the like. A
 * component is either a text column taken as is, or a time column cut into buckets (fixed-width
 * in ms, or calendar months in UTC), stored as the bucket number (a bigint).
 */
export type KeyComponent =
  | { readonly kind: 'text'; readonly column: string }
  | {
      readonly kind: 'bucket';
      readonly column: string;
      readonly label: string;
      readonly unit: BucketUnit;
    };

export type BucketUnit =
  { readonly kind: 'fixed'; readonly ms: number } | { readonly kind: 'month' };

export const DAY_MS = 86_400_000;

export function bucketOf(unit: BucketUnit, ts: number): number {
  if (unit.kind === 'fixed') return Math.floor(ts / unit.ms);
  const date = new Date(ts);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** The first and last bucket numbers overlapping [from, to), or undefined when it is empty. */
function bucketSpan(unit: BucketUnit, from: number, to: number): [number, number] | undefined {
  return to <= from ? undefined : [bucketOf(unit, from), bucketOf(unit, to - 1)];
}

/** The times [from, to) that fall in one bucket: the range a bucket label stands for. */
export function bucketRange(unit: BucketUnit, bucket: number): { from: number; to: number } {
  if (unit.kind === 'fixed') return { from: bucket * unit.ms, to: (bucket + 1) * unit.ms };
  const year = Math.floor(bucket / 12);
  const month = bucket - year * 12;
  return { from: Date.UTC(year, month, 1), to: Date.UTC(year, month + 1, 1) };
}

export interface CompositeOptions {
  readonly name: string;
  readonly tokenFunction: TokenFunction;
  readonly components: readonly KeyComponent[];
  /** Reads spanning more partitions than this go to every range instead. */
  readonly maxListedPartitions?: number;
}

export function composite(options: CompositeOptions): Partitioner {
  const { name, tokenFunction, components } = options;
  const maxListed = options.maxListedPartitions ?? 100_000;
  if (components.length === 0) throw invalidConfig('key', 'needs at least one component');

  const keyOfValues = (values: readonly (string | number)[]): PartitionKey => ({
    bytes: compositeKeyBytes(
      values.map((value) => (typeof value === 'string' ? textBytes(value) : bigintBytes(value))),
    ),
    text: values.join(':'),
  });

  const valueOf = (component: KeyComponent, row: Row): string | number =>
    component.kind === 'text'
      ? textColumn(row, component.column)
      : bucketOf(component.unit, numberColumn(row, component.column));

  /**
   * Candidate values of one component for a query, or undefined if it cannot be bound. A bucket
   * component is bound by its label (`day: 20454`), by an exact time, or by a range on its time
   * column; a range over more buckets than `maxListed` leaves it unbound.
   */
  const candidates = (
    component: KeyComponent,
    query: Query,
  ): readonly (string | number)[] | undefined => {
    if (component.kind === 'text') {
      return query.where[component.column] === undefined
        ? undefined
        : [textColumn(query.where, component.column)];
    }
    const label = labelOf(component, query);
    if (label !== undefined) return [label];
    const exactTime: Value | undefined = query.where[component.column];
    if (typeof exactTime === 'number') return [bucketOf(component.unit, exactTime)];
    const range = query.range;
    if (range?.column !== component.column) return undefined;
    const span = bucketSpan(component.unit, range.from, range.to);
    if (span === undefined) return [];
    const [first, last] = span;
    if (last - first + 1 > maxListed) return undefined;
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  };

  /** A bucket component's label in the query, which must be a whole bucket number. */
  const labelOf = (component: KeyComponent, query: Query): number | undefined => {
    if (component.kind !== 'bucket' || !Object.hasOwn(query.where, component.label))
      return undefined;
    const value = query.where[component.label];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `${name}'s key label ${component.label} must be a whole bucket number, got ${quoted(value)}`,
        'query',
      );
    }
    return value;
  };

  /**
   * The filter rows must pass: the query's, with each label replaced by the time range it stands
   * for, so that labels mean the same whether the route lists partitions or scans every range.
   */
  const filterFor = (query: Query): RowFilter => {
    const labels = components.filter((c) => c.kind === 'bucket').map((c) => c.label);
    let filter = filterOf(query, labels);
    for (const component of components) {
      const label = labelOf(component, query);
      if (component.kind === 'bucket' && label !== undefined) {
        filter = withRange(filter, {
          column: component.column,
          ...bucketRange(component.unit, label),
        });
      }
    }
    return filter;
  };

  return {
    name,
    tokenFunction,
    keyOf: (row) => keyOfValues(components.map((component) => valueOf(component, row))),
    route: (query: Query): Route => {
      const filter = filterFor(query);
      let combinations: (string | number)[][] = [[]];
      for (const component of components) {
        const values = candidates(component, query);
        if (values === undefined) return toAllRanges(filter);
        if (combinations.length * values.length > maxListed) return toAllRanges(filter);
        combinations = combinations.flatMap((prefix) => values.map((value) => [...prefix, value]));
      }
      return toPartitions(combinations.map(keyOfValues), filter);
    },
  };
}
