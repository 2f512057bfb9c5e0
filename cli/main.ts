import { Command, CommanderError } from 'commander';
import { isRinglabError } from '../engine/errors.js';
import { registerPerf } from './commands/bench-perf.js';
import { registerCheck } from './commands/check.js';
import { registerKata } from './commands/kata.js';
import { registerSkew } from './commands/bench-skew.js';
import { registerRebalance } from './commands/rebalance.js';
import { registerReplicas } from './commands/replicas.js';
import { registerRing } from './commands/ring.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerToken } from './commands/token.js';
import { registerWorkload } from './commands/workload.js';
import { ExitCode } from './exit.js';
import { flagged } from './flags.js';
import { processIo, type Io } from './io.js';
import { addExamples } from './options.js';

/** Exit codes: 0 success, 1 a checker found a violation (or a bug), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_USAGE = 2;

const HINT = '(run with --help for usage)';

export function buildProgram(io: Io): Command {
  const program = new Command('ringlab')
    .description('A deterministic simulator of a Cassandra-style partitioned store')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
    })
    // Inherited by every command created below: a usage error ends with a pointer to --help.
    .showHelpAfterError(HINT);
  registerToken(program, io);
  registerRing(program, io);
  registerReplicas(program, io);
  registerWorkload(program, io);
  registerSimulate(program, io);
  registerRebalance(program, io);
  registerKata(program, io);
  registerCheck(program, io);
  registerServe(program, io);
  const bench = program.command('bench').description('experiments: skew and performance');
  registerSkew(bench, io);
  registerPerf(bench, io);
  addExamples(bench, [
    ['ringlab bench skew --compare', 'every key strategy on one event stream'],
    ['ringlab bench perf --quick', 'the performance suite, scaled down'],
  ]);
  addExamples(program, [
    ['ringlab kata logsentry', 'a server-log store: which key and index design, by the numbers'],
    ['ringlab token hello --partitioner murmur3', 'the token of a key'],
    ['ringlab ring --nodes 12 --dcs 2 --racks 3', 'a two-DC ring and its ownership'],
    ['ringlab bench skew --compare --events 200000', 'compare key strategies'],
  ]);
  // A command that only groups others shows its whole help after a usage error (an unknown or
  // missing subcommand): the list of what it accepts is the useful answer.
  for (const group of [program, ...program.commands]) {
    if (group.commands.length > 0) group.showHelpAfterError(true);
  }
  return program;
}

/**
 * Runs the CLI and returns the exit code; never calls process.exit, so it is testable in-process.
 * Bad input gets one clear line naming the flag, exit code 2 and no stack trace.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  let ran: Command | undefined;
  program.hook('preAction', (_, actionCommand) => {
    ran = actionCommand;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ExitCode) return error.code;
    if (error instanceof CommanderError) {
      // Commander has already printed its message or the help. Help asked for is a success; help
      // shown because a subcommand is missing carries exit code 1 from commander: a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
        return EXIT_OK;
      }
      if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return EXIT_USAGE;
    }
    if (isRinglabError(error)) {
      io.err(`error: ${flagged(error.message, error.field, ran)}\n`);
      return EXIT_USAGE;
    }
    io.err(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    io.err('this is a bug in ringlab; please report it with the command you ran.\n');
    return EXIT_BUG;
  }
}
