/**
 * The `api-usage-log` kata: API request logs written by several server instances into
 * (user_id, day) partitions clustered by time, through node failures. Each design is a write
 * level with hints on or off; every design gets the identical request stream and the same
 * faults. The run (api-usage-log-run.ts) retries writes that time out, heals, lets hints replay,
 * then reads every partition back and counts what a log must not have: lost, duplicated and
 * out-of-order entries.
 */
import { z } from 'zod';

import { parseFault, parseFaults } from '../faults.js';
import { aboutDuration, DEFAULT_SEED, topologyOf } from '../cluster-config.js';
import { formatDuration } from '../duration.js';
import { defineKata, type KataFlag } from '../kata/kata.js';
import {
  atPath,
  clusterSchema,
  duration,
  expect,
  ExperimentError,
  faultSpec,
  int,
  level,
  num,
  seed,
} from '../experiment/schema-kit.js';
import { parseDuration } from '../duration.js';
import { checkDesignNames, clusterConfigOf, designName, resolveKataCluster } from './time-plane.js';
import { API_LOG_QUESTION, API_LOG_TITLE } from './api-usage-log-report.js';
import { estimateApiLog, runApiLog } from './api-usage-log-run.js';

export const MAX_REQUESTS = 2_000_000;
export const MAX_SECONDS = 120;

const designSchema = z.strictObject({
  name: designName,
  hints: z.boolean(expect('true or false: whether coordinators keep hints')).default(true),
  writeCl: level.default('QUORUM'),
});

export type ApiLogDesign = z.infer<typeof designSchema>;

const designsOf = (): ApiLogDesign[] =>
  [true, false].flatMap((hints) =>
    (['ONE', 'QUORUM', 'ALL'] as const).map((writeCl) => ({
      name: `hints ${hints ? 'on' : 'off'}, ${writeCl}`,
      hints,
      writeCl,
    })),
  );

export const DEFAULT_FAULTS = ['crash:n3@5s', 'recover:n3@20s'];

export const apiLogSchema = z.strictObject({
  kata: z.literal('api-usage-log', expect('"api-usage-log"')),
  seed: seed.default(DEFAULT_SEED),
  cluster: clusterSchema.default({}),
  requests: int(1, MAX_REQUESTS).default(9_000).describe('API requests served (and logged)'),
  ratePerSec: num(1, 100_000).default(300).describe('Requests per second over all instances'),
  users: int(1, 1_000_000).default(500).describe('Distinct users'),
  theta: num(0.01, 0.999, 'a zipfian skew: a number from 0.01 to 0.999')
    .default(0.99)
    .describe('Skew of requests over users (zipfian)'),
  instances: int(1, 1000).default(4).describe('Server instances, each logging what it serves'),
  maxAttempts: int(1, 10)
    .default(3)
    .describe('Attempts per log write: a timed-out or unavailable write is retried'),
  retryBackoff: duration.default('200ms').describe('Wait before a retry, times the attempt'),
  faults: z
    .array(faultSpec, expect('a list of fault specs'))
    .default([...DEFAULT_FAULTS])
    .describe('Faults on the virtual clock, as --fault takes them'),
  readCl: level.default('QUORUM').describe('The level every partition is read back at'),
  repair: z
    .boolean(expect('true or false'))
    .default(false)
    .describe('Repair every node that crashed before reading back'),
  designs: z
    .array(designSchema, expect('a list of designs'))
    .min(1, expect('at least one design'))
    .max(12, expect('at most 12 designs'))
    .default(designsOf()),
});

export type ApiLogExperiment = z.infer<typeof apiLogSchema>;

const DEFAULT_NODES = 6;

/** Virtual ms the requests span. */
export function spanMsOf(experiment: ApiLogExperiment): number {
  return Math.max(1, Math.ceil((experiment.requests * 1000) / experiment.ratePerSec));
}

function resolveApiLog(experiment: ApiLogExperiment): ApiLogExperiment {
  const cluster = resolveKataCluster(experiment.cluster, DEFAULT_NODES);
  const nodes = topologyOf(clusterConfigOf(cluster, experiment.seed)).map((node) => node.id);
  const endMs = spanMsOf(experiment);
  const context = {
    nodes,
    endMs,
    describeEnd: `${formatDuration(endMs)}: ${experiment.requests.toLocaleString('en-US')} requests at ${experiment.ratePerSec.toLocaleString('en-US')}/s`,
  };
  experiment.faults.forEach((spec, i) =>
    atPath(`faults[${i}]`, () => parseFault(spec, context), { fault: '' }),
  );
  atPath('faults', () => parseFaults(experiment.faults, context), { fault: '' });
  atPath('retryBackoff', () => parseDuration('retryBackoff', experiment.retryBackoff), {
    retryBackoff: '',
  });
  checkDesignNames(experiment.designs);
  const resolved: ApiLogExperiment = { ...experiment, cluster };
  const estimate = estimateApiLog(resolved);
  if (estimate.seconds > MAX_SECONDS) {
    throw new ExperimentError(
      'requests',
      `${experiment.requests.toLocaleString('en-US')} would take about ${aboutDuration(estimate.seconds)} (${estimate.describe}), over the ${aboutDuration(MAX_SECONDS)} a kata may take; lower requests or the designs`,
    );
  }
  return resolved;
}

const flags: readonly KataFlag[] = [
  { flags: '--events <n>', description: 'API requests served and logged', path: 'requests' },
  { flags: '--rate <n>', description: 'requests per second', path: 'ratePerSec' },
  { flags: '--users <n>', description: 'distinct users', path: 'users' },
  { flags: '--instances <n>', description: 'server instances logging', path: 'instances' },
  { flags: '--max-attempts <n>', description: 'attempts per log write', path: 'maxAttempts' },
  {
    flags: '--fault <spec>',
    description: 'a fault (replaces the default crash and recovery), e.g. crash:n3@5s',
    path: 'faults',
    parse: (text) => text,
    repeatable: true,
  },
  {
    flags: '--read-cl <level>',
    description: 'level of the read-back',
    path: 'readCl',
    parse: (text) => text.toUpperCase(),
  },
];

export const apiUsageLogKata = defineKata<ApiLogExperiment>({
  name: 'api-usage-log',
  summary: 'API request logs through a node failure: lost, duplicated, out-of-order entries',
  title: API_LOG_TITLE,
  question: API_LOG_QUESTION,
  schema: apiLogSchema,
  flags,
  resolve: resolveApiLog,
  run: (experiment, options) => runApiLog(experiment, options),
});
