/**
 * What the katas that run on the time plane share: a client that sends each operation to the
 * next running node in turn (one coordinator per node), a drain that runs the simulation until
 * nothing is outstanding, and the cluster config a kata's file gives, resolved.
 */
import type { TimeCoordinator } from '../../engine/time/coordinator.js';
import type { Simulation } from '../../engine/time/simulation.js';
import { resolveClusterConfig, type ClusterConfig } from '../cluster-config.js';
import { atPath, type ClusterInput } from '../experiment/schema-kit.js';

/** The cluster as a kata's file holds it once resolved: every field given, no seed. */
export type ResolvedCluster = Omit<ClusterConfig, 'seed'>;

/**
 * Resolves the file's cluster with the cluster flags' defaults (`nodes` defaulting to
 * `defaultNodes`), errors addressed to `cluster.<field>`. The result holds every field, so
 * resolving it again returns it unchanged.
 */
export function resolveKataCluster(cluster: ClusterInput, defaultNodes: number): ResolvedCluster {
  const config = atPath('cluster', () =>
    resolveClusterConfig({ ...cluster, nodes: cluster.nodes ?? defaultNodes }),
  );
  const { seed: _seed, ...rest } = config;
  return rest;
}

/** The engine's cluster config of a resolved kata cluster, its tokens drawn from `seed`. */
export function clusterConfigOf(cluster: ResolvedCluster, seed: number): ClusterConfig {
  return { ...cluster, seed };
}

/** The next running node's coordinator in turn, or undefined when every node is down. */
export function roundRobin(
  sim: Simulation,
  coordinators: readonly TimeCoordinator[],
): () => TimeCoordinator | undefined {
  let turn = 0;
  return () => {
    for (let tries = 0; tries < coordinators.length; tries++) {
      const coordinator = coordinators[turn]!;
      turn = (turn + 1) % coordinators.length;
      if (sim.running[coordinator.node] === 1) return coordinator;
    }
    return undefined;
  };
}

/**
 * Runs the simulation from `fromMs` in steps of `stepMs` until `settled()` holds or `maxMs` of
 * virtual time have passed; returns the virtual time it stopped at.
 */
export function runUntilSettled(
  sim: Simulation,
  fromMs: number,
  settled: () => boolean,
  maxMs: number,
  stepMs = 100,
): number {
  let atMs = fromMs;
  sim.runUntil(atMs);
  while (!settled() && atMs < fromMs + maxMs) {
    atMs += stepMs;
    sim.runUntil(atMs);
  }
  return atMs;
}
