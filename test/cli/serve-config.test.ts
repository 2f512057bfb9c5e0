/**
 * `ringlab serve --config FILE` and `--export`: the settings as a document, checked by zod,
 * merged under the flags and resolved by the resolver the flags use.
 */
import { describe, expect, it } from 'vitest';

import { inputOfFile, parseServeFile } from '../../bench/serve/config-file.js';
import { call, closedAfterEach, entry } from '../serve/helpers.js';
import { runCli, runCliIn } from '../helpers/run-cli.js';

const start = closedAfterEach();

const FILE = `# a log service that keeps INFO and up, and masks card numbers
cluster:
  nodes: 5
  rf: 3
seed: 9
strategy: server-id
filters:
  minLevel: INFO
  denyServices: [noisy]
  mask: ['\\d{16}']
`;

describe('ringlab serve --config', () => {
  it('exports what it resolved, and takes its own export back unchanged', async () => {
    const fromFile = await runCliIn(
      { files: { 'serve.yaml': FILE } },
      'serve',
      '--config',
      'serve.yaml',
      '--export',
      'yaml',
    );
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^ {2}nodes: 5$/m);
    expect(fromFile.stdout).toMatch(/^strategy: server-id$/m);
    const again = await runCliIn(
      { files: { 'again.yaml': fromFile.stdout } },
      'serve',
      '--config',
      'again.yaml',
      '--export',
      'yaml',
    );
    expect(again.stdout).toBe(fromFile.stdout);
    // The same settings as flags give the same document.
    const flags = await runCli(
      ...['serve', '--nodes', '5', '--rf', '3', '--seed', '9', '--strategy', 'server-id'],
      ...['--min-level', 'INFO', '--deny-services', 'noisy', '--mask', '\\d{16}'],
      ...['--export', 'yaml'],
    );
    expect(flags.stdout).toBe(fromFile.stdout);
  });

  it('lets a flag win over the file', async () => {
    const run = await runCliIn(
      { files: { 'serve.yaml': FILE } },
      ...['serve', '--config', 'serve.yaml', '--nodes', '7', '--min-level', 'WARN'],
      ...['--export', 'json'],
    );
    const document = JSON.parse(run.stdout) as {
      cluster: { nodes: number };
      filters: { minLevel: string; denyServices: string[] };
    };
    expect(document.cluster.nodes).toBe(7);
    expect(document.filters).toMatchObject({ minLevel: 'WARN', denyServices: ['noisy'] });
  });

  it.each([
    [
      'filters:\n  serviceRate: -3\n',
      [],
      'error: s.yaml: filters.serviceRate: expected entries per second per service, 0 (no limit) to 1000000, got -3',
    ],
    [
      'cluster:\n  rf: 9\n',
      [],
      'error: s.yaml: cluster.rf: must be at most the number of nodes (6), got 9',
    ],
    [
      'cluster:\n  rf: 9\n',
      ['--nodes', '12', '--rf', '13'],
      'error: --rf must be at most the number of nodes (12), got 13',
    ],
    [
      'filter:\n  minLevel: INFO\n',
      [],
      'error: s.yaml: unknown field "filter"; check the spelling against the schema (ringlab schema --serve)',
    ],
    [
      'filters:\n  allowServices: [a]\n  denyServices: [a]\n',
      [],
      'error: s.yaml: filters.denyServices: names "a", which --allow-services also names',
    ],
    [
      '',
      [],
      'error: s.yaml is empty; a settings file is a JSON or YAML object (ringlab serve --export yaml prints a whole one)',
    ],
    ['42\n', [], 'error: s.yaml: expected object, got 42'],
    ['strategy: [1\n', [], /^error: s\.yaml is not valid YAML at line \d+, column \d+: /],
  ] as const)(
    'refuses %j naming the file and the path, or the flag',
    async (text, args, message) => {
      const run = await runCliIn(
        { files: { 's.yaml': text } },
        'serve',
        '--config',
        's.yaml',
        ...args,
      );
      expect(run.code).toBe(2);
      const first = run.stderr.split('\n')[0]!;
      if (typeof message === 'string') expect(first).toBe(message);
      else expect(first).toMatch(message);
    },
  );

  it('runs the filters the file asks for', async () => {
    const file = parseServeFile(FILE, 'serve.yaml');
    const { url } = await start(inputOfFile(file));
    const debug = await call(url, 'POST', '/api/v1/logs', entry({ level: 'DEBUG' }));
    expect(debug.status).toBe(200);
    expect(debug.body['dropped']).toMatch(/below the threshold INFO/);
    expect((await call(url, 'POST', '/api/v1/logs', entry({ service_name: 'noisy' }))).status).toBe(
      200,
    );
    const stored = await call(
      url,
      'POST',
      '/api/v1/logs',
      entry({ message: 'card 4111111111111111 ok' }),
    );
    expect(stored.status).toBe(201);
    const read = await call(url, 'GET', `/api/v1/logs/${String(stored.body['log_id'])}`);
    expect((read.body['log'] as { message: string }).message).toBe('card *** ok');
    const view = (await call(url, 'GET', '/api/v1/cluster')).body;
    expect(view).toMatchObject({ strategy: 'server-id', seed: 9 });
    expect((view['nodes'] as unknown[]).length).toBe(5);
  });
});
