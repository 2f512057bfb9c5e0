import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const built = join(root, 'dist', 'cli', 'main.js');
const sources = ['cli', 'bench', 'engine', 'partitioners'].flatMap((folder) =>
  readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(root, folder, file)),
);

/** Builds dist/ once unless it is newer than every source the CLI is built from. */
function ensureBuilt(): void {
  const builtMs = (() => {
    try {
      return statSync(built).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (sources.every((file) => statSync(file).mtimeMs < builtMs)) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    // tsc still emits when some other file has a type error; what matters here is a fresh CLI.
    if (statSync(built).mtimeMs <= builtMs) throw error;
  }
}

/** Runs the real bin/ringlab.js and closes its stdout after the first chunk, as `| head -1` does. */
function runClosingEarly(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'ringlab.js'), ...args], {
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
