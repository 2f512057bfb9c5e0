/**
 * Negative controls: each deliberately broken variant of the system (broken-systems.ts) must be
 * caught by the checker it breaks, within a bounded number of schedules. The levels are those
 * at which the bug can show in a history: a read that skips a replica only matters when the
 * levels promise reads their writes, and an `unavailable` comes often at ALL.
 */
import { describe, expect, it } from 'vitest';
import type { CheckerName } from '../../bench/check/checkers.js';
import { resolveCheckConfig } from '../../bench/check/config.js';
import { runCampaign } from '../../bench/check/run.js';
import { brokenSystems, type BrokenSystemName } from './broken-systems.js';

const controls: [BrokenSystemName, string, string, CheckerName, number][] = [
  ['ack-before-apply', 'QUORUM', 'QUORUM', 'read-after-write', 20],
  ['ack-and-drop', 'QUORUM', 'QUORUM', 'lost-write', 10],
  ['read-skips-replica', 'QUORUM', 'QUORUM', 'read-after-write', 20],
  // At ONE/QUORUM reads need not see writes, but a QUORUM read that repairs nothing it skipped
  // lets the next read go back to an older value.
  ['read-skips-replica', 'ONE', 'QUORUM', 'monotonic-reads', 40],
  ['repair-copies-nothing', 'ALL', 'ONE', 'read-after-write', 10],
  ['unavailable-applied', 'ALL', 'ONE', 'definite-failure', 60],
  // A node that gained a range empty is one replica of three: a QUORUM read always meets an old
  // replica too, so the bug shows only where one replica answers.
  ['move-streams-nothing', 'ALL', 'ONE', 'read-after-write', 20],
  // Every replica's own copy is read once the hints are in, before the repair hides a miss.
  ['hints-never-replayed', 'QUORUM', 'QUORUM', 'hinted-handoff', 40],
  ['index-filters-nothing', 'QUORUM', 'QUORUM', 'complete-query', 20],
];

describe('negative controls: a broken system is caught', () => {
  it.each(controls)(
    '%s at %s/%s, by %s, within %d schedules',
    (name, clWrite, clRead, checker, bound) => {
      let caughtAt: number | undefined;
      let judged = 0;
      const report = runCampaign(
        resolveCheckConfig({ schedules: bound, seed: 3, clWrite, clRead }),
        {
          variant: brokenSystems[name],
          onSchedule: (_, verdict) => {
            if (caughtAt === undefined && verdict.byChecker[checker].verdict === 'invalid') {
              caughtAt = judged;
            }
            judged++;
          },
        },
      );
      expect(caughtAt).toBeDefined();
      expect(report.verdict).toBe('invalid');
      expect(report.failures.some((failure) => failure.checker === checker)).toBe(true);
    },
    60_000,
  );
});
