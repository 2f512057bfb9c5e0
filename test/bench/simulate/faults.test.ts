import { describe, expect, it } from 'vitest';
import { describeFault, parseFault, parseFaults } from '../../../bench/faults.js';
import { placementOf, resolveClusterConfig } from '../../../bench/cluster-config.js';
import { logTable } from '../../../bench/workloads/log-events.js';
import { createRandom } from '../../../engine/random.js';
import { scheduleFaults, type FaultEvent } from '../../../engine/time/faults.js';
import { createSimulation } from '../../../engine/time/simulation.js';
import { createPartitioner, getTokenFunction } from '../../../partitioners/index.js';
import { catchRinglabError } from '../../helpers/errors.js';

const nodes = Array.from({ length: 12 }, (_, i) => `n${i + 1}`);
const context = { nodes, endMs: 100_000 };

describe('fault specs parse into typed faults', () => {
  it.each([
    ['crash:n3@10s', { kind: 'crash', node: 'n3', atMs: 10_000 }],
    ['recover:n3@40s', { kind: 'recover', node: 'n3', atMs: 40_000 }],
    ['wipe:n4@60s', { kind: 'wipe', node: 'n4', atMs: 60_000 }],
    ['repair:n4@70s', { kind: 'repair', node: 'n4', atMs: 70_000 }],
    ['slow:n2x10@0s', { kind: 'slow', node: 'n2', factor: 10, atMs: 0 }],
    ['slow:n2x2.5@1s-2m', { kind: 'slow', node: 'n2', factor: 2.5, atMs: 1000, untilMs: 120_000 }],
    [
      'partition:n1,n2/n3,n4@5s-20s',
      {
        kind: 'partition',
        sides: [
          ['n1', 'n2'],
          ['n3', 'n4'],
        ],
        atMs: 5000,
        untilMs: 20_000,
      },
    ],
    ['partition:n1/n2@500ms', { kind: 'partition', sides: [['n1'], ['n2']], atMs: 500 }],
    ['drop:0.01', { kind: 'drop', probability: 0.01, atMs: 0 }],
    ['drop:0.05:n1-n2', { kind: 'drop', probability: 0.05, link: ['n1', 'n2'], atMs: 0 }],
    ['drop:0.2@5s-20s', { kind: 'drop', probability: 0.2, atMs: 5000, untilMs: 20_000 }],
  ])('%s', (spec, fault) => {
    expect(parseFault(spec, context)).toEqual(fault);
    expect(parseFault(describeFault(parseFault(spec, context)), context)).toEqual(fault);
  });
});

describe('a malformed spec names the spec and the part that is wrong, under fault', () => {
  it.each([
    ['crash:n99@10s', /"crash:n99@10s": node n99 is not in the cluster \(n1\.\.n12\)/],
    ['slow:n2x0@1s', /"slow:n2x0@1s": factor must be > 1/],
    ['slow:n2x1@1s', /factor must be > 1, got "1"/],
    ['slow:n2@1s', /"n2" should be a node and a factor/],
    ['explode:n1@1s', /unknown fault kind "explode"/],
    ['crash', /says nothing after the kind/],
    ['crash:n3', /says no time/],
    ['crash:n3@10x', /"10x" is not a time/],
    ['crash:n3@1s-2s', /happens at an instant/],
    ['crash:node3@1s', /"node3" is not a node id/],
    ['partition:n1,n2@1s', /two sides split by \//],
    ['partition:n1,n2/n2@1s', /n2 is on both sides/],
    ['partition:n1/n2@5s-2s', /ends before it starts/],
    ['drop:1.5', /probability must be between 0 and 1/],
    ['drop:0', /probability must be between 0 and 1/],
    ['drop:0.1:n1', /"n1" should be a link/],
    ['drop:0.1:n1-n1', /joins a node to itself/],
    ['drop:0.1:n1-n13', /node n13 is not in the cluster/],
    ['crash:n3@200s', /200s is not before the end of the run's workload/],
  ])('%s', (spec, message) => {
    const error = catchRinglabError(() => parseFault(spec, context));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('fault');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`"${spec}"`);
  });

  it('a plan checks crashes and recoveries in time order', () => {
    expect(parseFaults(['recover:n3@5s', 'crash:n3@1s'], context)).toHaveLength(2);
    const early = catchRinglabError(() => parseFaults(['recover:n3@1s', 'crash:n3@5s'], context));
    expect([early.field, early.message]).toEqual(['fault', expect.stringMatching(/not down/)]);
    const twice = catchRinglabError(() => parseFaults(['crash:n3@1s', 'crash:n3@2s'], context));
    expect(twice.message).toMatch(/already down/);
    const all = catchRinglabError(() =>
      parseFaults(['crash:n1@1s', 'crash:n2@1s'], { nodes: ['n1', 'n2'], endMs: 10_000 }),
    );
    expect(all.message).toMatch(/no node running/);
  });
});

function simulation() {
  const placement = placementOf(resolveClusterConfig({ nodes: 4, seed: 3 }));
  return createSimulation({
    placement,
    partitioner: createPartitioner('server-id', {
      tokenFunction: getTokenFunction('murmur3'),
      salt: { kind: 'fixed', salts: 1 },
      bucketMs: 1000,
      startMs: 0,
      spanMs: 1000,
    }),
    table: logTable,
    storage: 'rows',
    random: createRandom(1),
  });
}

/** Whether a message from `from` to `to` (node indexes) gets through now. */
function delivers(sim: ReturnType<typeof simulation>, from: number, to: number): boolean {
  return sim.network.send(from, to, () => {});
}

describe('faults take effect on the virtual clock and their windows compose', () => {
  it('crash and recover change what is running at their times', () => {
    const sim = simulation();
    const log: FaultEvent[] = [];
    scheduleFaults(
      sim,
      [parseFault('crash:n2@1s', context), parseFault('recover:n2@3s', context)],
      (event) => log.push(event),
    );
    sim.runUntil(999);
    expect(sim.running[1]).toBe(1);
    sim.runUntil(1000);
    expect(sim.running[1]).toBe(0);
    sim.runUntil(3000);
    expect(sim.running[1]).toBe(1);
    expect(log.map((e) => [e.kind, e.atMs, e.phase])).toEqual([
      ['crash', 1000, 'start'],
      ['recover', 3000, 'start'],
    ]);
  });

  it('a partition heals at its end, and one still in force stays cut', () => {
    const sim = simulation();
    scheduleFaults(sim, [
      parseFault('partition:n1/n2@1s-2s', context),
      parseFault('partition:n3/n4@1s-5s', context),
    ]);
    sim.runUntil(1500);
    expect([delivers(sim, 0, 1), delivers(sim, 2, 3), delivers(sim, 0, 2)]).toEqual([
      false,
      false,
      true,
    ]);
    sim.runUntil(2500);
    expect([delivers(sim, 0, 1), delivers(sim, 2, 3)]).toEqual([true, false]);
    sim.runUntil(5000);
    expect(delivers(sim, 2, 3)).toBe(true);
  });

  it('a slowdown ends back at the factor still open, then 1', () => {
    const sim = simulation();
    scheduleFaults(sim, [
      parseFault('slow:n1x10@1s-4s', context),
      parseFault('slow:n1x3@2s-3s', context),
    ]);
    const slowdowns: number[] = [];
    for (const t of [1500, 2500, 3500, 4500]) {
      sim.runUntil(t);
      slowdowns.push(sim.stages[0]!.writes.slowdown);
    }
    expect(slowdowns).toEqual([10, 3, 10, 1]);
  });

  // Found by ringlab check (--replay 1988952865): a link's window closing inside an all-links
  // window pinned the link to the all-links probability, which then outlived its own window.
  it('a link whose window closes inside an all-links window is lossless once both end', () => {
    const sim = simulation();
    scheduleFaults(sim, [
      parseFault('drop:0.5:n1-n2@1s-2s', context),
      parseFault('drop:0.3@1500ms-3s', context),
    ]);
    const lost = (): number => {
      let dropped = 0;
      for (let i = 0; i < 400; i++) if (!delivers(sim, 0, 1)) dropped++;
      return dropped;
    };
    sim.runUntil(2500);
    expect(lost()).toBeGreaterThan(60);
    sim.runUntil(3000);
    expect(lost()).toBe(0);
  });

  it('a loss window drops messages only inside it', () => {
    const sim = simulation();
    scheduleFaults(sim, [parseFault('drop:0.5:n1-n2@1s-2s', context)]);
    const lost = (): number => {
      let dropped = 0;
      for (let i = 0; i < 400; i++) if (!delivers(sim, 0, 1)) dropped++;
      return dropped;
    };
    expect(lost()).toBe(0);
    sim.runUntil(1000);
    expect(lost()).toBeGreaterThan(120);
    expect(delivers(sim, 0, 2) && delivers(sim, 2, 3)).toBe(true);
    sim.runUntil(2000);
    expect(lost()).toBe(0);
  });
});
