import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
/** The compiled CLI that bin/ringlab.js runs. */
export const builtCli = join(root, 'dist', 'cli', 'main.js');
export const binRinglab = join(root, 'bin', 'ringlab.js');

/** Builds dist/ once unless it is newer than every source the CLI is built from. */
export function ensureBuilt(): void {
  const sources = ['cli', 'bench', 'engine', 'partitioners', 'indexes', 'rebalancing'].flatMap(
    (folder) =>
      readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => join(root, folder, file)),
  );
  const builtMs = (() => {
    try {
      return statSync(builtCli).mtimeMs;
    } catch {
      return 0;
    }
  })();
  if (sources.every((file) => statSync(file).mtimeMs < builtMs)) return;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    // tsc still emits when some other file has a type error; what matters here is a fresh CLI.
    if (statSync(builtCli).mtimeMs <= builtMs) throw error;
  }
}
