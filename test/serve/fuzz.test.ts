/**
 * Malformed requests against the real server: bad JSON, wrong types, huge fields, bad UTF-8,
 * wrong content types, unknown routes and methods, bad query values, broken HTTP. Every one must
 * get a 4xx with a JSON error body (never a 500, never a dropped connection), and the server
 * must keep serving. The cases are drawn by fast-check from a fixed seed, so a failure repeats.
 */
import { connect } from 'node:net';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { call, entry, startServer, type Running } from './helpers.js';

interface Case {
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string | Uint8Array;
  readonly contentType?: string;
}

const SEED = 20261202;
const sample = <T>(arbitrary: fc.Arbitrary<T>, count: number, seed: number): T[] =>
  fc.sample(arbitrary, { numRuns: count, seed });

const fields = ['level', 'service_name', 'message', 'metadata', 'correlation_id', 'timestamp'];
const wrongValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.double(),
  fc.constant(''),
);

function cases(): Case[] {
  const list: Case[] = [];
  const post = (what: string, body: string | Uint8Array, path = '/api/v1/logs'): Case => ({
    what,
    method: 'POST',
    path,
    body,
    contentType: 'application/json',
  });
  // Not JSON at all, or JSON that is not an object.
  for (const text of sample(fc.string({ minLength: 1, maxLength: 40 }), 120, SEED)) {
    let json = true;
    try {
      JSON.parse(text);
    } catch {
      json = false;
    }
    if (!json) list.push(post('bad JSON', text));
  }
  for (const value of sample(
    fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer())),
    30,
    SEED + 1,
  )) {
    list.push(post('JSON that is not an object', JSON.stringify(value)));
  }
  list.push(post('truncated JSON', JSON.stringify(entry()).slice(0, 20)));
  list.push(post('empty body', ''));
  // Each field of the wrong type or shape.
  for (const [field, value] of sample(
    fc.tuple(fc.constantFrom(...fields), wrongValue),
    120,
    SEED + 2,
  )) {
    list.push(
      post(`${field} = ${JSON.stringify(value)}`, JSON.stringify(entry({ [field]: value }))),
    );
  }
  for (const level of sample(
    fc.string({ maxLength: 8 }).map((text) => `info${text}`),
    30,
    SEED + 8,
  )) {
    list.push(post(`level ${level}`, JSON.stringify(entry({ level }))));
  }
  for (const name of sample(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !fields.includes(k)),
    20,
    SEED + 3,
  )) {
    list.push(post(`unknown field ${name}`, JSON.stringify(entry({ [name]: 1 }))));
  }
  // Huge fields: over the field's limit (400) or over the body limit (413).
  for (const field of ['service_name', 'message', 'correlation_id', 'timestamp']) {
    list.push(post(`long ${field}`, JSON.stringify(entry({ [field]: 'a'.repeat(20_000) }))));
    list.push(post(`huge ${field}`, JSON.stringify(entry({ [field]: 'a'.repeat(200_000) }))));
  }
  list.push(
    post(
      'huge batch',
      JSON.stringify({
        logs: Array.from({ length: 3000 }, () => entry({ message: 'x'.repeat(2000) })),
      }),
      '/api/v1/logs/batch',
    ),
  );
  list.push(
    post(
      'metadata of many keys',
      JSON.stringify(
        entry({
          metadata: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])),
        }),
      ),
    ),
  );
  // Bytes that are not UTF-8 inside otherwise good JSON.
  for (const bytes of sample(
    fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => 0x80 | (x & 0x3f))),
    40,
    SEED + 4,
  )) {
    const prefix = Buffer.from('{"level":"INFO","service_name":"a","message":"');
    const suffix = Buffer.from('"}');
    list.push(post('bad UTF-8', Buffer.concat([prefix, Buffer.from([0xc0, ...bytes]), suffix])));
  }
  // Wrong content types.
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'multipart/form-data; boundary=x',
  ]) {
    list.push({
      what: `content type ${type}`,
      method: 'POST',
      path: '/api/v1/logs',
      body: 'level=INFO',
      contentType: type,
    });
  }
  // Unknown routes and methods.
  for (const segment of sample(fc.stringMatching(/^[a-z0-9._~-]{1,12}$/), 60, SEED + 5)) {
    list.push({ what: 'unknown route', method: 'GET', path: `/api/v1/${segment}/x` });
  }
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    list.push({
      what: `${method} logs`,
      method,
      path: '/api/v1/logs',
      body: '{}',
      contentType: 'application/json',
    });
  }
  list.push({ what: 'crash with GET', method: 'GET', path: '/api/v1/cluster/nodes/n1/crash' });
  list.push({ what: 'unknown node', method: 'POST', path: '/api/v1/cluster/nodes/zz/crash' });
  list.push(post('slow without factor', '{}', '/api/v1/cluster/nodes/n1/slow'));
  list.push(post('slow factor text', '{"factor":"ten"}', '/api/v1/cluster/nodes/n1/slow'));
  // Bad query values and ids.
  const queries = fc.oneof(
    fc
      .constantFrom('limit', 'cursor', 'level', 'min_level', 'start_time', 'end_time')
      .chain((name) =>
        fc
          .stringMatching(/^[a-zA-Z%:!-]{1,10}$/)
          .map((value) => `${name}=${encodeURIComponent(value)}x`),
      ),
    fc.integer({ min: 1001, max: 1e9 }).map((n) => `limit=${n}`),
    fc.integer({ min: -1e9, max: 0 }).map((n) => `limit=${n}`),
    fc.stringMatching(/^[a-z]{3,8}$/).map((name) => `${name}_x=1`),
  );
  for (const query of sample(queries, 80, SEED + 6)) {
    list.push({ what: `query ${query}`, method: 'GET', path: `/api/v1/logs?${query}` });
  }
  for (const id of sample(
    fc.oneof(
      fc.stringMatching(/^[0-9]{1,18}$/),
      fc.stringMatching(/^[0-9]{20,25}$/),
      fc.stringMatching(/^[a-z]{1,10}$/),
    ),
    40,
    SEED + 7,
  )) {
    list.push({ what: `id ${id}`, method: 'GET', path: `/api/v1/logs/${id}` });
  }
  list.push({ what: 'id at 2^63', method: 'GET', path: '/api/v1/logs/9223372036854775808' });
  list.push({ what: 'bad percent-encoding', method: 'GET', path: '/api/v1/logs?level=%E0%A4%A' });
  return list;
}

let server: Running;
beforeAll(async () => {
  server = await startServer({ nodes: 3 });
});
afterAll(async () => {
  await server.close();
});

describe('malformed requests', () => {
  it('get a 4xx with a JSON error body, never a 500 or a dropped connection', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(500);
    const failures: string[] = [];
    for (let i = 0; i < all.length; i += 16) {
      await Promise.all(
        all.slice(i, i + 16).map(async (c) => {
          let response: Response;
          try {
            response = await fetch(`${server.url}${c.path}`, {
              method: c.method,
              ...(c.body === undefined ? {} : { body: c.body }),
              ...(c.contentType === undefined
                ? {}
                : { headers: { 'content-type': c.contentType } }),
            });
          } catch (error) {
            failures.push(`${c.what}: connection failed (${(error as Error).message})`);
            return;
          }
          const text = await response.text();
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          const ok =
            response.status >= 400 &&
            response.status < 500 &&
            typeof (body as { error?: unknown } | undefined)?.error === 'string';
          if (!ok) failures.push(`${c.what}: ${response.status} ${text.slice(0, 120)}`);
        }),
      );
    }
    expect(failures).toEqual([]);
    // Still serving.
    const after = await call(server.url, 'POST', '/api/v1/logs', entry());
    expect(after.status).toBe(201);
  });

  it('answers broken HTTP with a 400 and keeps serving', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(server.url);
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    for (const request of [
      'GARBAGE\r\n\r\n',
      'GET /api/v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /api/v1/logs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
    ]) {
      const answer = await raw(request);
      expect(answer, request).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer.slice(answer.indexOf('\r\n\r\n') + 4), request).toMatch(/"error"/);
    }
    expect((await call(server.url, 'GET', '/api/v1/cluster')).status).toBe(200);
  });
});
