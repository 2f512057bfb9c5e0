/**
 * `ringlab bench skew`: one seeded log-event stream, partitioned by each key strategy, measured
 * for write skew (whole run and per window), partition sizes and read fan-out. This file is the
 * face; the parts live in skew/: the config and its resolver, the run, and one module per metric.
 */
export {
  parseSalt,
  resolveSkewConfig,
  saltModeOf,
  SKEW_DEFAULTS,
  validateSkewConfig,
  type SaltSetting,
  type SkewConfig,
  type SkewOptionsInput,
} from './skew/config.js';
export { presplitPlacement, runSkew, type SkewReport, type SkewResult } from './skew/run.js';
export { type FanoutStats } from './skew/fanout.js';
export { LARGE_PARTITION_BYTES, type PartitionStats } from './skew/partition-sizes.js';
