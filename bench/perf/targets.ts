/**
 * The performance targets of the suite (set for a 2-core machine), each a pure check of one
 * report figure. `met` is null when the run did not measure what the target is about (the scale
 * and balanced-growth targets on a scaled-down run).
 */
export interface TargetResult {
  readonly id: string;
  readonly description: string;
  /** The figure the target is about, in `unit`. */
  readonly measured: number;
  readonly unit: 'ratio' | 'events/s' | 'messages/s' | 'bytes' | 'ms';
  readonly required: string;
  readonly met: boolean | null;
}

export interface TargetInputs {
  readonly writeOverMurmur3: number;
  readonly writeEventsPerSec: number;
  readonly ringOverHashring: number;
  readonly murmur3OverDriver: number;
  readonly eventLoopOverTypedHeap: number;
  /** Simulated messages per second of wall time, the time plane end to end. */
  readonly timePlaneMessagesPerSec: number;
  readonly bytesPerRow: number;
  readonly scaleWallMs: number;
  readonly scalePeakRssBytes: number;
  /** False when the scale run was smaller than the target's 1,000 nodes and 10M events. */
  readonly scaleIsFull: boolean;
  /** Growing a ring from 1 to 1,000 nodes with the balanced allocator. */
  readonly growthMs: number;
  /** Adding one node to that ring. */
  readonly joinMs: number;
  /** False when the ring was grown to fewer than the targets' 1,000 nodes. */
  readonly growthIsFull: boolean;
  /** The worst max/mean of replicated ownership after any join, and what it must stay within. */
  readonly growthWorstMaxOverMean: number;
  readonly growthBound: number;
  /** False when the balance was measured up to fewer than 1,000 nodes. */
  readonly growthCurveIsFull: boolean;
}

/** 2 GB, decimal, the stricter reading. */
const SCALE_RSS_LIMIT_BYTES = 2e9;
const SCALE_WALL_LIMIT_MS = 30_000;
const GROWTH_LIMIT_MS = 3_000;
const JOIN_LIMIT_MS = 50;

export function evaluateTargets(inputs: TargetInputs): TargetResult[] {
  const atLeast = (measured: number, floor: number) => measured >= floor;
  const scale = (met: boolean) => (inputs.scaleIsFull ? met : null);
  const growth = (met: boolean) => (inputs.growthIsFull ? met : null);
  return [
    {
      id: 'write-vs-murmur3',
      description: 'counters-only write path at least half the Murmur3 token rate',
      measured: inputs.writeOverMurmur3,
      unit: 'ratio',
      required: '>= 0.5x',
      met: atLeast(inputs.writeOverMurmur3, 0.5),
    },
    {
      id: 'write-rate',
      description: 'counters-only write path',
      measured: inputs.writeEventsPerSec,
      unit: 'events/s',
      required: '>= 1,000,000 events/s',
      met: atLeast(inputs.writeEventsPerSec, 1_000_000),
    },
    {
      id: 'ring-vs-hashring',
      description: 'ring lookup with replica set against hashring',
      measured: inputs.ringOverHashring,
      unit: 'ratio',
      required: '>= 10x',
      met: atLeast(inputs.ringOverHashring, 10),
    },
    {
      id: 'murmur3-vs-driver',
      description: "ringlab's Murmur3 against cassandra-driver's tokenizer",
      measured: inputs.murmur3OverDriver,
      unit: 'ratio',
      required: '>= 4x',
      met: atLeast(inputs.murmur3OverDriver, 4),
    },
    {
      id: 'event-loop-vs-typed-heap',
      description: "the time plane's scheduler at least 0.3 of a bare typed-array heap's rate",
      measured: inputs.eventLoopOverTypedHeap,
      unit: 'ratio',
      required: '>= 0.3x',
      met: atLeast(inputs.eventLoopOverTypedHeap, 0.3),
    },
    {
      id: 'time-plane-rate',
      description: 'the time plane end to end, writes at QUORUM on 12 nodes: simulated messages',
      measured: inputs.timePlaneMessagesPerSec,
      unit: 'messages/s',
      required: '>= 1,000,000 messages/s',
      met: atLeast(inputs.timePlaneMessagesPerSec, 1_000_000),
    },
    {
      id: 'heap-per-row',
      description: 'heap per stored row beyond its payload strings',
      measured: inputs.bytesPerRow,
      unit: 'bytes',
      required: '<= 150 bytes',
      met: inputs.bytesPerRow <= 150,
    },
    {
      id: 'scale-time',
      description: '1,000 nodes x 16 vnodes, 10M events, counters only: wall time',
      measured: inputs.scaleWallMs,
      unit: 'ms',
      required: '< 30,000 ms',
      met: scale(inputs.scaleWallMs < SCALE_WALL_LIMIT_MS),
    },
    {
      id: 'scale-rss',
      description: 'the same run: peak RSS',
      measured: inputs.scalePeakRssBytes,
      unit: 'bytes',
      required: '< 2 GB',
      met: scale(inputs.scalePeakRssBytes < SCALE_RSS_LIMIT_BYTES),
    },
    {
      id: 'balanced-growth-time',
      description:
        'balanced allocator: a ring grown from 1 to 1,000 nodes x 16 vnodes, one at a time',
      measured: inputs.growthMs,
      unit: 'ms',
      required: `< ${GROWTH_LIMIT_MS.toLocaleString('en-US')} ms`,
      met: growth(inputs.growthMs < GROWTH_LIMIT_MS),
    },
    {
      id: 'balanced-join-time',
      description: 'balanced allocator: one node added to that 1,000-node ring',
      measured: inputs.joinMs,
      unit: 'ms',
      required: `< ${JOIN_LIMIT_MS} ms`,
      met: growth(inputs.joinMs < JOIN_LIMIT_MS),
    },
    {
      id: 'balanced-growth-balance',
      description: 'replicated ownership max/mean after every join up to 1,000 nodes, rf 3',
      measured: inputs.growthWorstMaxOverMean,
      unit: 'ratio',
      required: `<= ${inputs.growthBound.toFixed(4)}x, 1 + 4/(vnodes rf)`,
      met: inputs.growthCurveIsFull ? inputs.growthWorstMaxOverMean <= inputs.growthBound : null,
    },
  ];
}
