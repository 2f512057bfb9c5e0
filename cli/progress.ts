import cliProgress from 'cli-progress';
import type { Progress } from '../bench/progress.js';
import type { Io } from './io.js';

export interface ProgressBar {
  /** Hand this to a long run; it redraws the bar at most every `throttleMs`. */
  readonly progress: Progress;
  /** Clears the bar; call it when the run ends, also when it throws. */
  stop(): void;
}

export interface ProgressBarOptions {
  /** Whether --json was asked: a machine is reading, so nothing is drawn. */
  readonly json: boolean;
  readonly throttleMs?: number;
  /** Milliseconds since some fixed point; the wall clock by default. */
  readonly now?: () => number;
}

const silent: ProgressBar = { progress: () => {}, stop: () => {} };

/**
 * A progress bar with an ETA on stderr, drawn only when stderr is a terminal and --json was not
 * asked, so that pipes, logs and JSON readers never see it. The bar is cleared when it stops.
 */
export function progressBar(io: Io, label: string, options: ProgressBarOptions): ProgressBar {
  if (options.json || !io.errIsTty) return silent;
  const throttleMs = options.throttleMs ?? 100;
  const now = options.now ?? Date.now;
  // cli-progress writes through this stream; readline's cursor helpers only call write().
  const stream = {
    isTTY: true,
    columns: io.errColumns ?? 80,
    write: (text: string) => {
      io.err(text);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
      clearOnComplete: true,
      hideCursor: false,
      // Leave line wrapping on: turning it off (cli-progress's default) writes ESC[?7l, and a
      // Ctrl-C during a synchronous run kills the process before the bar can turn it back on,
      // leaving the user's terminal without wrapping. The bar is narrower than the terminal.
      linewrap: true,
      fps: 1000 / throttleMs,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastMs = -Infinity;
  return {
    progress: (done, total) => {
      if (!started) {
        started = true;
        bar.start(total, done);
        lastMs = now();
        return;
      }
      const at = now();
      if (at - lastMs < throttleMs && done < total) return;
      lastMs = at;
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** Runs `run` with a progress bar, which is cleared however the run ends. */
export function withProgress<T>(
  io: Io,
  label: string,
  options: ProgressBarOptions,
  run: (progress: Progress) => T,
): T {
  const bar = progressBar(io, label, options);
  try {
    return run(bar.progress);
  } finally {
    bar.stop();
  }
}

/**
 * For runs that report what they are doing as lines of text rather than a count: the lines go to
 * stderr on a terminal, and nowhere under --json or off a terminal.
 */
export function statusLines(io: Io, options: { readonly json: boolean }): (line: string) => void {
  if (options.json || !io.errIsTty) return () => {};
  return (line) => io.err(`… ${line}\n`);
}
