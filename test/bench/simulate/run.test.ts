import { describe, expect, it } from 'vitest';
import {
  operationKinds,
  outcomeNames,
  resolveSimulateConfig,
  runSimulate,
  type SimulateOptionsInput,
  type SimulateReport,
} from '../../../bench/simulate.js';

const small: SimulateOptionsInput = {
  events: 3000,
  rate: 1500,
  servers: 100,
  reads: 'by-server:0.5,by-severity:0.2,by-time:0.15,by-id:0.15',
  readRate: 300,
};

function run(input: SimulateOptionsInput): SimulateReport {
  return runSimulate(resolveSimulateConfig({ ...small, ...input }));
}

function expectOutcomesAddUp(report: SimulateReport): void {
  for (const kind of operationKinds) {
    const op = report.operations[kind];
    const sum = outcomeNames.reduce((total, name) => total + op.outcomes[name], 0);
    expect([kind, sum]).toEqual([kind, op.count]);
  }
}

describe('simulate is deterministic', () => {
  it('the same seed gives byte-identical JSON, another seed another run', () => {
    const input = { ...small, fault: ['crash:n3@500ms', 'drop:0.01@1s-1500ms'] };
    const a = JSON.stringify(run(input));
    expect(JSON.stringify(run(input))).toBe(a);
    expect(JSON.stringify(run({ ...input, seed: 2 }))).not.toBe(a);
  });
});

describe('a node down from the start, at QUORUM', () => {
  const report = run({ fault: ['crash:n3@0s'] });

  it('reports no false successes and outcome counts that add up', () => {
    expect(report.checks.falseSuccesses).toBe(0);
    expect(report.checks.staleReads).toBe(0);
    expectOutcomesAddUp(report);
    expect(report.operations.write.count).toBe(3000);
  });

  it('writes succeed on the two other replicas and hints are stored for n3', () => {
    expect(report.operations.write.outcomes.ok).toBeGreaterThan(2900);
    expect(report.hints.stored).toBeGreaterThan(0);
    expect(report.nodes[2]).toMatchObject({ id: 'n3', running: false });
    expect(report.faults).toEqual([
      { atMs: 0, kind: 'crash', phase: 'start', spec: 'crash:n3@0s' },
    ]);
  });

  it('reads that ask n3 before it is believed down time out, and the others answer', () => {
    // Range reads never speculate, and a coordinator's 99p threshold needs 128 reads first.
    expect(report.operations['by-severity'].outcomes.timeout).toBeGreaterThan(0);
    expect(report.operations['by-server'].outcomes.ok).toBeGreaterThan(0);
  });
});

describe('without faults', () => {
  // Full scans are not in the mix: they run at even offsets, as an analytics job's.
  const report = run({ scans: 2 });

  it('every read kind runs and answers, by-severity through the local index', () => {
    for (const kind of operationKinds) {
      expect([kind, report.operations[kind].outcomes.ok]).toEqual([
        kind,
        report.operations[kind].count,
      ]);
      expect(report.operations[kind].count).toBeGreaterThan(0);
    }
    expect(report.operations['full-scan'].count).toBe(2);
    expect(Object.keys(report.operations['by-severity'].plans)).toEqual(['local-index']);
    expect(report.index.messagesPerBaseWrite).toBe(0);
    expect(report.timeline).toHaveLength(Math.ceil(report.durationMs / 1000));
  });
});

describe('at ONE with two of three replicas down, writes fail definitely or succeed', () => {
  it('counts add up under a partition and message loss', () => {
    const report = run({
      cl: 'ONE',
      fault: ['partition:n1,n2,n3/n4,n5,n6,n7,n8,n9,n10,n11,n12@200ms-1s', 'drop:0.05'],
    });
    expectOutcomesAddUp(report);
    expect(report.checks.falseSuccesses).toBe(0);
    expect(report.network.dropped).toBeGreaterThan(0);
    const timeline = report.timeline.reduce((sum, second) => sum + second.completed, 0);
    const answered = operationKinds.reduce(
      (sum, kind) =>
        sum + report.operations[kind].count - report.operations[kind].outcomes.unanswered,
      0,
    );
    expect(timeline).toBe(answered);
  });
});

describe('a global index', () => {
  it('writes one entry per base row and has one hot partition per value', () => {
    const report = run({ index: 'global', reads: 'by-severity:1' });
    expect(report.index.messagesPerBaseWrite).toBe(1);
    expect(report.index.largestPartition?.share).toBeGreaterThan(0.3);
    expect(report.operations.write.meanPartitions).toBe(2);
    expect(Object.keys(report.operations['by-severity'].plans)).toEqual(['global-index']);
  });
});
