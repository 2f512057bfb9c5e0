import { Option, type Command } from 'commander';
import { allocatorNames } from '../engine/allocation.js';
import { MAX_SEED } from '../engine/random.js';
import { tokenFunctionNames } from '../partitioners/index.js';
import {
  DEFAULT_SEED,
  replicationClasses,
  type ClusterOptionsInput,
} from '../bench/cluster-config.js';
import { once, oneOfNames, parseInteger, parseNumber, parseSeed, parseText } from './parse.js';

/**
 * Option builders. Every value option rejects being given twice, and none has a commander
 * default: its help text says `(default: X)` and the resolver applies it, so that "not given" stays
 * distinguishable from "given the default".
 */
function valueOption<T>(
  flags: string,
  description: string,
  parse: (text: string, flag: string) => T,
): Option {
  const option = new Option(flags, description);
  return option.argParser(once(option.long ?? flags, parse));
}

/** A whole-number option; its description must state the accepted range. */
export function integerOption(flags: string, description: string): Option {
  return valueOption(flags, description, parseInteger);
}

/** A decimal-number option; its description must state the accepted range. */
export function numberOption(flags: string, description: string): Option {
  return valueOption(flags, description, parseNumber);
}

export function textOption(flags: string, description: string): Option {
  return valueOption(flags, description, parseText);
}

export function choiceOption(flags: string, description: string, names: readonly string[]): Option {
  const option = new Option(flags, description).choices(names);
  // choices() installs commander's own parser; this one also rejects a repeat.
  return option.argParser(once(option.long ?? flags, oneOfNames(names)));
}

export function seedOption(what = 'seed for every random choice'): Option {
  return valueOption('--seed <s>', `${what}, 0-${MAX_SEED} (default: ${DEFAULT_SEED})`, parseSeed);
}

export function partitionerOption(): Option {
  return choiceOption(
    '--partitioner <name>',
    'token function (default: murmur3)',
    tokenFunctionNames,
  );
}

export function jsonOption(): Option {
  return new Option('--json', 'print one JSON document on stdout, saying what produced it');
}

/** The flags every cluster-building command shares; ranges as resolveClusterConfig checks them. */
export function addClusterOptions(command: Command): Command {
  return command
    .addOption(integerOption('--nodes <n>', 'number of nodes, named n1..nN, 1-10000 (default: 6)'))
    .addOption(integerOption('--vnodes <v>', 'tokens per node, num_tokens, 1-1024 (default: 16)'))
    .addOption(
      integerOption(
        '--rf <r>',
        'replication factor per DC, 1 to the nodes in a DC (default: 3, or the DC size when smaller)',
      ),
    )
    .addOption(
      integerOption(
        '--dcs <d>',
        'data centres; nodes are dealt round-robin to dc1..dcD, 1 to --nodes (default: 1)',
      ),
    )
    .addOption(
      integerOption(
        '--racks <k>',
        'racks per DC; nodes are dealt round-robin to r1..rK, 1 to the nodes in a DC (default: 1)',
      ),
    )
    .addOption(
      choiceOption('--allocator <name>', 'token allocation (default: balanced)', allocatorNames),
    )
    .addOption(
      choiceOption(
        '--replication <class>',
        'replica placement (default: simple for one DC and rack, else network-topology)',
        replicationClasses,
      ),
    )
    .addOption(partitionerOption())
    .addOption(seedOption());
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
  const { nodes, vnodes, rf, dcs, racks, allocator, replication, partitioner, seed } = flags;
  return { nodes, vnodes, rf, dcs, racks, allocator, replication, partitioner, seed };
}

/** Appends an "Examples:" section to a command's help; each example is `[command line, what]`. */
export function addExamples(
  command: Command,
  examples: readonly (readonly [string, string])[],
): Command {
  const lines = examples.flatMap(([line, what]) => [`  $ ${line}`, `      ${what}`]);
  return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}\n`);
}

/** Restates the shared `--nodes` default for a command whose experiment uses another cluster size. */
export function setNodesDefault(command: Command, nodes: number): void {
  const option = command.options.find((o) => o.long === '--nodes');
  if (option !== undefined) {
    option.description = option.description.replace(/\(default: \d+\)$/, `(default: ${nodes})`);
  }
}
