/**
 * The stored logs' memory budget is only as honest as `storedBytes`, its estimate of a log's
 * heap. This holds the estimate to the heap itself: a child process with `--expose-gc` writes
 * logs of three shapes through the store and measures the heap after a full GC. Measured:
 * 453, 804 and 2,410 bytes a log, estimated 431, 791 and 2,391.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { ensureBuilt, exec, root } from '../helpers/built.js';

const SCRIPT = `
import { resolveServeConfig } from './dist/bench/serve/config.js';
import { createLogStore, logOverheadBytes, metadataJson, storedBytes } from './dist/bench/serve/store.js';
const [strategy, messageChars] = JSON.parse(process.argv[1]);
let t = Date.UTC(2026, 0, 1);
const config = resolveServeConfig({ strategy });
const store = createLogStore(config, { clock: () => t, time: 'stepped' });
const overhead = logOverheadBytes(config);
const N = 40_000;
gc();
const before = process.memoryUsage().heapUsed;
let estimated = 0;
for (let i = 0; i < N; i++) {
  if (i % 10 === 0) t++;
  const entry = {
    level: 'INFO',
    service_name: 'svc-' + (i % 50),
    message: ('order ' + i + ' ').padEnd(messageChars, '.'),
    metadata: { region: 'eu-west-1', build: String(i) },
    correlation_id: 'req-' + i,
  };
  estimated += storedBytes(entry, metadataJson(entry.metadata), overhead);
  await store.write([entry]);
}
gc();
const measured = process.memoryUsage().heapUsed - before;
process.stdout.write(JSON.stringify({ measured, estimated, logs: store.usage.logs }));
`;

beforeAll(ensureBuilt, 120_000);

describe('storedBytes', () => {
  it.each([
    ['server-day', 40],
    ['hash-event-id', 40],
    ['server-day', 2_000],
  ] as const)(
    'is within a fifth of the heap a log takes (%s, %i-character messages)',
    async (strategy, chars) => {
      const { stdout } = await exec(
        process.execPath,
        ['--expose-gc', '--input-type=module', '-e', SCRIPT, JSON.stringify([strategy, chars])],
        { cwd: root },
      );
      const { measured, estimated, logs } = JSON.parse(stdout) as {
        measured: number;
        estimated: number;
        logs: number;
      };
      expect(logs).toBe(40_000);
      expect(estimated / measured).toBeGreaterThan(0.8);
      expect(estimated / measured).toBeLessThan(1.25);
    },
    60_000,
  );
});
