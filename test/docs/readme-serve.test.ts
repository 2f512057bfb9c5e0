/**
 * The README's `ringlab serve` examples are what the server answers: each `$ curl ...` paste is
 * sent, in order, to a server started with the README's flags and a clock held at 2026-01-01
 * (`$ sleep N` moves that clock), and its output compared with what curl would print: the body,
 * then `-w`'s status line; `| grep 'TEXT'` keeps the lines holding TEXT.
 *
 * After changing answers on purpose: `UPDATE_README=1 npx vitest run test/docs/readme-serve.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseServeFile, resolveWithFile } from '../../bench/serve/config-file.js';
import { FIXED_CLOCK, startServer, type Running } from '../serve/helpers.js';

const path = join(import.meta.dirname, '..', '..', 'README.md');
const update = process.env['UPDATE_README'] === '1';
const readme = readFileSync(path, 'utf8');
const sectionStart = readme.indexOf('### `ringlab serve`');
const sectionEnd = readme.indexOf('\n## ', sectionStart);
const section = readme.slice(sectionStart, sectionEnd);

interface Paste {
  readonly command: string;
  readonly shown: string;
  /** Where the shown text starts in the README. */
  readonly start: number;
}

const pastes: Paste[] = [...section.matchAll(/```console\n\$ ([^\n]*)\n([\s\S]*?)```/g)].map(
  (match) => ({
    command: match[1]!,
    shown: match[2]!,
    start: sectionStart + match.index + match[0].indexOf('\n', 12) + 1,
  }),
);

/** Splits a shell line into words, single quotes kept together. */
const words = (line: string): string[] =>
  [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);

let server: Running;
let now = FIXED_CLOCK();
beforeAll(async () => {
  server = await startServer({ nodes: 3 }, () => now);
});
afterAll(async () => {
  await server.close();
});

async function run(command: string): Promise<string> {
  const [line, pipe] = command.split(' | ');
  const argv = words(line!);
  if (argv[0] === 'sleep') {
    now += Number(argv[1]) * 1000;
    return '';
  }
  expect(argv[0]).toBe('curl');
  let method = 'GET';
  let format = '';
  let body: string | undefined;
  let url = '';
  const headers: Record<string, string> = {};
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '-s') continue;
    else if (word === '-X') method = argv[++i]!;
    else if (word === '-w') format = argv[++i]!.replace(/\\n/g, '\n');
    else if (word === '-d') body = argv[++i]!;
    else if (word === '-H') {
      const [name, ...value] = argv[++i]!.split(':');
      headers[name!.trim()] = value.join(':').trim();
    } else if (word.startsWith('localhost:8080/')) url = word.slice('localhost:8080'.length);
    else throw new Error(`README curl paste uses ${word}, which this test does not know`);
  }
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  let output = (await response.text()) + format.replace('%{http_code}', String(response.status));
  if (pipe !== undefined) {
    const grep = /^grep '([^']*)'$/.exec(pipe.trim());
    if (grep === null) throw new Error(`README curl paste pipes into "${pipe}"; only grep 'TEXT'`);
    output = `${output
      .split('\n')
      .filter((l) => l.includes(grep[1]!))
      .join('\n')}\n`;
  }
  return output;
}

describe('README ringlab serve examples', () => {
  it('start the server with the flags the tests use', () => {
    expect(section).toContain('npx ringlab serve --nodes 3 --data-dir ./logs');
    expect(pastes.length).toBeGreaterThanOrEqual(8);
  });

  it('show what the server answers', async () => {
    const outputs: string[] = [];
    for (const paste of pastes) outputs.push(await run(paste.command));
    if (update) {
      let text = readme;
      for (let i = pastes.length - 1; i >= 0; i--) {
        const paste = pastes[i]!;
        text =
          text.slice(0, paste.start) + outputs[i]! + text.slice(paste.start + paste.shown.length);
      }
      writeFileSync(path, text);
      return;
    }
    pastes.forEach((paste, i) => expect(outputs[i], paste.command).toBe(paste.shown));
  });
});

describe("the README's serve settings files", () => {
  const files = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

  it('are settings files ringlab serve --config takes', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const text of files) {
      const config = resolveWithFile({}, parseServeFile(text, 'README'), 'README');
      expect(config.filters.minLevel).not.toBe('DEBUG');
    }
  });
});
