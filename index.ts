/**
 * ringlab as a library. The layers, bottom up: engine (ring, placement, cluster, coordinator),
 * partitioners (token functions and key strategies), bench (configs, workloads, reports).
 */
export * from './engine/errors.js';
export * from './engine/random.js';
export * from './engine/token.js';
export * from './engine/ring.js';
export * from './engine/replication.js';
export * from './engine/allocation.js';
export * from './engine/row.js';
export * from './engine/partitioner.js';
export * from './engine/node.js';
export * from './engine/cluster.js';
export * from './engine/consistency.js';
export * from './engine/coordinator.js';
export * from './engine/stats.js';
export * from './partitioners/index.js';
export * from './partitioners/key-bytes.js';
export * from './bench/cluster-config.js';
export * from './bench/ring-report.js';
export { main } from './cli/main.js';
