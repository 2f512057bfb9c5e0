/**
 * The `--data-dir` journal: an append-only file of accepted log entries, one JSON line each,
 * flushed to disk (fdatasync) before the write is acknowledged, and replayed on start, so that a
 * restart, even after kill -9, loses nothing acknowledged. Appends that arrive while a flush is
 * under way are written and synced together by the next one (group commit): one sync serves
 * every request waiting on it.
 *
 * A crash can leave the last line torn (written in part); replay ignores an unparsable last line,
 * which was never acknowledged, and refuses a damaged line anywhere else.
 */
import { mkdirSync, openSync, readFileSync, closeSync, existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import { RinglabError } from '../../engine/errors.js';

export const JOURNAL_FILE = 'logs.jsonl';

export interface Journal {
  /** Resolves once `record` is on disk. */
  append(record: object): Promise<void>;
  /** Waits for pending appends, then closes the file. */
  close(): Promise<void>;
}

/** Every record in the journal of `dir`, in append order; none when there is no journal yet. */
export function replayJournal(dir: string): unknown[] {
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: unknown[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      records.push(JSON.parse(line));
    } catch {
      const last = lines.slice(i + 1).every((rest) => rest === '');
      if (!last) {
        throw new RinglabError(
          'INVALID_CONFIG',
          `dataDir holds a damaged journal: line ${i + 1} of ${JOURNAL_FILE} is not JSON`,
          'dataDir',
        );
      }
    }
  });
  return records;
}

export async function openJournal(dir: string): Promise<Journal> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, JOURNAL_FILE);
  // A torn last line is ended, so the next record starts on a line of its own.
  const existing = existsSync(path) ? readFileSync(path) : Buffer.alloc(0);
  closeSync(openSync(path, 'a'));
  const file: FileHandle = await open(path, 'a');
  if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) await file.write('\n');
  let pending: { line: string; done: () => void; fail: (error: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await file.write(batch.map((entry) => entry.line).join(''));
        await file.datasync();
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.fail(error);
      }
    }
    flushing = undefined;
  };

  return {
    append(record) {
      return new Promise<void>((done, fail) => {
        pending.push({ line: `${JSON.stringify(record)}\n`, done, fail });
        flushing ??= flush();
      });
    },
    async close() {
      await flushing;
      await file.close();
    },
  };
}
