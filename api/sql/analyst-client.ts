/**
 * The analysts' own ClickHouse connection, apart from the service's read-write one.
 *
 * Embedded engine: a second session on the same data directory. Settings stick to a chdb session,
 * so this one turns read-only on its first query and stays so. chdb also keeps the partial output
 * of a query that failed mid-way (a timeout, a result limit) and hands it to the session's next
 * query, so after a failure the session is replaced; queries run one at a time for the same reason.
 *
 * Server: logs in as CLICKHOUSE_READONLY_USER when set (deploy/clickhouse/users.d: readonly=1 in its
 * profile, the limits as constraints, SELECT on the analytics tables only), else as the service user with
 * readonly=1 per query. Either way with wait_end_of_query: the server holds the answer back until the query
 * ended, so a limit hit after the first rows is an error with its code (422 here), not a 200 whose body
 * breaks off with the exception (which the client could only report as a failed read, 400).
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../../common/config.ts';
import { createStore, serverOf, type Store } from '../../common/store/store.ts';

type AnalystConfig = Pick<Config, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'DATA_DIR' | 'CLICKHOUSE_READONLY_USER' | 'CLICKHOUSE_READONLY_PASSWORD'>;

export interface AnalystConnection {
  /** Run one query on the analysts' client; `failed` tells the connection the query did not finish. */
  run<T>(work: (client: ClickHouseClient) => Promise<{ value: T; failed: boolean }>): Promise<T>;
  close(): Promise<void>;
}

async function openStore(config: AnalystConfig): Promise<Store> {
  if (!config.CLICKHOUSE_URL) return createStore(config);
  const server = serverOf({ ...config, CLICKHOUSE_URL: config.CLICKHOUSE_URL });
  const client = createClient({
    ...server,
    ...(config.CLICKHOUSE_READONLY_USER ? { username: config.CLICKHOUSE_READONLY_USER, password: config.CLICKHOUSE_READONLY_PASSWORD ?? '' } : {}),
    database: config.CLICKHOUSE_DATABASE,
    request_timeout: 120_000,
    clickhouse_settings: { wait_end_of_query: 1 },
  });
  return { client, kind: 'server', location: server.url, releaseMemory: async () => undefined, close: () => client.close() };
}

export async function createAnalystConnection(config: AnalystConfig): Promise<AnalystConnection> {
  let store = await openStore(config);
  const embedded = store.kind === 'embedded';
  let queue: Promise<unknown> = Promise.resolve();

  async function runNow<T>(work: (client: ClickHouseClient) => Promise<{ value: T; failed: boolean }>): Promise<T> {
    const { value, failed } = await work(store.client);
    if (failed && embedded) {
      const stale = store;
      store = await openStore(config);
      await stale.close();
    }
    return value;
  }

  return {
    run(work) {
      if (!embedded) return runNow(work);
      const next = queue.then(() => runNow(work));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await queue;
      await store.close();
    },
  };
}
