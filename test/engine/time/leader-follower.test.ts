import { describe, expect, it } from 'vitest';

import { createRandom } from '../../../engine/random.js';
import { readPartition } from '../../../engine/node.js';
import { genericTable, type Row } from '../../../engine/row.js';
import { newTokenParts } from '../../../engine/token.js';
import {
  createLeaderFollower,
  type LeaderWriteResult,
} from '../../../engine/time/leader-follower.js';
import { createSimulation } from '../../../engine/time/simulation.js';
import { placementOf, resolveClusterConfig } from '../../../bench/cluster-config.js';
import { composite, getTokenFunction } from '../../../partitioners/index.js';

const table = genericTable('events', ['id']);

function setup(seed = 1) {
  const config = resolveClusterConfig({ nodes: 5, rf: 3, seed });
  const partitioner = composite({
    name: 'by-p',
    tokenFunction: getTokenFunction('murmur3'),
    components: [{ kind: 'text', column: 'p' }],
  });
  const sim = createSimulation({
    placement: placementOf(config, createRandom(seed)),
    partitioner,
    table,
    storage: 'rows',
    random: createRandom(seed).fork('simulation'),
    detector: { detectionMs: 500 },
  });
  const lf = createLeaderFollower(sim, { shipDelay: { kind: 'exponential', meanMs: 20 } });
  return { sim, lf, partitioner };
}

/** Writes `count` rows over `partitions` partitions, one every `gapMs`, from node 0. */
function writeStream(
  { sim, lf }: ReturnType<typeof setup>,
  count: number,
  partitions: number,
  gapMs: number,
) {
  const acked: Row[] = [];
  const results: LeaderWriteResult[] = [];
  for (let i = 0; i < count; i++) {
    sim.scheduler.at(i * gapMs, () => {
      const row = { p: `p${i % partitions}`, id: i };
      lf.write(0, row, (result) => {
        results.push(result);
        if (result.kind === 'ok') acked.push(row);
      });
    });
  }
  return { acked, results };
}

describe('leader-follower replication', () => {
  it('acknowledges at the leader and replicates to every follower after a lag', () => {
    const s = setup();
    const { acked } = writeStream(s, 200, 4, 1);
    s.sim.runUntil(5_000);
    expect(acked).toHaveLength(200);
    expect(s.lf.lag.count).toBe(400);
    expect(s.lf.lag.quantile(0.5)).toBeGreaterThan(5);
    // Every replica ends with every row.
    for (const write of s.lf.writes) expect(write.applied).toBe(0b111);
    expect(s.lf.lost).toBe(0);
  });

  it('a follower read just after a write may miss it; the leader never does', () => {
    const s = setup();
    const { partitioner, sim, lf } = s;
    const key = partitioner.keyOf({ p: 'p0' });
    let leaderRows = -1;
    let followerRows = -1;
    lf.write(0, { p: 'p0', id: 1 }, (result) => {
      expect(result.kind).toBe('ok');
      lf.read(0, key, 'leader', (r) => {
        if (r.kind === 'ok') leaderRows = r.rows.length;
      });
      lf.read(0, key, 'follower', (r) => {
        if (r.kind === 'ok') followerRows = r.rows.length;
      });
    });
    sim.runUntil(1_000);
    expect(leaderRows).toBe(1);
    expect(followerRows).toBe(0);
  });

  it('loses exactly the acknowledged writes the promoted follower had not applied at the crash', () => {
    const s = setup(3);
    const { sim, lf, partitioner } = s;
    const { acked } = writeStream(s, 3_000, 3, 1);
    // Crash the node leading p0 mid-stream.
    const positionOf = (row: Row): number => {
      const parts = newTokenParts();
      partitioner.tokenFunction.tokenParts(partitioner.keyOf(row).bytes, parts);
      return sim.cluster.placement.ring.positionOfParts(parts);
    };
    const position = positionOf({ p: 'p0' });
    const leader = lf.leaderOf(position);
    sim.scheduler.at(1_500, () => sim.crash(sim.cluster.placement.ring.nodes[leader]!.id));
    sim.runUntil(10_000);
    expect(lf.failovers).toBeGreaterThan(0);
    expect(lf.leaderOf(position)).not.toBe(leader);
    // Counted from the stores: acknowledged rows absent from their partition's current leader.
    let missing = 0;
    for (const row of acked) {
      const key = partitioner.keyOf(row);
      const store = sim.cluster.nodes[lf.leaderOf(positionOf(row))]!;
      const rows = readPartition(store, key.text)?.rows ?? [];
      if (!rows.some((r) => r['id'] === row['id'])) missing++;
    }
    expect(lf.lost).toBeGreaterThan(0);
    expect(lf.lost).toBe(missing);
  });

  it('is deterministic from the seed', () => {
    const run = () => {
      const s = setup(9);
      writeStream(s, 500, 5, 0.5);
      s.sim.runUntil(3_000);
      return [s.lf.lag.quantile(0.5), s.lf.lag.quantile(0.99), s.lf.lag.count];
    };
    expect(run()).toEqual(run());
  });
});
