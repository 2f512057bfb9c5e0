import { describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io.js';
import { progressBar, statusLines, withProgress } from '../../cli/progress.js';
import { runCliIn } from '../helpers/run-cli.js';

function fakeIo(errIsTty: boolean): Io & { readonly errText: () => string } {
  let err = '';
  return {
    out: () => {},
    err: (text) => {
      err += text;
    },
    errIsTty,
    errColumns: 100,
    readFile: () => Promise.reject(new Error('no files')),
    readStdin: () => Promise.resolve(''),
    writeFile: () => Promise.reject(new Error('no files here')),
    makeDir: () => Promise.reject(new Error('no files here')),
    pathKind: () => Promise.resolve('missing' as const),
    errText: () => err,
  };
}

/** A clock the test moves by hand. */
function manualClock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe('a progress bar is drawn on a terminal, with an ETA', () => {
  it('reports the share done and an ETA on stderr', () => {
    const io = fakeIo(true);
    const clock = manualClock();
    const bar = progressBar(io, 'allocating', { json: false, now: clock.now });
    bar.progress(0, 200);
    clock.advance(500);
    bar.progress(100, 200);
    bar.stop();
    expect(io.errText()).toContain('allocating');
    expect(io.errText()).toContain('50%');
    expect(io.errText()).toContain('ETA');
  });

  it('redraws at most once per throttle interval', () => {
    const io = fakeIo(true);
    const clock = manualClock();
    const bar = progressBar(io, 'x', { json: false, now: clock.now, throttleMs: 100 });
    bar.progress(0, 1000);
    for (let done = 1; done < 500; done++) bar.progress(done, 1000);
    clock.advance(150);
    bar.progress(500, 1000);
    bar.stop();
    expect(io.errText()).not.toMatch(/ 499\/1000/);
    expect(io.errText()).toMatch(/ 500\/1000/);
  });

  it('withProgress clears the bar even when the run throws', () => {
    const io = fakeIo(true);
    expect(() =>
      withProgress(io, 'x', { json: false }, (progress) => {
        progress(1, 10);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    // clearOnComplete: the last thing written erases the line.
    const text = io.errText();
    const clearLine = '\u001b[2K';
    expect(text.lastIndexOf(clearLine)).toBeGreaterThan(text.lastIndexOf('10'));
  });
});

describe('no progress is drawn under --json or off a terminal', () => {
  it.each([
    ['--json on a terminal', true, true],
    ['not a terminal', false, false],
    ['--json off a terminal', false, true],
  ])('%s: stderr stays empty', (_, tty, json) => {
    const io = fakeIo(tty);
    const bar = progressBar(io, 'x', { json });
    bar.progress(0, 10);
    bar.progress(10, 10);
    bar.stop();
    statusLines(io, { json })('a status line');
    expect(io.errText()).toBe('');
  });

  it('status lines reach a terminal', () => {
    const io = fakeIo(true);
    statusLines(io, { json: false })('measuring');
    expect(io.errText()).toBe('… measuring\n');
  });
});

describe('ring draws its allocation progress on a terminal only', () => {
  const argv = ['ring', '--nodes', '400', '--allocator', 'random', '--vnodes', '64'];

  it('a terminal sees a bar with an ETA', async () => {
    const run = await runCliIn({ errIsTty: true }, ...argv);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('allocating tokens');
    expect(run.stderr).toContain('ETA');
  });

  it.each([
    ['--json on a terminal', true, ['--json']],
    ['off a terminal', false, []],
  ])('%s: stderr stays empty', async (_, errIsTty, extra) => {
    const run = await runCliIn({ errIsTty }, ...argv, ...extra);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });
});
