import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../engine/random.js';
import type { NodeSpec } from '../../../engine/ring.js';
import { createFailureDetector } from '../../../engine/time/failure-detector.js';
import { createNetwork } from '../../../engine/time/network.js';
import { createScheduler } from '../../../engine/time/scheduler.js';
import { expectRinglabError } from '../../helpers/errors.js';

const nodes: NodeSpec[] = [
  { id: 'n1', dc: 'dc1', rack: 'r1' },
  { id: 'n2', dc: 'dc1', rack: 'r1' },
  { id: 'n3', dc: 'dc2', rack: 'r1' },
  { id: 'n4', dc: 'dc2', rack: 'r1' },
];

function network(lossProbability = 0) {
  const scheduler = createScheduler();
  const net = createNetwork(
    scheduler,
    nodes,
    {
      localDelay: { kind: 'constant', ms: 0.5 },
      crossDcDelay: { kind: 'constant', ms: 30 },
      lossProbability,
    },
    createRandom(1),
  );
  return { scheduler, net };
}

describe('network', () => {
  it('delivers inside a DC after the local delay, across DCs after the cross-DC delay, to itself at once', () => {
    const { scheduler, net } = network();
    const arrivals: [string, number][] = [];
    net.send(0, 1, (now) => arrivals.push(['local', now]));
    net.send(0, 2, (now) => arrivals.push(['cross', now]));
    net.send(0, 0, (now) => arrivals.push(['self', now]));
    scheduler.runAll();
    expect(arrivals).toEqual([
      ['self', 0],
      ['local', 0.5],
      ['cross', 30],
    ]);
  });

  it('cuts both directions between the sides of a partition until healed', () => {
    const { scheduler, net } = network();
    let arrived = 0;
    net.partition([0, 1], [2]);
    expect(net.send(0, 2, () => arrived++)).toBe(false);
    expect(net.send(2, 1, () => arrived++)).toBe(false);
    expect(net.send(0, 1, () => arrived++)).toBe(true);
    expect(net.send(2, 3, () => arrived++)).toBe(true);
    net.heal();
    expect(net.send(0, 2, () => arrived++)).toBe(true);
    scheduler.runAll();
    expect(arrived).toBe(3);
    expect(net.dropped).toBe(2);
  });

  it('loses about the given share of messages, globally or on one link', () => {
    const { scheduler, net } = network(0.1);
    let arrived = 0;
    for (let i = 0; i < 20_000; i++) net.send(0, 1, () => arrived++);
    scheduler.runAll();
    expect(Math.abs(arrived / 20_000 - 0.9)).toBeLessThan(0.01);
    net.setLoss(0);
    net.setLoss(0.5, [2, 3]);
    let onLink = 0;
    let elsewhere = 0;
    for (let i = 0; i < 10_000; i++) {
      net.send(3, 2, () => onLink++);
      net.send(0, 1, () => elsewhere++);
    }
    scheduler.runAll();
    expect(Math.abs(onLink / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(elsewhere).toBe(10_000);
    expectRinglabError(() => net.setLoss(1), 'INVALID_CONFIG', 'loss');
  });
});

describe('failure detector', () => {
  it('convicts a crashed node only after the detection delay, and sees a recovery after the notice delay', () => {
    const scheduler = createScheduler();
    const detector = createFailureDetector(scheduler, 3, {
      detectionMs: 10_000,
      recoveryNoticeMs: 1_000,
    });
    detector.crashed(1);
    scheduler.runUntil(9_999);
    expect(detector.believedUp[1]).toBe(1);
    scheduler.runUntil(10_000);
    expect(detector.believedUp[1]).toBe(0);
    detector.recovered(1);
    scheduler.runUntil(10_999);
    expect(detector.believedUp[1]).toBe(0);
    scheduler.runUntil(11_000);
    expect(detector.believedUp[1]).toBe(1);
  });

  it('never convicts a node that came back before the detection delay ran out', () => {
    const scheduler = createScheduler();
    const detector = createFailureDetector(scheduler, 2);
    detector.crashed(0);
    scheduler.runUntil(2_000);
    detector.recovered(0);
    scheduler.runUntil(60_000);
    expect(detector.believedUp[0]).toBe(1);
  });
});
