import type { PartitionKey, Partitioner, Query, Route } from '../engine/partitioner.js';
import { filterOf, onlyOn, toAllRanges, toPartitions } from '../engine/query.js';
import type { Row } from '../engine/row.js';
import type { TokenFunction, TokenParts } from '../engine/token.js';
import { textColumn } from './columns.js';
import { textBytes, textTokenParts } from './key-bytes.js';

/**
 * `hash-event-id`: every event is its own partition, keyed by `event_id`. Writes spread as evenly
 * as the hash allows, but any read that is not by `event_id` (say, "logs of server X") cannot be
 * routed and must visit every token range.
 *
 * The key's text is the event id itself and its bytes are the id's UTF-8, so the write path
 * (`placeRow`) hashes the id straight from the string (or a reused buffer) instead of building a key with its own bytes.
 */
export function hashEventId(tokenFunction: TokenFunction): Partitioner {
  return {
    name: 'hash-event-id',
    tokenFunction,
    keyOf: (row: Row): PartitionKey => eventKey(textColumn(row, 'event_id')),
    placeRow: (row: Row, out: TokenParts): string => {
      const eventId = textColumn(row, 'event_id');
      textTokenParts(tokenFunction, eventId, out);
      return eventId;
    },
    route: (query: Query): Route => {
      const filter = filterOf(query);
      return query.where.event_id === undefined
        ? toAllRanges(filter)
        : toPartitions(
            [eventKey(textColumn(query.where, 'event_id'))],
            filter,
            onlyOn(query, ['event_id']),
          );
    },
  };
}

function eventKey(eventId: string): PartitionKey {
  return { bytes: textBytes(eventId), text: eventId };
}
