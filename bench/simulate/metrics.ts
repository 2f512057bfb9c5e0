/**
 * What a simulate run records per operation kind, and per virtual second. The driver reports
 * each operation once when it is issued and once when it is answered; what was issued and never
 * answered by the end of the run is counted as `unanswered`, so a kind's outcomes always add up
 * to its count.
 */
import { createHistogram, type Histogram } from '../../engine/histogram.js';

export const outcomeNames = ['ok', 'partial', 'unavailable', 'timeout', 'unanswered'] as const;
export type OutcomeName = (typeof outcomeNames)[number];
export type AnsweredOutcome = Exclude<OutcomeName, 'unanswered'>;

export interface LatencyStats {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface OperationStats {
  readonly count: number;
  readonly outcomes: Readonly<Record<OutcomeName, number>>;
  /** Over the answers that returned (ok and partial), virtual ms. */
  readonly latencyMs: LatencyStats;
  /** Over the same answers: partitions written (a write's base row and its index entries) or read. */
  readonly meanPartitions: number;
  /** Over the same answers: replicas that acknowledged a write, or replica requests a read sent. */
  readonly meanReplicas: number;
  /** Answers by the plan that served them (reads only). */
  readonly plans: Readonly<Record<string, number>>;
}

export interface OperationRecorder {
  issue(): void;
  answer(
    outcome: AnsweredOutcome,
    latencyMs: number,
    partitions: number,
    replicas: number,
    plan?: string,
  ): void;
  stats(): OperationStats;
}

/** Rounded to microseconds, so that reports read well; the histogram keeps full precision. */
const micro = (ms: number): number => Math.round(ms * 1000) / 1000;

export function createOperationRecorder(): OperationRecorder {
  const latency = createHistogram();
  const outcomes: Record<OutcomeName, number> = {
    ok: 0,
    partial: 0,
    unavailable: 0,
    timeout: 0,
    unanswered: 0,
  };
  const plans = new Map<string, number>();
  let issued = 0;
  let answered = 0;
  let partitionSum = 0;
  let replicaSum = 0;
  return {
    issue: () => {
      issued++;
    },
    answer: (outcome, latencyMs, partitions, replicas, plan) => {
      answered++;
      outcomes[outcome]++;
      if (outcome !== 'ok' && outcome !== 'partial') return;
      latency.record(latencyMs);
      partitionSum += partitions;
      replicaSum += replicas;
      if (plan !== undefined) plans.set(plan, (plans.get(plan) ?? 0) + 1);
    },
    stats: () => {
      const returned = latency.count;
      const summary = latency.summary();
      return {
        count: issued,
        outcomes: { ...outcomes, unanswered: issued - answered },
        latencyMs: {
          p50: micro(summary.p50),
          p95: micro(summary.p95),
          p99: micro(summary.p99),
          max: micro(summary.max),
        },
        meanPartitions: returned === 0 ? 0 : partitionSum / returned,
        meanReplicas: returned === 0 ? 0 : replicaSum / returned,
        plans: Object.fromEntries([...plans].sort(([a], [b]) => (a < b ? -1 : 1))),
      };
    },
  };
}

export interface TimelineSecond {
  /** Whole virtual seconds since the run started: [second, second + 1). */
  readonly second: number;
  /** Operations answered in the second, of every kind. */
  readonly completed: number;
  /** Of them, answers that were not a complete ok. */
  readonly failures: number;
  /** The 99th percentile latency of the ok answers in the second, virtual ms (0 when none). */
  readonly p99Ms: number;
}

export interface Timeline {
  record(atMs: number, ok: boolean, latencyMs: number): void;
  seconds(untilMs: number): TimelineSecond[];
}

export function createTimeline(): Timeline {
  const completed: number[] = [];
  const failures: number[] = [];
  const latencies: Histogram[] = [];
  return {
    record(atMs, ok, latencyMs) {
      const second = Math.floor(atMs / 1000);
      while (completed.length <= second) {
        completed.push(0);
        failures.push(0);
        latencies.push(createHistogram());
      }
      completed[second]!++;
      if (ok) latencies[second]!.record(latencyMs);
      else failures[second]!++;
    },
    seconds(untilMs) {
      const count = Math.max(completed.length, Math.ceil(untilMs / 1000));
      return Array.from({ length: count }, (_, second) => ({
        second,
        completed: completed[second] ?? 0,
        failures: failures[second] ?? 0,
        p99Ms: micro(latencies[second]?.quantile(0.99) ?? 0),
      }));
    },
  };
}
