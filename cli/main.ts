import { Command, CommanderError } from 'commander';
import { isRinglabError } from '../engine/errors.js';
import { registerPerf } from './commands/bench-perf.js';
import { registerSkew } from './commands/bench-skew.js';
import { registerReplicas } from './commands/replicas.js';
import { registerRing } from './commands/ring.js';
import { registerToken } from './commands/token.js';
import { registerWorkload } from './commands/workload.js';
import { processIo, type Io } from './io.js';

/** Exit codes: 0 success, 1 an unexpected failure (a bug), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_USAGE = 2;

export function buildProgram(io: Io): Command {
  const program = new Command('ringlab')
    .description('A deterministic simulator of a Cassandra-style partitioned store')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
    })
    .showHelpAfterError('(run with --help for usage)');
  registerToken(program, io);
  registerRing(program, io);
  registerReplicas(program, io);
  registerWorkload(program, io);
  const bench = program.command('bench').description('experiments: skew and performance');
  registerSkew(bench, io);
  registerPerf(bench, io);
  return program;
}

/**
 * Runs the CLI and returns the exit code; never calls process.exit, so it is testable in-process.
 * Bad input gets one clear line naming the flag, exit code 2 and no stack trace.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and version are successes.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT_OK;
      }
      return EXIT_USAGE;
    }
    if (isRinglabError(error)) {
      io.err(`error: ${flagged(error.message, error.field)}\n`);
      return EXIT_USAGE;
    }
    io.err(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    io.err('this is a bug in ringlab; please report it with the command you ran.\n');
    return EXIT_BUG;
  }
}

/** Turns "rf must be ..." into "--rf must be ..." so the message names the flag to fix. */
function flagged(message: string, field: string | undefined): string {
  if (field === undefined) return message;
  const flag = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return message.startsWith(`${field} `)
    ? `${flag}${message.slice(field.length)}`
    : `${message} (${flag})`;
}
