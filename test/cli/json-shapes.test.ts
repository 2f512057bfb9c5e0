import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

async function json(...argv: string[]): Promise<Record<string, unknown>> {
  const run = await runCli(...argv, '--json');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('every --json document says what produced it', () => {
  it('token names its partitioner beside the keys', async () => {
    const doc = await json('token', 'hello', '--partitioner', 'xxhash64');
    expect(doc.partitioner).toBe('xxhash64');
    expect(doc.keys).toEqual([{ key: 'hello', token: expect.any(String) }]);
  });

  it('replicas carries the seed and the resolved cluster', async () => {
    const doc = await json('replicas', 'a', '--nodes', '5', '--rf', '2', '--seed', '9');
    expect(doc.seed).toBe(9);
    expect(doc.cluster).toMatchObject({
      nodes: 5,
      rf: 2,
      vnodes: 16,
      seed: 9,
      allocator: 'balanced',
    });
    expect(doc.keys).toEqual([
      { key: 'a', token: expect.any(String), replicas: expect.any(Array) },
    ]);
  });

  it('ring carries the seed and the resolved cluster', async () => {
    const doc = await json('ring', '--nodes', '3', '--seed', '4');
    expect(doc.seed).toBe(4);
    expect(doc.config).toMatchObject({ nodes: 3, seed: 4 });
  });

  it('workload sample carries the seed, the distribution and the draws', async () => {
    const doc = await json('workload', 'sample', '--items', '50', '--count', '1000', '--top', '3');
    expect(doc.seed).toBe(1);
    expect(doc.spec).toEqual({ kind: 'zipfian', items: 50, theta: 0.99 });
    expect(doc.count).toBe(1000);
  });

  it('bench skew carries the seed and the resolved config', async () => {
    const doc = await json(
      'bench',
      'skew',
      '--events',
      '500',
      '--servers',
      '20',
      '--reads',
      '5',
      '--seed',
      '3',
    );
    expect(doc.seed).toBe(3);
    expect(doc.config).toMatchObject({ events: 500, servers: 20, cluster: { seed: 3 } });
  });
});
