/**
 * Delay distributions for the time plane: message delays, service times, think times. A spec is
 * plain data (what a config or a JSON document holds); `createDelay` resolves it, checking every
 * field, and binds it to a `Random` stream, which the caller forks per component.
 *
 * Draws are a function of the stream alone, so the same seed gives the same delays bit for bit.
 */
import { RinglabError, invalidConfig, quoted } from '../errors.js';
import type { Random } from '../random.js';

export const delayKinds = ['constant', 'uniform', 'exponential', 'lognormal'] as const;
export type DelayKind = (typeof delayKinds)[number];

export type DelaySpec =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  /** ln(delay) is normal with mean ln(medianMs) and standard deviation sigma. */
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number };

/** A spec as given: the lognormal's sigma may be left to its default. */
export type DelayInput =
  | Exclude<DelaySpec, { kind: 'lognormal' }>
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma?: number };

export interface Delay {
  readonly spec: DelaySpec;
  /** The distribution's mean and median, ms (not of the draws so far). */
  readonly meanMs: number;
  readonly medianMs: number;
  /** The next delay, ms: finite and at least 0. */
  sample(): number;
}

/**
 * The default lognormal sigma: p99 at e^(2.33 x 0.5) = 3.2 times the median, mean 1.13 times
 * it. Measured intra-DC message latencies have a long right tail of about that size (a few
 * times the median at p99, from GC pauses and queueing in the network stacks), while a sigma of
 * 1 (p99 at 10x) would already look like a sick network.
 */
export const DEFAULT_LOGNORMAL_SIGMA = 0.5;

/**
 * One-way message delay between nodes of one data centre, including the sender's and the
 * receiver's messaging layers: a median of 0.5 ms (an intra-DC round trip of 0.2-0.5 ms on the
 * wire, plus serialisation and the messaging threads' queues), p99 1.6 ms.
 */
export const NETWORK_DELAY = {
  kind: 'lognormal',
  medianMs: 0.5,
  sigma: DEFAULT_LOGNORMAL_SIGMA,
} as const satisfies DelaySpec;

/**
 * One-way delay between data centres of one continent: about 30 ms, mostly propagation, which
 * does not vary, so the spread is narrow (sigma 0.1: p99 38 ms).
 */
export const CROSS_DC_DELAY = {
  kind: 'lognormal',
  medianMs: 30,
  sigma: 0.1,
} as const satisfies DelaySpec;

type SpecOf<K extends DelayKind> = Extract<DelaySpec, { kind: K }>;
type InputOf<K extends DelayKind> = Extract<DelayInput, { kind: K }>;

/** Everything the time plane knows about one kind of distribution. */
interface DelayFamily<K extends DelayKind> {
  /** Checks a spec's fields (naming `<field>.<name>`) and fills in defaults. */
  resolve(input: InputOf<K>, field: string): SpecOf<K>;
  meanMs(spec: SpecOf<K>): number;
  medianMs(spec: SpecOf<K>): number;
  sampler(spec: SpecOf<K>, random: Random): () => number;
}

/** The registry: one family per kind. */
const families = {
  constant: {
    resolve: (input, field) => ({ kind: 'constant', ms: atLeastZero(input.ms, `${field}.ms`) }),
    meanMs: (spec) => spec.ms,
    medianMs: (spec) => spec.ms,
    sampler: (spec) => {
      const ms = spec.ms;
      return () => ms;
    },
  },
  uniform: {
    resolve: (input, field) => {
      const minMs = atLeastZero(input.minMs, `${field}.minMs`);
      const maxMs = atLeastZero(input.maxMs, `${field}.maxMs`);
      if (maxMs < minMs) {
        throw invalidConfig(`${field}.maxMs`, `must be at least minMs (${minMs}), got ${maxMs}`);
      }
      return { kind: 'uniform', minMs, maxMs };
    },
    meanMs: (spec) => (spec.minMs + spec.maxMs) / 2,
    medianMs: (spec) => (spec.minMs + spec.maxMs) / 2,
    sampler: (spec, random) => {
      const { minMs } = spec;
      const widthMs = spec.maxMs - spec.minMs;
      return () => minMs + widthMs * random.nextFloat();
    },
  },
  exponential: {
    resolve: (input, field) => ({
      kind: 'exponential',
      meanMs: positive(input.meanMs, `${field}.meanMs`),
    }),
    meanMs: (spec) => spec.meanMs,
    medianMs: (spec) => spec.meanMs * Math.LN2,
    sampler: (spec, random) => {
      const meanMs = spec.meanMs;
      // 1 - u lies in (0, 1], so the logarithm is finite.
      return () => -meanMs * Math.log(1 - random.nextFloat());
    },
  },
  lognormal: {
    resolve: (input, field) => ({
      kind: 'lognormal',
      medianMs: positive(input.medianMs, `${field}.medianMs`),
      sigma: atLeastZero(input.sigma ?? DEFAULT_LOGNORMAL_SIGMA, `${field}.sigma`),
    }),
    meanMs: (spec) => spec.medianMs * Math.exp((spec.sigma * spec.sigma) / 2),
    medianMs: (spec) => spec.medianMs,
    sampler: (spec, random) => {
      const { medianMs, sigma } = spec;
      const normal = standardNormal(random);
      return () => medianMs * Math.exp(sigma * normal());
    },
  },
} satisfies { readonly [K in DelayKind]: DelayFamily<K> };

/** Resolves a spec as given into a full one, or throws naming the field at fault. */
export function resolveDelay(input: DelayInput, field = 'delay'): DelaySpec {
  return familyOf(input, field).resolve(input as never, field);
}

/** A delay distribution drawing from `random`, which it alone should use. */
export function createDelay(input: DelayInput, random: Random, field = 'delay'): Delay {
  const family = familyOf(input, field);
  const spec = family.resolve(input as never, field);
  const typed = spec as never;
  return {
    spec,
    meanMs: family.meanMs(typed),
    medianMs: family.medianMs(typed),
    sample: family.sampler(typed, random),
  };
}

function familyOf(input: DelayInput, field: string): DelayFamily<DelayKind> {
  if (typeof input !== 'object' || input === null) {
    throw invalidConfig(field, `must be a delay spec with a kind, got ${quoted(input)}`);
  }
  const kind = (input as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(delayKinds as readonly string[]).includes(kind)) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `${field}.kind must be one of ${delayKinds.join(', ')}, got ${quoted(kind)}`,
      `${field}.kind`,
    );
  }
  return families[kind as DelayKind] as DelayFamily<DelayKind>;
}

function atLeastZero(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidConfig(field, `must be a finite number of at least 0, got ${quoted(value)}`);
  }
  return value;
}

function positive(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidConfig(field, `must be a finite number above 0, got ${quoted(value)}`);
  }
  return value;
}

/**
 * Standard normal draws by the Box-Muller transform: two uniforms give two independent
 * normals; the second is kept for the next call.
 */
function standardNormal(random: Random): () => number {
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - random.nextFloat()));
    const angle = 2 * Math.PI * random.nextFloat();
    spare = radius * Math.sin(angle);
    hasSpare = true;
    return radius * Math.cos(angle);
  };
}
