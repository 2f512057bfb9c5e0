/**
 * Shared by readme-pastes.test.ts and readme-pastes-2.test.ts, which check half of the pastes
 * each so that the two run side by side (the pastes run whole katas and a 1M-event skew study).
 *
 * Every console paste in the README that starts with `$ npx ringlab ...` is what that command
 * prints today: the test runs each one in-process and compares. A paste may end its command
 * with `| head -n N` or `| tail -n N`, which the test applies, so a long output can be shown in
 * part with a command a reader can run as is. Timed output (`npm run bench`) is not checked.
 *
 * After changing output on purpose, regenerate the pastes: `npm run readme`
 * (UPDATE_README=1 makes this test rewrite README.md instead of failing).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const path = join(import.meta.dirname, '..', '..', 'README.md');
const update = process.env.UPDATE_README === '1';

interface Paste {
  /** The command line as shown, after `$ `. */
  readonly command: string;
  /** What the README shows below it. */
  readonly shown: string;
  /** Where the shown text starts and ends in the README. */
  readonly start: number;
  readonly end: number;
}

function pastes(readme: string): Paste[] {
  const found: Paste[] = [];
  for (const match of readme.matchAll(/```console\n\$ (npx ringlab [^\n]*)\n([\s\S]*?)```/g)) {
    const start = match.index + match[0].indexOf('\n', 12) + 1;
    found.push({ command: match[1]!, shown: match[2]!, start, end: start + match[2]!.length });
  }
  return found;
}

/** Splits `npx ringlab a b | tail -n 3` into argv and an optional line filter. */
function parse(command: string): { argv: string[]; filter: (text: string) => string } {
  const [cli, pipe] = command.split(' | ');
  const argv = cli!.trim().split(/\s+/).slice(2);
  if (pipe === undefined) return { argv, filter: (text) => text };
  const piped = /^(head|tail) -n (\d+)$/.exec(pipe.trim());
  if (piped === null) throw new Error(`README paste pipes into "${pipe}"; only head/tail -n N`);
  const count = Number(piped[2]);
  return {
    argv,
    filter: (text) => {
      const lines = text.replace(/\n$/, '').split('\n');
      const kept = piped[1] === 'head' ? lines.slice(0, count) : lines.slice(-count);
      return `${kept.join('\n')}\n`;
    },
  };
}

/**
 * Checks the pastes of one shard (index modulo 2), or all of them. Rewriting the README
 * (UPDATE_README=1) is done by the first shard alone, over every paste, so that two files never
 * write it at once.
 */
export function checkReadmePastes(shard: 0 | 1): void {
  const readme = readFileSync(path, 'utf8');
  const all = pastes(readme);
  if (update && shard === 1) {
    it('leaves the rewrite to the first shard (UPDATE_README=1)', () => {});
    return;
  }
  const found = update ? all : all.filter((_, i) => i % 2 === shard);
  describe(`README console pastes${update ? '' : `, shard ${shard + 1} of 2`}`, () => {
    it('are there to check', () => {
      expect(found.length).toBeGreaterThanOrEqual(3);
    });
    checkPastes(readme, found);
  });
}

function checkPastes(readme: string, found: readonly Paste[]): void {
  const outputs = new Map<Paste, string>();
  for (const paste of found) {
    it(`shows what \`${paste.command}\` prints today`, async () => {
      const { argv, filter } = parse(paste.command);
      const run = await runCli(...argv);
      expect(run.code, run.stderr).toBe(0);
      const printed = filter(run.stdout);
      outputs.set(paste, printed);
      if (!update) expect(paste.shown).toBe(printed);
    }, 120_000);
  }

  if (update) {
    it('rewrites README.md with what the commands print (UPDATE_README=1)', () => {
      let text = readme;
      for (const paste of [...found].reverse()) {
        const printed = outputs.get(paste);
        if (printed !== undefined)
          text = text.slice(0, paste.start) + printed + text.slice(paste.end);
      }
      writeFileSync(path, text);
    });
  }
}
