/**
 * The DataStax Node.js driver (`cassandra-driver`, a dev dependency) as an independent oracle for
 * token-aware replica placement.
 *
 * How it is loaded, and why this way: the driver's replica mappers (`getTokenToReplicaMapper` in
 * lib/metadata/schema-parser.js) are module-private, so they cannot be imported. Instead we drive
 * them through the driver's public `metadata.Metadata` class, the object a connected `Client`
 * keeps, exactly as the driver does after reading `system.peers` and `system_schema.keyspaces`:
 *
 * 1. `setPartitioner(...)` picks the driver's own Murmur3 tokenizer;
 * 2. `buildTokens(hosts)` sorts the token strings into the driver's ring and builds its
 *    token -> host map and its datacenters map (`{ hostLength, racks }`);
 * 3. the keyspace entry comes from the driver's own schema parser (`_createKeyspace`), which
 *    attaches `getTokenToReplicaMapper(strategy, options)` as `tokenToReplica`;
 * 4. `getReplicas(keyspace, token)` (public, typed API) binary-searches the ring and returns the
 *    mapper's hosts for that range; the token is made by `newToken(decimal)`, i.e. parsed by the
 *    driver's Murmur3 tokenizer.
 *
 * So every input the mapper sees is made by the driver, not by us. The package is CommonJS and
 * its typings do not declare `Metadata` as constructible nor the internal methods, so it is loaded
 * with `createRequire` and checked at runtime against the narrow interface below: if a driver
 * upgrade renames any of these internals, `driverPlacement` throws a message saying which,
 * instead of the oracle silently comparing against nothing.
 *
 * Beware: with fewer racks than rf in a DC, the driver's NetworkTopologyStrategy mapper is wrong
 * in two ways; see the pinned cases at the end of test/engine/replication-oracle.test.ts.
 */
import { createRequire } from 'node:module';

import type { NodeSpec } from '../../engine/ring.js';
import type { ReplicationStrategy } from '../../engine/replication.js';

interface DriverToken {
  /** For Murmur3 tokens, a mutable long whose `toString()` is the signed decimal value. */
  getValue(): { toString(): string };
}

/** The host fields the driver's replica mappers read, plus our node index. */
interface DriverHost {
  readonly address: string;
  readonly datacenter: string;
  readonly rack: string;
  readonly tokens: readonly string[];
  readonly nodeIndex: number;
}

interface DriverMetadata {
  keyspaces: Record<string, unknown>;
  /** Set by `buildTokens`: the sorted ring. (`ringTokensAsStrings` is not decimal for Murmur3.) */
  ring: DriverToken[];
  setPartitioner(partitionerName: string): unknown;
  buildTokens(hosts: { values(): DriverHost[] }): void;
  newToken(text: string): DriverToken;
  getReplicas(keyspaceName: string, token: DriverToken): DriverHost[] | null;
  _schemaParser: {
    _createKeyspace(
      name: string,
      durableWrites: boolean,
      strategy: string,
      strategyOptions: Record<string, string>,
      virtual: boolean,
    ): unknown;
  };
}

type MetadataConstructor = new (options: unknown, controlConnection: unknown) => DriverMetadata;

interface DriverModule {
  metadata: { Metadata: MetadataConstructor };
  defaultOptions(): unknown;
  version: string;
}

const MURMUR3_PARTITIONER = 'org.apache.cassandra.dht.Murmur3Partitioner';
const KEYSPACE = 'oracle';

/** Loads the driver through Node's own module cache, so each call after the first is a lookup. */
function loadDriver(): DriverModule {
  const require = createRequire(import.meta.url);
  const loaded = require('cassandra-driver') as Partial<DriverModule>;
  if (
    typeof loaded.metadata?.Metadata !== 'function' ||
    typeof loaded.defaultOptions !== 'function'
  ) {
    throw new Error('cassandra-driver no longer exports metadata.Metadata / defaultOptions');
  }
  return loaded as DriverModule;
}

/** The installed driver's version, for test names and failure messages. */
export function driverVersion(): string {
  return loadDriver().version;
}

function newMetadata(): DriverMetadata {
  const driver = loadDriver();
  const metadata = new driver.metadata.Metadata(driver.defaultOptions(), null);
  const missing: string[] = (
    ['setPartitioner', 'buildTokens', 'newToken', 'getReplicas'] as const
  ).filter((name) => typeof metadata[name] !== 'function');
  // Optional chaining: the field is typed as present, but this is the check that it really is.
  if (typeof metadata._schemaParser?._createKeyspace !== 'function') {
    missing.push('_schemaParser._createKeyspace');
  }
  if (missing.length > 0) {
    throw new Error(`cassandra-driver Metadata lacks ${missing.join(', ')}; update the oracle`);
  }
  return metadata;
}

function strategyOptions(strategy: ReplicationStrategy): {
  className: string;
  options: Record<string, string>;
} {
  if (strategy.class === 'SimpleStrategy') {
    return {
      className: 'org.apache.cassandra.locator.SimpleStrategy',
      options: { replication_factor: String(strategy.rf) },
    };
  }
  return {
    className: 'org.apache.cassandra.locator.NetworkTopologyStrategy',
    options: Object.fromEntries(
      Object.entries(strategy.rfByDc).map(([dc, rf]) => [dc, String(rf)]),
    ),
  };
}

/** The driver's view of one ring under one strategy. */
export interface DriverPlacement {
  /** The driver's ring: every token, sorted the way the driver sorts them. */
  readonly ringTokens: readonly bigint[];
  /**
   * Node indexes (into the `nodes` given) that the driver lists as replicas of `token`, in the
   * driver's order and exactly as returned, duplicates included.
   */
  replicasOf(token: bigint): number[];
}

export function driverPlacement(
  nodes: readonly NodeSpec[],
  tokensByNode: readonly (readonly bigint[])[],
  strategy: ReplicationStrategy,
): DriverPlacement {
  const metadata = newMetadata();
  metadata.setPartitioner(MURMUR3_PARTITIONER);
  const hosts: DriverHost[] = nodes.map((node, nodeIndex) => ({
    address: node.id,
    datacenter: node.dc,
    rack: node.rack,
    tokens: (tokensByNode[nodeIndex] ?? []).map(String),
    nodeIndex,
  }));
  metadata.buildTokens({ values: () => hosts });
  if (!Array.isArray(metadata.ring)) throw new Error('cassandra-driver buildTokens set no ring');
  const { className, options } = strategyOptions(strategy);
  metadata.keyspaces[KEYSPACE] = metadata._schemaParser._createKeyspace(
    KEYSPACE,
    true,
    className,
    options,
    false,
  );
  return {
    ringTokens: metadata.ring.map((token) => BigInt(token.getValue().toString())),
    replicasOf: (token) => {
      const replicas = metadata.getReplicas(KEYSPACE, metadata.newToken(token.toString()));
      if (!replicas) throw new Error(`the driver knows no replicas for token ${token}`);
      return replicas.map((host) => host.nodeIndex);
    },
  };
}
