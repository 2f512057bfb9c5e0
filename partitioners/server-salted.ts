import { invalidConfig } from '../engine/errors.js';
import type { PartitionKey, Partitioner, Query, Route } from '../engine/partitioner.js';
import { filterOf, onlyOn, toAllRanges, toPartitions } from '../engine/query.js';
import type { Row } from '../engine/row.js';
import type { TokenFunction } from '../engine/token.js';
import { fnv1a32, numberColumn, textColumn } from './columns.js';
import { compositeKeyBytes, intBytes, textBytes } from './key-bytes.js';
import { createSpaceSaving } from './space-saving.js';

/**
 * `server-salted`: partition key (server_id, salt). A server's rows are spread over `salts`
 * partitions by a hash of the event id, so a hot server becomes several warm partitions; a read
 * of one server must then touch each of its salted partitions.
 *
 * Fixed mode salts every server the same. Adaptive mode salts only servers a heavy-hitter
 * detector finds hot, and records every change as versioned metadata: a change made after
 * seeing timestamp t applies to rows with ts > t, so the salt count of any row already written
 * never changes, and a read of a time range touches exactly the salts that were in force during
 * it. No row ever becomes unreachable.
 */
export type SaltMode =
  | { readonly kind: 'fixed'; readonly salts: number }
  | {
      readonly kind: 'adaptive';
      /** A partition should take at most this share of all writes in a window. */
      readonly hotShare: number;
      /** Writes per detection window; the detector decides at the end of each. */
      readonly windowEvents: number;
      /** Upper bound on any server's salt count. */
      readonly maxSalts: number;
    };

export interface SaltMetadata {
  /** Detection windows closed so far (adaptive) or 0 (fixed). */
  readonly epochs: number;
  /** Salt-count changes recorded, across all servers and epochs. */
  readonly entries: number;
  /** Servers currently salted above one partition. */
  readonly saltedServers: number;
  /** The largest salt count in force now. */
  readonly maxSalts: number;
  /** Bytes to store the metadata: per entry, the server id, an 8-byte timestamp and a 2-byte count. */
  readonly bytes: number;
}

export interface SaltedPartitioner extends Partitioner {
  /** Salt count in force for a server's row at time `ts`. */
  saltsAt(server: string, ts: number): number;
  metadata(): SaltMetadata;
}

export interface SaltedOptions {
  readonly tokenFunction: TokenFunction;
  readonly mode: SaltMode;
  readonly serverColumn?: string;
  readonly idColumn?: string;
  readonly timeColumn?: string;
}

/** One server's history of salt counts: `salts[i]` applies to rows with ts >= fromTs[i]. */
interface History {
  readonly fromTs: number[];
  readonly salts: number[];
}

export function validateSaltMode(mode: SaltMode): SaltMode {
  if (mode.kind === 'fixed') {
    if (!Number.isInteger(mode.salts) || mode.salts < 1 || mode.salts > 65_536) {
      throw invalidConfig(
        'salt',
        `must be an integer between 1 and 65536, or "adaptive"; got ${mode.salts}`,
      );
    }
    return mode;
  }
  if (!(mode.hotShare > 0 && mode.hotShare < 1))
    throw invalidConfig('hotShare', `must be in (0, 1), got ${mode.hotShare}`);
  if (!Number.isInteger(mode.windowEvents) || mode.windowEvents < 100) {
    throw invalidConfig(
      'saltWindow',
      `must be an integer of at least 100 events, got ${mode.windowEvents}`,
    );
  }
  if (!Number.isInteger(mode.maxSalts) || mode.maxSalts < 1 || mode.maxSalts > 65_536) {
    throw invalidConfig('maxSalts', `must be an integer between 1 and 65536, got ${mode.maxSalts}`);
  }
  return mode;
}

/** Partition keys a server-salted partitioner keeps built, at most (about 150 bytes each). */
const MAX_HELD_KEYS = 1 << 16;

export function serverSalted(options: SaltedOptions): SaltedPartitioner {
  const mode = validateSaltMode(options.mode);
  const serverColumn = options.serverColumn ?? 'server_id';
  const idColumn = options.idColumn ?? 'event_id';
  const timeColumn = options.timeColumn ?? 'ts';

  // Keys are values (nothing writes to their bytes), so each (server, salt) is built once and
  // shared: the write path keys every row, and the 1M-event simulate spent 8% of its time
  // building the same few thousand keys. Bounded, so that a fleet of a million servers keeps
  // only the first keys it met.
  const keys = new Map<string, PartitionKey[]>();
  let keysHeld = 0;
  const keyOf = (server: string, salt: number): PartitionKey => {
    let bySalt = keys.get(server);
    const held = bySalt?.[salt];
    if (held !== undefined) return held;
    const key: PartitionKey = {
      bytes: compositeKeyBytes([textBytes(server), intBytes(salt)]),
      text: `${server}#${salt}`,
    };
    if (keysHeld < MAX_HELD_KEYS) {
      if (bySalt === undefined) keys.set(server, (bySalt = []));
      bySalt[salt] = key;
      keysHeld++;
    }
    return key;
  };

  const partitionsOf = (server: string, salts: number): PartitionKey[] =>
    Array.from({ length: salts }, (_, salt) => keyOf(server, salt));

  if (mode.kind === 'fixed') {
    return {
      name: 'server-salted',
      tokenFunction: options.tokenFunction,
      keyOf: (row) =>
        keyOf(textColumn(row, serverColumn), fnv1a32(textColumn(row, idColumn)) % mode.salts),
      route: (query) =>
        query.where[serverColumn] === undefined
          ? toAllRanges(filterOf(query))
          : toPartitions(
              partitionsOf(textColumn(query.where, serverColumn), mode.salts),
              filterOf(query),
              onlyOn(query, [serverColumn]),
            ),
      saltsAt: () => mode.salts,
      metadata: () => ({ epochs: 0, entries: 0, saltedServers: 0, maxSalts: mode.salts, bytes: 2 }),
    };
  }

  // Capacity 2 / hotShare guarantees that any server above half the hot share is tracked.
  const detector = createSpaceSaving(Math.ceil(2 / mode.hotShare));
  const histories = new Map<string, History>();
  let epochs = 0;
  let entries = 0;
  let metadataBytes = 0;
  let maxSeenTs = -Infinity;

  const saltsAt = (server: string, ts: number): number => {
    const history = histories.get(server);
    if (history === undefined) return 1;
    const { fromTs, salts } = history;
    // Most rows are recent: check the newest entry before searching.
    if (ts >= fromTs[fromTs.length - 1]!) return salts[salts.length - 1]!;
    let low = 0;
    let high = fromTs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (fromTs[mid]! <= ts) low = mid + 1;
      else high = mid;
    }
    return low === 0 ? 1 : salts[low - 1]!;
  };

  const record = (server: string, fromTs: number, salts: number): void => {
    let history = histories.get(server);
    if (history === undefined) {
      history = { fromTs: [], salts: [] };
      histories.set(server, history);
    }
    history.fromTs.push(fromTs);
    history.salts.push(salts);
    entries++;
    metadataBytes += server.length + 8 + 2;
  };

  /**
   * Closes a window: raises hot servers' salts and, after a full window only, lowers cooled
   * ones' (with hysteresis: only when a server needs a quarter or less of what it has, keeping
   * 2x headroom, so a server near a threshold does not flap between counts).
   */
  const closeWindow = (full: boolean): void => {
    const threshold = mode.hotShare * detector.total;
    const fromTs = maxSeenTs + 1;
    const needed = new Map<string, number>();
    for (const { item, guaranteed } of detector.entries()) {
      needed.set(item, Math.min(mode.maxSalts, nextPowerOfTwo(Math.ceil(guaranteed / threshold))));
    }
    for (const [server, salts] of needed) {
      if (salts > saltsAt(server, fromTs)) record(server, fromTs, salts);
    }
    if (full) {
      for (const [server, history] of histories) {
        const current = history.salts[history.salts.length - 1]!;
        const salts = needed.get(server) ?? 1;
        if (salts * 4 <= current) record(server, fromTs, Math.max(1, salts * 2));
      }
    }
    epochs++;
    detector.reset();
  };

  // A server whose count alone already exceeds what its partitions may take in a whole window
  // is provably hot: the window closes early, after at least an eighth of its length so the
  // shares are measured on enough writes. This keeps the unsalted warm-up short.
  const budget = mode.hotShare * mode.windowEvents;
  const minWindowEvents = Math.ceil(mode.windowEvents / 8);

  const maxSaltsIn = (server: string, from: number, to: number): number => {
    const history = histories.get(server);
    if (history === undefined) return 1;
    let max = saltsAt(server, from);
    history.fromTs.forEach((fromTs, i) => {
      if (fromTs > from && fromTs < to) max = Math.max(max, history.salts[i]!);
    });
    return max;
  };

  return {
    name: 'server-salted',
    tokenFunction: options.tokenFunction,
    observe(row: Row) {
      const server = textColumn(row, serverColumn);
      detector.offer(server);
      const ts = numberColumn(row, timeColumn);
      if (ts > maxSeenTs) maxSeenTs = ts;
      if (detector.total >= mode.windowEvents) closeWindow(true);
      else if (
        detector.total >= minWindowEvents &&
        detector.guaranteed(server) > budget * saltsAt(server, maxSeenTs + 1)
      ) {
        closeWindow(false);
      }
    },
    keyOf: (row) => {
      const server = textColumn(row, serverColumn);
      const salts = saltsAt(server, numberColumn(row, timeColumn));
      return keyOf(server, salts === 1 ? 0 : fnv1a32(textColumn(row, idColumn)) % salts);
    },
    route: (query: Query): Route => {
      if (query.where[serverColumn] === undefined) return toAllRanges(filterOf(query));
      const server = textColumn(query.where, serverColumn);
      const range = query.range?.column === timeColumn ? query.range : undefined;
      const salts = maxSaltsIn(server, range?.from ?? -Infinity, range?.to ?? Infinity);
      return toPartitions(
        partitionsOf(server, salts),
        filterOf(query),
        onlyOn(query, [serverColumn]),
      );
    },
    saltsAt,
    metadata: () => {
      let saltedServers = 0;
      let maxSalts = 1;
      for (const history of histories.values()) {
        const current = history.salts[history.salts.length - 1]!;
        if (current > 1) saltedServers++;
        maxSalts = Math.max(maxSalts, current);
      }
      return { epochs, entries, saltedServers, maxSalts, bytes: metadataBytes };
    },
  };
}

function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}
