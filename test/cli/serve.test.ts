import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/run-cli.js';

describe('ringlab serve refuses bad flags before it listens', () => {
  it.each([
    [['--rf', '9'], 'error: --rf must be at most the number of nodes (6), got 9'],
    [
      ['--port', '70000'],
      'error: --port must be an integer between 0 and 65535 (0: any free port), got 70000',
    ],
    [
      ['--replication-mode', 'leader-follower', '--cl', 'ONE'],
      'error: --cl applies only with --replication-mode quorum: a leader acknowledges alone, and queries read one replica',
    ],
    [['--salt', '4'], 'error: --salt applies only with --strategy server-salted, not server-day'],
    [
      ['--strategy', 'server-salted', '--salt', '0'],
      'error: --salt must be a salt count between 1 and 65536, or "adaptive"; got "0"',
    ],
    [['--nodes', '1', '--cl', 'TWO'], 'error: --cl TWO needs 2 replicas, more than rf 1 holds'],
    [
      ['--mask', '('],
      'error: --mask must be a regular expression, got "(": Invalid regular expression: /(/g: Unterminated group',
    ],
    [
      ['--max-stored-mib', '0'],
      'error: --max-stored-mib must be a whole number of MiB, at least 1, got 0',
    ],
    [['--time', 'later'], 'error: --time "later" is unknown; expected one of wall, stepped'],
    [['--mask', 'a*'], 'error: --mask matches the empty string, so it would mask nothing: "a*"'],
    [
      ['--allow-services', 'a,b', '--deny-services', 'b'],
      'error: --deny-services names "b", which --allow-services also names',
    ],
    [
      ['--service-rate', '-1'],
      'error: --service-rate must be between 0 (no limit) and 1000000 entries/s, got -1',
    ],
  ])('serve %j', async (args, message) => {
    const run = await runCli('serve', ...args);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a port in use and a data directory it cannot write, naming the flag', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const { port } = busy.address() as AddressInfo;
    try {
      const run = await runCli('serve', '--port', String(port));
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        `error: --port ${port} is in use on 127.0.0.1; pick another, or 0 for any free port\n`,
      );
    } finally {
      busy.close();
    }
    const file = join(mkdtempSync(join(tmpdir(), 'ringlab-serve-')), 'a-file');
    writeFileSync(file, '');
    const run = await runCli('serve', '--port', '0', '--data-dir', join(file, 'logs'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^error: --data-dir .*a-file\/logs is, or lies under, a file, not a directory/,
    );
  });

  it('refuses a cluster for the same reason simulate does', async () => {
    const serve = await runCli('serve', '--dcs', '2', '--replication', 'simple');
    const simulate = await runCli('simulate', '--dcs', '2', '--replication', 'simple');
    expect(serve.code).toBe(2);
    expect(serve.stderr).toBe(simulate.stderr);
  });
});
