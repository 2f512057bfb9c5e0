import { invalidConfig } from '../engine/errors.js';
import type { PartitionKey, Partitioner, Query, Route } from '../engine/partitioner.js';
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

/** Bucket numbers overlapping [from, to). */
function bucketsIn(unit: BucketUnit, from: number, to: number): number[] {
  if (to <= from) return [];
  const first = bucketOf(unit, from);
  const last = bucketOf(unit, to - 1);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
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

  /** Candidate values of one component for a query, or undefined if it cannot be bound. */
  const candidates = (
    component: KeyComponent,
    query: Query,
  ): readonly (string | number)[] | undefined => {
    if (component.kind === 'text') {
      return query.where[component.column] === undefined
        ? undefined
        : [textColumn(query.where, component.column)];
    }
    const exact: Value | undefined = query.where[component.label];
    if (typeof exact === 'number') return [exact];
    const exactTime: Value | undefined = query.where[component.column];
    if (typeof exactTime === 'number') return [bucketOf(component.unit, exactTime)];
    const range = query.range;
    return range?.column === component.column
      ? bucketsIn(component.unit, range.from, range.to)
      : undefined;
  };

  return {
    name,
    tokenFunction,
    keyOf: (row) => keyOfValues(components.map((component) => valueOf(component, row))),
    route: (query: Query): Route => {
      let combinations: (string | number)[][] = [[]];
      for (const component of components) {
        const values = candidates(component, query);
        if (values === undefined) return { kind: 'all-ranges' };
        if (combinations.length * values.length > maxListed) return { kind: 'all-ranges' };
        combinations = combinations.flatMap((prefix) => values.map((value) => [...prefix, value]));
      }
      return { kind: 'partitions', keys: combinations.map(keyOfValues) };
    },
  };
}
