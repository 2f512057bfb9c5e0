import type { PartitionKey, Partitioner, Query, Route } from '../engine/partitioner.js';
import { filterOf, onlyOn, toAllRanges, toPartitions } from '../engine/query.js';
import type { TokenFunction } from '../engine/token.js';
import { textColumn } from './columns.js';
import { textBytes } from './key-bytes.js';

/**
 * `server-id`: the naive design, one partition per server. Reads by server touch one partition,
 * but a hot server is a hot partition on one replica set, and its partition grows without bound.
 */
export function serverId(tokenFunction: TokenFunction, column = 'server_id'): Partitioner {
  const keyOf = (server: string): PartitionKey => ({ bytes: textBytes(server), text: server });
  return {
    name: 'server-id',
    tokenFunction,
    keyOf: (row) => keyOf(textColumn(row, column)),
    route: (query: Query): Route =>
      query.where[column] === undefined
        ? toAllRanges(filterOf(query))
        : toPartitions(
            [keyOf(textColumn(query.where, column))],
            filterOf(query),
            onlyOn(query, [column]),
          ),
  };
}
