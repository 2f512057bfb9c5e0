/**
 * The compiled CLI (dist/), for tests that run it as a user does (`node bin/ringlab.js`) or start
 * its worker threads, which run compiled JavaScript: they build it first.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const root = join(import.meta.dirname, '..', '..');
/** The real entry point, as a user runs it: `node bin/ringlab.js ...`. */
export const bin = join(root, 'bin', 'ringlab.js');
const worker = join(root, 'dist', 'bench', 'workers', 'worker.js');

/** Newest modification time of the sources dist/ is built from. */
function sourcesMs(): number {
  let newest = 0;
  for (const folder of ['cli', 'bench', 'engine', 'partitioners', 'indexes', 'rebalancing']) {
    for (const file of readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })) {
      if (file.endsWith('.ts'))
        newest = Math.max(newest, statSync(join(root, folder, file)).mtimeMs);
    }
  }
  return newest;
}

export const exec = promisify(execFile);

/**
 * Workers run compiled JS: build dist/ when a source is newer than its worker module. Spawned
 * asynchronously: a synchronous build blocks the test worker long enough for vitest to give up.
 */
export async function ensureBuilt(): Promise<void> {
  const builtMs = statSync(worker, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (sourcesMs() < builtMs) return;
  // tsc still emits when someone else's file has a type error; what matters is a fresh dist/.
  await exec('npm', ['run', 'build'], { cwd: root }).catch(() => undefined);
  const afterMs = statSync(worker, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (afterMs <= builtMs) throw new Error('npm run build did not refresh dist/');
}
