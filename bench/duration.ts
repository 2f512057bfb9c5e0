import { invalidConfig, quoted } from '../engine/errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses "250ms", "30s", "5m", "1h", "1d" (or a bare number of ms) into milliseconds. */
export function parseDuration(field: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? 'ms']! : NaN;
  if (!Number.isFinite(ms) || ms < 1 || !Number.isSafeInteger(Math.round(ms))) {
    throw invalidConfig(
      field,
      `must be a duration such as 500ms, 30s, 5m, 1h or 1d; got ${quoted(text)}`,
    );
  }
  return Math.round(ms);
}

/** The shortest exact form: 3600000 → "1h", 90000 → "90s". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
