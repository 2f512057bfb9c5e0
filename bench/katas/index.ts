/**
 * The kata registry: `ringlab kata <name>` and `ringlab run` find a kata here by name. A kata
 * lives in its own file beside this one and is added to the list below, in the order
 * `kata list` shows them.
 */
import { RinglabError } from '../../engine/errors.js';
import type { AnyKata } from '../kata/kata.js';
import { domainCounters } from './domain-counters.js';
import { logFeeding } from './log-feeding.js';
import { logsentry } from './logsentry.js';
import { ordersKata } from './orders.js';
import { apiUsageLogKata } from './api-usage-log.js';

export const katas: readonly AnyKata[] = [
  logsentry,
  ordersKata,
  domainCounters,
  apiUsageLogKata,
  logFeeding,
];

export function kataNames(): string[] {
  return katas.map((kata) => kata.name);
}

export function getKata(name: string): AnyKata {
  const kata = katas.find((candidate) => candidate.name === name);
  if (kata === undefined) {
    throw new RinglabError(
      'UNKNOWN_NAME',
      `kata "${name}" is not one of ${kataNames().join(', ') || '(none yet)'}; ringlab kata list shows them`,
      'kata',
    );
  }
  return kata;
}
