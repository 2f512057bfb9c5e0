/**
 * The performance suite runs end to end and reports the documented shape. Functional only: a
 * tiny, in-process run whose figures are never compared with any threshold (timing belongs to
 * `ringlab bench perf`, not to unit tests).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePerfConfig, runPerf, type PerfReport } from '../../bench/perf.js';
import { createTypedHeap } from '../../bench/perf/event-loop.js';
import { runJob } from '../../bench/perf/isolated.js';
import { microRows } from '../../bench/perf/micro.js';
import { createRandom } from '../../engine/random.js';
import { utf8Length } from '../../engine/row.js';
import { textByteLength, transientTextBytes } from '../../partitioners/key-bytes.js';
import { renderPerf } from '../../cli/commands/bench-perf.js';
import { toJson } from '../../cli/render.js';
import { runCli } from '../helpers/run-cli.js';

/** One run shared by the assertions below; about a second. */
let cached: PerfReport | undefined;
function tinyReport(): PerfReport {
  cached ??= runPerf({ size: 'tiny', isolation: 'in-process', seed: 7 });
  return cached;
}

function expectPositive(value: unknown, what: string): void {
  expect(typeof value, what).toBe('number');
  expect(Number.isFinite(value), `${what} is finite`).toBe(true);
  expect(value as number, what).toBeGreaterThan(0);
}

describe('runPerf in its tiny size', () => {
  it('prints as one JSON document with the documented shape and finite positive figures', () => {
    const json = JSON.parse(toJson(tinyReport())) as Record<string, unknown>;

    const rows = json.rows as { name: unknown; opsPerSec: unknown }[];
    expect(rows.map((row) => row.name)).toEqual(microRows.map((row) => row.name));
    for (const row of rows) expectPositive(row.opsPerSec, `${String(row.name)}.opsPerSec`);

    const ratios = json.ratios as Record<string, unknown>;
    expect(Object.keys(ratios).sort()).toEqual(
      [
        'eventLoopOverTypedHeap',
        'murmur3OverDriver',
        'ringOverHashring',
        'writeOverMurmur3',
      ].sort(),
    );
    for (const [name, value] of Object.entries(ratios)) expectPositive(value, `ratios.${name}`);

    expectPositive(json.bytesPerRow, 'bytesPerRow');

    const scale = json.scale as Record<string, unknown>;
    for (const field of ['events', 'nodes', 'wallMs', 'peakRssBytes']) {
      expectPositive(scale[field], `scale.${field}`);
    }
    expect(scale.scaledDown).toBe(true);

    const growth = json.growth as Record<string, unknown>;
    for (const field of ['nodes', 'growthMs', 'joinMs', 'curveNodes', 'worstMaxOverMean']) {
      expectPositive(growth[field], `growth.${field}`);
    }
    expect((growth.joinsMs as unknown[]).length).toBeGreaterThan(0);
  });

  it('grows the ring it was asked for, and measures its balance at every size up to the last', () => {
    const { growth, config } = tinyReport();
    expect(growth).toMatchObject({
      nodes: config.growthNodes,
      curveNodes: config.growthCurveNodes,
      vnodes: config.scaleVnodes,
      rf: config.cluster.rf,
      bound: 1 + 4 / (config.scaleVnodes * config.cluster.rf),
    });
    expect(growth.worstMaxOverMean).toBeGreaterThanOrEqual(growth.finalMaxOverMean);
    expect(growth.worstMaxOverMean).toBeGreaterThanOrEqual(1);
    expect(growth.worstAtNodes).toBeGreaterThanOrEqual(1);
    expect(growth.worstAtNodes).toBeLessThanOrEqual(growth.curveNodes);
  });

  it('writes every scale event and stores every heap event on rf replicas', () => {
    const { scale, heap, config } = tinyReport();
    expect(scale.acked).toBe(scale.events);
    expect(heap.storedRows).toBe(heap.events * config.cluster.rf);
  });

  it('evaluates every target, leaving the scale and growth ones open on a scaled-down run', () => {
    const { targets } = tinyReport();
    expect(targets.map((target) => target.id)).toEqual([
      'write-vs-murmur3',
      'write-rate',
      'ring-vs-hashring',
      'murmur3-vs-driver',
      'event-loop-vs-typed-heap',
      'time-plane-rate',
      'heap-per-row',
      'scale-time',
      'scale-rss',
      'balanced-growth-time',
      'balanced-join-time',
      'balanced-growth-balance',
    ]);
    for (const target of targets) {
      expect(Number.isFinite(target.measured)).toBe(true);
      expect(target.met === null).toBe(/^(scale|balanced)-/.test(target.id));
    }
  });

  it('renders a table naming every row and target', () => {
    const report = tinyReport();
    const text = renderPerf(report);
    for (const row of report.rows) expect(text).toContain(row.name);
    for (const target of report.targets) expect(text).toContain(target.id);
    expect(text).toContain('event-loop/typed-heap');
    expect(text).toMatch(/time plane [\d,]+ messages\/s/);
    expect(text).toContain('scaled down');
  });
});

describe('a row timed in a process of its own', () => {
  it('is the time plane, and its job times every round of it on a fixture of its own', () => {
    expect(microRows.filter((row) => row.isolated).map((row) => row.name)).toEqual(['time-plane']);
    const { timing, batch, rowEvents } = resolvePerfConfig({ size: 'tiny' });
    const { cycles } = runJob({
      kind: 'row',
      name: 'time-plane',
      seed: 7,
      keys: 500,
      batch,
      rowEvents,
      timing,
    });
    expect(cycles.length).toBeGreaterThanOrEqual(timing.rounds * timing.minSamples);
    for (const seconds of cycles) expectPositive(seconds, 'a cycle');
  });
});

describe('the typed heap the event loop is measured against', () => {
  it('pops in time order, as the scheduler does, while pushes and pops interleave', () => {
    const random = createRandom(3);
    const heap = createTypedHeap(600);
    const reference: number[] = [];
    const popped: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = random.nextInt(50);
      heap.push(t, i);
      reference.push(t);
    }
    for (let i = 0; i < 2_000; i++) {
      reference.sort((a, b) => a - b);
      const expected = reference.shift()!;
      const t = heap.popTime();
      popped.push(t);
      expect(t).toBe(expected);
      const next = t + random.nextInt(20);
      heap.push(next, i);
      reference.push(next);
    }
    expect(popped.length).toBe(2_000);
  });
});

describe("the write path's sizing shortcuts", () => {
  const encoded = (text: string): number => new TextEncoder().encode(text).length;

  it('size text as its UTF-8 bytes, short or long, ASCII or not, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        expect(utf8Length(text)).toBe(encoded(text));
      }),
    );
  });

  it('take the length of the text encoded last only for that text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 70 }),
        fc.string({ unit: 'binary', maxLength: 70 }),
        (key, other) => {
          transientTextBytes(key);
          expect(textByteLength(key)).toBe(encoded(key));
          expect(textByteLength(other)).toBe(encoded(other));
          expect(textByteLength(`${key}`)).toBe(encoded(key));
        },
      ),
    );
  });
});

describe('perf options', () => {
  it('defaults to the full size, child processes and seed 1', () => {
    const config = resolvePerfConfig();
    expect(config).toMatchObject({ size: 'full', isolation: 'child-process', seed: 1 });
    expect(config.scaleNodes).toBe(1_000);
    expect(config.scaleEvents).toBe(10_000_000);
    expect(config).toMatchObject({ growthNodes: 1_000, growthCurveNodes: 1_000 });
    expect(config.scaleAllocator).toBe('balanced');
    expect(resolvePerfConfig({ quick: true }).size).toBe('quick');
  });

  it('refuses a bad seed naming the field', () => {
    expect(() => resolvePerfConfig({ seed: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', field: 'seed' }),
    );
  });

  it('is registered as `ringlab bench perf` with --quick, --json and --seed', async () => {
    const run = await runCli('bench', 'perf', '--help');
    expect(run.code).toBe(0);
    for (const flag of ['--quick', '--json', '--seed']) expect(run.stdout).toContain(flag);
  });
});
