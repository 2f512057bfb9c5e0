/**
 * Experiments: a kata's settings as a document. `ringlab kata <name>` builds one from its
 * defaults and flags; `ringlab run <file>` reads one from JSON or YAML; both validate it with the
 * kata's schema and resolve it before anything runs, so the same document gives the same report
 * whichever way it came in.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

import { getKata, katas, kataNames } from '../katas/index.js';
import type { AnyKata, ExperimentBase } from '../kata/kata.js';
import { ExperimentError, formatPath, parseWith } from './schema-kit.js';

/** Past this, a file is refused before it is parsed: no experiment is that long. */
export const MAX_EXPERIMENT_BYTES = 1024 * 1024;

/**
 * The document in `text`: JSON when the name ends in .json (or the text starts with `{`), YAML
 * otherwise (which JSON also is). Errors name the file and, for a syntax error, the line.
 */
export function parseExperimentText(text: string, name: string): unknown {
  if (text.length > MAX_EXPERIMENT_BYTES) {
    throw new ExperimentError(
      '',
      `${name} is ${text.length.toLocaleString('en-US')} bytes; an experiment file is at most 1 MiB`,
    );
  }
  if (text.includes('\u0000')) {
    throw new ExperimentError(
      '',
      `${name} is not text (it holds NUL bytes); give a JSON or YAML experiment file`,
    );
  }
  if (text.trim() === '') {
    throw new ExperimentError(
      '',
      `${name} is empty; an experiment needs at least {"kata": "<name>"} (ringlab kata <name> --export prints a whole one)`,
    );
  }
  const json = /\.json$/i.test(name) || text.trimStart().startsWith('{');
  if (json) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ExperimentError('', `${name} is not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
      throw new ExperimentError(
        '',
        `${name} is not valid YAML${where}: ${error.message.split('\n')[0]}`,
      );
    }
    throw error;
  }
}

/** The kata a document names in its `kata` field. */
export function kataOfDocument(document: unknown): AnyKata {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ExperimentError(
      '',
      `an experiment is an object with a "kata" field (one of ${kataNames().join(', ')})`,
    );
  }
  const name = (document as Record<string, unknown>)['kata'];
  if (typeof name !== 'string') {
    throw new ExperimentError('kata', `is required: one of ${kataNames().join(', ')}`);
  }
  try {
    return getKata(name);
  } catch {
    throw new ExperimentError(
      'kata',
      `expected one of ${kataNames().join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
}

export interface ResolvedExperiment {
  readonly kata: AnyKata;
  readonly experiment: ExperimentBase;
}

/** Validates and resolves a document: the experiment exactly as it will run. */
export function resolveDocument(document: unknown, seed?: number): ResolvedExperiment {
  const kata = kataOfDocument(document);
  const withSeed =
    seed === undefined ? document : { ...(document as Record<string, unknown>), seed };
  const experiment = kata.resolve(parseWith(kata.schema, withSeed));
  return { kata, experiment };
}

/** `designs[1].salt` → ['designs', 1, 'salt']. */
export function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const piece of path.split('.')) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(piece);
    if (match === null)
      throw new ExperimentError(
        path,
        'is not a field path such as cluster.nodes or designs[1].salt',
      );
    parts.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/**
 * A copy of `document` with `value` at `path`, creating the objects on the way. A list index
 * must name an element that exists (designs[5] of four designs is an error, not a hole).
 */
export function withValueAt(document: unknown, path: string, value: unknown): unknown {
  const parts = parsePath(path);
  const set = (node: unknown, at: number): unknown => {
    if (at === parts.length) return value;
    const part = parts[at]!;
    if (typeof part === 'number') {
      if (!Array.isArray(node) || part >= node.length) {
        throw new ExperimentError(
          formatPath(parts.slice(0, at + 1)),
          `does not exist (the list has ${Array.isArray(node) ? node.length : 0} elements)`,
        );
      }
      const copy = [...(node as unknown[])];
      copy[part] = set(copy[part], at + 1);
      return copy;
    }
    const object =
      typeof node === 'object' && node !== null && !Array.isArray(node)
        ? (node as Record<string, unknown>)
        : {};
    return { ...object, [part]: set(object[part], at + 1) };
  };
  return set(document, 0);
}

/** The value at `path`, or undefined. */
export function valueAt(document: unknown, path: string): unknown {
  let node = document;
  for (const part of parsePath(path)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/**
 * The JSON Schema of every experiment file (one branch per kata, chosen by `kata`), generated
 * from the same zod schemas the files are validated with.
 */
export function experimentJsonSchema(): Record<string, unknown> {
  const branches = katas.map((kata) => kata.schema);
  const union =
    branches.length === 1
      ? branches[0]!
      : z.union(branches as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  return {
    ...z.toJSONSchema(union, { io: 'input', unrepresentable: 'any' }),
    title: 'ringlab experiment',
    description:
      'An experiment file for `ringlab run`: one kata and its settings. `ringlab kata <name> --export` prints a complete one.',
  };
}
