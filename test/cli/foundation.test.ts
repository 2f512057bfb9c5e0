import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const require = createRequire(import.meta.url);
const { Murmur3Tokenizer } = require('cassandra-driver/lib/tokenizer.js') as {
  Murmur3Tokenizer: new () => { hash(buffer: Buffer): { getValue(): { toString(): string } } };
};

interface RingJson {
  seed: number;
  nodes: {
    id: string;
    dc: string;
    rack: string;
    tokens: string[];
    ownership: number;
    replicatedOwnership: number;
  }[];
  imbalance: { maxOverMean: number };
}

describe('ringlab token', () => {
  it('prints Murmur3 tokens that equal the DataStax driver’s', async () => {
    const run = await runCli('token', 'hello', 'server-42', '', '--json');
    expect(run.code).toBe(0);
    const { partitioner, keys: entries } = JSON.parse(run.stdout) as {
      partitioner: string;
      keys: { key: string; token: string }[];
    };
    expect(partitioner).toBe('murmur3');
    const driver = new Murmur3Tokenizer();
    for (const entry of entries.filter((e) => e.key !== '')) {
      expect(entry.token).toBe(driver.hash(Buffer.from(entry.key)).getValue().toString());
    }
    // The empty key is the minimum token, as Cassandra defines it.
    expect(entries.find((e) => e.key === '')?.token).toBe('-9223372036854775808');
  });

  it('reads hex keys and treats them as bytes', async () => {
    const hex = await runCli('token', '68656c6c6f', '--hex', '--json');
    const text = await runCli('token', 'hello', '--json');
    expect(JSON.parse(hex.stdout).keys[0].token).toBe(JSON.parse(text.stdout).keys[0].token);
  });

  it('prints a table without --json', async () => {
    const run = await runCli('token', 'hello', '--partitioner', 'xxhash64');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('xxhash64');
    expect(run.stdout).toMatch(/hello\s+-?\d+/);
  });
});

describe('ringlab ring', () => {
  it('deals nodes round-robin to DCs and racks, and accounts for all ownership', async () => {
    const run = await runCli(
      'ring',
      '--nodes',
      '12',
      '--dcs',
      '2',
      '--racks',
      '3',
      '--rf',
      '3',
      '--seed',
      '7',
      '--json',
    );
    expect(run.code).toBe(0);
    const ring = JSON.parse(run.stdout) as RingJson;
    expect(ring.seed).toBe(7);
    expect(ring.nodes.map((n) => n.id)).toEqual(Array.from({ length: 12 }, (_, i) => `n${i + 1}`));
    expect(ring.nodes.slice(0, 4).map((n) => [n.dc, n.rack])).toEqual([
      ['dc1', 'r1'],
      ['dc2', 'r1'],
      ['dc1', 'r2'],
      ['dc2', 'r2'],
    ]);
    expect(ring.nodes.every((n) => n.tokens.length === 16)).toBe(true);
    const primary = ring.nodes.reduce((sum, n) => sum + n.ownership, 0);
    const replicated = ring.nodes.reduce((sum, n) => sum + n.replicatedOwnership, 0);
    expect(primary).toBeCloseTo(1, 9);
    // rf 3 in each of two DCs: six copies of the whole ring.
    expect(replicated).toBeCloseTo(6, 9);
    expect(ring.imbalance.maxOverMean).toBeGreaterThanOrEqual(1);
  });

  it('gives byte-identical JSON for the same flags and seed, and different tokens for another seed', async () => {
    const args = ['ring', '--nodes', '5', '--allocator', 'random', '--json'];
    const first = await runCli(...args, '--seed', '3');
    const second = await runCli(...args, '--seed', '3');
    const other = await runCli(...args, '--seed', '4');
    expect(first.stdout).toBe(second.stdout);
    expect(other.stdout).not.toBe(first.stdout);
  });

  it('renders a table with one bar per node and the seed', async () => {
    const run = await runCli('ring', '--nodes', '4', '--seed', '9');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('seed 9');
    expect(run.stdout.split('\n').filter((line) => /^n\d+\s/.test(line))).toHaveLength(4);
    expect(run.stdout).toContain('█');
  });
});

describe('ringlab replicas', () => {
  it('lists rf distinct replicas per key, primary first, consistent with ring tokens', async () => {
    const run = await runCli('replicas', 'a', 'b', 'c', '--nodes', '6', '--rf', '3', '--json');
    expect(run.code).toBe(0);
    const { keys: entries } = JSON.parse(run.stdout) as {
      keys: { key: string; token: string; replicas: string[] }[];
    };
    const ring = JSON.parse(
      (await runCli('ring', '--nodes', '6', '--rf', '3', '--json')).stdout,
    ) as RingJson;
    const owners = ring.nodes
      .flatMap((n) => n.tokens.map((t) => ({ token: BigInt(t), id: n.id })))
      .sort((x, y) => (x.token < y.token ? -1 : 1));
    for (const entry of entries) {
      expect(new Set(entry.replicas).size).toBe(3);
      const token = BigInt(entry.token);
      const primary = owners.find((o) => o.token >= token) ?? owners[0]!;
      expect(entry.replicas[0]).toBe(primary.id);
    }
  });
});

describe('bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown partitioner', ['token', 'x', '--partitioner', 'md4'], /--partitioner/],
    ['rf above the node count', ['ring', '--nodes', '3', '--rf', '5'], /--rf .*at most/],
    [
      'rf above the nodes in a DC',
      ['ring', '--nodes', '4', '--dcs', '2', '--rf', '3'],
      /--rf .*each DC/,
    ],
    ['zero vnodes', ['ring', '--vnodes', '0'], /--vnodes/],
    ['non-hex key with --hex', ['token', 'zz', '--hex'], /--hex/],
    ['a non-numeric count', ['ring', '--nodes', 'many'], /--nodes/],
    ['an unknown command', ['rings'], /unknown command/],
  ];
  it.each(cases)(
    '%s exits 2 with one line naming the flag and no stack trace',
    async (_, argv, pattern) => {
      const run = await runCli(...argv);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(pattern);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('help exits 0', async () => {
    const run = await runCli('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ring');
  });
});
