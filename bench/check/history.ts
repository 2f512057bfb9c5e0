/**
 * A history: every operation a schedule's clients issued, as they saw it, kept apart from the
 * system that answered. One event when an operation is invoked and one when it completes, in the
 * shape of Jepsen's histories, one JSON object per line:
 *
 *   {"process":0,"type":"invoke","f":"write","key":"k2","value":7,"index":12,"time":1503.25}
 *   {"process":0,"type":"ok","f":"write","key":"k2","value":7,"index":13,"time":1504.61}
 *
 * - `process` is the client (a number; the final reads after the faults heal are `"final"`). A
 *   process issues one operation at a time, so its completion follows its invocation. Before the
 *   final repair, once every hint was replayed, each replica's own copy of each key is read
 *   directly (as `nodetool getendpoints` and a look at that node's data would), by a process
 *   named for the replica: `"replica:n3"`.
 * - `type`: `invoke`, then `ok`, `fail` (definite: `unavailable`, nothing was applied) or `info`
 *   (indefinite: a timeout, it may or may not have been applied).
 * - `f`: `write` (the value written), `read` (the value read, null for none) or `query`: a scan
 *   of every key (its invocation's key and value are null) or a query through the index on the
 *   value's parity (its invocation's value is the parity asked for, 0 for even values, 1 for odd);
 *   its completion's value is `{"rows": {key: value}, "complete": bool, "failed": [ranges]}`.
 * - `index` is the event's position in the history, `time` virtual ms since the schedule began;
 *   `error` says why a `fail` or `info` ended (`unavailable`, `timeout`).
 *
 * An invocation with no completion (its coordinator never answered) is indefinite, as Jepsen
 * treats a crashed process: `pairOperations` closes it as `info` at infinity.
 */
import { RinglabError, quoted } from '../../engine/errors.js';

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export type OperationF = 'write' | 'read' | 'query';
export type Process = number | 'final' | `replica:${string}`;

/** Whether `process` reads one replica's own copy (history.ts's header says when). */
export const isReplicaProcess = (process: Process): process is `replica:${string}` =>
  typeof process === 'string' && process.startsWith('replica:');

/** What a complete or partial scan returned: each key's value, and the ranges that failed. */
export interface QueryValue {
  readonly rows: Readonly<Record<string, number>>;
  readonly complete: boolean;
  readonly failed: readonly string[];
}

export type EventValue = number | null | QueryValue;

export interface HistoryEvent {
  readonly process: Process;
  readonly type: EventType;
  readonly f: OperationF;
  readonly key: string | null;
  readonly value: EventValue;
  readonly index: number;
  readonly time: number;
  readonly error?: string;
}

/** An invocation and its completion, as checkers read them. */
export interface Operation {
  readonly process: Process;
  readonly f: OperationF;
  readonly key: string | null;
  /** `info` for an indefinite outcome, and for an invocation that never completed. */
  readonly type: 'ok' | 'fail' | 'info';
  /** Written (write), read (read, null for none), or what a query returned (null unless ok). */
  readonly value: EventValue;
  /** What the invocation asked: a write's value, an index query's parity, null otherwise. */
  readonly argument: EventValue;
  /** Index of the invocation's event: the operation's name in reports. */
  readonly index: number;
  readonly invokeMs: number;
  /** Infinity for `info`: an indefinite operation may take effect at any later time. */
  readonly completeMs: number;
}

export interface HistoryRecorder {
  /** Records an invocation; returns the id to complete it with. */
  invoke(
    process: Process,
    f: OperationF,
    key: string | null,
    value: EventValue,
    timeMs: number,
  ): number;
  complete(
    id: number,
    type: Exclude<EventType, 'invoke'>,
    value: EventValue,
    timeMs: number,
    error?: string,
  ): void;
  readonly events: readonly HistoryEvent[];
}

export function createHistoryRecorder(): HistoryRecorder {
  const events: HistoryEvent[] = [];
  return {
    events,
    invoke(process, f, key, value, timeMs) {
      const index = events.length;
      events.push({ process, type: 'invoke', f, key, value, index, time: timeMs });
      return index;
    },
    complete(id, type, value, timeMs, error) {
      const invoked = events[id];
      if (invoked?.type !== 'invoke') {
        throw new RinglabError('INVALID_ARGUMENT', `no invocation ${id} to complete`, 'history');
      }
      const { process, f, key } = invoked;
      const event: HistoryEvent = {
        process,
        type,
        f,
        key,
        value,
        index: events.length,
        time: timeMs,
      };
      events.push(error === undefined ? event : { ...event, error });
    },
  };
}

/** Pairs each invocation with its process's next completion; an unanswered one is `info`. */
export function pairOperations(events: readonly HistoryEvent[]): Operation[] {
  const open = new Map<Process, HistoryEvent>();
  const operations: Operation[] = [];
  const close = (invoked: HistoryEvent, completed: HistoryEvent | undefined): void => {
    const type = completed === undefined ? 'info' : (completed.type as Operation['type']);
    // A write's value is what it wrote; a read's or a query's is what it returned, when it did.
    const value = invoked.f === 'write' ? invoked.value : type === 'ok' ? completed!.value : null;
    operations.push({
      process: invoked.process,
      f: invoked.f,
      key: invoked.key,
      type,
      value,
      argument: invoked.value,
      index: invoked.index,
      invokeMs: invoked.time,
      completeMs: type === 'info' ? Infinity : completed!.time,
    });
  };
  for (const event of events) {
    const invoked = open.get(event.process);
    if (event.type === 'invoke') {
      if (invoked !== undefined)
        throw badHistory(event.index, `process ${event.process} invoked twice`);
      open.set(event.process, event);
      continue;
    }
    if (invoked === undefined) {
      throw badHistory(event.index, `process ${event.process} completed nothing it invoked`);
    }
    if (invoked.f !== event.f || invoked.key !== event.key) {
      throw badHistory(
        event.index,
        `completes a ${event.f} of ${event.key}, invoked as a ${invoked.f} of ${invoked.key}`,
      );
    }
    open.delete(event.process);
    close(invoked, event);
  }
  for (const invoked of open.values()) close(invoked, undefined);
  return operations.sort((a, b) => a.index - b.index);
}

function badHistory(line: number, why: string): RinglabError {
  return new RinglabError('INVALID_ARGUMENT', `history line ${line + 1}: ${why}`, 'history');
}

/** One JSON object per line, fields in Jepsen's order, a newline after each. */
export function historyToJsonLines(events: readonly HistoryEvent[]): string {
  return events
    .map(({ process, type, f, key, value, index, time, error }) => {
      const ordered = { process, type, f, key, value, index, time };
      return `${JSON.stringify(error === undefined ? ordered : { ...ordered, error })}\n`;
    })
    .join('');
}

const eventTypes: readonly string[] = ['invoke', 'ok', 'fail', 'info'];
const fs: readonly string[] = ['write', 'read', 'query'];

/**
 * Parses JSON lines back into events, checking each field's type; a malformed line throws
 * INVALID_ARGUMENT under `history`, naming its line number. Blank lines are skipped.
 */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  text.split('\n').forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw badHistory(lineIndex, `is not JSON: ${quoted(line)}`);
    }
    events.push(eventOf(parsed, lineIndex));
  });
  return events;
}

function eventOf(parsed: unknown, line: number): HistoryEvent {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badHistory(line, 'is not a JSON object');
  }
  const o = parsed as Record<string, unknown>;
  const need = (ok: boolean, field: string): void => {
    if (!ok)
      throw badHistory(line, `${field} is missing or of the wrong type (${quoted(o[field])})`);
  };
  need(
    o.process === 'final' ||
      Number.isSafeInteger(o.process) ||
      (typeof o.process === 'string' && /^replica:n\d+$/.test(o.process)),
    'process',
  );
  need(typeof o.type === 'string' && eventTypes.includes(o.type), 'type');
  need(typeof o.f === 'string' && fs.includes(o.f), 'f');
  need(o.key === null || typeof o.key === 'string', 'key');
  need(o.value === null || typeof o.value === 'number' || isQueryValue(o.value), 'value');
  need(Number.isSafeInteger(o.index), 'index');
  need(typeof o.time === 'number' && Number.isFinite(o.time), 'time');
  need(o.error === undefined || typeof o.error === 'string', 'error');
  const event: HistoryEvent = {
    process: o.process as Process,
    type: o.type as EventType,
    f: o.f as OperationF,
    key: o.key as string | null,
    value: o.value as EventValue,
    index: o.index as number,
    time: o.time as number,
  };
  return o.error === undefined ? event : { ...event, error: o.error as string };
}

function isQueryValue(value: unknown): value is QueryValue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.complete === 'boolean' &&
    Array.isArray(v.failed) &&
    v.failed.every((range) => typeof range === 'string') &&
    typeof v.rows === 'object' &&
    v.rows !== null &&
    Object.values(v.rows).every((x) => typeof x === 'number')
  );
}
