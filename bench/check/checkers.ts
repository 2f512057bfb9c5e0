/**
 * Checkers judge a history alone (history.ts): the clients' operations, and the final reads at
 * ALL made after the faults healed, hints were replayed and a repair ran (process `"final"`).
 * Nothing here looks at the system's stores or timestamps.
 *
 * Each key is a register: writes put distinct values, reads return one value or none. A write
 * `a` precedes an operation `b` when `a` completed before `b` was invoked; an indefinite write
 * (`info`) completes at infinity, so it precedes nothing, and a definite failure (`fail`) was never
 * applied. A value is stale for an operation `b` when some write acknowledged before `b` began is
 * preceded by the write of that value (or no value came back at all): last-write-wins by any
 * clock that follows real time can then never have chosen it. An indefinite write can only
 * explain reading its own value, which this already allows, so it never makes a read stale.
 *
 * - `lost-write`: the final value of a key is not stale against any acknowledged write.
 * - `read-after-write`: a read is not stale for its own invocation. Promised only when the
 *   levels' replica sets meet (blockFor(W) + blockFor(R) > rf); otherwise stale reads are what
 *   the levels allow, and are reported as anomalies, not hidden and not violations.
 * - `definite-failure`: no read or query returns the value of a write that failed definitely,
 *   nor a value that no write wrote.
 * - `monotonic-reads`: once a read of a key returned a value, no read of it begun after that
 *   one completed returns an older one (a value whose write was acknowledged before the first
 *   value's write began) or nothing. This is what Cassandra gives at QUORUM reads, with any
 *   write level, through blocking read repair: a read returns a value only once a quorum holds
 *   it, and the next quorum meets that one. Promised when reads repair (blockFor(R) > 1) and two
 *   read quorums always meet (2 blockFor(R) > rf); otherwise what it finds is reported as
 *   anomalies, which is what those levels allow.
 * - `hinted-handoff`: once every hint is replayed (and before the repair), each replica's own
 *   copy of a key is not older than any acknowledged write: a replica that missed a write while
 *   down, cut off or losing messages got it from a hint. Promised where no coordinator crashed
 *   and no range moved (`CheckOptions.handoff`); elsewhere reported as anomalies.
 * - `complete-query`: a query result marked complete holds every key acknowledged before it
 *   began, at a value that is not stale (under the same promise as reads); an index query holds
 *   only values of the parity it asked for, and leaves out a key only if it could be reading a
 *   value of the other parity; a result marked incomplete names the ranges that failed.
 *
 * Verdicts as Maelstrom's: `invalid` with the operations at fault, `unknown` when a part could not
 * be judged (a key whose final read did not succeed), else `valid`.
 */
import { isReplicaProcess, type Operation, type QueryValue } from './history.js';

export type Verdict = 'valid' | 'invalid' | 'unknown';

export interface Finding {
  readonly key: string | null;
  readonly message: string;
  /** The operations at fault, by the index of their invocation in the history. */
  readonly operations: readonly number[];
}

export interface CheckerResult {
  readonly verdict: Verdict;
  /** Breaks of what the levels promise. */
  readonly violations: readonly Finding[];
  /** What the levels allow and stronger ones would not (stale reads when W + R <= rf). */
  readonly anomalies: readonly Finding[];
  /** Why some part could not be judged. */
  readonly unknown: readonly string[];
}

export interface CheckOptions {
  /** Whether every read's replicas meet every acknowledged write's: blockFor(W) + blockFor(R) > rf. */
  readonly intersecting: boolean;
  /**
   * Whether hinted handoff promises every replica every acknowledged write once the hints are
   * replayed: in schedules where no coordinator crashed with writes in flight (a hint is written
   * when a write times out, so a crash before then loses it, as in Cassandra) and no range moved
   * (a hint is for a node, not a range). Defaults to true.
   */
  readonly handoff?: boolean;
  /**
   * Whether reads promise monotonic values: they repair what they read (blockFor(R) > 1) and any
   * two reads' replicas meet (2 blockFor(R) > rf). Defaults to `intersecting`.
   */
  readonly monotonic?: boolean;
}

/** One key's writes, with the acknowledged ones ordered for "latest acknowledged before t". */
interface KeyModel {
  readonly writes: Operation[];
  readonly byValue: Map<number, Operation>;
  /** Acknowledged writes by completion time, and at each the one invoked last so far. */
  readonly acked: Operation[];
  readonly latestInvoked: Operation[];
}

interface Model {
  readonly keys: Map<string, KeyModel>;
  readonly reads: readonly Operation[];
  readonly finals: ReadonlyMap<string, Operation>;
  /** Each replica's own copy of a key, read after hint replay and before the repair. */
  readonly replicaReads: readonly Operation[];
  readonly queries: readonly Operation[];
  /** Keys written the same value twice: their values cannot be told apart. */
  readonly problems: readonly string[];
}

function modelOf(operations: readonly Operation[]): Model {
  const keys = new Map<string, KeyModel>();
  const problems: string[] = [];
  const keyModel = (key: string): KeyModel => {
    let model = keys.get(key);
    if (model === undefined) {
      model = { writes: [], byValue: new Map(), acked: [], latestInvoked: [] };
      keys.set(key, model);
    }
    return model;
  };
  const reads: Operation[] = [];
  const replicaReads: Operation[] = [];
  const finals = new Map<string, Operation>();
  const queries: Operation[] = [];
  for (const op of operations) {
    if (op.f === 'query') queries.push(op);
    else if (op.key === null) problems.push(`operation ${op.index} names no key`);
    else if (op.f === 'read') {
      keyModel(op.key);
      if (op.process === 'final') finals.set(op.key, op);
      else if (isReplicaProcess(op.process)) replicaReads.push(op);
      else reads.push(op);
    } else if (typeof op.value !== 'number') {
      problems.push(`write ${op.index} wrote no number`);
    } else {
      const model = keyModel(op.key);
      model.writes.push(op);
      if (model.byValue.has(op.value)) problems.push(`${op.key} was written ${op.value} twice`);
      model.byValue.set(op.value, op);
    }
  }
  for (const model of keys.values()) {
    model.acked.push(...model.writes.filter((w) => w.type === 'ok'));
    model.acked.sort((a, b) => a.completeMs - b.completeMs || a.index - b.index);
    let latest: Operation | undefined;
    for (const write of model.acked) {
      if (latest === undefined || write.invokeMs > latest.invokeMs) latest = write;
      model.latestInvoked.push(latest);
    }
  }
  return { keys, reads, finals, replicaReads, queries, problems };
}

/** Of the writes acknowledged before `beforeMs`, the one invoked last. */
function latestAckedBefore(model: KeyModel, beforeMs: number): Operation | undefined {
  let lo = 0;
  let hi = model.acked.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (model.acked[mid]!.completeMs < beforeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : model.latestInvoked[lo - 1];
}

const precedes = (a: Operation, b: Operation): boolean => a.completeMs < b.invokeMs;

/**
 * Why `value`, seen by an operation begun at `beforeMs`, is stale, or undefined when it is not.
 * A value no write wrote, or one a definite failure wrote, is `definite-failure`'s to report.
 */
function staleness(
  model: KeyModel | undefined,
  value: number | null,
  beforeMs: number,
): { readonly required: Operation; readonly writer?: Operation } | undefined {
  if (model === undefined) return undefined;
  const required = latestAckedBefore(model, beforeMs);
  if (required === undefined) return undefined;
  if (value === null) return { required };
  const writer = model.byValue.get(value);
  if (writer === undefined || writer.type === 'fail') return undefined;
  return writer !== required && precedes(writer, required) ? { required, writer } : undefined;
}

const ms = (timeMs: number): string => `${Math.round(timeMs * 1000) / 1000} ms`;

function seen(value: number | null, writer: Operation | undefined): string {
  return value === null ? 'nothing' : `${value} (write ${writer?.index})`;
}

type Checker = (model: Model, options: CheckOptions) => CheckerResult;

function result(
  violations: readonly Finding[],
  anomalies: readonly Finding[],
  unknown: readonly string[],
): CheckerResult {
  const verdict: Verdict =
    violations.length > 0 ? 'invalid' : unknown.length > 0 ? 'unknown' : 'valid';
  return { verdict, violations, anomalies, unknown };
}

const lostWrite: Checker = (model) => {
  const violations: Finding[] = [];
  const unknown = [...model.problems];
  for (const [key, keyModel] of model.keys) {
    if (keyModel.writes.length === 0) continue;
    const final = model.finals.get(key);
    if (final?.type !== 'ok') {
      unknown.push(`${key}: ${final === undefined ? 'no final read' : 'the final read failed'}`);
      continue;
    }
    const value = final.value as number | null;
    const writer = value === null ? undefined : keyModel.byValue.get(value);
    if (value !== null && (writer === undefined || writer.type === 'fail')) continue;
    const lost = keyModel.acked.filter(
      (write) => write !== writer && (writer === undefined || precedes(writer, write)),
    );
    if (lost.length === 0) continue;
    violations.push({
      key,
      message: `${key}: the final read saw ${seen(value, writer)}, older than acknowledged write${
        lost.length === 1 ? '' : 's'
      } ${lost.map((w) => `${w.index} (${w.value})`).join(', ')}`,
      operations: [final.index, ...lost.map((w) => w.index)],
    });
  }
  return result(violations, [], unknown);
};

const readAfterWrite: Checker = (model, options) => {
  const stale: Finding[] = [];
  for (const read of model.reads) {
    if (read.type !== 'ok') continue;
    const value = read.value as number | null;
    const found = staleness(model.keys.get(read.key!), value, read.invokeMs);
    if (found === undefined) continue;
    const { required, writer } = found;
    stale.push({
      key: read.key,
      message: `${read.key}: read ${read.index} began at ${ms(read.invokeMs)} and saw ${seen(
        value,
        writer,
      )}, though write ${required.index} (${required.value}) was acknowledged at ${ms(required.completeMs)}`,
      operations: [read.index, required.index, ...(writer === undefined ? [] : [writer.index])],
    });
  }
  return options.intersecting
    ? result(stale, [], model.problems)
    : result([], stale, model.problems);
};

const definiteFailure: Checker = (model) => {
  const violations: Finding[] = [];
  const judge = (op: Operation, key: string, value: number): void => {
    const writer = model.keys.get(key)?.byValue.get(value);
    if (writer !== undefined && writer.type !== 'fail') return;
    violations.push({
      key,
      message:
        writer === undefined
          ? `${key}: ${op.f} ${op.index} returned ${value}, which no write wrote`
          : `${key}: ${op.f} ${op.index} returned ${value}, the value of write ${writer.index}, which failed definitely`,
      operations: writer === undefined ? [op.index] : [op.index, writer.index],
    });
  };
  for (const read of [...model.reads, ...model.finals.values()]) {
    if (read.type === 'ok' && typeof read.value === 'number') judge(read, read.key!, read.value);
  }
  for (const query of model.queries) {
    if (query.type !== 'ok') continue;
    for (const [key, value] of Object.entries((query.value as QueryValue).rows)) {
      judge(query, key, value);
    }
  }
  return result(violations, [], model.problems);
};

const hintedHandoff: Checker = (model, options) => {
  const found: Finding[] = [];
  for (const read of model.replicaReads) {
    if (read.type !== 'ok') continue;
    const value = read.value as number | null;
    const keyModel = model.keys.get(read.key!);
    const writer = value === null ? undefined : keyModel?.byValue.get(value);
    if (value !== null && (writer === undefined || writer.type === 'fail')) continue;
    const missed = (keyModel?.acked ?? []).filter(
      (write) =>
        write !== writer &&
        precedes(write, read) &&
        (writer === undefined || precedes(writer, write)),
    );
    if (missed.length === 0) continue;
    found.push({
      key: read.key,
      message: `${read.key}: after hint replay, ${String(read.process).slice('replica:'.length)} holds ${seen(
        value,
        writer,
      )}, older than acknowledged write${missed.length === 1 ? '' : 's'} ${missed
        .map((w) => `${w.index} (${w.value})`)
        .join(', ')}`,
      operations: [read.index, ...missed.map((w) => w.index)],
    });
  }
  return (options.handoff ?? true)
    ? result(found, [], model.problems)
    : result([], found, model.problems);
};

/** The write of `value` to a key, when a write that was not refused wrote it. */
function writerOf(model: KeyModel | undefined, value: number | null): Operation | undefined {
  if (value === null) return undefined;
  const writer = model?.byValue.get(value);
  return writer?.type === 'fail' ? undefined : writer;
}

const monotonicReads: Checker = (model, options) => {
  const found: Finding[] = [];
  const reads = [...model.reads, ...model.finals.values()].filter((read) => read.type === 'ok');
  const byKey = new Map<string, Operation[]>();
  for (const read of reads) {
    const list = byKey.get(read.key!);
    if (list === undefined) byKey.set(read.key!, [read]);
    else list.push(read);
  }
  for (const [key, keyReads] of byKey) {
    const keyModel = model.keys.get(key);
    for (const later of keyReads) {
      const value = later.value as number | null;
      const writer = writerOf(keyModel, value);
      // A value no write wrote, or a refused write's, is definite-failure's to report.
      if (value !== null && writer === undefined) continue;
      const earlier = keyReads.find((read) => {
        if (!precedes(read, later)) return false;
        const seenWriter = writerOf(keyModel, read.value as number | null);
        return seenWriter !== undefined && (writer === undefined || precedes(writer, seenWriter));
      });
      if (earlier === undefined) continue;
      const earlierWriter = writerOf(keyModel, earlier.value as number | null);
      found.push({
        key,
        message: `${key}: read ${later.index} began at ${ms(later.invokeMs)} and saw ${seen(
          value,
          writer,
        )}, though read ${earlier.index} had already returned the newer ${seen(
          earlier.value as number,
          earlierWriter,
        )} at ${ms(earlier.completeMs)}`,
        operations: [later.index, earlier.index],
      });
    }
  }
  return (options.monotonic ?? options.intersecting)
    ? result(found, [], model.problems)
    : result([], found, model.problems);
};

/**
 * Why a complete query's answer for one key is wrong, or undefined when it is not. A scan must
 * hold the key at a value that is not stale. An index query (`parity` 0 or 1) must return only
 * values of that parity, not stale ones, and may leave a key out only if some write it could be
 * reading has the other parity: one not acknowledged before the latest acknowledged write, nor
 * refused, invoked before the query ended.
 */
function answerFault(
  query: Operation,
  keyModel: KeyModel,
  value: number | null,
  parity: number | null,
):
  { readonly message: string; readonly operations: number[]; readonly stale: boolean } | undefined {
  const at = `${query.index} began at ${ms(query.invokeMs)}`;
  if (parity !== null && value !== null && value % 2 !== parity) {
    return {
      message: `index query ${at} for ${parity === 0 ? 'even' : 'odd'} values returned ${value}`,
      operations: [query.index],
      stale: false,
    };
  }
  const found = staleness(keyModel, value, query.invokeMs);
  if (found === undefined) return undefined;
  const { required, writer } = found;
  if (parity !== null && value === null) {
    const couldBe = keyModel.writes.filter(
      (w) => w.type !== 'fail' && !precedes(w, required) && w.invokeMs < query.completeMs,
    );
    if (couldBe.some((w) => (w.value as number) % 2 !== parity)) return undefined;
  }
  return {
    message: `complete ${parity === null ? 'query' : 'index query'} ${at} and holds ${seen(
      value,
      writer,
    )}, though write ${required.index} (${required.value}) was acknowledged at ${ms(required.completeMs)}`,
    operations: [query.index, required.index, ...(writer === undefined ? [] : [writer.index])],
    stale: true,
  };
}

const completeQuery: Checker = (model, options) => {
  const violations: Finding[] = [];
  const stale: Finding[] = [];
  for (const query of model.queries) {
    if (query.type !== 'ok') continue;
    const answer = query.value as QueryValue;
    if (!answer.complete) {
      if (answer.failed.length === 0) {
        violations.push({
          key: null,
          message: `query ${query.index} is marked incomplete but names no range that failed`,
          operations: [query.index],
        });
      }
      continue;
    }
    const parity = typeof query.argument === 'number' ? query.argument : null;
    for (const [key, keyModel] of model.keys) {
      const fault = answerFault(query, keyModel, answer.rows[key] ?? null, parity);
      if (fault === undefined) continue;
      const finding = { key, message: `${key}: ${fault.message}`, operations: fault.operations };
      (fault.stale ? stale : violations).push(finding);
    }
  }
  return options.intersecting
    ? result([...violations, ...stale], [], model.problems)
    : result(violations, stale, model.problems);
};

export const checkers = {
  'lost-write': lostWrite,
  'read-after-write': readAfterWrite,
  'definite-failure': definiteFailure,
  'monotonic-reads': monotonicReads,
  'hinted-handoff': hintedHandoff,
  'complete-query': completeQuery,
} as const satisfies Record<string, Checker>;

export type CheckerName = keyof typeof checkers;
export const checkerNames = Object.keys(checkers) as CheckerName[];

export interface HistoryVerdict {
  readonly verdict: Verdict;
  readonly byChecker: Readonly<Record<CheckerName, CheckerResult>>;
}

/** Every checker over one history's operations (`pairOperations`). */
export function checkHistory(
  operations: readonly Operation[],
  options: CheckOptions,
): HistoryVerdict {
  const model = modelOf(operations);
  const byChecker = Object.fromEntries(
    checkerNames.map((name) => [name, checkers[name](model, options)]),
  ) as Record<CheckerName, CheckerResult>;
  return { verdict: combine(Object.values(byChecker).map((r) => r.verdict)), byChecker };
}

/** `invalid` if any is, else `unknown` if any is, else `valid`. */
export function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('invalid')) return 'invalid';
  return verdicts.includes('unknown') ? 'unknown' : 'valid';
}
