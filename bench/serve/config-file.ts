/**
 * `ringlab serve --config FILE`: the server's settings as a JSON or YAML document, so that a
 * filter chain (or a whole setup) can be kept, reviewed and reused. The document has the flags'
 * fields, grouped: `cluster` as experiment files have it, the filters under `filters`. It is
 * checked by zod before anything else (unknown fields are refused, each complaint naming its
 * path), then merged under the flags (a flag wins) and resolved by `resolveServeConfig`, the
 * same resolver the flags go through, so a file and a flag are refused for the same reasons.
 * A refusal names the flag when a flag gave the value, and the file's path otherwise.
 */
import { z } from 'zod';

import { isRinglabError } from '../../engine/errors.js';
import { parseExperimentText } from '../experiment/experiment.js';
import {
  atPath,
  CLUSTER_FIELD_PATHS,
  clusterSchema,
  expect,
  ExperimentError,
  int,
  isExperimentError,
  level,
  num,
  oneOfNames,
  parseWith,
  seed,
} from '../experiment/schema-kit.js';
import {
  LOG_LEVELS,
  replicationModes,
  resolveServeConfig,
  serveStrategies,
  timeModes,
  type ServeConfig,
  type ServeOptionsInput,
} from './config.js';

const names = z.array(z.string(expect('a service name')), expect('a list of service names'));

export const serveFileSchema = z
  .strictObject({
    cluster: clusterSchema.optional(),
    seed: seed.optional(),
    host: z.string(expect('a host name or an IP address')).optional(),
    port: int(0, 65_535, 'a port from 0 to 65535 (0: any free port)').optional(),
    strategy: oneOfNames(serveStrategies, 'a strategy').optional(),
    salt: z
      .union([z.literal('adaptive'), int(1, 65_536)], expect('1 to 65536 salts, or "adaptive"'))
      .optional(),
    replicationMode: oneOfNames(replicationModes, 'a replication mode').optional(),
    cl: level.optional(),
    dataDir: z.string(expect('a directory')).optional(),
    time: oneOfNames(timeModes, 'a time mode').optional(),
    maxStoredMib: int(1, 2 ** 30, 'a whole number of MiB, at least 1').optional(),
    filters: z
      .strictObject({
        minLevel: oneOfNames(LOG_LEVELS, 'a log level').optional(),
        allowServices: names.optional(),
        denyServices: names.optional(),
        serviceRate: num(
          0,
          1_000_000,
          'entries per second per service, 0 (no limit) to 1000000',
        ).optional(),
        mask: z
          .array(z.string(expect('a regular expression')), expect('a list of regular expressions'))
          .optional(),
      })
      .optional(),
  })
  .describe('ringlab serve settings; every field is optional and a flag given beside it wins.');

export type ServeFile = z.infer<typeof serveFileSchema>;

/** Where each field of `ServeOptionsInput` lives in the file. */
const FILE_PATHS: Readonly<Record<string, string>> = {
  ...CLUSTER_FIELD_PATHS,
  minLevel: 'filters.minLevel',
  allowServices: 'filters.allowServices',
  denyServices: 'filters.denyServices',
  serviceRate: 'filters.serviceRate',
  mask: 'filters.mask',
};

/** The file's settings as the flags' input. */
export function inputOfFile(file: ServeFile): ServeOptionsInput {
  const { cluster, filters, salt, ...rest } = file;
  return {
    ...cluster,
    ...rest,
    ...(salt === undefined ? {} : { salt: String(salt) }),
    ...filters,
  };
}

/** The JSON Schema of `--config` files, generated from the schema they are checked with. */
export function serveJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(serveFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'ringlab serve settings',
    description:
      'A settings file for `ringlab serve --config`. `ringlab serve --export yaml` prints a complete one.',
  };
}

/** The document, parsed and checked: refusals name `name` and the path. */
export function parseServeFile(text: string, name: string): ServeFile {
  if (text.trim() === '') {
    throw new ExperimentError(
      '',
      `${name} is empty; a settings file is a JSON or YAML object (ringlab serve --export yaml prints a whole one)`,
    );
  }
  try {
    return parseWith(serveFileSchema, parseExperimentText(text, name));
  } catch (error) {
    if (isExperimentError(error)) {
      const message = error.message.replace('(ringlab schema)', '(ringlab schema --serve)');
      throw new ExperimentError('', message.startsWith(name) ? message : `${name}: ${message}`);
    }
    throw error;
  }
}

/**
 * The flags over the file, resolved. A refusal of a value the flags gave stays the flags' (the
 * CLI names the flag); one of a value from the file names the file and the field's path.
 */
export function resolveWithFile(
  flags: ServeOptionsInput,
  file: ServeFile,
  name: string,
): ServeConfig {
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged: ServeOptionsInput = { ...inputOfFile(file), ...given };
  try {
    return resolveServeConfig(merged);
  } catch (error) {
    if (!isRinglabError(error) || error.field === undefined || error.field in given) throw error;
    try {
      atPath(
        '',
        () => {
          throw error;
        },
        FILE_PATHS,
      );
    } catch (addressed) {
      throw new ExperimentError('', `${name}: ${(addressed as Error).message}`);
    }
    throw error;
  }
}

/** The resolved settings as a document `--config` takes back: what `--export` prints. */
export function fileOfConfig(config: ServeConfig): ServeFile {
  const { cluster, filters } = config;
  return {
    cluster: {
      nodes: cluster.nodes,
      vnodes: cluster.vnodes,
      rf: cluster.rf,
      dcs: cluster.dcs,
      racks: cluster.racks,
      allocator: cluster.allocator,
      partitioner: cluster.partitioner,
      replication: cluster.replication,
    },
    seed: cluster.seed,
    host: config.host,
    port: config.port,
    strategy: config.strategy,
    ...(config.strategy === 'server-salted'
      ? { salt: config.salt.kind === 'fixed' ? config.salt.salts : ('adaptive' as const) }
      : {}),
    replicationMode: config.replicationMode,
    ...(config.replicationMode === 'quorum' ? { cl: config.cl } : {}),
    ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
    time: config.time,
    maxStoredMib: Math.floor(config.maxStoredBytes / 2 ** 20),
    filters: {
      minLevel: filters.minLevel,
      allowServices: [...filters.allowServices],
      denyServices: [...filters.denyServices],
      serviceRate: filters.serviceRate,
      mask: [...filters.mask],
    },
  };
}
