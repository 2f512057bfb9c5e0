/**
 * What the katas that run on the time plane share: the cluster a kata's file gives, resolved,
 * and its placement; a design's name and the check that names are unique; a client that sends
 * each operation to the next running node in turn (one coordinator per node); a drain that runs
 * the simulation until nothing is outstanding; a table column.
 */
import { z } from 'zod';

import type { Placement } from '../../engine/replication.js';
import type { Random } from '../../engine/random.js';
import type { TimeCoordinator } from '../../engine/time/coordinator.js';
import type { Simulation } from '../../engine/time/simulation.js';
import { placementOf, resolveClusterConfig, type ClusterConfig } from '../cluster-config.js';
import { atPath, expect, ExperimentError, type ClusterInput } from '../experiment/schema-kit.js';
import type { TableColumn } from '../kata/report.js';

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
export function clusterConfigOf(cluster: ClusterInput, seed: number): ClusterConfig {
  return { ...(cluster as ResolvedCluster), seed };
}

/** The config and placement of a resolved experiment's cluster, tokens from `root`'s stream. */
export function placementOfKata(
  cluster: ClusterInput,
  seed: number,
  root: Random,
): { config: ClusterConfig; placement: Placement } {
  const config = clusterConfigOf(cluster, seed);
  return { config, placement: placementOf(config, root) };
}

const DESIGN_NAME = 'a design name of 1 to 48 characters';
export const designName = z
  .string(expect(DESIGN_NAME))
  .min(1, expect(DESIGN_NAME))
  .max(48, expect(DESIGN_NAME));

/** Refuses two designs of one name: tables, charts and findings tell designs by name. */
export function checkDesignNames(designs: readonly { readonly name: string }[]): void {
  const names = new Set<string>();
  designs.forEach((design, i) => {
    if (names.has(design.name)) {
      throw new ExperimentError(
        `designs[${i}].name`,
        `${JSON.stringify(design.name)} names two designs; give each its own`,
      );
    }
    names.add(design.name);
  });
}

export const column = (key: string, label: string, format: TableColumn['format']): TableColumn => ({
  key,
  label,
  format,
});

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

/** A latency distribution's columns, keyed as `LatencyStats` (p50, p95, p99, max). */
export const LATENCY_COLUMNS: readonly TableColumn[] = [
  column('p50', 'p50', 'ms'),
  column('p95', 'p95', 'ms'),
  column('p99', 'p99', 'ms'),
  column('max', 'max', 'ms'),
];
