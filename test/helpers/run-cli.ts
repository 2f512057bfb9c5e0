import { main } from '../../cli/main.js';
import { turn } from '../setup/yield.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Files the run wrote, by path. */
  readonly written: Readonly<Record<string, string>>;
}

/** What the fake process around an in-process run has: files, stdin, a terminal or not. */
export interface FakeWorld {
  /** Readable files by path; any other path fails as a missing file does (ENOENT). */
  readonly files?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  readonly errIsTty?: boolean;
  /** Paths (files or directories) that cannot be written: EACCES. */
  readonly unwritable?: readonly string[];
  /** Directories that exist (besides the current one and those holding a given file). */
  readonly directories?: readonly string[];
}

/** Runs the CLI in-process, capturing what it prints and its exit code. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  return runCliIn({}, ...argv);
}

/** Runs the CLI in-process in a fake world of files, stdin and terminal. */
export async function runCliIn(world: FakeWorld, ...argv: string[]): Promise<CliRun> {
  // A run is one long synchronous stretch: first let the worker read vitest's messages.
  await turn();
  let stdout = '';
  let stderr = '';
  const written: Record<string, string> = {};
  const refuse = (path: string): void => {
    if (world.unwritable?.some((bad) => path === bad || path.startsWith(`${bad}/`))) {
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), {
        code: 'EACCES',
      });
    }
  };
  const code = await main(argv, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    errIsTty: world.errIsTty ?? false,
    errColumns: 100,
    readFile: async (path) => {
      const text = world.files?.[path];
      if (text !== undefined) return text;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), {
        code: 'ENOENT',
      });
    },
    readStdin: async () => world.stdin ?? '',
    writeFile: async (path, text) => {
      refuse(path);
      written[path] = text;
    },
    makeDir: async (path) => {
      refuse(path);
    },
    // Files given or written are files; a path some of them lie under is a directory, as is
    // the current one; anything else is missing.
    pathKind: async (path) => {
      const known = [...Object.keys(world.files ?? {}), ...Object.keys(written)];
      if (known.includes(path)) return 'file';
      if (path === '.' || known.some((file) => file.startsWith(`${path}/`))) return 'directory';
      if (world.directories?.includes(path)) return 'directory';
      return 'missing';
    },
  });
  return { code, stdout, stderr, written };
}
