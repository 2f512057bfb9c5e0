/**
 * `ringlab bench skew`: one seeded log-event stream, partitioned by each key strategy, measured
 * for write skew (whole run and per window), partition sizes and read fan-out. This file is the
 * face; the parts live in skew/: the config, its resolver and cost estimate, the run, and one
 * module per metric.
 */
export {
  MAX_EVENTS,
  MAX_READS,
  MIN_WRITES_PER_NODE_PER_WINDOW,
  saltModeOf,
  validateSkewConfig,
  type SaltSetting,
  type SkewConfig,
} from './skew/config.js';
export {
  parseSalt,
  resolveSkewConfig,
  SKEW_DEFAULTS,
  type SkewOptionsInput,
  type SkewResolveOptions,
} from './skew/resolve.js';
export {
  checkSkewBudget,
  estimateSkew,
  longRunNote,
  BYTES_PER_TRACKED_PARTITION,
  type SkewEstimate,
} from './skew/budget.js';
export {
  presplitPlacement,
  runSkew,
  type SkewReport,
  type SkewResult,
  type SkewRunOptions,
} from './skew/run.js';
export { type FanoutStats } from './skew/fanout.js';
export { LARGE_PARTITION_BYTES, type PartitionStats } from './skew/partition-sizes.js';
