/**
 * How `ringlab serve` maps requests onto virtual time. In `wall` mode (the CLI's default) the
 * simulation keeps the wall clock's pace and never runs ahead of it: concurrent requests overlap
 * in virtual time, and an answer waits for its simulated outcome, so a write that times out
 * keeps the client waiting for the write timeout. In `stepped` mode each request settles at
 * once and the virtual clock jumps ahead of the (here, frozen) wall clock.
 */
import { describe, expect, it } from 'vitest';

import { DEFAULT_TIMEOUTS } from '../../engine/time/simulation.js';
import { call, closedAfterEach, entry } from './helpers.js';

const start = closedAfterEach();

const virtualMs = async (url: string): Promise<number> =>
  (await call(url, 'GET', '/api/v1/cluster')).body['virtual_ms'] as number;

describe('wall time', () => {
  it('overlaps concurrent requests in virtual time and never runs ahead of the wall', async () => {
    const { url, app } = await start({ time: 'wall' }, Date.now);
    const started = Date.now();
    const before = await virtualMs(url);
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        call(url, 'POST', '/api/v1/logs', entry({ service_name: `s${i % 7}` })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const virtual = await virtualMs(url);
    // Settled one after another (stepped), 500 QUORUM writes take about 600 virtual ms, 1.2 ms
    // at the median each, more than the burst's wall time here; overlapped, the virtual clock
    // moves no faster than the wall.
    expect(virtual - before).toBeLessThanOrEqual(Date.now() - started + 1);
    expect(app.store.pending).toBe(0);
    expect(app.store.stats.acknowledged).toBe(500);
  });

  it('keeps the client waiting for the write timeout when too few replicas answer', async () => {
    const { url } = await start({ time: 'wall', nodes: 3, rf: 3 }, Date.now);
    for (const node of ['n2', 'n3']) {
      expect((await call(url, 'POST', `/api/v1/cluster/nodes/${node}/crash`)).status).toBe(200);
    }
    const sent = performance.now();
    const answer = await call(url, 'POST', '/api/v1/logs', entry());
    const waited = performance.now() - sent;
    expect(answer.status).toBe(504);
    expect(answer.body['log_id']).toMatch(/^\d{19}$/);
    // The coordinators still believe both nodes up (the failure detector needs 10 s), so the
    // write is sent and waits for its timeout, in wall time.
    expect(waited).toBeGreaterThanOrEqual(DEFAULT_TIMEOUTS.writeMs - 1);
    expect(waited).toBeLessThan(DEFAULT_TIMEOUTS.writeMs + 1_500);
  });
});

describe('stepped time', () => {
  it('settles each request at once, the virtual clock running ahead of a frozen wall', async () => {
    const { url } = await start({ time: 'stepped' });
    for (let i = 0; i < 50; i++) {
      expect((await call(url, 'POST', '/api/v1/logs', entry())).status).toBe(201);
    }
    // The wall clock never moved: every virtual millisecond is a write's latency.
    const virtual = await virtualMs(url);
    expect(virtual).toBeGreaterThan(50 * 0.5);
    expect(virtual).toBeLessThan(50 * 5);
  });
});
