/**
 * `ringlab simulate`: the time-plane experiment. A log-event stream written at its arrival
 * times, reads by a mix, faults on the virtual clock, and a report per operation kind (outcomes,
 * latency, fan-out), for the index, the hints, the nodes and each virtual second. This file is
 * the face; the parts live in simulate/: the config, its resolver and cost estimate, the read
 * kinds, the run, and the metrics.
 */
export {
  fanouts,
  partials,
  snitches,
  MAX_EVENTS,
  MAX_INDEX_BUCKETS,
  MAX_LIMIT,
  MAX_SCANS,
  MAX_RATE,
  type ReadShare,
  type SimulateConfig,
} from './simulate/config.js';
export {
  parseSpeculative,
  resolveSimulateConfig,
  SIMULATE_DEFAULTS,
  type SimulateOptionsInput,
  type SimulateResolveOptions,
} from './simulate/resolve.js';
export {
  checkSimulateBudget,
  estimateSimulate,
  longRunNote,
  MAX_SECONDS,
  type SimulateEstimate,
} from './simulate/budget.js';
export {
  BY_TIME_WIDTH_MS,
  DEFAULT_READ_MIX,
  parseReadMix,
  readKindNames,
  readKinds,
  type ReadKind,
} from './simulate/reads.js';
export {
  DRAIN_MS,
  operationKinds,
  runSimulate,
  type OperationKind,
  type SimulateReport,
  type SimulateRunOptions,
} from './simulate/run.js';
export {
  outcomeNames,
  type LatencyStats,
  type OperationStats,
  type OutcomeName,
  type TimelineSecond,
} from './simulate/metrics.js';
export { type IndexReport, type NodeReport } from './simulate/cluster-report.js';
