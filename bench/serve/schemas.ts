/**
 * The JSON Schemas of `ringlab serve`'s routes: fastify validates requests and serialises
 * responses with them, and @fastify/swagger builds the OpenAPI document from the same objects, so
 * the document cannot disagree with what the server accepts. Bodies are not type-coerced: a
 * number where text belongs is refused, not turned into text. Query values arrive as text and
 * are checked by pattern here, then parsed by the route.
 */
import { LOG_LEVELS, MAX_SERVICE_NAME } from './config.js';

export const MAX_MESSAGE = 16_384;
export const MAX_METADATA_BYTES = 8_192;
export const MAX_BATCH = 1_000;
export const MAX_LIMIT = 1_000;
export const DEFAULT_LIMIT = 100;
/** A single entry's body; a batch may be this times the batch size, up to 4 MiB. */
export const BODY_LIMIT = 64 * 1024;
export const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

const SERVICE_PATTERN = '^[A-Za-z0-9._:/-]+$';
const LOG_ID_PATTERN = '^[0-9]{19}$';

const level = { type: 'string', enum: [...LOG_LEVELS] } as const;
const serviceName = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_SERVICE_NAME,
  pattern: SERVICE_PATTERN,
} as const;
const correlationId = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const logInputSchema = {
  $id: 'LogInput',
  type: 'object',
  additionalProperties: false,
  required: ['level', 'service_name', 'message'],
  properties: {
    level,
    service_name: serviceName,
    message: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE },
    metadata: { type: 'object', maxProperties: 64, additionalProperties: true },
    correlation_id: correlationId,
    timestamp: { type: 'string', format: 'date-time', maxLength: 40 },
  },
} as const;

export const storedLogSchema = {
  $id: 'Log',
  type: 'object',
  required: ['log_id', 'level', 'service_name', 'message', 'timestamp', 'ingested_at'],
  properties: {
    log_id: { type: 'string', description: 'Snowflake id: ms, machine, sequence, 19 digits' },
    level,
    service_name: { type: 'string' },
    message: { type: 'string' },
    metadata: { type: 'object', additionalProperties: true },
    correlation_id: { type: 'string' },
    timestamp: { type: 'string' },
    ingested_at: { type: 'string' },
  },
} as const;

/** What a failed write says beside its error, in a response of its own or a batch's result. */
const failureFields = {
  cl: { type: 'string' },
  required: { type: 'integer' },
  alive: { type: 'integer' },
  received: { type: 'integer' },
  block_for: { type: 'integer' },
  log_id: { type: 'string' },
  retry_after_seconds: { type: 'integer' },
  used_mib: { type: 'integer' },
  limit_mib: { type: 'integer' },
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string' },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
    ...failureFields,
    nodes: { type: 'array', items: { type: 'string' } },
  },
} as const;

const ref = (id: string) => ({ $ref: `${id}#` }) as const;

const failures = {
  400: ref('Error'),
  413: ref('Error'),
  415: ref('Error'),
  429: ref('Error'),
  503: ref('Error'),
  504: ref('Error'),
} as const;

export const postLogSchema = {
  summary: 'Store one log entry',
  tags: ['logs'],
  body: ref('LogInput'),
  response: {
    201: {
      type: 'object',
      required: ['log_id'],
      properties: { log_id: { type: 'string' } },
    },
    200: {
      description: 'A filter dropped the entry; it is not stored',
      type: 'object',
      required: ['dropped'],
      properties: { dropped: { type: 'string' } },
    },
    ...failures,
    507: ref('Error'),
  },
} as const;

export const batchSchema = {
  summary: `Store up to ${MAX_BATCH} log entries; one result per entry, in order`,
  tags: ['logs'],
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['logs'],
    properties: {
      logs: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: ref('LogInput') },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['results', 'stored'],
      properties: {
        stored: { type: 'integer' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            required: ['status'],
            properties: {
              status: { type: 'integer' },
              dropped: { type: 'string' },
              error: { type: 'string' },
              ...failureFields,
            },
          },
        },
      },
    },
    ...failures,
  },
} as const;

export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    service_name: serviceName,
    level,
    min_level: level,
    correlation_id: correlationId,
    start_time: {
      type: 'string',
      description: 'ISO 8601 date-time or unix ms; bounds the ingest time, inclusive',
      maxLength: 40,
    },
    end_time: {
      type: 'string',
      description: 'ISO 8601 date-time or unix ms; bounds the ingest time, inclusive',
      maxLength: 40,
    },
    limit: {
      type: 'string',
      pattern: '^[0-9]{1,4}$',
      description: `1 to ${MAX_LIMIT}, default ${DEFAULT_LIMIT}`,
    },
    cursor: {
      type: 'string',
      pattern: LOG_ID_PATTERN,
      description: 'next_cursor of the page before',
    },
  },
} as const;

export const listSchema = {
  summary: 'Logs matching the filters, newest first, a page at a time',
  tags: ['logs'],
  querystring: listQuerySchema,
  response: {
    200: {
      type: 'object',
      required: ['logs', 'count', 'next_cursor', 'complete', 'partitions_contacted'],
      properties: {
        logs: { type: 'array', items: ref('Log') },
        count: { type: 'integer' },
        next_cursor: { type: ['string', 'null'] },
        complete: { type: 'boolean' },
        partitions_contacted: { type: 'integer' },
        failed_ranges: {
          type: 'object',
          description:
            'When not complete: how many partitions or token ranges could not answer at the level, and the first ten, with why (unavailable or timeout)',
          properties: {
            count: { type: 'integer' },
            first: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    ...failures,
  },
} as const;

export const getSchema = {
  summary: 'One log by id',
  tags: ['logs'],
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', pattern: LOG_ID_PATTERN } },
  },
  response: {
    200: { type: 'object', required: ['log'], properties: { log: ref('Log') } },
    404: ref('Error'),
    ...failures,
  },
} as const;

const nodeSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    dc: { type: 'string' },
    rack: { type: 'string' },
    up: { type: 'boolean' },
    believed_up: { type: 'boolean' },
    slowdown: { type: 'number' },
    ownership: { type: 'number' },
    rows: { type: 'integer' },
    writes: { type: 'integer' },
    reads: { type: 'integer' },
    write_queue: { type: 'integer' },
  },
} as const;

export const clusterSchema = {
  summary: 'Nodes, ownership, load and state',
  tags: ['cluster'],
  response: {
    200: {
      type: 'object',
      properties: {
        strategy: { type: 'string' },
        replication_mode: { type: 'string' },
        cl: { type: 'string' },
        rf: { type: 'integer' },
        seed: { type: 'integer' },
        virtual_ms: { type: 'number' },
        store: {
          type: 'object',
          description: 'The logs that may be stored, and their estimated memory against the budget',
          properties: {
            logs: { type: 'integer' },
            used_mib: { type: 'number' },
            limit_mib: { type: 'integer' },
          },
        },
        nodes: { type: 'array', items: nodeSchema },
      },
    },
  },
} as const;

const nodeParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 16 } },
} as const;

const faultResponse = {
  200: { type: 'object', properties: { node: nodeSchema } },
  400: ref('Error'),
  404: ref('Error'),
} as const;

export const faultSchema = (what: string) =>
  ({
    summary: what,
    tags: ['cluster'],
    params: nodeParams,
    response: faultResponse,
  }) as const;

export const slowSchema = {
  summary: "Multiply a node's service times",
  tags: ['cluster'],
  params: nodeParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['factor'],
    properties: { factor: { type: 'number', minimum: 1, maximum: 1000 } },
  },
  response: faultResponse,
} as const;
