import { describe, expect, it } from 'vitest';
import { resolveCheckConfig } from '../../bench/check/config.js';
import { levelsIntersect, runCampaign, scheduleSeeds } from '../../bench/check/run.js';
import { generateSchedule } from '../../bench/check/schedule.js';
import { expectRinglabError } from '../helpers/errors.js';

describe('check campaign: QUORUM/QUORUM', () => {
  it('judges a few hundred fault schedules all valid', () => {
    const report = runCampaign(resolveCheckConfig({ schedules: 300, seed: 11 }));
    expect(report.schedules).toBe(300);
    expect(report.operations).toBeGreaterThan(30_000);
    expect(report.failures).toEqual([]);
    expect(report.violations).toBe(0);
    expect(report.verdict).toBe('valid');
    for (const summary of Object.values(report.byChecker)) {
      expect(summary).toMatchObject({ verdict: 'valid', anomalies: 0, unknown: 0 });
    }
  }, 60_000);
});

describe('check campaign: ONE/ONE', () => {
  it('reports the stale reads the weaker levels allow as anomalies, and no violation', () => {
    const report = runCampaign(
      resolveCheckConfig({ schedules: 60, seed: 11, clWrite: 'ONE', clRead: 'ONE' }),
    );
    expect(report.config.intersecting).toBe(false);
    expect(report.byChecker['read-after-write'].anomalies).toBeGreaterThan(10);
    expect(report.byChecker['read-after-write'].verdict).toBe('valid');
    expect(report.violations).toBe(0);
  }, 30_000);
});

describe('check campaign: determinism', () => {
  it('gives the same report for the same seed, and another for another seed', () => {
    const config = resolveCheckConfig({ schedules: 8, seed: 5, clWrite: 'ONE', clRead: 'ONE' });
    const a = JSON.stringify(runCampaign(config));
    expect(JSON.stringify(runCampaign(config))).toBe(a);
    expect(JSON.stringify(runCampaign({ ...config, seed: 6 }))).not.toBe(a);
  });

  it('replays one schedule by its own seed', () => {
    const config = resolveCheckConfig({ schedules: 5, seed: 5 });
    const seed = scheduleSeeds(config)[3]!;
    expect(scheduleSeeds(resolveCheckConfig({ replay: seed }))).toEqual([seed]);
    expect(generateSchedule(seed)).toEqual(generateSchedule(seed));
  });
});

describe('check config', () => {
  it('says which levels promise reads their writes', () => {
    expect(levelsIntersect({ clWrite: 'QUORUM', clRead: 'QUORUM' }, 3)).toBe(true);
    expect(levelsIntersect({ clWrite: 'ALL', clRead: 'ONE' }, 3)).toBe(true);
    expect(levelsIntersect({ clWrite: 'ONE', clRead: 'QUORUM' }, 3)).toBe(false);
  });

  it.each([
    [{ schedules: 0 }, 'schedules'],
    [{ schedules: 1.5 }, 'schedules'],
    [{ clWrite: 'SOME' }, 'clWrite'],
    [{ clRead: 'x' }, 'clRead'],
    [{ seed: -1 }, 'seed'],
    [{ replay: -2 }, 'replay'],
  ])('refuses %j, naming %s', (input, field) => {
    expectRinglabError(() => resolveCheckConfig(input), 'INVALID_CONFIG', field);
  });
});
