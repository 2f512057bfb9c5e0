/**
 * The pieces every experiment schema is made of (cluster, levels, durations, faults), and the one
 * place that turns a schema's complaints into messages that name the field:
 *
 *   designs[1].salt: expected a positive integer or "adaptive", got -3
 *
 * The schemas describe the file's shape and ranges, and give the JSON Schema editors use; what
 * one field cannot say alone (rf against the nodes per DC, a fault's node in the cluster) is
 * checked by the same resolvers the flags go through, and their errors are re-addressed to the
 * field's path (`atPath`), so a file and a flag are refused for the same reasons.
 */
import { z } from 'zod';

import { allocatorNames } from '../../engine/allocation.js';
import { consistencyLevels } from '../../engine/consistency.js';
import { isRinglabError, quoted, RinglabError } from '../../engine/errors.js';
import { MAX_SEED } from '../../engine/random.js';
import { tokenFunctionNames } from '../../partitioners/index.js';
import { replicationClasses } from '../cluster-config.js';

/** A schema complaint or a resolver's, addressed to a path in the experiment. */
export class ExperimentError extends RinglabError {
  /** `designs[1].salt`; empty for the document itself. */
  readonly path: string;
  readonly detail: string;

  constructor(path: string, detail: string) {
    super('INVALID_CONFIG', path === '' ? detail : `${path}: ${detail}`, path || undefined);
    this.name = 'ExperimentError';
    this.path = path;
    this.detail = detail;
  }
}

export function isExperimentError(error: unknown): error is ExperimentError {
  return error instanceof ExperimentError;
}

/** `["designs", 1, "salt"]` → `designs[1].salt`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

/** A value as a message shows what was given: JSON for strings and objects, cut when long. */
function given(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

/**
 * Parses `input` against `schema`, or throws the first complaint as an ExperimentError naming its
 * path, what was expected and what was given. Unknown fields are complaints too (a misspelt
 * field would otherwise be silently ignored).
 */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): T {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = formatPath([...(prefix === '' ? [] : [prefix]), ...issue.path]);
  throw new ExperimentError(path, describeIssue(issue));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => quoted(key)).join(', ')}; check the spelling against the schema (ringlab schema)`;
    case 'invalid_type':
      if (input === undefined) return `is required (expected ${issue.expected})`;
      return `expected ${expectedOf(issue.message, issue.expected)}, got ${given(input)}`;
    default:
      return `expected ${issue.message}, got ${given(input)}`;
  }
}

/** A custom message (set with `expect`) wins over zod's type name. */
function expectedOf(message: string, expected: string): string {
  return message.startsWith('Invalid input') ? expected : message;
}

/** A schema's message is "what was expected"; the formatter adds what was given. */
export const expect = (what: string): { error: string } => ({ error: what });

export const int = (min: number, max: number, what?: string) =>
  z
    .number(expect(what ?? `an integer from ${min} to ${max.toLocaleString('en-US')}`))
    .int(expect(what ?? `an integer from ${min} to ${max.toLocaleString('en-US')}`))
    .min(min, expect(what ?? `an integer from ${min} to ${max.toLocaleString('en-US')}`))
    .max(max, expect(what ?? `an integer from ${min} to ${max.toLocaleString('en-US')}`));

export const num = (min: number, max: number, what?: string) => {
  const message = expect(what ?? `a number from ${min} to ${max.toLocaleString('en-US')}`);
  return z.number(message).min(min, message).max(max, message);
};

export const oneOfNames = <T extends string>(names: readonly [T, ...T[]], what: string) =>
  z.enum(names, expect(`${what}: one of ${names.join(', ')}`));

export const duration = z
  .string(expect('a duration such as 500ms, 30s, 5m or 1h'))
  .regex(/^\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)$/, expect('a duration such as 500ms, 30s, 5m or 1h'));

export const level = z.enum(
  consistencyLevels,
  expect(`a consistency level: one of ${consistencyLevels.join(', ')}`),
);

export const seed = int(0, MAX_SEED, `a seed: an integer from 0 to ${MAX_SEED}`);

/** The cluster, as the cluster flags give it; resolved by resolveClusterConfig. */
export const clusterSchema = z
  .strictObject({
    nodes: int(1, 10_000).optional(),
    vnodes: int(1, 1024).optional(),
    rf: int(1, 10_000, 'replicas per DC: an integer from 1 to the nodes per DC').optional(),
    dcs: int(1, 10_000).optional(),
    racks: int(1, 10_000, 'racks per DC: an integer from 1 to the nodes per DC').optional(),
    allocator: oneOfNames(
      allocatorNames as unknown as ['random', 'balanced'],
      'an allocator',
    ).optional(),
    partitioner: z
      .enum(tokenFunctionNames, expect(`a partitioner: one of ${tokenFunctionNames.join(', ')}`))
      .optional(),
    replication: z
      .enum(
        replicationClasses,
        expect(`a replication class: one of ${replicationClasses.join(', ')}`),
      )
      .optional(),
  })
  .describe('The virtual cluster; omitted fields take the same defaults as the cluster flags.');

export type ClusterInput = z.infer<typeof clusterSchema>;

/** Where each cluster flag's field lives in a document, for errors the resolver names by field. */
export const CLUSTER_FIELD_PATHS: Readonly<Record<string, string>> = {
  nodes: 'cluster.nodes',
  vnodes: 'cluster.vnodes',
  rf: 'cluster.rf',
  dcs: 'cluster.dcs',
  racks: 'cluster.racks',
  allocator: 'cluster.allocator',
  partitioner: 'cluster.partitioner',
  replication: 'cluster.replication',
};

/** A fault as `--fault` takes it: crash:n3@10s, slow:n2x10@0s-20s, partition:n1/n2,n3@5s. */
export const faultSpec = z
  .string(expect('a fault spec such as crash:n3@10s, slow:n2x10@5s-20s or partition:n1/n2,n3@5s'))
  .min(1, expect('a fault spec such as crash:n3@10s'));

/**
 * Runs `resolve` and re-addresses a RinglabError it throws to `base` + its field (mapped by
 * `fields` where the resolver's field name differs from the file's), so that the error a flag
 * gives names the field of the file instead.
 */
export function atPath<T>(
  base: string,
  resolve: () => T,
  fields: Readonly<Record<string, string>> = {},
): T {
  try {
    return resolve();
  } catch (error) {
    if (!isRinglabError(error) || isExperimentError(error)) throw error;
    const field = error.field;
    const leaf = field === undefined ? undefined : (fields[field] ?? field);
    const path =
      leaf === undefined ? base : leaf === '' ? base : base === '' ? leaf : `${base}.${leaf}`;
    const detail =
      field !== undefined && error.message.startsWith(`${field} `)
        ? error.message.slice(field.length + 1)
        : error.message;
    throw new ExperimentError(path, detail);
  }
}
