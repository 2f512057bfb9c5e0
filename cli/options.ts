import { InvalidArgumentError, Option, type Command } from 'commander';
import { allocatorNames } from '../engine/allocation.js';
import { RinglabError } from '../engine/errors.js';
import { MAX_SEED } from '../engine/random.js';
import { tokenFunctionNames } from '../partitioners/index.js';
import { replicationClasses, type ClusterOptionsInput } from '../bench/cluster-config.js';

/** Parses a whole number; range checks belong to the config resolver, which names the field. */
export function parseInteger(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number.');
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError('the number is too large.');
  return value;
}

export function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new InvalidArgumentError('expected a number.');
  return value;
}

export function parseSeed(text: string): number {
  const value = parseInteger(text);
  if (value < 0 || value > MAX_SEED)
    throw new InvalidArgumentError(`expected an integer between 0 and ${MAX_SEED}.`);
  return value;
}

export function partitionerOption(): Option {
  return new Option('--partitioner <name>', 'token function')
    .choices(tokenFunctionNames)
    .default('murmur3');
}

/** The flags every cluster-building command shares. */
export function addClusterOptions(command: Command): Command {
  return command
    .option('--nodes <n>', 'number of nodes, named n1..nN (default: 6)', parseInteger)
    .option('--vnodes <v>', 'tokens per node, num_tokens (default: 16)', parseInteger)
    .option(
      '--rf <r>',
      'replication factor per DC (default: 3, or the DC size when smaller)',
      parseInteger,
    )
    .option(
      '--dcs <d>',
      'data centres; nodes are dealt round-robin to dc1..dcD (default: 1)',
      parseInteger,
    )
    .option(
      '--racks <k>',
      'racks per DC; nodes are dealt round-robin to r1..rK (default: 1)',
      parseInteger,
    )
    .addOption(
      new Option('--allocator <name>', 'token allocation (default: balanced)').choices(
        allocatorNames,
      ),
    )
    .addOption(
      new Option(
        '--replication <class>',
        'replica placement (default: simple for one DC and rack)',
      ).choices(replicationClasses),
    )
    .addOption(partitionerOption())
    .option('--seed <s>', 'seed for every random choice (default: 1)', parseSeed);
}

export interface ClusterFlags {
  nodes?: number;
  vnodes?: number;
  rf?: number;
  dcs?: number;
  racks?: number;
  allocator?: string;
  replication?: string;
  partitioner?: string;
  seed?: number;
}

export function clusterInput(flags: ClusterFlags): ClusterOptionsInput {
  return { ...flags };
}

/** Keys as given: UTF-8 strings, or hex bytes with --hex. */
export function parseKeys(
  keys: readonly string[],
  hex: boolean,
): { label: string; bytes: Uint8Array }[] {
  return keys.map((key) => {
    if (!hex) return { label: key, bytes: new TextEncoder().encode(key) };
    const digits = key.startsWith('0x') || key.startsWith('0X') ? key.slice(2) : key;
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
      throw new RinglabError(
        'INVALID_ARGUMENT',
        `hex key "${key}" is not an even number of hex digits (e.g. 0a1b or 0x0a1b)`,
        'hex',
      );
    }
    return { label: key, bytes: Uint8Array.from(Buffer.from(digits, 'hex')) };
  });
}
