import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('a command group without its subcommand is a usage error', () => {
  it.each([[[]], [['bench']], [['workload']]])(
    'ringlab %j prints the help on stderr and exits 2',
    async (argv) => {
      const run = await runCli(...argv);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^Usage: ringlab/);
      expect(run.stderr).toContain('Commands:');
    },
  );
});

describe('an unknown subcommand is a usage error that shows the group’s help', () => {
  it.each([[['rings']], [['bench', 'skw']], [['workload', 'draw']]])(
    'ringlab %j exits 2 naming the command, then lists the commands',
    async (argv) => {
      const run = await runCli(...argv);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^error: unknown command/);
      expect(run.stderr).toContain('Commands:');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe('help asked for is a success', () => {
  it.each([[['--help']], [['help']], [['bench', '--help']], [['help', 'bench']]])(
    'ringlab %j exits 0 with the help on stdout',
    async (argv) => {
      const run = await runCli(...argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: ringlab/);
    },
  );
});
