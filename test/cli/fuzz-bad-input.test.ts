/**
 * Property-based fuzzing of bad input: generated invalid command lines and experiment files, run
 * in-process. Every one must be refused with exit code 2 and one message on stderr naming what
 * was wrong (the flag, field or file), with no stack trace, nothing printed on stdout and no
 * file written: an output that already existed (--report, --csv, --history) is left as it was.
 *
 * The flags and their ranges are read from the program itself (each value flag's help states its
 * range), so a flag added later is fuzzed too. fast-check prints the seed and the shrunk
 * counterexample of a failure; each one found is pinned in bad-input-regressions.test.ts.
 */
import type { Command, Option } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import { runCliIn, type CliRun, type FakeWorld } from '../helpers/run-cli.js';

/** Cases per property; the sum over this file is what the header promises (over 1,000). */
const RUNS = {
  numbers: 300,
  names: 150,
  unknownFlags: 120,
  twice: 120,
  specs: 150,
  files: 200,
  outputs: 100,
};

interface Leaf {
  /** The words that name the command, e.g. ['bench', 'skew']. */
  readonly words: readonly string[];
  /** The command line that runs it cheaply, flags to be added (what fast-check prints). */
  readonly argv: readonly string[];
  /** Its long flags. */
  readonly flags: readonly string[];
}

const silent = { out: () => {}, err: () => {}, errIsTty: false } as never;

function leaves(
  command: Command,
  words: readonly string[] = [],
): (Leaf & { readonly options: readonly Option[] })[] {
  return command.commands.flatMap((sub) => {
    const path = [...words, sub.name()];
    if (sub.commands.length > 0) return leaves(sub, path);
    if (sub.name() === 'help') return [];
    const positional = sub.registeredArguments.map((arg) =>
      arg.name() === 'file' ? 'e.json' : 'k',
    );
    // A kata run that would start is printed as an experiment instead, so a miss stays fast.
    const exportable = sub.options.some((option) => option.long === '--export');
    const argv = [...path, ...positional, ...(exportable ? ['--export', 'json'] : [])];
    const flags = sub.options.flatMap((option) => (option.long === undefined ? [] : [option.long]));
    return [{ words: path, argv, flags, options: sub.options }];
  });
}

const LEAVES = leaves(buildProgram(silent));
/** A cheap valid experiment, for `run`. */
const EXPERIMENT = JSON.stringify({ kata: 'orders', orders: 2000, customers: 100 });
const WORLD: FakeWorld = { files: { 'e.json': EXPERIMENT } };

interface Range {
  readonly min: number;
  readonly max: number | undefined;
  readonly integer: boolean;
}

const num = (text: string): number => Number(text.replace(/,/g, ''));

/** The range a value flag's help states: "1-10000", "0.001-1,000,000", "at least 1", "1 to ...". */
function rangeOf(option: Option): Range | undefined {
  const text = option.description;
  // Counts are whole; fractions, rates and times in ms need not be.
  const integer =
    !/\d\.\d|per second/.test(text) && !/fraction|<t>|<x>|<r>|<m>|<ms>|\/s>/.test(option.flags);
  const span = /(?:^|[\s,(])(\d[\d,]*(?:\.\d+)?)-(\d[\d,]*(?:\.\d+)?)(?=[\s,;)]|$)/.exec(text);
  if (span) return { min: num(span[1]!), max: num(span[2]!), integer };
  const least = /at least (\d[\d,]*)/.exec(text);
  if (least) return { min: num(least[1]!), max: undefined, integer };
  const upTo = /(?:^|\s)(\d+) to (?:the )?nodes/.exec(text);
  if (upTo) return { min: num(upTo[1]!), max: 1_000_000, integer: true };
  if (/0 < t < 1/.test(text)) return { min: 0, max: 1, integer: false };
  return undefined;
}

/** What a command needs besides its defaults to run at all: rebalance, a change. */
const NEEDS: Readonly<Record<string, readonly string[]>> = {
  rebalance: ['--add', '1'],
  // A small run, so that a value wrongly accepted fails fast rather than after a long run.
  simulate: ['--events', '2000'],
};
const CHANGES = ['--add', '--remove', '--decommission', '--replace'];

/** The cheap command line of `leaf` to which `flag` is added. */
function argvFor(leaf: Leaf, flag: string): string[] {
  const needs = NEEDS[leaf.words.join(' ')] ?? [];
  return [...leaf.argv, ...(CHANGES.includes(flag) || needs.includes(flag) ? [] : needs)];
}

/** Flags whose value is a number in a stated range, command by command. */
const NUMERIC = LEAVES.flatMap((leaf) =>
  leaf.options.flatMap((option) => {
    if (option.long === undefined || option.argChoices !== undefined) return [];
    if (!option.required) return [];
    const range = rangeOf(option);
    return range === undefined
      ? []
      : [{ argv: argvFor(leaf, option.long), flag: option.long, range }];
  }),
);

/** Flags that take one of a set of names. */
const NAMED = LEAVES.flatMap((leaf) =>
  leaf.options.flatMap((option) => {
    if (option.long === undefined) return [];
    const names =
      option.argChoices ??
      (/(?:^|: |one of )((?:[A-Z_]+, )+(?:or )?[A-Z_]+)/.exec(option.description)?.[1] ?? '')
        .replace(/ or /, ' ')
        .split(', ')
        .filter((name) => name !== '');
    // A kata's level flags take any case (`--cl quorum`), as their parsers upper-case them.
    const caseless = option.argChoices === undefined;
    return names.length > 1
      ? [{ argv: argvFor(leaf, option.long), flag: option.long, names, caseless }]
      : [];
  }),
);

/** Text that is a number in no notation the CLI accepts. */
const NOT_A_NUMBER = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'abc',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '0b1',
    '1e999',
    '1,000',
    '1_000',
    ' 5',
    '5 ',
    '12abc',
    '١٢',
    '1.2.3',
    '--',
    'true',
    '\u0000',
    '\u00ff\u00fe',
    '01',
  ),
  fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !/^[+-]?\d+(\.\d+)?$/.test(text)),
);

function outOfRange(range: Range): fc.Arbitrary<string> {
  const below = range.min > 0 ? [fc.constant('0'), fc.constant(`-${range.min}`)] : [];
  const options: fc.Arbitrary<string>[] = [
    ...below,
    fc.integer({ min: 1, max: 1e9 }).map((n) => `-${n}`),
  ];
  if (range.max !== undefined) {
    const max = range.max;
    options.push(fc.integer({ min: 1, max: 1e6 }).map((n) => String(Math.ceil(max) + n)));
    options.push(fc.constantFrom(String(max * 1000), '9007199254740993', '1e30'));
  }
  if (range.integer) options.push(fc.constantFrom('1.5', '2.25', '0.5'));
  return fc.oneof(...options);
}

/** A flag in the `--flag value` or `--flag=value` form. */
const asFlag = (flag: string, value: string, joined: boolean): string[] =>
  joined ? [`${flag}=${value}`] : [flag, value];

function expectRefused(run: CliRun, ...mentions: string[]): void {
  const what = `stderr: ${run.stderr}\nstdout: ${run.stdout.slice(0, 400)}`;
  expect(run.code, what).toBe(2);
  for (const mention of mentions) expect(run.stderr, what).toContain(mention);
  expect(run.stderr, what).not.toMatch(/^\s+at /m);
  expect(run.stderr, what).not.toMatch(/RinglabError|ExperimentError|internal error/);
  expect(run.stdout, what).toBe('');
  expect(run.written, what).toEqual({});
}

/** How fast-check runs each property: its seed is printed on failure. */
const params = (numRuns: number) => ({ numRuns, endOnFailure: true });

describe('fuzzing: every invalid command line is refused with exit 2, naming the flag', () => {
  it('covers every command and the flags it takes', () => {
    const commands = new Set(LEAVES.map((leaf) => leaf.words.join(' ')));
    expect(commands).toEqual(
      new Set([
        'token',
        'ring',
        'replicas',
        'workload sample',
        'simulate',
        'rebalance',
        'kata list',
        'kata logsentry',
        'kata orders',
        'kata domain-counters',
        'kata api-usage-log',
        'kata log-feeding',
        'run',
        'schema',
        'check',
        'serve',
        'bench skew',
        'bench perf',
      ]),
    );
    // Every numeric flag of the cluster-building commands was found, with its range.
    expect(NUMERIC.filter((entry) => entry.flag === '--nodes')).toHaveLength(11);
    expect(NUMERIC.length).toBeGreaterThan(100);
    expect(NAMED.length).toBeGreaterThan(50);
  });

  it('a number that is not one, or out of the range its help states', async () => {
    const arbitrary = fc
      .constantFrom(...NUMERIC)
      .chain((entry) =>
        fc.tuple(fc.constant(entry), fc.oneof(NOT_A_NUMBER, outOfRange(entry.range)), fc.boolean()),
      );
    await fc.assert(
      fc.asyncProperty(arbitrary, async ([{ argv, flag }, value, joined]) => {
        // `--flag -5` reads -5 as the value, as `--flag=-5` does.
        const run = await runCliIn(WORLD, ...argv, ...asFlag(flag, value, joined));
        expectRefused(run, flag);
      }),
      params(RUNS.numbers),
    );
  });

  it('a name that is not one of those a flag accepts', async () => {
    const arbitrary = fc
      .constantFrom(...NAMED)
      .chain((entry) =>
        fc.tuple(
          fc.constant(entry),
          fc.oneof(
            fc.string({ maxLength: 16 }),
            fc.constantFrom(...entry.names).map((name) => name.toLowerCase()),
            fc.constantFrom(...entry.names).map((name) => `${name} `),
          ),
        ),
      )
      .filter(
        ([entry, value]) => !entry.names.includes(entry.caseless ? value.toUpperCase() : value),
      );
    await fc.assert(
      fc.asyncProperty(arbitrary, async ([{ argv, flag }, value]) => {
        const run = await runCliIn(WORLD, ...argv, `${flag}=${value}`);
        expectRefused(run, flag);
      }),
      params(RUNS.names),
    );
  });

  it('an unknown flag, or an unknown command or kata', async () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}$/);
    const arbitrary = fc.oneof(
      fc
        .tuple(fc.constantFrom(...LEAVES), word)
        .filter(([leaf, name]) => !leaf.flags.includes(`--${name}`))
        .map(([leaf, name]) => ({ argv: [...leaf.argv, `--${name}`], mention: `--${name}` })),
      word
        .filter((name) => !LEAVES.some((leaf) => leaf.words.includes(name)) && name !== 'help')
        .chain((name) =>
          fc.constantFrom(
            { argv: [name], mention: name },
            { argv: ['kata', name], mention: name },
            { argv: ['bench', name], mention: name },
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ argv, mention }) => {
        const run = await runCliIn(WORLD, ...argv);
        // A group shows its help after an unknown command: that goes to stderr, not stdout.
        expectRefused(run, mention);
      }),
      params(RUNS.unknownFlags),
    );
  });

  it('a value flag given twice', async () => {
    const entries = [
      ...NUMERIC.map(({ argv, flag, range }) => ({ argv, flag, value: String(range.min) })),
      ...NAMED.map(({ argv, flag, names }) => ({ argv, flag, value: names[0]! })),
    ].filter(({ flag }) => flag !== '--export');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...entries), fc.boolean(), async (entry, joined) => {
        const { argv, flag, value } = entry;
        const twice = [...asFlag(flag, value, joined), ...asFlag(flag, value, !joined)];
        const run = await runCliIn(WORLD, ...argv, ...twice);
        expectRefused(run, `${flag} was given twice`);
      }),
      params(RUNS.twice),
    );
  });
});

/** Malformed values of the flags that take a small language: faults, durations, mixes, sweeps. */
const SPECS: readonly {
  readonly argv: readonly string[];
  readonly flag: string;
  readonly bad: fc.Arbitrary<string>;
}[] = (() => {
  const junk = fc.string({ maxLength: 10 }).filter((text) => !/^n\d+@\d/.test(text));
  const fault = fc.oneof(
    fc.constantFrom(
      '',
      '@',
      ':::',
      'crash',
      'crash:',
      'crash:n1',
      'crash:n1@',
      'crash:n99@1s',
      'crash:n1@-1s',
      'crash:n1@1x',
      'crash:n1@99999d',
      'recover:@1s',
      'slow:n1x0@0s',
      'slow:n1xabc@0s',
      'slow:n1x10@5s-1s',
      'partition:n1@1s',
      'partition:n1,n2/@1s',
      'drop:2',
      'drop:-0.1',
      'drop:abc',
      'drop:0.1:n1-n99',
      'explode:n1@1s',
    ),
    fc
      .tuple(fc.constantFrom('crash:', 'slow:', 'partition:', 'drop:', 'wipe:'), junk)
      .map(([kind, rest]) => kind + rest),
  );
  const duration = fc.oneof(
    fc.constantFrom(
      '',
      '0s',
      'x',
      '1x',
      '-1s',
      '1.5.2s',
      's',
      '1e400s',
      '99999999999999999999d',
      'NaNs',
    ),
    junk.filter((text) => !/^\d/.test(text)),
  );
  const mix = (kinds: readonly string[]) =>
    fc.oneof(
      fc.constantFrom(
        '',
        ',',
        ':1',
        'nope:1',
        `${kinds[0]}:`,
        `${kinds[0]}:-1`,
        `${kinds[0]}:abc`,
        `${kinds[0]}:0`,
        `${kinds[0]}:1,${kinds[0]}:1`,
        `${kinds[0]}:Infinity`,
      ),
      junk.filter((text) => !kinds.some((kind) => text.startsWith(kind))),
    );
  const kinds = ['by-server', 'by-severity', 'by-time', 'by-id', 'full-scan'];
  const sweep = fc.oneof(
    fc.constantFrom(
      'vnodes',
      'vnodes=',
      '=1',
      'nosuch=1,2',
      'vnodes=a,b',
      'vnodes=0',
      'vnodes=1,,2',
      'cluster.nodes=0',
      'vnodes=4=5',
      'seed=-1',
      'designs=1',
    ),
    junk.filter((text) => !text.includes('=')),
  );
  const speculative = fc.constantFrom(
    '',
    'abc',
    '101p',
    '0p',
    '-1ms',
    'p',
    '99',
    'never',
    '1e400ms',
  );
  return [
    { argv: ['simulate', '--events', '2000'], flag: '--fault', bad: fault },
    { argv: ['kata', 'api-usage-log', '--export', 'json'], flag: '--fault', bad: fault },
    {
      argv: ['kata', 'logsentry', '--export', 'json'],
      flag: '--fault',
      bad: junk.filter(
        (text) => text !== '' && !['all', 'node-down', 'slow-node', 'partition'].includes(text),
      ),
    },
    { argv: ['simulate', '--events', '2000'], flag: '--bucket', bad: duration },
    {
      argv: ['simulate', '--index', 'global', '--index-sync', 'async'],
      flag: '--index-lag',
      bad: duration,
    },
    { argv: ['bench', 'skew'], flag: '--bucket', bad: duration },
    { argv: ['bench', 'skew'], flag: '--span', bad: duration },
    { argv: ['bench', 'skew'], flag: '--window', bad: duration },
    { argv: ['simulate', '--events', '2000'], flag: '--reads', bad: mix(kinds) },
    { argv: ['kata', 'logsentry', '--export', 'json'], flag: '--read-mix', bad: mix(kinds) },
    { argv: ['simulate', '--events', '2000'], flag: '--speculative', bad: speculative },
    { argv: ['kata', 'orders'], flag: '--sweep', bad: sweep },
    { argv: ['run', 'e.json'], flag: '--sweep', bad: sweep },
    {
      argv: ['kata', 'log-feeding', '--export', 'json'],
      flag: '--crash',
      bad: fc.constantFrom('n0', 'n7', 'n99', 'x', 'N1', ' n1', 'hottest'),
    },
    {
      argv: ['token'],
      flag: '--keys-file',
      bad: fc.constantFrom('missing.txt', 'no/such/dir/keys', ''),
    },
  ];
})();

/** The fields of a kata's experiment, as paths, with the value each has by default. */
function fieldsOf(document: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(document).flatMap(([key, value]): [string, unknown][] => {
    const path = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return fieldsOf(value as Record<string, unknown>, `${path}.`);
    }
    return [[path, value]];
  });
}

function setPath(document: unknown, path: string, value: unknown): unknown {
  const [head, ...rest] = path.split('.');
  const object = { ...(document as Record<string, unknown>) };
  object[head!] = rest.length === 0 ? value : setPath(object[head!], rest.join('.'), value);
  return object;
}

/** A value of another type than `original`, or for a number one far out of any range. */
const wrongFor = (original: unknown): fc.Arbitrary<unknown> =>
  fc
    .constantFrom<unknown>('abc', null, [], {}, true, 1e300, -1e300, [1, 2], '12')
    .filter(
      (value) =>
        typeof original === 'number' ||
        typeof value !== typeof original ||
        Array.isArray(value) !== Array.isArray(original),
    );

describe('fuzzing: every invalid spec and experiment file is refused, naming what is wrong', () => {
  it('a malformed fault, duration, read mix, speculative policy, sweep, node or keys file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...SPECS)
          .chain((spec) => fc.tuple(fc.constant({ argv: spec.argv, flag: spec.flag }), spec.bad)),
        async ([{ argv, flag }, value]) => {
          const run = await runCliIn(WORLD, ...argv, `${flag}=${value}`);
          expectRefused(run, flag);
        },
      ),
      params(RUNS.specs),
    );
  });

  it('an empty, binary, malformed, mistyped, unknown or oversized experiment file', async () => {
    const exported = await runCliIn({}, 'kata', 'orders', '--export', 'json');
    const experiment = JSON.parse(exported.stdout) as Record<string, unknown>;
    const fields = fieldsOf(experiment).filter(([path]) => path !== 'kata');
    const name = fc.constantFrom('e.json', 'exp.yaml', 'x', 'dir/e.yml');
    const content = fc.oneof(
      fc
        .constantFrom(
          '',
          ' \n\t',
          '{',
          '[',
          '{"kata":',
          'kata: [',
          '\u0000',
          'null',
          '42',
          '"orders"',
          '[]',
          '{}',
          'a: b: c',
          '- 1\n- 2',
        )
        .map((text) => ({ text, mention: undefined as string | undefined })),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({
        text: Buffer.from([0, ...bytes]).toString('latin1'),
        mention: undefined,
      })),
      fc.constant({
        text: `${JSON.stringify(experiment)}${' '.repeat(1024 * 1024)}`,
        mention: undefined,
      }),
      fc
        .stringMatching(/^[a-z][a-z-]{0,12}$/)
        .filter(
          (kata) => !LEAVES.some((leaf) => leaf.words[0] === 'kata' && leaf.words[1] === kata),
        )
        .map((kata) => ({ text: JSON.stringify({ ...experiment, kata }), mention: kata })),
      fc
        .stringMatching(/^[a-z][a-zA-Z]{0,12}$/)
        .filter((field) => !(field in experiment))
        .map((field) => ({ text: JSON.stringify({ ...experiment, [field]: 1 }), mention: field })),
      fc.constantFrom(...fields).chain(([path, original]) =>
        wrongFor(original).map((value) => ({
          text: JSON.stringify(setPath(experiment, path, value)),
          mention: path.split('.').at(-1),
        })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(name, content, fc.boolean(), async (file, { text, mention }, stdin) => {
        const world: FakeWorld = stdin ? { stdin: text } : { files: { [file]: text } };
        const run = await runCliIn(world, 'run', stdin ? '-' : file);
        expectRefused(run, stdin ? 'stdin' : file, ...(mention === undefined ? [] : [mention]));
      }),
      params(RUNS.files),
    );
  });

  it('an unreadable experiment path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z./][a-z0-9./ -]{0,20}$/), async (path) => {
        const run = await runCliIn(WORLD, 'run', path === 'e.json' ? 'e.json.missing' : path);
        expectRefused(run, 'cannot read');
      }),
      params(50),
    );
  });

  it('a refused run leaves an existing --report, --csv or --history output as it was', async () => {
    const world: FakeWorld = {
      files: { ...WORLD.files, 'old.html': '<p>old</p>', 'out/old.csv': 'a,b\n' },
      directories: ['out', 'histories'],
    };
    const outputs = fc.constantFrom(
      {
        argv: ['kata', 'orders', '--report', 'old.html', '--csv', 'out'],
        flags: NUMERIC.filter((e) => e.argv[1] === 'orders'),
      },
      {
        argv: ['run', 'e.json', '--report', 'old.html'],
        flags: NUMERIC.filter((e) => e.argv[0] === 'run'),
      },
      {
        argv: ['kata', 'logsentry', '--csv', 'out'],
        flags: NUMERIC.filter((e) => e.argv[1] === 'logsentry'),
      },
      {
        argv: ['check', '--history', 'histories'],
        flags: NUMERIC.filter((e) => e.argv[0] === 'check'),
      },
    );
    await fc.assert(
      fc.asyncProperty(
        outputs.chain(({ argv, flags }) =>
          fc
            .constantFrom(...flags)
            .chain(({ flag, range }) =>
              fc.tuple(fc.constant({ argv, flag }), fc.oneof(NOT_A_NUMBER, outOfRange(range))),
            ),
        ),
        async ([{ argv, flag }, value]) => {
          const run = await runCliIn(world, ...argv, `${flag}=${value}`);
          // expectRefused asserts that nothing was written: the old files stand.
          expectRefused(run, flag);
        },
      ),
      params(RUNS.outputs),
    );
  });
});
