import { Option, type Command } from 'commander';

import { stringify as toYaml } from 'yaml';

import { createServer } from '../../bench/serve/app.js';
import { fileOfConfig, parseServeFile, resolveWithFile } from '../../bench/serve/config-file.js';
import {
  LOG_LEVELS,
  replicationModes,
  resolveServeConfig,
  SERVE_DEFAULTS,
  serveStrategies,
  defaultMaxStoredMib,
  timeModes,
  type ServeConfig,
  type ServeOptionsInput,
} from '../../bench/serve/config.js';
import { consistencyLevels } from '../../engine/consistency.js';
import { invalidConfig, isRinglabError, RinglabError } from '../../engine/errors.js';
import type { Io } from '../io.js';
import { toJson } from '../render.js';
import { readExperiment } from './kata.js';
import {
  addClusterOptions,
  addExamples,
  choiceOption,
  clusterInput,
  integerOption,
  numberOption,
  textOption,
  type ClusterFlags,
} from '../options.js';

interface ServeFlags extends ClusterFlags {
  config?: string;
  export?: string;
  host?: string;
  port?: number;
  strategy?: string;
  salt?: string;
  replicationMode?: string;
  cl?: string;
  dataDir?: string;
  time?: string;
  maxStoredMib?: number;
  minLevel?: string;
  allowServices?: string;
  denyServices?: string;
  serviceRate?: number;
  mask?: string[];
}

const list = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : text.split(',').map((name) => name.trim());

export function serveInput(flags: ServeFlags): ServeOptionsInput {
  return {
    ...clusterInput(flags),
    host: flags.host,
    port: flags.port,
    strategy: flags.strategy,
    salt: flags.salt,
    replicationMode: flags.replicationMode,
    cl: flags.cl,
    dataDir: flags.dataDir,
    time: flags.time,
    maxStoredMib: flags.maxStoredMib,
    minLevel: flags.minLevel,
    allowServices: list(flags.allowServices),
    denyServices: list(flags.denyServices),
    serviceRate: flags.serviceRate,
    mask: flags.mask,
  };
}

/** A refusal naming the flag for a system error (a path or an address the OS refused). */
function systemError(error: NodeJS.ErrnoException, field: string, what: string): Error {
  if (error.code === undefined || isRinglabError(error)) return error;
  // A directory that is a file, or lies under one: say so, rather than the system's words.
  if (error.code === 'EEXIST' || error.code === 'ENOTDIR') {
    return new RinglabError(
      'INVALID_CONFIG',
      `${what} is, or lies under, a file, not a directory; give a directory (it is created when missing)`,
      field,
    );
  }
  const reason = error.message.replace(/^[A-Z]+: /, '');
  return new RinglabError('INVALID_CONFIG', `${what}: ${error.code} (${reason})`, field);
}

/** Resolves when the process is told to stop (SIGTERM or SIGINT). */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export function registerServe(program: Command, io: Io): void {
  const command = addClusterOptions(
    program
      .command('serve')
      .description(
        'serve a log API (ingest, query, fault injection, metrics, a live dashboard) on one simulated cluster',
      )
      .addOption(
        textOption(
          '--host <address>',
          `address to listen on (default: ${SERVE_DEFAULTS.host}, loopback)`,
        ),
      )
      .addOption(
        integerOption(
          '--port <n>',
          `port, 0-65535; 0 picks a free one (default: ${SERVE_DEFAULTS.port})`,
        ),
      )
      .addOption(
        choiceOption(
          '--strategy <name>',
          `key strategy of the log table (default: ${SERVE_DEFAULTS.strategy})`,
          serveStrategies,
        ),
      )
      .addOption(
        textOption(
          '--salt <n|adaptive>',
          'salts per service for server-salted, 1-65536 or adaptive (default: adaptive)',
        ),
      )
      .addOption(
        choiceOption(
          '--replication-mode <mode>',
          `leaderless quorums, or asynchronous leader-follower (default: ${SERVE_DEFAULTS.replicationMode})`,
          replicationModes,
        ),
      )
      .addOption(
        choiceOption(
          '--cl <level>',
          `consistency level of writes and reads, quorum mode (default: ${SERVE_DEFAULTS.cl})`,
          [...consistencyLevels],
        ),
      )
      .addOption(
        textOption(
          '--data-dir <dir>',
          'keep accepted logs in an append-only journal there, replayed on start (default: none, memory only)',
        ),
      )
      .addOption(
        choiceOption(
          '--time <mode>',
          "wall: the simulation keeps the wall clock's pace, a request waits its simulated latency; stepped: each request settles at once, so the same requests replay to the same answers (default: wall)",
          timeModes,
        ),
      )
      .addOption(
        integerOption(
          '--max-stored-mib <n>',
          `memory the stored logs may take, MiB, 1 to four fifths of what this machine lets a run use (about 450 bytes a log plus its text); past it a write is refused with a 507 (default: ${defaultMaxStoredMib()}, half of it)`,
        ),
      )
      .addOption(
        choiceOption('--min-level <level>', 'drop entries below this level (default: DEBUG)', [
          ...LOG_LEVELS,
        ]),
      )
      .addOption(
        textOption('--allow-services <a,b>', 'store only these services (default: every service)'),
      )
      .addOption(textOption('--deny-services <a,b>', 'drop these services (default: none)'))
      .addOption(
        numberOption(
          '--service-rate <r>',
          'entries per second each service may send, 0-1000000; over it a 429 (default: 0, no limit)',
        ),
      )
      .addOption(
        new Option(
          '--mask <regex>',
          'mask matches of this pattern in messages with ***; repeat for more',
        ).argParser((text: string, previous: string[] | undefined) => [...(previous ?? []), text]),
      )
      .addOption(
        textOption(
          '--config <file>',
          'settings from a JSON or YAML file (the fields of --export); flags given beside it win',
        ),
      )
      .addOption(
        choiceOption(
          '--export <format>',
          'print the resolved settings as a --config file, json or yaml, and exit',
          ['json', 'yaml'],
        ),
      ),
  ).action(async (flags: ServeFlags) => {
    const input = serveInput(flags);
    let config: ServeConfig;
    if (flags.config === undefined) config = resolveServeConfig(input);
    else {
      const text = await readExperiment(io, flags.config);
      const name = flags.config === '-' ? 'stdin' : flags.config;
      config = resolveWithFile(input, parseServeFile(text, name), name);
    }
    if (flags.export !== undefined) {
      const file = fileOfConfig(config);
      io.out(flags.export === 'yaml' ? toYaml(file) : toJson(file));
      return;
    }
    const app = await createServer({ config }).catch((error: NodeJS.ErrnoException) => {
      throw systemError(error, 'dataDir', `dataDir ${config.dataDir ?? ''}`);
    });
    const address = await app
      .listen({ host: config.host, port: config.port })
      .catch(async (error: NodeJS.ErrnoException) => {
        await app.close();
        throw error.code === 'EADDRINUSE'
          ? invalidConfig(
              'port',
              `${config.port} is in use on ${config.host}; pick another, or 0 for any free port`,
            )
          : systemError(error, 'host', `host ${config.host}:${config.port}`);
      });
    const restored = app.store.stats.restored;
    // fastify names the first address it finds (loopback, for 0.0.0.0): say what was asked for.
    const loopback = ['127.0.0.1', 'localhost', '::1'].includes(config.host);
    if (!loopback) {
      io.err(
        `ringlab serve: warning: listening on ${config.host}, not loopback only: anyone who can reach this machine can send to it\n`,
      );
    }
    io.out(
      `ringlab serve: listening on ${address} (dashboard ${address}/, API ${address}/api/v1, OpenAPI ${address}/api/v1/openapi.json)\n` +
        `${config.cluster.nodes} nodes · rf ${config.cluster.rf} · ${config.strategy} · ${config.replicationMode === 'quorum' ? config.cl : 'leader-follower'} · seed ${config.cluster.seed}` +
        ` · up to ${Math.floor(config.maxStoredBytes / 2 ** 20)} MiB of logs` +
        (config.dataDir === undefined
          ? ''
          : ` · ${restored} logs restored from ${config.dataDir}`) +
        '\n',
    );
    const signal = await stopSignal();
    io.err(`ringlab serve: ${signal}, finishing requests in flight\n`);
    await app.close();
  });
  addExamples(command, [
    ['ringlab serve', 'the log API on 127.0.0.1:8080, 6 nodes, rf 3, QUORUM'],
    [
      'ringlab serve --port 0 --data-dir ./logs --nodes 12',
      'any free port, logs kept across restarts',
    ],
    [
      'ringlab serve --min-level INFO --service-rate 100 --mask "\\d{16}"',
      'ingest filters: level threshold, per-service rate limit, card numbers masked',
    ],
  ]);
}
