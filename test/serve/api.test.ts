/**
 * `ringlab serve` over real HTTP: the server listens on an ephemeral loopback port and every
 * request goes through fetch. A fixed (or hand-advanced) wall clock makes ids and virtual time
 * follow the requests alone.
 */
import { describe, expect, it } from 'vitest';

import { call, closedAfterEach, entry, FIXED_CLOCK, startServer } from './helpers.js';

const start = closedAfterEach();

/** A clock the test moves by hand. */
function manualClock(): { clock: () => number; advance(ms: number): void } {
  let now = FIXED_CLOCK();
  return { clock: () => now, advance: (ms) => (now += ms) };
}

const problemFields = (body: Record<string, unknown>): string[] =>
  (body['problems'] as { field: string }[]).map((p) => p.field).sort();

describe('POST /api/v1/logs', () => {
  it('stores an entry and answers 201 with a 19-digit Snowflake id that sorts by time', async () => {
    const { url } = await start();
    const first = await call(url, 'POST', '/api/v1/logs', entry());
    const second = await call(url, 'POST', '/api/v1/logs', entry({ message: 'paid' }));
    expect(first.status).toBe(201);
    expect(first.body['log_id']).toMatch(/^\d{19}$/);
    expect(String(second.body['log_id']) > String(first.body['log_id'])).toBe(true);
    const read = await call(url, 'GET', `/api/v1/logs/${String(first.body['log_id'])}`);
    expect(read.status).toBe(200);
    expect(read.body['log']).toMatchObject({ ...entry(), log_id: first.body['log_id'] });
  });

  it('gives the same ids and the same placement for the same seed and requests', async () => {
    const runOnce = async () => {
      const { url, app } = await start({ seed: 7 });
      const ids: unknown[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push(
          (await call(url, 'POST', '/api/v1/logs', entry({ service_name: `s${i % 4}` }))).body[
            'log_id'
          ],
        );
      }
      return { ids, rows: app.store.nodes().map((n) => n.rows) };
    };
    const a = await runOnce();
    const b = await runOnce();
    expect(b).toEqual(a);
    expect(new Set(a.ids).size).toBe(20);
  });

  it('refuses an invalid body with 400 naming each bad field', async () => {
    const { url } = await start();
    const bad = await call(url, 'POST', '/api/v1/logs', {
      level: 'LOUD',
      message: 42,
      colour: 'red',
      timestamp: 'yesterday',
    });
    expect(bad.status).toBe(400);
    expect(problemFields(bad.body)).toEqual([
      'body.colour',
      'body.level',
      'body.message',
      'body.service_name',
      'body.timestamp',
    ]);
    const level = (bad.body['problems'] as { field: string; message: string }[]).find(
      (p) => p.field === 'body.level',
    );
    expect(level?.message).toBe('must be one of DEBUG, INFO, WARN, ERROR, FATAL');
  });

  it('refuses a body that is not JSON with 415, saying what to send', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'level=INFO',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: 'content-type "text/plain" is not accepted; send application/json',
    });
  });

  it('refuses a body over the limit with 413', async () => {
    const { url } = await start();
    const huge = await call(url, 'POST', '/api/v1/logs', entry({ message: 'x'.repeat(70_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body['error']).toMatch(/larger than this route's limit of 65536 bytes/);
  });

  it('refuses metadata over 8 KiB, naming it', async () => {
    const { url } = await start();
    const big = await call(
      url,
      'POST',
      '/api/v1/logs',
      entry({ metadata: { blob: 'y'.repeat(9_000) } }),
    );
    expect(big.status).toBe(400);
    expect(problemFields(big.body)).toEqual(['body.metadata']);
  });

  it('answers 429 with Retry-After once a service passes its rate', async () => {
    const { url } = await start({ serviceRate: 2 });
    expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
    expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
    const limited = await call(url, 'POST', '/api/v1/logs', entry());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body['error']).toBe('service checkout is over its limit of 2 entries/s');
    // Another service has its own bucket.
    expect(
      (await call(url, 'POST', '/api/v1/logs', entry({ service_name: 'search' }))).status,
    ).toBe(201);
  });

  it('answers 504 with the id while a dead replica is unnoticed, then 503 with Cassandra fields', async () => {
    const time = manualClock();
    const { url } = await start({ nodes: 3, rf: 3, cl: 'ALL' }, time.clock);
    expect((await call(url, 'POST', '/api/v1/cluster/nodes/n3/crash')).status).toBe(200);
    const timedOut = await call(url, 'POST', '/api/v1/logs', entry());
    expect(timedOut.status).toBe(504);
    expect(timedOut.body['log_id']).toMatch(/^\d{19}$/);
    expect(timedOut.body).toMatchObject({ cl: 'ALL', received: 2, block_for: 3 });
    expect(timedOut.body['error']).toMatch(/may have been stored/);
    // The failure detector convicts n3 after 10 s: then the write is refused up front.
    time.advance(11_000);
    const refused = await call(url, 'POST', '/api/v1/logs', entry());
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ cl: 'ALL', required: 3, alive: 2 });
    // A scan at ALL returns what the live replicas hold, marked incomplete; a lookup that
    // finds nothing cannot say the log is absent.
    const list = await call(url, 'GET', '/api/v1/logs');
    expect(list.status).toBe(200);
    expect(list.body['complete']).toBe(false);
    const failed = list.body['failed_ranges'] as { count: number; first: string[] };
    expect(failed.count).toBeGreaterThan(0);
    expect(failed.first.length).toBe(Math.min(failed.count, 10));
    expect(failed.first[0]).toMatch(/\((unavailable|timeout)\)$/);
    const lookup = await call(url, 'GET', `/api/v1/logs/${String(timedOut.body['log_id'])}`);
    expect(lookup.status).toBe(503);
    expect(lookup.body['error']).toMatch(/the log may exist/);
    // Recovered and noticed, the cluster takes writes again.
    await call(url, 'POST', '/api/v1/cluster/nodes/n3/recover');
    time.advance(2_000);
    expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
  });

  it('keeps taking QUORUM writes with one node down', async () => {
    const time = manualClock();
    const { url } = await start({ nodes: 3, rf: 3 }, time.clock);
    await call(url, 'POST', '/api/v1/cluster/nodes/n2/crash');
    time.advance(11_000);
    for (let i = 0; i < 5; i++) {
      expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
    }
  });
});

describe('filters', () => {
  it('drops entries below the level threshold or on the deny list with 200 and the reason', async () => {
    const { url } = await start({ minLevel: 'INFO', denyServices: ['noisy'] });
    const debug = await call(url, 'POST', '/api/v1/logs', entry({ level: 'DEBUG' }));
    expect(debug).toMatchObject({
      status: 200,
      body: { dropped: 'level DEBUG is below the threshold INFO' },
    });
    const noisy = await call(url, 'POST', '/api/v1/logs', entry({ service_name: 'noisy' }));
    expect(noisy.body).toEqual({ dropped: 'service noisy is on the deny list' });
    expect((await call(url, 'GET', '/api/v1/logs')).body['count']).toBe(0);
  });

  it('stores only allowed services', async () => {
    const { url } = await start({ allowServices: ['checkout'] });
    expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
    const other = await call(url, 'POST', '/api/v1/logs', entry({ service_name: 'search' }));
    expect(other.body).toEqual({ dropped: 'service search is not on the allow list' });
  });

  it('masks configured patterns in messages before they are stored', async () => {
    const { url } = await start({ mask: ['\\b\\d{16}\\b', 'password=\\S+'] });
    const stored = await call(
      url,
      'POST',
      '/api/v1/logs',
      entry({ message: 'card 4111111111111111 password=hunter2 ok' }),
    );
    const read = await call(url, 'GET', `/api/v1/logs/${String(stored.body['log_id'])}`);
    expect((read.body['log'] as { message: string }).message).toBe('card *** *** ok');
  });
});

describe('POST /api/v1/logs/batch', () => {
  it('answers per entry, in order', async () => {
    const { url } = await start({ minLevel: 'INFO' });
    const batch = await call(url, 'POST', '/api/v1/logs/batch', {
      logs: [entry(), entry({ level: 'DEBUG' }), entry({ service_name: 'search' })],
    });
    expect(batch.status).toBe(200);
    const results = batch.body['results'] as { status: number; log_id?: string }[];
    expect(results.map((r) => r.status)).toEqual([201, 200, 201]);
    expect(batch.body['stored']).toBe(2);
    expect(results[2]!.log_id! > results[0]!.log_id!).toBe(true);
  });

  it('refuses a batch with a bad entry, naming it, and one over 1,000 entries', async () => {
    const { url } = await start();
    const bad = await call(url, 'POST', '/api/v1/logs/batch', {
      logs: [entry(), entry({ level: 1 })],
    });
    expect(bad.status).toBe(400);
    expect(problemFields(bad.body)).toEqual(['body.logs[1].level']);
    const many = await call(url, 'POST', '/api/v1/logs/batch', {
      logs: Array.from({ length: 1001 }, () => entry()),
    });
    expect(many.status).toBe(400);
    expect(problemFields(many.body)).toEqual(['body.logs']);
    expect((await call(url, 'GET', '/api/v1/logs')).body['count']).toBe(0);
  });
});

describe('the stored logs memory budget (--max-stored-mib)', () => {
  it('refuses writes past it with a 507, definite, and says what it holds', async () => {
    const { url } = await start({ maxStoredMib: 1 });
    const message = 'x'.repeat(12_000);
    const batch = await call(url, 'POST', '/api/v1/logs/batch', {
      logs: Array.from({ length: 100 }, () => entry({ message })),
    });
    const results = batch.body['results'] as { status: number; limit_mib?: number }[];
    const stored = results.filter((r) => r.status === 201).length;
    // 1 MiB at about 12,400 bytes a log (the text and the per-log overhead).
    expect(stored).toBeGreaterThan(70);
    expect(stored).toBeLessThan(90);
    expect(results.slice(stored).every((r) => r.status === 507 && r.limit_mib === 1)).toBe(true);
    const refused = await call(url, 'POST', '/api/v1/logs', entry({ message }));
    expect(refused.status).toBe(507);
    expect(refused.body['error']).toMatch(/--max-stored-mib/);
    expect(refused.body['log_id']).toBeUndefined();
    // A small log still fits in what is left.
    expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
    const view = (await call(url, 'GET', '/api/v1/cluster')).body['store'] as Record<
      string,
      number
    >;
    expect(view).toMatchObject({ logs: stored + 1, limit_mib: 1 });
    expect(view['used_mib']).toBeGreaterThan(0.9);
    expect(view['used_mib']).toBeLessThanOrEqual(1);
    const listed = await call(url, 'GET', `/api/v1/logs?limit=1000`);
    expect(listed.body['count']).toBe(stored + 1);
  });
});

describe('GET /api/v1/logs', () => {
  it('pages newest first with a cursor that never repeats or skips, while writes go on', async () => {
    const time = manualClock();
    const { url } = await start({}, time.clock);
    const written: string[] = [];
    for (let i = 0; i < 25; i++) {
      time.advance(3);
      const service = i % 3 === 0 ? 'search' : 'checkout';
      const answer = await call(
        url,
        'POST',
        '/api/v1/logs',
        entry({ service_name: service, message: `m${i}` }),
      );
      if (service === 'checkout') written.push(String(answer.body['log_id']));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call(
        url,
        'GET',
        `/api/v1/logs?service_name=checkout&limit=4${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(page.status).toBe(200);
      expect(page.body['complete']).toBe(true);
      const logs = page.body['logs'] as { log_id: string }[];
      expect(page.body['count']).toBe(logs.length);
      seen.push(...logs.map((l) => l.log_id));
      cursor = page.body['next_cursor'] as string | null;
      // A newer write between pages must not show up in a later page.
      await call(url, 'POST', '/api/v1/logs', entry({ message: 'late' }));
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(4);
    expect(seen).toEqual([...written].reverse());
  });

  it('filters by level, minimum level, correlation id and time, and says what it contacted', async () => {
    const time = manualClock();
    const { url } = await start({}, time.clock);
    const levels = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
    for (const [i, level] of levels.entries()) {
      time.advance(1000);
      await call(
        url,
        'POST',
        '/api/v1/logs',
        entry({ level, correlation_id: i < 2 ? 'req-1' : 'req-2' }),
      );
    }
    const get = async (query: string) => {
      const answer = await call(url, 'GET', `/api/v1/logs?${query}`);
      expect(answer.status, query).toBe(200);
      return (answer.body['logs'] as { level: string }[]).map((l) => l.level);
    };
    expect(await get('level=WARN')).toEqual(['WARN']);
    expect(await get('min_level=WARN')).toEqual(['FATAL', 'ERROR', 'WARN']);
    expect(await get('correlation_id=req-1')).toEqual(['INFO', 'DEBUG']);
    const start2 = new Date(FIXED_CLOCK() + 2000).toISOString();
    expect(await get(`start_time=${start2}&end_time=${FIXED_CLOCK() + 4000}`)).toEqual([
      'ERROR',
      'WARN',
      'INFO',
    ]);
    const byService = await call(url, 'GET', '/api/v1/logs?service_name=checkout');
    // (checkout, day): one partition.
    expect(byService.body['partitions_contacted']).toBe(1);
  });

  it('refuses bad query values with 400 naming the parameter', async () => {
    const { url } = await start();
    const cases: [string, string][] = [
      ['limit=0', 'query.limit'],
      ['limit=1001', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['level=LOUD', 'query.level'],
      ['min_level=', 'query.min_level'],
      ['cursor=abc', 'query.cursor'],
      ['start_time=yesterday', 'query.start_time'],
      ['start_time=2026-01-02T00:00:00Z&end_time=2026-01-01T00:00:00Z', 'query.end_time'],
      ['colour=red', 'query.colour'],
      ['service_name=has%20space', 'query.service_name'],
      ['limit=5&limit=6', 'query.limit'],
    ];
    for (const [query, field] of cases) {
      const answer = await call(url, 'GET', `/api/v1/logs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(problemFields(answer.body), query).toEqual([field]);
    }
  });
});

describe('unknown routes and methods', () => {
  it('answers 405 with Allow for a path that takes other methods, 404 for no path', async () => {
    const { url } = await start();
    const cases: [string, string, number, string | null][] = [
      ['DELETE', '/api/v1/logs', 405, 'GET, HEAD, POST'],
      ['PUT', '/api/v1/logs/2006515713438646272', 405, 'GET, HEAD'],
      ['GET', '/api/v1/cluster/nodes/n1/crash', 405, 'POST'],
      ['POST', '/metrics?x=1', 405, 'GET, HEAD'],
      ['GET', '/api/v2/logs', 404, null],
    ];
    for (const [method, path, status, allow] of cases) {
      const answer = await call(url, method, path);
      expect(answer.status, `${method} ${path}`).toBe(status);
      expect(answer.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(typeof answer.body['error']).toBe('string');
    }
    expect((await call(url, 'DELETE', '/api/v1/logs')).body['error']).toBe(
      'DELETE is not allowed on /api/v1/logs; use GET, HEAD or POST',
    );
  });
});

describe('GET /api/v1/logs/{id}', () => {
  it('answers 404 for an id not stored and 400 for a malformed one', async () => {
    const { url } = await start();
    await call(url, 'POST', '/api/v1/logs', entry());
    const absent = await call(url, 'GET', '/api/v1/logs/0000000000000000001');
    expect(absent).toMatchObject({ status: 404, body: { error: 'no log 0000000000000000001' } });
    for (const id of ['abc', '123', '99999999999999999999', '9999999999999999999']) {
      const bad = await call(url, 'GET', `/api/v1/logs/${id}`);
      expect(bad.status, id).toBe(400);
      expect(problemFields(bad.body), id).toEqual(['params.id']);
    }
  });
});

describe('cluster and faults', () => {
  it('shows nodes with ownership and load, and injects crash, recover and slow live', async () => {
    const { url } = await start({ nodes: 4 });
    for (let i = 0; i < 8; i++)
      await call(url, 'POST', '/api/v1/logs', entry({ service_name: `s${i}` }));
    const cluster = await call(url, 'GET', '/api/v1/cluster');
    const nodes = cluster.body['nodes'] as {
      id: string;
      ownership: number;
      rows: number;
      up: boolean;
    }[];
    expect(nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(nodes.reduce((sum, n) => sum + n.ownership, 0)).toBeCloseTo(3, 6);
    expect(nodes.reduce((sum, n) => sum + n.rows, 0)).toBe(24);
    const crashed = await call(url, 'POST', '/api/v1/cluster/nodes/n2/crash');
    expect(crashed.body['node']).toMatchObject({ id: 'n2', up: false, believed_up: true });
    const slowed = await call(url, 'POST', '/api/v1/cluster/nodes/n3/slow', { factor: 10 });
    expect(slowed.body['node']).toMatchObject({ id: 'n3', slowdown: 10 });
    const recovered = await call(url, 'POST', '/api/v1/cluster/nodes/n2/recover');
    expect(recovered.body['node']).toMatchObject({ id: 'n2', up: true });
    const unknown = await call(url, 'POST', '/api/v1/cluster/nodes/n9/crash');
    expect(unknown).toMatchObject({
      status: 404,
      body: { error: 'no node n9; the nodes are n1, n2, n3, n4' },
    });
    const badFactor = await call(url, 'POST', '/api/v1/cluster/nodes/n3/slow', { factor: 0 });
    expect(badFactor.status).toBe(400);
    expect(problemFields(badFactor.body)).toEqual(['body.factor']);
  });
});

describe('metrics and OpenAPI', () => {
  it('serves Prometheus text with requests by route and status, latency and per-node load', async () => {
    const { url } = await start({ nodes: 3 });
    await call(url, 'POST', '/api/v1/logs', entry());
    await call(url, 'POST', '/api/v1/logs', { level: 'nope' });
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain(
      'ringlab_http_requests_total{route="/api/v1/logs",method="POST",status="201"} 1',
    );
    expect(text).toContain(
      'ringlab_http_requests_total{route="/api/v1/logs",method="POST",status="400"} 1',
    );
    expect(text).toMatch(
      /ringlab_http_request_duration_seconds_bucket\{le="0\.005",route="\/api\/v1\/logs",method="POST"\} \d/,
    );
    for (const node of ['n1', 'n2', 'n3'])
      expect(text).toContain(`ringlab_node_rows{node="${node}"} 1`);
    expect(text).toContain('ringlab_node_up{node="n1"} 1');
  });

  it('generates OpenAPI from the route schemas', async () => {
    const { url } = await start();
    const doc = (await call(url, 'GET', '/api/v1/openapi.json')).body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
      >;
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/cluster',
      '/api/v1/cluster/nodes/{id}/crash',
      '/api/v1/cluster/nodes/{id}/recover',
      '/api/v1/cluster/nodes/{id}/slow',
      '/api/v1/logs',
      '/api/v1/logs/batch',
      '/api/v1/logs/{id}',
    ]);
    expect(Object.keys(doc.paths['/api/v1/logs']!['post']!.responses).sort()).toEqual([
      '200',
      '201',
      '400',
      '413',
      '415',
      '429',
      '503',
      '504',
      '507',
    ]);
    expect(doc.components.schemas['LogInput']!.properties['level']!.enum).toEqual([
      'DEBUG',
      'INFO',
      'WARN',
      'ERROR',
      'FATAL',
    ]);
  });
});

describe('leader-follower mode', () => {
  it('acknowledges at the leader and answers queries from one replica', async () => {
    const time = manualClock();
    const { url } = await start({ replicationMode: 'leader-follower' }, time.clock);
    const written = await call(url, 'POST', '/api/v1/logs', entry());
    expect(written.status).toBe(201);
    time.advance(1_000);
    const read = await call(url, 'GET', `/api/v1/logs/${String(written.body['log_id'])}`);
    expect(read.status).toBe(200);
    expect((await call(url, 'GET', '/api/v1/cluster')).body['cl']).toBe('ONE');
  });
});

describe('--data-dir', () => {
  it('replays the journal on start, so a restart keeps every acknowledged log', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'ringlab-serve-'));
    try {
      const first = await startServer({ dataDir: dir });
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        ids.push(
          String(
            (await call(first.url, 'POST', '/api/v1/logs', entry({ message: `m${i}` }))).body[
              'log_id'
            ],
          ),
        );
      }
      const batch = await call(first.url, 'POST', '/api/v1/logs/batch', {
        logs: [entry(), entry()],
      });
      ids.push(...(batch.body['results'] as { log_id: string }[]).map((r) => r.log_id));
      await first.close();
      const second = await start({ dataDir: dir });
      const after = String(
        (await call(second.url, 'POST', '/api/v1/logs', entry())).body['log_id'],
      );
      expect(after > ids[ids.length - 1]!).toBe(true);
      const listed = await call(second.url, 'GET', '/api/v1/logs?limit=1000');
      expect((listed.body['logs'] as { log_id: string }[]).map((l) => l.log_id)).toEqual([
        after,
        ...[...ids].reverse(),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
