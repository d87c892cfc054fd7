/**
 * The store: one @clickhouse/client object, backed either by a ClickHouse server
 * (CLICKHOUSE_URL) or by the in-process engine (chdb, loaded only then) at DATA_DIR. Same SQL either way.
 *
 * Table names in SQL are unqualified: the server client is bound to CLICKHOUSE_DATABASE, and the
 * embedded engine owns its data directory, so its `default` database is ours alone.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { createChdbConnection } from 'chdb/connection';
import type { Config } from '../config.ts';

export interface Store {
  readonly client: ClickHouseClient;
  readonly kind: 'server' | 'embedded';
  /** Where the data is, for messages: a URL (without credentials) or a directory. */
  readonly location: string;
  /**
   * Give memory the engine freed back to the system. The embedded engine's allocator (jemalloc)
   * keeps freed pages: after loading a 1 M-group directory the process held ~400 MB more RSS than it
   * used. A no-op for a server (its memory is not ours).
   */
  releaseMemory(): Promise<void>;
  close(): Promise<void>;
}

// chdb declares its connection against @clickhouse/client-common, which @clickhouse/client 1.23
// vendors under another path: same shapes at run time, two copies of the declarations.
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

type StoreConfig = Pick<Config, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'DATA_DIR'>;

/** The server of CLICKHOUSE_URL: its URL without credentials, and the service user's (from the URL unless given apart). */
export function serverOf(config: Pick<Config, 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD'> & { CLICKHOUSE_URL: string }): { url: string; username: string; password: string } {
  const url = new URL(config.CLICKHOUSE_URL);
  const username = config.CLICKHOUSE_USER ?? (decodeURIComponent(url.username) || 'default');
  const password = config.CLICKHOUSE_PASSWORD ?? decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.toString(), username, password };
}

export async function createStore(config: StoreConfig): Promise<Store> {
  if (config.CLICKHOUSE_URL) {
    const server = { ...serverOf({ ...config, CLICKHOUSE_URL: config.CLICKHOUSE_URL }), request_timeout: 60_000 };
    // The database may not exist yet: create it through a client not bound to it.
    const bootstrap = createClient(server);
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.CLICKHOUSE_DATABASE}` });
    } finally {
      await bootstrap.close();
    }
    const client = createClient({ ...server, database: config.CLICKHOUSE_DATABASE });
    return { client, kind: 'server', location: server.url, releaseMemory: async () => undefined, close: () => client.close() };
  }
  const dir = path.resolve(config.DATA_DIR, 'clickhouse');
  mkdirSync(dir, { recursive: true });
  const client = createClient({ connection: (await openChdbConnection(dir)) as unknown as ClientConnection });
  resetStickyInsertSettings(client);
  return {
    client,
    kind: 'embedded',
    location: dir,
    async releaseMemory() {
      // Twice: the first statement also lets go of the previous statement's result, which the second frees.
      await client.command({ query: 'SYSTEM JEMALLOC PURGE' });
      await client.command({ query: 'SYSTEM JEMALLOC PURGE' });
    },
    close: () => client.close(),
  };
}

/**
 * One engine session per process: a store closed a moment ago (another data dir, in tests) may
 * still be releasing its session, and chdb says so; wait for it rather than fail.
 */
async function openChdbConnection(dir: string): Promise<ReturnType<typeof createChdbConnection>> {
  const { createChdbConnection } = await loadEmbeddedEngine();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return createChdbConnection({ path: dir });
    } catch (error) {
      // "still releasing", or "only one active data directory" while the other one is being closed.
      if (!/still releasing|only one active data directory/.test((error as Error).message) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * The embedded engine (npm chdb, ~540 MB) is loaded only when used: the distributed services run on a
 * ClickHouse server, and their image leaves it out (Dockerfile).
 */
async function loadEmbeddedEngine(): Promise<typeof import('chdb/connection')> {
  try {
    return await import('chdb/connection');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('the embedded ClickHouse engine (npm package chdb) is not installed here: set CLICKHOUSE_URL to a ClickHouse server (or install the package for the all-in-one mode)', { cause: error });
  }
}

/**
 * The embedded engine applies `clickhouse_settings` as `SET …` on its session, so they stick to
 * every later statement. A stuck insert_deduplication_token would make ClickHouse drop the next,
 * unrelated inserts into a table with a deduplication window as "duplicates" — so every insert
 * states its token, empty (none) unless the caller gives one.
 */
function resetStickyInsertSettings(client: ClickHouseClient): void {
  const insert = client.insert.bind(client);
  client.insert = ((params: Parameters<ClickHouseClient['insert']>[0]) =>
    insert({ ...params, clickhouse_settings: { insert_deduplication_token: '', ...params.clickhouse_settings } })) as ClickHouseClient['insert'];
}
