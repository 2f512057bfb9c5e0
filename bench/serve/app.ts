/**
 * `ringlab serve`'s HTTP layer: a fastify app over one `LogStore`. The routes are thin: validate
 * (by schema), run the filter chain, hand the entry to the store, persist it when there is a
 * journal, and map the simulated outcome to a status: 201 stored; 200 dropped by a filter; 400
 * invalid, naming each bad field; 413 too large; 429 over a service's rate, with Retry-After; 503
 * the level cannot be met (definite: nothing was stored), with Cassandra's {cl, required,
 * alive}; 504 timed out (indefinite: the log may have been stored), carrying its id.
 *
 * Every error, the framework's own included, is a JSON body `{error, problems?}`; only a bug in
 * the server answers 500.
 */
import { isUtf8 } from 'node:buffer';

import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { isRinglabError } from '../../engine/errors.js';
import type { LogLevel, ServeConfig, TimeMode } from './config.js';
import { dashboardHtml, dashboardScript, dashboardView, createActivity } from './dashboard.js';
import { filterChain, runFilters, type LogInput } from './filters.js';
import { openJournal, replayJournal, type Journal } from './journal.js';
import {
  BATCH_BODY_LIMIT,
  BODY_LIMIT,
  batchSchema,
  clusterSchema,
  DEFAULT_LIMIT,
  errorSchema,
  faultSchema,
  getSchema,
  listSchema,
  logInputSchema,
  MAX_LIMIT,
  MAX_METADATA_BYTES,
  postLogSchema,
  slowSchema,
  storedLogSchema,
} from './schemas.js';
import {
  createLogStore,
  metadataJson,
  type GetOutcome,
  type LogStore,
  type StoredLog,
  type WriteOutcome,
} from './store.js';

export interface ServerOptions {
  readonly config: ServeConfig;
  /** The wall clock, unix ms; tests pass a fixed one for reproducible ids. */
  readonly clock?: () => number;
  /** How virtual time follows the clock: `config.time` unless given. */
  readonly time?: TimeMode;
}

export interface RinglabServer extends FastifyInstance {
  readonly store: LogStore;
}

interface Problem {
  readonly field: string;
  readonly message: string;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly problems?: readonly Problem[],
  ) {
    super(message);
  }
}

/** Bytes as whole MiB, rounded down (a budget's figures). */
const mib = (bytes: number): number => Math.floor(bytes / 2 ** 20);

/** Routes the dashboard's traffic figures leave out: the dashboard's own and the scrapes. */
const UNCOUNTED = new Set(['/', '/dashboard.js', '/api/v1/dashboard', '/metrics']);

/** Each schema failure as the field it is about and what was wrong with it. */
function problemsOf(error: FastifyError): Problem[] {
  const where = error.validationContext ?? 'body';
  const problems = (error.validation ?? []).map((issue) => {
    const path = issue.instancePath
      .split('/')
      .slice(1)
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join('');
    const params = issue.params as Record<string, unknown>;
    const child =
      typeof params['missingProperty'] === 'string'
        ? `.${params['missingProperty']}`
        : typeof params['additionalProperty'] === 'string'
          ? `.${params['additionalProperty']}`
          : '';
    const field = `${where === 'querystring' ? 'query' : where}${path}${child}`;
    const message =
      typeof params['additionalProperty'] === 'string'
        ? 'is not a known field'
        : where === 'querystring' && issue.keyword === 'type'
          ? 'must be given once'
          : Array.isArray(params['allowedValues'])
            ? `must be one of ${(params['allowedValues'] as string[]).join(', ')}`
            : (issue.message ?? 'is invalid');
    return { field, message };
  });
  // One problem per field: a value can fail its type and its enum at once.
  const byField = new Map<string, string[]>();
  for (const { field, message } of problems) {
    const messages = byField.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byField.set(field, messages);
  }
  return [...byField].map(([field, messages]) => ({ field, message: messages.join('; ') }));
}

/** Unix ms of a query bound: an ISO 8601 date-time or a whole number of ms. */
function timeBound(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d{1,15}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}T/.test(text)
      ? Date.parse(text)
      : NaN;
  if (!Number.isFinite(ms)) {
    throw new HttpError(400, 'invalid request', [
      { field: `query.${field}`, message: 'must be an ISO 8601 date-time or unix ms' },
    ]);
  }
  return ms;
}

function checkEntry(entry: LogInput, field: string): void {
  if (entry.metadata !== undefined) {
    const bytes = Buffer.byteLength(metadataJson(entry.metadata));
    if (bytes > MAX_METADATA_BYTES) {
      throw new HttpError(400, 'invalid request', [
        {
          field: `${field}.metadata`,
          message: `must be at most ${MAX_METADATA_BYTES} bytes as JSON, got ${bytes}`,
        },
      ]);
    }
  }
}

export async function createServer(options: ServerOptions): Promise<RinglabServer> {
  const { config } = options;
  const store = createLogStore(config, {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    time: options.time ?? config.time,
  });
  let journal: Journal | undefined;
  if (config.dataDir !== undefined) {
    store.restore(replayJournal(config.dataDir) as StoredLog[]);
    journal = await openJournal(config.dataDir);
  }
  const filters = filterChain(config.filters);
  const activity = createActivity();

  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: false } },
  });

  const registry = new Registry();
  const requests = new Counter({
    name: 'ringlab_http_requests_total',
    help: 'HTTP requests answered, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ringlab_http_request_duration_seconds',
    help: 'Time from request to response, by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const nodeGauge = (
    name: string,
    help: string,
    value: (n: ReturnType<LogStore['nodes']>[number]) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['node'],
      registers: [registry],
      collect() {
        for (const node of store.nodes()) this.set({ node: node.id }, value(node));
      },
    });
  nodeGauge('ringlab_node_rows', 'Rows stored on each simulated node', (n) => n.rows);
  nodeGauge('ringlab_node_writes', 'Writes applied by each simulated node', (n) => n.writes);
  nodeGauge('ringlab_node_reads', 'Read requests served by each simulated node', (n) => n.reads);
  nodeGauge('ringlab_node_up', '1 while the simulated node runs', (n) => (n.up ? 1 : 0));

  app.addSchema(logInputSchema);
  app.addSchema(storedLogSchema);
  app.addSchema(errorSchema);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'ringlab serve',
        description: 'A log service on a simulated Cassandra-style cluster',
        version: '0.1.0',
      },
    },
    refResolver: { buildLocalReference: (json) => String(json['$id']) },
  });

  // JSON is the only body accepted (415 for any other), decoded strictly: bytes that are not
  // UTF-8 are refused, not replaced.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new HttpError(400, 'the body is not valid UTF-8'), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      done(new HttpError(400, 'the body is empty; expected a JSON object'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(
        new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`),
        undefined,
      );
    }
  });

  app.setErrorHandler((error: FastifyError | HttpError, _request, reply) => {
    if ('validation' in error && error.validation !== undefined) {
      return reply.code(400).send({ error: 'invalid request', problems: problemsOf(error) });
    }
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .send(
          error.problems === undefined
            ? { error: error.message }
            : { error: error.message, problems: error.problems },
        );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `the body is larger than this route's limit of ${reply.request.routeOptions.bodyLimit ?? BODY_LIMIT} bytes`
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? `content-type ${JSON.stringify(reply.request.headers['content-type'] ?? '(none)').slice(0, 80)} is not accepted; send application/json`
            : error.message;
      return reply.code(status).send({ error: message });
    }
    if (isRinglabError(error)) return reply.code(400).send({ error: error.message });
    activity.failure(reply.request.method, reply.request.url, 500, error.message);
    return reply.code(500).send({ error: 'internal error' });
  });
  // A path that exists with other methods is a 405 naming them (Allow), not a 404.
  const routes: { pattern: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+')}$`);
    for (const method of [route.method].flat()) routes.push({ pattern, method });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = [
      ...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method)),
    ].sort();
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({
          error: `${request.method} is not allowed on ${path.slice(0, 200)}; use ${allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)!}`}`,
        });
    }
    return reply
      .code(404)
      .send({ error: `no route ${request.method} ${request.url.slice(0, 200)}` });
  });

  // Draining: once close begins, every answer ends its connection, and connections left idle by
  // an answer are closed at once, so that keep-alive clients do not hold the server open.
  let closing = false;
  // Hooks take callbacks rather than promises: they run on every request. Each metric series
  // is looked up once, not hashed from its labels on every answer.
  const seriesOf = new Map<
    string,
    { requests: { inc(): void }; latency: { observe(value: number): void } }
  >();
  app.addHook('onRequest', (_request, reply, done) => {
    if (closing) reply.header('connection', 'close');
    store.catchUp();
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let series = seriesOf.get(key);
    if (series === undefined) {
      series = {
        requests: requests.labels({ route, method: request.method, status: reply.statusCode }),
        latency: latency.labels({ route, method: request.method }),
      };
      seriesOf.set(key, series);
    }
    series.requests.inc();
    series.latency.observe(reply.elapsedTime / 1000);
    if (!UNCOUNTED.has(route)) {
      activity.request(reply.statusCode, reply.elapsedTime);
    }
    if (closing) app.server.closeIdleConnections();
    done();
  });

  /** The body of a failed write, and its status. */
  const writeFailure = (outcome: Exclude<WriteOutcome, { kind: 'ok' }>) => {
    switch (outcome.kind) {
      case 'unavailable':
        return {
          status: 503,
          body: {
            error: `${outcome.cl} needs ${outcome.required} live replicas and ${outcome.alive} are; nothing was stored`,
            cl: outcome.cl,
            required: outcome.required,
            alive: outcome.alive,
          },
        };
      case 'full':
        return {
          status: 507,
          body: {
            error: `the stored logs are at their budget of ${mib(outcome.limitBytes)} MiB (--max-stored-mib); nothing was stored: restart with a larger --max-stored-mib`,
            used_mib: mib(outcome.usedBytes),
            limit_mib: mib(outcome.limitBytes),
          },
        };
      case 'timeout':
        return {
          status: 504,
          body: {
            error: `timed out waiting for ${outcome.blockFor} replicas at ${outcome.cl} (${outcome.received} answered); the log may have been stored under this id`,
            log_id: outcome.log_id,
            cl: outcome.cl,
            received: outcome.received,
            block_for: outcome.blockFor,
          },
        };
    }
  };

  const fail = (reply: FastifyReply, status: number, body: { error: string }) => {
    activity.failure(reply.request.method, reply.request.url, status, body.error);
    return reply.code(status).send(body);
  };

  app.post('/api/v1/logs', { schema: postLogSchema }, async (request, reply) => {
    const entry = request.body as LogInput;
    checkEntry(entry, 'body');
    const verdict = runFilters(filters, entry, store.nowMs());
    if (verdict.kind === 'drop') return reply.code(200).send({ dropped: verdict.reason });
    if (verdict.kind === 'reject') {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      return fail(reply, 429, {
        error: verdict.reason,
        retry_after_seconds: verdict.retryAfterSeconds,
      } as { error: string });
    }
    const [outcome] = (await store.write([verdict.entry])) as [WriteOutcome];
    if (outcome.kind !== 'ok') {
      const failure = writeFailure(outcome);
      return fail(reply, failure.status, failure.body);
    }
    if (journal !== undefined) await journal.append(outcome.log);
    return reply.code(201).send({ log_id: outcome.log.log_id });
  });

  app.post(
    '/api/v1/logs/batch',
    { schema: batchSchema, bodyLimit: BATCH_BODY_LIMIT },
    async (request, reply) => {
      const entries = (request.body as { logs: LogInput[] }).logs;
      entries.forEach((entry, i) => checkEntry(entry, `body.logs[${i}]`));
      const nowMs = store.nowMs();
      const verdicts = entries.map((entry) => runFilters(filters, entry, nowMs));
      const passed = verdicts.flatMap((v) => (v.kind === 'pass' ? [v.entry] : []));
      const outcomes = await store.write(passed);
      let k = 0;
      const results = verdicts.map((verdict) => {
        if (verdict.kind === 'drop') return { status: 200, dropped: verdict.reason };
        if (verdict.kind === 'reject') {
          return {
            status: 429,
            error: verdict.reason,
            retry_after_seconds: verdict.retryAfterSeconds,
          };
        }
        const outcome = outcomes[k++]!;
        if (outcome.kind === 'ok') return { status: 201, log_id: outcome.log.log_id };
        const failure = writeFailure(outcome);
        return { status: failure.status, ...failure.body };
      });
      const stored = outcomes.flatMap((o) => (o.kind === 'ok' ? [o.log] : []));
      if (journal !== undefined) await Promise.all(stored.map((log) => journal!.append(log)));
      const failed = results.find((r) => r.status >= 500);
      if (failed !== undefined)
        activity.failure('POST', '/api/v1/logs/batch', failed.status, failed.error ?? '');
      return reply.code(200).send({ stored: stored.length, results });
    },
  );

  app.get('/api/v1/logs', { schema: listSchema }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const limit = q['limit'] === undefined ? DEFAULT_LIMIT : Number(q['limit']);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new HttpError(400, 'invalid request', [
        { field: 'query.limit', message: `must be from 1 to ${MAX_LIMIT}, got ${limit}` },
      ]);
    }
    const start = timeBound('start_time', q['start_time']);
    const end = timeBound('end_time', q['end_time']);
    if (start !== undefined && end !== undefined && start > end) {
      throw new HttpError(400, 'invalid request', [
        { field: 'query.end_time', message: 'must not be before start_time' },
      ]);
    }
    const outcome = await store.query({
      service_name: q['service_name'],
      level: q['level'] as LogLevel | undefined,
      min_level: q['min_level'] as LogLevel | undefined,
      correlation_id: q['correlation_id'],
      start_ms: start,
      end_ms: end,
      limit,
      cursor: q['cursor'],
    });
    if (outcome.kind === 'ok') {
      const { kind: _kind, ...page } = outcome;
      return reply.send({ ...page, count: page.logs.length });
    }
    return readFailure(reply, outcome);
  });

  const readFailure = (reply: FastifyReply, outcome: Exclude<GetOutcome, { kind: 'ok' }>) => {
    switch (outcome.kind) {
      case 'unavailable':
        return fail(reply, 503, {
          error: `${outcome.cl} needs ${outcome.required} live replicas and ${outcome.alive} are`,
          cl: outcome.cl,
          required: outcome.required,
          alive: outcome.alive,
        } as { error: string });
      case 'incomplete':
        return fail(reply, 503, {
          error: `not found, but ${outcome.failedRanges} token ranges could not answer at ${outcome.cl}: the log may exist`,
          cl: outcome.cl,
          required: outcome.required,
        } as { error: string });
      case 'timeout':
        return fail(reply, 504, {
          error: `timed out waiting for ${outcome.blockFor} replicas at ${outcome.cl} (${outcome.received} answered)`,
          cl: outcome.cl,
          received: outcome.received,
          block_for: outcome.blockFor,
        } as { error: string });
    }
  };

  app.get('/api/v1/logs/:id', { schema: getSchema }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (BigInt(id) >= 1n << 63n) {
      throw new HttpError(400, 'invalid request', [
        { field: 'params.id', message: 'must be a Snowflake id below 2^63' },
      ]);
    }
    const outcome = await store.get(id);
    if (outcome.kind !== 'ok') return readFailure(reply, outcome);
    if (outcome.log === undefined) return reply.code(404).send({ error: `no log ${id}` });
    return reply.send({ log: outcome.log });
  });

  const clusterView = () => ({
    strategy: config.strategy,
    replication_mode: config.replicationMode,
    cl: config.replicationMode === 'quorum' ? config.cl : 'ONE',
    rf: config.cluster.rf,
    seed: config.cluster.seed,
    virtual_ms: store.virtualMs(),
    store: {
      logs: store.usage.logs,
      used_mib: Math.round((store.usage.usedBytes / 2 ** 20) * 10) / 10,
      limit_mib: mib(store.usage.limitBytes),
    },
    nodes: store.nodes(),
  });
  app.get('/api/v1/cluster', { schema: clusterSchema }, async () => clusterView());

  const nodeOf = (id: string) => {
    const node = store.nodes().find((n) => n.id === id);
    if (node === undefined) {
      throw Object.assign(
        new HttpError(404, `no node ${id}; the nodes are ${store.nodeIds.join(', ')}`),
        {},
      );
    }
    return node;
  };
  const fault = (name: 'crash' | 'recover', what: string) =>
    app.post(
      `/api/v1/cluster/nodes/:id/${name}`,
      { schema: faultSchema(what) },
      async (request) => {
        const { id } = request.params as { id: string };
        nodeOf(id);
        store[name](id);
        activity.event(`${name} ${id}`);
        return { node: nodeOf(id) };
      },
    );
  fault(
    'crash',
    'Stop a node (its data is kept); coordinators notice after the failure detector delay',
  );
  fault('recover', 'Start a crashed node again');
  app.post('/api/v1/cluster/nodes/:id/slow', { schema: slowSchema }, async (request) => {
    const { id } = request.params as { id: string };
    const { factor } = request.body as { factor: number };
    nodeOf(id);
    store.slow(id, factor);
    activity.event(`slow ${id} x${factor}`);
    return { node: nodeOf(id) };
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'",
      )
      .send(dashboardHtml()),
  );
  app.get('/dashboard.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(dashboardScript()),
  );
  app.get('/api/v1/dashboard', { schema: { hide: true } }, async () =>
    dashboardView(clusterView(), activity),
  );

  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onClose', async () => {
    store.stop();
    await journal?.close();
  });
  return Object.assign(app, { store }) as RinglabServer;
}
