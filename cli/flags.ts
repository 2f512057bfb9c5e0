import type { Command } from 'commander';

/**
 * Fields that config resolvers name but that are not spelled like a flag: nested workload fields,
 * and internal names for what a flag sets. Anything else maps to a flag only if the command that
 * ran has an option of that kebab-cased name, so a message never sends the user to a flag that
 * does not exist.
 */
const FIELD_FLAGS: Readonly<Record<string, string>> = {
  'serverDistribution.kind': '--dist',
  'serverDistribution.theta': '--theta',
  'serverDistribution.items': '--servers',
  kind: '--dist',
  idKind: '--ids',
  readSamples: '--reads',
  bucketMs: '--bucket',
  windowMs: '--window',
  spanMs: '--span',
};

/** The flag of `command` that `field` stands for, or undefined when it has none. */
export function flagOf(field: string, command: Command | undefined): string | undefined {
  if (field.startsWith('--')) return field;
  const flag = FIELD_FLAGS[field] ?? `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return command?.options.some((option) => option.long === flag) ? flag : undefined;
}

/**
 * Names the flag in a resolver's message: "rf must be ..." becomes "--rf must be ...", and a
 * message that does not start with its field gets the flag after it.
 */
export function flagged(message: string, field: string | undefined, command?: Command): string {
  if (field === undefined) return message;
  const flag = flagOf(field, command);
  if (flag === undefined || message.startsWith(`${flag} `)) return message;
  return message.startsWith(`${field} `)
    ? `${flag}${message.slice(field.length)}`
    : `${message} (${flag})`;
}
