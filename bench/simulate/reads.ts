/**
 * The read kinds of a simulate run, in one registry: each builds its query from an event already
 * acknowledged (so that a read asks for what exists) and the run's random stream. The mix
 * (`--reads "by-server:0.9,by-severity:0.1"`) is parsed here too.
 */
import { invalidConfig, quoted } from '../../engine/errors.js';
import type { Query } from '../../engine/query.js';
import type { Random } from '../../engine/random.js';
import type { LogEvent } from '../workloads/log-events.js';
import type { ReadShare } from './config.js';

/** Width of a by-time read's ts range, centred on an acknowledged event. */
export const BY_TIME_WIDTH_MS = 1000;
/** The severities a log search asks for. */
const SEARCHED_SEVERITIES = ['ERROR', 'FATAL'] as const;

interface ReadKindSpec {
  readonly describe: string;
  /** The query, given an acknowledged event drawn uniformly (so hot servers are read more). */
  readonly query: (written: LogEvent, random: Random, limit: number) => Query;
}

export const readKinds = {
  'by-server': {
    describe: "one server's rows, routed by the key strategy",
    query: (written, _, limit) => ({ where: { server_id: written.server_id }, limit }),
  },
  'by-severity': {
    describe: 'ERROR or FATAL rows: the index plan, or a filtering scan without one',
    query: (_, random, limit) => ({
      where: { severity: SEARCHED_SEVERITIES[random.nextInt(SEARCHED_SEVERITIES.length)]! },
      limit,
    }),
  },
  'by-time': {
    describe: `a ${BY_TIME_WIDTH_MS} ms ts range around a written event`,
    query: (written, _, limit) => ({
      where: {},
      range: {
        column: 'ts',
        from: written.ts - BY_TIME_WIDTH_MS / 2,
        to: written.ts + BY_TIME_WIDTH_MS / 2,
      },
      limit,
    }),
  },
  'by-id': {
    describe: 'one written event by event_id',
    query: (written, _, limit) => ({ where: { event_id: written.event_id }, limit }),
  },
  'full-scan': {
    describe: 'every row of the table, ignoring --limit: an analytics job on the cluster',
    query: () => ({ where: {} }),
  },
} as const satisfies Record<string, ReadKindSpec>;

export type ReadKind = keyof typeof readKinds;
export const readKindNames = Object.keys(readKinds) as ReadKind[];

export const DEFAULT_READ_MIX = 'by-server:0.9,by-severity:0.1';

/** Parses "kind:weight,..." (weights >= 0, not all 0, each kind once). Errors name the part. */
export function parseReadMix(text: string): ReadShare[] {
  const bad = (part: string, why: string) =>
    invalidConfig('reads', `${quoted(text)}: ${quoted(part)} ${why}`);
  const shares: ReadShare[] = [];
  for (const part of text.split(',')) {
    const [kind = '', weightText, ...rest] = part.trim().split(':');
    if (!Object.hasOwn(readKinds, kind)) {
      throw bad(
        part,
        `is not a read kind; expected kind:weight with a kind of ${readKindNames.join(', ')}`,
      );
    }
    if (weightText === undefined || rest.length > 0) {
      throw bad(part, 'should be kind:weight, e.g. by-server:0.9');
    }
    const weight = Number(weightText);
    if (!/^\d+(?:\.\d+)?(?:e-?\d+)?$/.test(weightText) || !Number.isFinite(weight)) {
      throw bad(part, `has a weight that is not a number >= 0`);
    }
    if (shares.some((share) => share.kind === kind)) throw bad(part, 'names its kind twice');
    shares.push({ kind: kind as ReadKind, weight });
  }
  if (!shares.some((share) => share.weight > 0)) {
    throw invalidConfig(
      'reads',
      `${quoted(text)}: every weight is 0; give one > 0, or --read-rate 0 for no reads`,
    );
  }
  return shares;
}

/** Draws a read kind by weight, one uniform per draw. */
export function readKindPicker(shares: readonly ReadShare[], random: Random): () => ReadKind {
  const total = shares.reduce((sum, share) => sum + share.weight, 0);
  const live = shares.filter((share) => share.weight > 0);
  return () => {
    let u = random.nextFloat() * total;
    for (const share of live) {
      u -= share.weight;
      if (u < 0) return share.kind;
    }
    return live.at(-1)!.kind;
  };
}
