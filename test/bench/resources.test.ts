import { describe, expect, it } from 'vitest';
import { resolveClusterConfig } from '../../bench/cluster-config.js';
import {
  describeMachine,
  fitsMachine,
  machine,
  memoryLimitBytes,
  refuseOversized,
  type Machine,
} from '../../bench/resources.js';
import { resolveSimulateConfig } from '../../bench/simulate/resolve.js';
import { resolveSkewConfig } from '../../bench/skew/resolve.js';
import { catchRinglabError } from '../helpers/errors.js';
import { runCli } from '../helpers/run-cli.js';

const GIB = 2 ** 30;
const small: Machine = { totalBytes: 4 * GIB, cores: 2, heapLimitBytes: 4 * GIB };

describe('the machine a run must fit', () => {
  it('is read from os and v8: the heap limit, at most half the RAM', () => {
    const here = machine();
    expect(here.cores).toBeGreaterThanOrEqual(1);
    expect(memoryLimitBytes(here)).toBe(Math.min(here.heapLimitBytes, here.totalBytes / 2));
    expect(memoryLimitBytes(small)).toBe(2 * GIB);
    expect(describeMachine(small)).toBe(
      '2.0 GiB of memory a run may use (of 4.0 GiB RAM, 2 cores)',
    );
  });

  it('an estimate fits within that memory and the time given', () => {
    expect(fitsMachine({ bytes: GIB, seconds: 10 }, { of: small, maxSeconds: 60 })).toBe(true);
    expect(fitsMachine({ bytes: 3 * GIB, seconds: 10 }, { of: small })).toBe(false);
    expect(fitsMachine({ bytes: GIB, seconds: 61 }, { of: small, maxSeconds: 60 })).toBe(false);
  });

  it('a size past the supported maximum is refused with its cost only when it clearly exceeds the machine', () => {
    const size = {
      field: 'events',
      value: 2000,
      max: 1000,
      unit: 'events',
      suggestion: 'lower --events',
    };
    expect(() =>
      refuseOversized({ ...size, estimate: { bytes: GIB, seconds: 5 } }, small),
    ).not.toThrow();
    const error = catchRinglabError(() =>
      refuseOversized({ ...size, estimate: { bytes: 8 * GIB, seconds: 5 } }, small),
    );
    expect(error.field).toBe('events');
    expect(error.message).toBe(
      "events 2,000 would need about 8.0 GiB of memory and take about 5 s, against this machine's 2.0 GiB of memory a run may use (of 4.0 GiB RAM, 2 cores); at most 1,000 events are supported: lower --events",
    );
    expect(() =>
      refuseOversized({ ...size, estimate: { bytes: GIB, seconds: 7200 } }, small),
    ).toThrow(/take about 2 h/);
  });
});

describe('the resource guard refuses, with an estimate and a suggestion, before anything runs', () => {
  const refused = async (argv: string[], flag: string, ...parts: RegExp[]) => {
    const run = await runCli(...argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^error: ${flag} `));
    for (const part of parts) expect(run.stderr).toMatch(part);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  };

  it('10^12 stored events: suggests fewer events or counters-only storage', async () => {
    await refused(
      ['simulate', '--events', '1000000000000'],
      '--events',
      /would need about 382\.0 TiB of memory and take about 463 days/,
      /against this machine's .* of memory a run may use \(of .* RAM, \d+ cores?\)/,
      /lower --events \(about [\d,]+ fit in this memory\)/,
      /bench skew keeps counters only/,
    );
  });

  it('10^12 events in bench skew: the time, and fewer events', async () => {
    await refused(
      ['bench', 'skew', '--events', '1000000000000'],
      '--events',
      /take about 39 days/,
      /at most 1,000,000,000 events are supported/,
    );
  });

  it('a million nodes with 256 vnodes: the ring, in memory and time', async () => {
    await refused(
      ['ring', '--nodes', '1000000', '--vnodes', '256'],
      '--nodes',
      /would need about 50\.1 GiB of memory and take about 9 h/,
      /1,000,000 nodes × 256 vnodes is 256,000,000 tokens; use fewer --nodes/,
    );
    await refused(['replicas', 'k', '--nodes', '1000000', '--vnodes', '256'], '--nodes', /tokens/);
  });

  it('a sweep of 10^6 points: the cap, with what the grid would take on this machine', async () => {
    const axes = ['seed', 'nodes', 'vnodes', 'scans', 'servers', 'events'].flatMap((field, i) => [
      '--sweep',
      `${field}=${Array.from({ length: 10 }, (_, k) => (i === 5 ? (k + 1) * 1000 : i === 1 ? k + 6 : k + 1)).join(',')}`,
    ]);
    await refused(
      ['kata', 'logsentry', ...axes],
      '--sweep',
      /is 1,000,000 points, over the 10,000 a sweep may run \(at about \d+ s a point, as the base experiment takes, about [\d,]+ days on this machine's \d+ cores?\)/,
    );
  });

  it('a size past the maximum that would still fit gets the plain range', async () => {
    await refused(
      ['ring', '--vnodes', '100000'],
      '--vnodes',
      /must be an integer between 1 and 1024/,
    );
  });

  it('large but feasible configs are accepted', async () => {
    expect(resolveClusterConfig({ nodes: 10_000, vnodes: 16, allocator: 'random' }).nodes).toBe(
      10_000,
    );
    expect(resolveSimulateConfig({ events: 1_000_000, readRate: 0 }).events).toBe(1_000_000);
    expect(resolveSkewConfig({ events: 10_000_000, strategy: 'server-id' }).events).toBe(
      10_000_000,
    );
    const run = await runCli(
      'ring',
      '--nodes',
      '10000',
      '--vnodes',
      '16',
      '--allocator',
      'random',
      '--json',
    );
    expect(run.code).toBe(0);
  });
});
