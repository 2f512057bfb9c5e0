/**
 * ringlab as a library. The layers, bottom up (ARCHITECTURE.md): engine (ring, placement,
 * cluster, coordinator, the plug-in contracts), partitioners (token functions and key
 * strategies), indexes and rebalancing (plug-ins), bench (configs, workloads, experiments and their reports). Everything exported
 * here is public; deep imports are not (the package's `exports` blocks them), and the
 * conformance suite for plug-ins is `ringlab/conformance`.
 */
export * from './engine/errors.js';
export * from './engine/random.js';
export * from './engine/token.js';
export * from './engine/ring.js';
export * from './engine/replication.js';
export * from './engine/allocation.js';
export * from './engine/row.js';
export * from './engine/query.js';
export * from './engine/partitioner.js';
export * from './engine/node.js';
export * from './engine/write-clock.js';
export * from './engine/cluster.js';
export * from './engine/consistency.js';
export * from './engine/coordinator.js';
export * from './engine/index-mode.js';
export * from './engine/rebalance.js';
export * from './engine/streaming.js';
export * from './engine/stats.js';
export * from './engine/progress.js';
export * from './engine/histogram.js';
export * from './engine/time/scheduler.js';
export * from './engine/time/delay.js';
export * from './engine/time/server.js';
export * from './engine/time/queueing-theory.js';
export * from './engine/time/network.js';
export * from './engine/time/failure-detector.js';
export * from './engine/time/simulation.js';
export * from './engine/time/coordinator.js';
export * from './engine/time/gather.js';
export type { Hint, HintCounters } from './engine/time/hints.js';
export * from './partitioners/index.js';
export * from './partitioners/key-bytes.js';
export * from './indexes/index.js';
export * from './rebalancing/index.js';
export * from './bench/cluster-config.js';
export * from './bench/ring-report.js';
export * from './bench/skew.js';
export * from './bench/rebalance.js';
export * from './bench/workloads/log-events.js';
export * from './bench/workloads/distributions.js';
export * from './bench/workloads/ids.js';
export { parseDuration, formatDuration } from './bench/duration.js';
export { main } from './cli/main.js';
