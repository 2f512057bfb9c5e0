/**
 * The checkers proved on fixtures, as Porcupine's and Knossos's are: each file in fixtures/ is
 * named for its verdict (`valid-`, `invalid-<checker>-`, `unknown-`), and a `weak` one is judged
 * at levels whose replica sets do not meet (W + R <= rf).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkerNames, checkHistory, type CheckerName } from '../../bench/check/checkers.js';
import { pairOperations, parseHistory } from '../../bench/check/history.js';

const dir = new URL('./fixtures/', import.meta.url);
const fixtures = readdirSync(dir)
  .filter((name) => name.endsWith('.jsonl'))
  .sort();

function judge(name: string) {
  const events = parseHistory(readFileSync(new URL(name, dir), 'utf8'));
  return checkHistory(pairOperations(events), { intersecting: !name.includes('weak') });
}

describe('checkers: fixtures judged as their names say', () => {
  it('has good and bad fixtures for every checker', () => {
    for (const checker of checkerNames) {
      expect(fixtures.some((name) => name.startsWith(`invalid-${checker}-`))).toBe(true);
    }
    expect(fixtures.filter((name) => name.startsWith('valid-')).length).toBeGreaterThan(4);
  });

  it.each(fixtures)('%s', (name) => {
    const verdict = judge(name);
    const expected = name.split('-')[0];
    expect(verdict.verdict).toBe(expected);
    if (expected !== 'invalid') return;
    const checker = checkerNames.find((c) => name.startsWith(`invalid-${c}-`)) as CheckerName;
    expect(verdict.byChecker[checker].verdict).toBe('invalid');
    // Only the named checker objects, and it names the operations at fault.
    for (const other of checkerNames) {
      if (other !== checker)
        expect([other, verdict.byChecker[other].verdict]).toEqual([other, 'valid']);
    }
    expect(verdict.byChecker[checker].violations[0]!.operations.length).toBeGreaterThan(0);
  });

  it('reports a read that went back at weak levels as an anomaly, not a violation', () => {
    const weak = judge('valid-weak-monotonic-went-back.jsonl');
    expect(weak.byChecker['monotonic-reads'].anomalies).toHaveLength(1);
    expect(
      judge('invalid-monotonic-reads-went-back.jsonl').byChecker['monotonic-reads'].violations,
    ).toHaveLength(1);
  });

  it('reports a stale read at weak levels as an anomaly, not a violation', () => {
    const weak = judge('valid-weak-stale-read.jsonl');
    expect(weak.byChecker['read-after-write'].anomalies).toHaveLength(1);
    const strong = checkHistory(
      pairOperations(
        parseHistory(readFileSync(new URL('valid-weak-stale-read.jsonl', dir), 'utf8')),
      ),
      { intersecting: true },
    );
    expect(strong.byChecker['read-after-write'].violations).toHaveLength(1);
  });
});
