import { describe, expect, it } from 'vitest';
import {
  estimateSimulate,
  parseReadMix,
  parseSpeculative,
  resolveSimulateConfig,
} from '../../../bench/simulate.js';
import { catchRinglabError, expectRinglabError } from '../../helpers/errors.js';

describe('simulate resolves its defaults', () => {
  it('12 nodes, rf 3, 16 vnodes, server-salted, local index, QUORUM, 99p', () => {
    const config = resolveSimulateConfig({});
    expect(config.cluster).toMatchObject({ nodes: 12, rf: 3, vnodes: 16 });
    expect(config).toMatchObject({
      strategy: 'server-salted',
      salt: { kind: 'adaptive' },
      index: 'local',
      indexColumn: 'severity',
      events: 100_000,
      rateEventsPerSec: 10_000,
      spanMs: 10_000,
      readRatePerSec: 1000,
      writeCl: 'QUORUM',
      readCl: 'QUORUM',
      speculative: { kind: 'percentile', percentile: 99 },
      snitch: 'dynamic',
      fanout: 'adaptive',
      partial: 'fail',
      faults: [],
    });
  });

  it('--write-cl and --read-cl override --cl', () => {
    const config = resolveSimulateConfig({ cl: 'one', writeCl: 'ALL' });
    expect([config.writeCl, config.readCl]).toEqual(['ALL', 'ONE']);
  });
});

describe('the read mix', () => {
  it('parses kinds and weights', () => {
    expect(parseReadMix('by-server:0.9,by-severity:0.1')).toEqual([
      { kind: 'by-server', weight: 0.9 },
      { kind: 'by-severity', weight: 0.1 },
    ]);
    expect(parseReadMix('by-time:1,by-id:0')).toHaveLength(2);
  });

  it.each([
    ['by-sever:0.9', '"by-sever:0.9"'],
    ['by-server', '"by-server"'],
    ['by-server:x', '"by-server:x"'],
    ['by-server:-1', '"by-server:-1"'],
    ['by-server:1,by-server:2', '"by-server:2"'],
    ['by-server:1:2', '"by-server:1:2"'],
    ['by-server:0', 'every weight is 0'],
  ])('%s is refused under reads, naming %s', (text, part) => {
    const error = catchRinglabError(() => parseReadMix(text));
    expect(error.field).toBe('reads');
    expect(error.message).toContain(part);
  });
});

describe('speculative retry', () => {
  it.each([
    ['99p', { kind: 'percentile', percentile: 99 }],
    ['95PERCENTILE', { kind: 'percentile', percentile: 95 }],
    ['50ms', { kind: 'fixed', ms: 50 }],
    ['none', { kind: 'none' }],
    ['always', { kind: 'always' }],
  ])('%s', (text, policy) => expect(parseSpeculative(text)).toEqual(policy));

  it.each(['100p', '0p', 'soon', '50'])('%s is refused under speculative', (text) =>
    expectRinglabError(() => parseSpeculative(text), 'INVALID_CONFIG', 'speculative'),
  );
});

describe('every bad field is refused under its own name', () => {
  it.each([
    [{ events: 0 }, 'events'],
    [{ rate: 0 }, 'rate'],
    [{ readRate: -1 }, 'readRate'],
    [{ limit: 0 }, 'limit'],
    [{ servers: 0 }, 'servers'],
    [{ strategy: 'nope' }, 'strategy'],
    [{ index: 'nope' }, 'index'],
    [{ cl: 'MOST' }, 'cl'],
    [{ writeCl: 'MOST' }, 'writeCl'],
    [{ readCl: 'MOST' }, 'readCl'],
    [{ snitch: 'nope' }, 'snitch'],
    [{ fanout: 'some' }, 'fanout'],
    [{ partial: 'maybe' }, 'partial'],
    [{ salt: '4', strategy: 'server-id' }, 'salt'],
    [{ bucket: '1s' }, 'bucket'],
    [{ indexBuckets: 4, index: 'global' }, 'indexBuckets'],
    [{ indexBuckets: 0, index: 'global-bucketed' }, 'indexBuckets'],
    [{ fault: ['crash:n13@1s'] }, 'fault'],
    [{ nodes: 4, fault: ['crash:n5@1s'] }, 'fault'],
    [{ fault: ['crash:n3@20s'] }, 'fault'],
  ])('%j → %s', (input, field) => {
    expect(catchRinglabError(() => resolveSimulateConfig(input)).field).toBe(field);
  });
});

describe('the budget', () => {
  it('refuses a run estimated over five minutes, naming the flag to lower', () => {
    const error = catchRinglabError(() => resolveSimulateConfig({ events: 50_000_000 }));
    expect(['events', 'readRate']).toContain(error.field);
    expect(error.message).toMatch(/would (take|need) about/);
  });

  it('refuses a run past the heap it may use', () => {
    const error = catchRinglabError(() =>
      resolveSimulateConfig({ events: 2_000_000 }, { heapLimitBytes: 256 * 2 ** 20 }),
    );
    expect([error.field, error.message]).toEqual(['events', expect.stringMatching(/memory/)]);
  });

  it('range reads cost more than listed ones', () => {
    const small = { events: 20_000, readRate: 100 };
    const listed = estimateSimulate(resolveSimulateConfig({ ...small, reads: 'by-server:1' }));
    const scans = estimateSimulate(resolveSimulateConfig({ ...small, reads: 'by-severity:1' }));
    expect(scans.rangeReads).toBeGreaterThan(0);
    expect(listed.rangeReads).toBe(0);
    expect(scans.readSeconds).toBeGreaterThan(listed.readSeconds);
  });
});

describe('simulate --index-sync', () => {
  it('takes async with a global index, and refuses it (or a lag) where it cannot apply', () => {
    const config = resolveSimulateConfig({
      index: 'global',
      indexSync: 'async',
      indexLag: '250ms',
    });
    expect(config).toMatchObject({ indexSync: 'async', indexLagMs: 250 });
    expectRinglabError(
      () => resolveSimulateConfig({ index: 'local', indexSync: 'async' }),
      'INVALID_CONFIG',
      'indexSync',
    );
    expectRinglabError(
      () => resolveSimulateConfig({ index: 'global', indexLag: '1s' }),
      'INVALID_CONFIG',
      'indexLag',
    );
    expectRinglabError(
      () => resolveSimulateConfig({ index: 'global', indexSync: 'later' }),
      'UNKNOWN_NAME',
      'indexSync',
    );
  });
});
