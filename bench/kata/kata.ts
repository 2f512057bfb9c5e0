/**
 * The kata contract. A kata is an experiment with a name: a schema for its file (which is also
 * its defaults), the flags `ringlab kata <name>` takes and the fields they set, and a run that
 * turns a resolved experiment into one KataReport.
 *
 *   flags ──▶ overrides on the default experiment ──┐
 *   experiment file (JSON or YAML) ─────────────────┴─▶ schema ─▶ resolve ─▶ run ─▶ KataReport
 *
 * Both ways in go through the same schema and the same resolve, so `kata <name> --export` printed
 * and given to `ringlab run` gives the same report, byte for byte.
 */
import type { z } from 'zod';

import type { Progress } from '../progress.js';
import type { KataReport } from './report.js';

/** What every experiment carries at its top. */
export interface ExperimentBase {
  readonly kata: string;
  readonly seed: number;
}

/** A flag of `ringlab kata <name>` that sets one field of the experiment. */
export interface KataFlag {
  /** Commander's spelling: `--read-mix <mix>`. */
  readonly flags: string;
  readonly description: string;
  /** The field it sets: `reads.mix`, `cluster.nodes`. */
  readonly path: string;
  /** Turns the flag's text into the field's value; errors name the flag. Numbers by default. */
  readonly parse?: (text: string) => unknown;
  /** A flag that may repeat; its values gather into a list. */
  readonly repeatable?: boolean;
}

export interface KataRunOptions {
  readonly progress?: Progress | undefined;
}

export interface Kata<E extends ExperimentBase = ExperimentBase> {
  readonly name: string;
  /** One line for `kata list`. */
  readonly summary: string;
  readonly title: string;
  readonly question: string;
  /** The experiment file's schema; every field has its default, so `{kata}` alone is valid. */
  readonly schema: z.ZodType<E>;
  readonly flags: readonly KataFlag[];
  /**
   * Adjusts the flags' overrides (field path to value) before they are applied, for a flag that
   * sets more than one field: `--fault` adds scenarios and lengthens the workload unless the
   * other flags set it.
   */
  prepare?(overrides: Map<string, unknown>): void;
  /**
   * Fills in what depends on other fields (the cluster's defaults, rf) and checks what the schema
   * cannot (rf against the nodes per DC, a fault's node, the run's cost), throwing
   * ExperimentErrors that name the field. The result is what `--export` prints: resolving it
   * again returns it unchanged.
   */
  resolve(experiment: E): E;
  run(experiment: E, options: KataRunOptions): KataReport;
  /**
   * Seconds the run is expected to take on one core, from the same cost model its `resolve`
   * refuses with, so that the CLI can say how long an accepted run will take.
   */
  estimateSeconds?(experiment: E): number;
}

/** A kata with its experiment type erased, as the registry holds it. */
export type AnyKata = Kata<ExperimentBase>;

export function defineKata<E extends ExperimentBase>(kata: Kata<E>): AnyKata {
  return kata as unknown as AnyKata;
}
