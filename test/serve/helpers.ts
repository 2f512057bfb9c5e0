import { afterEach } from 'vitest';

import { createServer, type RinglabServer } from '../../bench/serve/app.js';
import { resolveServeConfig, type ServeOptionsInput } from '../../bench/serve/config.js';

export interface Running {
  readonly app: RinglabServer;
  readonly url: string;
  close(): Promise<void>;
}

/** A fixed wall clock: ids and ingest times then follow the requests alone. */
export const FIXED_CLOCK = (): number => Date.UTC(2026, 0, 1);

/**
 * Starts the real server on an ephemeral loopback port. Time is stepped (each request settles at
 * once) unless `input.time` says otherwise: the clock a test gives does not move by itself.
 */
export async function startServer(
  input: ServeOptionsInput = {},
  clock: () => number = FIXED_CLOCK,
): Promise<Running> {
  const app = await createServer({
    config: resolveServeConfig({ port: 0, time: 'stepped', ...input }),
    clock,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address, close: () => app.close() };
}

/** `startServer` for a test file: every server it starts is closed after each test. */
export function closedAfterEach(): typeof startServer {
  const running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
  });
  return async (...args) => {
    const server = await startServer(...args);
    running.push(server);
    return server;
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          headers: { 'content-type': 'application/json' },
          body:
            typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
        }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const entry = (over: Record<string, unknown> = {}) => ({
  level: 'INFO',
  service_name: 'checkout',
  message: 'order placed',
  ...over,
});
