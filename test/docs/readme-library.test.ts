/**
 * The README's library section, kept honest: its example is extracted from README.md, compiled
 * with the project's strict settings against the package's public face, run, and its output
 * compared with what the README says it prints; and every name the README lists as an entry
 * point is exported by the package.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as ringlab from '../../index.js';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const library = readme.slice(
  readme.indexOf('## Library'),
  readme.indexOf('\n## ', readme.indexOf('## Library') + 1),
);

/** The fenced blocks of a language in a piece of markdown, in order. */
function blocks(markdown: string, language: string): string[] {
  const fence = new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g');
  return [...markdown.matchAll(fence)].map((match) => match[1]!);
}

const scratch = join(root, 'test', 'docs', '.readme-example');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Each example of the section with the output the README says it prints (the next text block). */
const examples = blocks(library, 'ts').map((code, i) => ({
  code,
  printed: blocks(library, 'text')[i],
}));

describe.each(examples.map((example, i) => [i + 1, example] as const))(
  'README library example %i',
  (i, { code, printed }) => {
    it('is in the README, with the output it prints', () => {
      expect(code).toContain("from 'ringlab'");
      expect(printed?.trim()).toBeTruthy();
    });

    it('compiles under the project’s strict settings, importing only the package’s public face', () => {
      mkdirSync(scratch, { recursive: true });
      writeFileSync(join(scratch, `example-${i}.ts`), code);
      writeFileSync(
        join(scratch, `tsconfig-${i}.json`),
        JSON.stringify({
          extends: '../../../tsconfig.json',
          compilerOptions: {
            noEmit: true,
            rootDir: '../../..',
            paths: { ringlab: ['../../../index.ts'] },
          },
          include: [`example-${i}.ts`],
        }),
      );
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      let diagnostics = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', join(scratch, `tsconfig-${i}.json`)], {
          encoding: 'utf8',
        });
      } catch (error) {
        diagnostics = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(diagnostics).toBe('');
    }, 120_000);

    it('runs and prints what the README says', async () => {
      mkdirSync(scratch, { recursive: true });
      const file = join(scratch, `run-${i}.ts`);
      writeFileSync(file, code);
      const lines: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
      try {
        await import(file);
      } finally {
        log.mockRestore();
      }
      expect(lines.join('\n')).toBe(printed!.trim());
    });
  },
);

describe('README entry points', () => {
  it('are all exported by the package', () => {
    const table = library.slice(library.indexOf('| function'));
    const names = new Set<string>();
    for (const line of table.split('\n').filter((l) => l.startsWith('| `'))) {
      const firstCell = line.split('|')[1]!;
      for (const match of firstCell.matchAll(/`([A-Za-z_]\w*)/g)) names.add(match[1]!);
      for (const match of firstCell.matchAll(/\b(resolve\w+)\(/g)) names.add(match[1]!);
    }
    for (const code of blocks(library, 'ts')) {
      const imports = /import \{([^}]*)\} from 'ringlab'/.exec(code);
      for (const name of imports?.[1]?.split(',') ?? []) if (name.trim()) names.add(name.trim());
    }
    expect(names.size).toBeGreaterThan(15);
    const missing = [...names].filter((name) => !(name in ringlab));
    expect(missing).toEqual([]);
  });
});
