import { unlinkSync } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Everything a command reads from or writes to the outside world. Injected so that tests run the
 * CLI in-process, feed it files and stdin, and read what it printed.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: progress bars are drawn only there. */
  readonly errIsTty: boolean;
  /** The width of that terminal in columns, when known. */
  readonly errColumns?: number | undefined;
  /** A file's text as UTF-8; rejects with the file system's error (its `code`, e.g. ENOENT). */
  readFile(path: string): Promise<string>;
  /** All of stdin as UTF-8. */
  readStdin(): Promise<string>;
  /**
   * Writes a file as UTF-8, replacing it whole or not at all (see writeFileAtomically); rejects
   * with the file system's error.
   */
  writeFile(path: string, text: string): Promise<void>;
  /** Creates a directory and its parents; an existing one is fine. */
  makeDir(path: string): Promise<void>;
  /** What is at a path, so that an output is refused before a run rather than after it. */
  pathKind(path: string): Promise<PathKind>;
  /**
   * Until the returned function is called, SIGINT and SIGTERM run `handler` (which may flush
   * partial results through this Io) and then end the process with 130 or 143, leaving no
   * temporary file behind. Only the real process has signals; an in-process Io omits this.
   */
  onInterrupt?(handler: (signal: InterruptSignal) => Promise<void>): () => void;
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** A run stopped by a signal ends as a shell reports a process killed by it: 128 + its number. */
export const SIGNAL_EXIT_CODES: Readonly<Record<InterruptSignal, number>> = {
  SIGINT: 130,
  SIGTERM: 143,
};

export type PathKind = 'file' | 'directory' | 'missing' | 'other';

let stdoutGuarded = false;

/**
 * The real process's I/O. A reader that closes stdout early (`ringlab ring | head -1`) makes the
 * next write fail with EPIPE; that is the reader saying it has seen enough, not a failure, so the
 * process ends quietly with exit code 0 instead of printing a stack trace.
 */
export function processIo(): Io {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
  return {
    out: (text) => {
      if (!process.stdout.destroyed) process.stdout.write(text);
    },
    err: (text) => process.stderr.write(text),
    errIsTty: process.stderr.isTTY,
    errColumns: process.stderr.columns,
    readFile: (path) => readFile(path, 'utf8'),
    // While a file is written, a signal removes the temporary file before the process ends.
    writeFile: async (path, text) => {
      const release = interruptHandlers.add(async () => {});
      try {
        await writeFileAtomically(path, text);
      } finally {
        release();
      }
    },
    onInterrupt: (handler) => interruptHandlers.add(handler),
    makeDir: async (path) => {
      await mkdir(path, { recursive: true });
    },
    pathKind: async (path) => {
      try {
        const found = await stat(path);
        return found.isFile() ? 'file' : found.isDirectory() ? 'directory' : 'other';
      } catch {
        return 'missing';
      }
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** Temporary files being written now, so that a run stopped by a signal can remove them. */
const inFlight = new Set<string>();
let written = 0;

/**
 * Writes `text` to a temporary file in the same directory as `path`, then renames it into place:
 * a reader, or a run stopped half-way, sees the old file or the new one, never half of one. The
 * temporary name starts with a dot and ends in `.tmp`; it is removed when the write fails.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${written++}.tmp`);
  inFlight.add(temporary);
  try {
    await writeFile(temporary, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
}

/** Removes the temporary files of writes still under way; for a process about to exit. */
export function removeTemporaryFiles(): void {
  for (const temporary of inFlight) {
    try {
      unlinkSync(temporary);
    } catch {
      // Not created yet, or already renamed into place.
    }
  }
  inFlight.clear();
}

/**
 * The handlers of the process's SIGINT and SIGTERM, while there are any: the listeners are
 * installed only then, so that a synchronous run (which could not call them until it ended) is
 * stopped by the signal itself, at once, before it has written anything. A second signal while
 * the handlers run ends the process without waiting for them.
 */
const interruptHandlers = (() => {
  const handlers = new Set<(signal: InterruptSignal) => Promise<void>>();
  let stopping = false;
  const listener = (signal: InterruptSignal): void => {
    const code = SIGNAL_EXIT_CODES[signal];
    if (stopping) {
      removeTemporaryFiles();
      process.exit(code);
    }
    stopping = true;
    void (async () => {
      for (const handler of [...handlers]) {
        try {
          await handler(signal);
        } catch {
          // A handler that fails must not keep the process from ending.
        }
      }
      removeTemporaryFiles();
      // A partial report may still sit in stdout's buffer (a pipe is written asynchronously):
      // exit only once what was written has been handed on.
      await new Promise<void>((resolve) => {
        if (process.stdout.destroyed || process.stdout.writableLength === 0) resolve();
        else process.stdout.write('', () => resolve());
      });
      process.exit(code);
    })();
  };
  return {
    add(handler: (signal: InterruptSignal) => Promise<void>): () => void {
      if (handlers.size === 0) {
        process.on('SIGINT', listener);
        process.on('SIGTERM', listener);
      }
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
        if (handlers.size === 0 && !stopping) {
          process.off('SIGINT', listener);
          process.off('SIGTERM', listener);
        }
      };
    },
  };
})();
