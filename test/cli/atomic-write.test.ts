import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processIo, writeFileAtomically } from '../../cli/io.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'ringlab-atomic-'));

describe('every file the CLI writes is renamed into place', () => {
  it("the real process's writeFile replaces a file whole and leaves no temporary file", async () => {
    const dir = scratch();
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    await processIo().writeFile(path, 'a,b\n');
    expect(readFileSync(path, 'utf8')).toBe('a,b\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
    // Its temporary file is in the same directory, so a rename is all the replacement takes.
    await expect(processIo().writeFile(join(dir, 'missing', 'x'), '')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('replaces an existing file whole and leaves no temporary file', async () => {
    const dir = scratch();
    const path = join(dir, 'report.html');
    writeFileSync(path, 'old');
    await writeFileAtomically(path, 'new text');
    expect(readFileSync(path, 'utf8')).toBe('new text');
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it('a write that cannot land removes its temporary file and keeps what was there', async () => {
    const dir = scratch();
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'kept');
    await expect(writeFileAtomically(target, 'x')).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('kept');
  });

  it('a missing directory fails as a plain write does (ENOENT)', async () => {
    const dir = scratch();
    await expect(writeFileAtomically(join(dir, 'no', 'file'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
