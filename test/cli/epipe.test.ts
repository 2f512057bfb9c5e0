import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';

import { binRinglab, ensureBuilt } from '../helpers/built-cli.js';

/** Runs the real bin/ringlab.js and closes its stdout after the first chunk, as `| head -1` does. */
function runClosingEarly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binRinglab, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that closes stdout early ends the command quietly', () => {
  beforeAll(ensureBuilt, 120_000);

  it.each([
    [['ring', '--nodes', '3000', '--allocator', 'random']],
    [['ring', '--nodes', '3000', '--allocator', 'random', '--json']],
  ])(
    'ringlab %j exits 0 with no stack trace',
    async (args) => {
      const run = await runClosingEarly(args);
      expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    },
    30_000,
  );
});
