import { describe, expect, it } from 'vitest';

import { runCli, runCliIn } from '../helpers/run-cli.js';

const SMALL = ['--events', '800', '--servers', '100', '--rate', '2000', '--read-rate', '40'];

describe('ringlab kata', () => {
  it('lists the katas, one line each', async () => {
    const { code, stdout } = await runCli('kata', 'list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^kata\s+what it compares/);
    expect(stdout).toMatch(/\nlogsentry\s+server-log store/);
  });

  it('prints the designs side by side, then the findings', async () => {
    const { code, stdout, stderr } = await runCli('kata', 'logsentry', ...SMALL);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^logsentry: where should a server-log store put its rows\?\n/);
    expect(stdout).toMatch(/\nmetric\s+hash-event-id \+ local\s+hash-event-id \+ global/);
    expect(stdout).toMatch(/\nfindings\n {2}1\. /);
  });

  it('exports an experiment that ringlab run turns into the same JSON', async () => {
    for (const format of ['json', 'yaml']) {
      const exported = await runCli('kata', 'logsentry', ...SMALL, '--export', format);
      expect(exported.code).toBe(0);
      const file = `experiment.${format}`;
      const viaRun = await runCliIn({ files: { [file]: exported.stdout } }, 'run', file, '--json');
      const viaKata = await runCli('kata', 'logsentry', ...SMALL, '--json');
      expect(viaRun.code).toBe(0);
      expect(viaRun.stdout).toBe(viaKata.stdout);
    }
  });

  it('lets --seed override the file on both', async () => {
    const exported = await runCli('kata', 'logsentry', ...SMALL, '--export', 'json');
    const files = { 'e.json': exported.stdout };
    const viaRun = await runCliIn({ files }, 'run', 'e.json', '--seed', '9', '--json');
    const viaKata = await runCli('kata', 'logsentry', ...SMALL, '--seed', '9', '--json');
    expect(JSON.parse(viaRun.stdout).seed).toBe(9);
    expect(viaRun.stdout).toBe(viaKata.stdout);
  });

  it('names the flag when a flag set the field, exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--events', '0'], /^error: --events expected an integer from 1 to 100,000,000, got 0\n/],
      [['--rf', '40'], /^error: --rf must be at most the number of nodes \(12\), got 40\n/],
      [
        ['--read-mix', 'by-server'],
        /^error: --read-mix "by-server": "by-server" should be kind:weight/,
      ],
      [['--fault', 'meteor'], /^error: --fault "meteor" is not a failure mode/],
      [['--events', 'x'], /^error: --events expects a decimal number/],
      [['--workers', '2'], /^error: --workers applies only with --sweep/],
    ];
    for (const [flags, message] of cases) {
      const { code, stdout, stderr } = await runCli('kata', 'logsentry', ...flags);
      expect([code, stdout]).toEqual([2, '']);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('writes CSV tables and an HTML report after printing', async () => {
    const { code, written, stdout } = await runCli(
      'kata',
      'logsentry',
      ...SMALL,
      '--csv',
      'out',
      '--report',
      'r.html',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/findings/);
    expect(Object.keys(written).sort()).toEqual([
      'out/designs.csv',
      'out/findings.csv',
      'out/nodes.csv',
      'r.html',
    ]);
    expect(written['out/designs.csv']).toMatch(/^design,write p99,/);
    expect(written['r.html']).toMatch(/^<!doctype html>/i);
    expect(written['r.html']).toContain('data-chart="node-writes"');
  });

  it('refuses an output it could not write before running anything, exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--report', 'nodir/r.html'],
        /^error: --report nodir\/r\.html: the directory nodir does not exist/,
      ],
      [
        ['--report', 'out'],
        /^error: --report out is a directory; give a file name, such as out\/report\.html/,
      ],
      [['--report', ''], /^error: --report needs a file name/],
      [['--csv', 'e.json'], /^error: --csv e\.json is a file; give a directory/],
      [
        ['--export', 'json', '--json'],
        /^error: --export prints the experiment instead of running it, so --json would do nothing/,
      ],
    ];
    for (const [flags, message] of cases) {
      const { code, stdout, stderr } = await runCliIn(
        { files: { 'e.json': '{}' }, directories: ['out'] },
        'kata',
        'logsentry',
        ...SMALL,
        ...flags,
      );
      expect([code, stdout]).toEqual([2, '']);
      expect(stderr).toMatch(message);
    }
  });

  it('refuses a field both swept and set by a flag, and a sweep too long, with its estimate', async () => {
    const both = await runCli('kata', 'logsentry', '--nodes', '6', '--sweep', 'nodes=6,12');
    expect([both.code, both.stdout]).toEqual([2, '']);
    expect(both.stderr).toMatch(
      /^error: --sweep nodes=6,12 and --nodes both set cluster\.nodes; drop one of the two\n/,
    );
    const seeds = Array.from({ length: 80 }, (_, i) => i + 1).join(',');
    const long = await runCli(
      'kata',
      'logsentry',
      '--events',
      '50000',
      '--sweep',
      `seed=${seeds}`,
      '--workers',
      '1',
    );
    expect([long.code, long.stdout]).toEqual([2, '']);
    expect(long.stderr).toMatch(
      /^error: --sweep: 80 points would take about .+ in all \(.+ on 1 worker\), over the 60 min a sweep may take/,
    );
  });

  it('keeps what it printed when a file cannot be written, exit code 2', async () => {
    const { code, stdout, stderr } = await runCliIn(
      { unwritable: ['locked'], directories: ['locked'] },
      'kata',
      'logsentry',
      ...SMALL,
      '--report',
      'locked/r.html',
    );
    expect(code).toBe(2);
    expect(stdout).toMatch(/findings/);
    expect(stderr).toBe('error: cannot write locked/r.html: permission denied\n');
  });
});

describe('ringlab run', () => {
  const bad: [string, string, RegExp][] = [
    ['missing.json', '', /^error: cannot read missing\.json: no such file\n$/],
    ['empty.yaml', '  \n', /^error: empty\.yaml is empty; an experiment needs at least/],
    ['binary.json', 'a\u0000b', /^error: binary\.json is not text/],
    ['broken.json', '{"kata": ', /^error: broken\.json is not valid JSON/],
    [
      'broken.yaml',
      'kata: logsentry\n  seed: [1\n',
      /^error: broken\.yaml is not valid YAML at line \d+/,
    ],
    [
      'list.yaml',
      '- 1\n- 2\n',
      /^error: list\.yaml: an experiment is an object with a "kata" field/,
    ],
    [
      'typo.yaml',
      'kata: logsentry\nworklaod: {}\n',
      /^error: typo\.yaml: unknown field "worklaod"/,
    ],
    [
      'salt.yaml',
      'kata: logsentry\ndesigns:\n  - {name: a, strategy: server-salted, salt: -3, index: local}\n',
      /^error: salt\.yaml: designs\[0\]\.salt: expected a positive integer or "adaptive", got -3\n$/,
    ],
  ];
  it.each(bad)(
    'refuses %s with a message naming what is wrong, exit code 2',
    async (file, text, message) => {
      const files = file === 'missing.json' ? {} : { [file]: text };
      const { code, stdout, stderr } = await runCliIn({ files }, 'run', file);
      expect([code, stdout]).toEqual([2, '']);
      expect(stderr).toMatch(message);
    },
  );

  it('reads an experiment from stdin with -', async () => {
    const { code, stdout } = await runCliIn(
      {
        stdin: JSON.stringify({
          kata: 'logsentry',
          workload: { events: 1_000, servers: 50 },
          reads: { rate: 20, scans: 0 },
        }),
      },
      'run',
      '-',
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).experiment.workload.events).toBe(1_000);
  });
});
