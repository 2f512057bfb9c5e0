/**
 * `npm run bench:serve`: autocannon against `ringlab serve` on loopback, bounded in time, JSON
 * on stdout. The server runs in a child process (its own core on a 2-core machine), started
 * from the built CLI with the defaults (6 nodes, rf 3, QUORUM, no journal, wall time: each
 * answer waits for its simulated write, about 1.2 ms at the median). Two runs of
 * `POST /api/v1/logs` from 64 connections (a fleet of shippers, each with one request in
 * flight, as HTTP/1.1 without pipelining allows):
 *
 * - `target`: offered at a fixed 10,000 requests/s for 10 s; the target is met with 0 errors,
 *   0 non-2xx answers and a p99 under 20 ms.
 * - `max`: as fast as the connections can go, for 10 s: the sustained maximum.
 *
 * Not a unit test: figures depend on the machine and what else runs on it.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import autocannon, { type Result } from 'autocannon';

const BIN = fileURLToPath(new URL('../../../bin/ringlab.js', import.meta.url));
const TARGET_RATE = 10_000;
const CONNECTIONS = 64;
const DURATION_S = 10;
const P99_BUDGET_MS = 20;

const body = JSON.stringify({
  level: 'INFO',
  service_name: 'checkout',
  message: 'order 1234 placed by customer 42 in 118 ms',
  metadata: { region: 'eu-west-1', build: '2026.12.1' },
  correlation_id: 'req-0001',
});

/**
 * The floor: a bare fastify app answering the same POST with a fixed id, no validation, no
 * simulation, in a child process like the real server, so that the ratio says what ringlab's
 * own work costs on this machine at this moment.
 */
const BARE = `
import Fastify from 'fastify';
const app = Fastify();
app.post('/api/v1/logs', async (request, reply) => reply.code(201).send({ log_id: '2127992794508165120' }));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write('listening on ' + url + '\\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

function startServer(
  args: readonly string[] = [BIN, 'serve', '--port', '0'],
): Promise<{ url: string; stop(): Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.on('error', reject);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url === undefined) return;
      resolve({
        url,
        stop: () =>
          new Promise((done) => {
            child.on('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

function summary(result: Result) {
  return {
    seconds: result.duration,
    requests: result.requests.total,
    ratePerSec: Math.round(result.requests.total / result.duration),
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}

const server = await startServer();
const run = (options: { connections: number; overallRate?: number }, url = server.url) =>
  autocannon({
    url: `${url}/api/v1/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duration: DURATION_S,
    timeout: 5,
    ...options,
  });
// A warm-up at full speed, so that the JIT has compiled the write path before anything is
// measured (the first seconds run at about two thirds of the speed).
await autocannon({
  url: `${server.url}/api/v1/logs`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
  duration: 4,
  connections: CONNECTIONS,
});
const target = summary(await run({ connections: CONNECTIONS, overallRate: TARGET_RATE }));
const max = summary(await run({ connections: CONNECTIONS }));
const exit = await server.stop();
const bare = await startServer(['--input-type=module', '-e', BARE]);
await run({ connections: CONNECTIONS }, bare.url);
const floor = summary(await run({ connections: CONNECTIONS }, bare.url));
await bare.stop();
const met =
  target.errors === 0 &&
  target.non2xx === 0 &&
  target.timeouts === 0 &&
  target.latencyMs.p99 < P99_BUDGET_MS &&
  target.ratePerSec >= TARGET_RATE * 0.98;
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: 'ringlab serve: POST /api/v1/logs on loopback',
      server: '6 nodes, rf 3, server-day, QUORUM, no journal, wall time; a child process',
      connections: CONNECTIONS,
      node: process.version,
      target: {
        offeredPerSec: TARGET_RATE,
        required: `0 errors, p99 < ${P99_BUDGET_MS} ms for ${DURATION_S} s`,
        met,
        ...target,
      },
      max,
      bareFastify: {
        ...floor,
        what: 'the same POST on a bare fastify app: the floor of this stack here',
      },
      maxOverBare: Number((max.ratePerSec / floor.ratePerSec).toFixed(3)),
      serverExit: exit,
    },
    null,
    2,
  )}\n`,
);
