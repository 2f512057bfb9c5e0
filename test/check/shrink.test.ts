import { describe, expect, it } from 'vitest';

import { resolveCheckConfig } from '../../bench/check/config.js';
import { campaignJob, runCampaign, type ScheduleRun } from '../../bench/check/run.js';
import { faultGroups, shrinkSchedule } from '../../bench/check/shrink.js';
import { brokenSystems } from './broken-systems.js';

describe('shrinking a failing schedule', () => {
  it('keeps a crash with its recovery, and a disk replacement whole', () => {
    expect(
      faultGroups([
        'crash:n2@100ms',
        'slow:n2x4@200ms-900ms',
        'crash:n4@300ms',
        'wipe:n4@500ms',
        'repair:n4@1000ms',
        'recover:n4@1800ms',
        'recover:n2@2000ms',
        'drop:0.1:n1-n3@0ms-50ms',
      ]),
    ).toEqual([
      ['crash:n2@100ms', 'recover:n2@2000ms'],
      ['slow:n2x4@200ms-900ms'],
      ['crash:n4@300ms', 'wipe:n4@500ms', 'repair:n4@1000ms', 'recover:n4@1800ms'],
      ['drop:0.1:n1-n3@0ms-50ms'],
    ]);
  });

  it('shrinks a schedule a broken system fails to a few operations that fail it the same way', () => {
    const variant = brokenSystems['ack-before-apply'];
    const config = resolveCheckConfig({ schedules: 20, seed: 3 });
    let failing: ScheduleRun | undefined;
    runCampaign(config, {
      variant,
      onSchedule: (run, verdict) => {
        if (failing === undefined && verdict.byChecker['read-after-write'].verdict === 'invalid')
          failing = run;
      },
    });
    expect(failing).toBeDefined();
    const job = campaignJob(config, true);
    const shrunk = shrinkSchedule(failing!.schedule, job, 'read-after-write', variant)!;
    expect(shrunk).toBeDefined();
    expect(shrunk.verdict.byChecker['read-after-write'].verdict).toBe('invalid');
    const operations = shrunk.schedule.clients.flat().length;
    expect(shrunk.from.operations).toBeGreaterThan(100);
    // A write and the read that missed it is the least that can show the bug.
    expect(operations).toBeGreaterThanOrEqual(2);
    expect(operations).toBeLessThanOrEqual(6);
    expect(shrunk.schedule.faults.length).toBeLessThanOrEqual(failing!.schedule.faults.length);
    // Deterministic: the same schedule shrinks to the same one.
    expect(shrinkSchedule(failing!.schedule, job, 'read-after-write', variant)!.schedule).toEqual(
      shrunk.schedule,
    );
  }, 60_000);

  it('gives nothing for a schedule the checker passes', () => {
    const config = resolveCheckConfig({ schedules: 1, seed: 3 });
    let run: ScheduleRun | undefined;
    runCampaign(config, { onSchedule: (r) => (run = r) });
    const job = campaignJob(config, true);
    expect(shrinkSchedule(run!.schedule, job, 'lost-write')).toBeUndefined();
  });
});
