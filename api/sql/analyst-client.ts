/**
 * The analysts' own ClickHouse connection, apart from the service's read-write one, with `slots`
 * places to run a query at once (fair-queue.ts decides who gets which).
 *
 * Embedded engine: one chdb session per slot on the same data directory. A chdb session runs its
 * queries one after another, and different sessions run side by side — so each slot has its own,
 * and one analyst's slow query never holds up a query on another slot. Settings stick to a chdb
 * session: each query sets the same limits again (readonly last), and since only a vetted single
 * SELECT ever runs there (sandbox.ts), nothing else can change a session for the next query. chdb
 * also keeps the partial output of a query that failed mid-way and hands it to the session's next
 * query, so after a failure that slot's session is replaced.
 *
 * Server: logs in as CLICKHOUSE_READONLY_USER when set (deploy/clickhouse/users.d: readonly=1 in its
 * profile, the limits as constraints, SELECT on the analytics tables only), else as the service user with
 * readonly=1 per query. Either way with wait_end_of_query: the server holds the answer back until the query
 * ended, so a limit hit after the first rows is an error with its code (422 here), not a 200 whose body
 * breaks off with the exception (which the client could only report as a failed read, 400). Every slot
 * shares the one HTTP client.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../../common/config.ts';
import { createStore, serverOf, type Store } from '../../common/store/store.ts';

type AnalystConfig = Pick<Config, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'DATA_DIR' | 'CLICKHOUSE_READONLY_USER' | 'CLICKHOUSE_READONLY_PASSWORD'>;

export interface AnalystConnection {
  /** Places to run a query at once. */
  readonly slots: number;
  /** Run one query on a slot's client (one at a time per slot); `failed` tells the connection the query did not finish. */
  run<T>(slot: number, work: (client: ClickHouseClient) => Promise<{ value: T; failed: boolean }>): Promise<T>;
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

export async function createAnalystConnection(config: AnalystConfig, slots: number): Promise<AnalystConnection> {
  const first = await openStore(config);
  const embedded = first.kind === 'embedded';
  const sessions: Store[] = [first];
  if (embedded) for (let i = 1; i < slots; i++) sessions.push(await openStore(config));
  const sessionOf = (slot: number) => (embedded ? slot : 0);
  const busy = new Set<Promise<unknown>>();

  async function runNow<T>(slot: number, work: (client: ClickHouseClient) => Promise<{ value: T; failed: boolean }>): Promise<T> {
    const index = sessionOf(slot);
    const { value, failed } = await work(sessions[index]!.client);
    if (failed && embedded) {
      const stale = sessions[index]!;
      sessions[index] = await openStore(config);
      await stale.close();
    }
    return value;
  }

  return {
    slots,
    run(slot, work) {
      if (slot < 0 || slot >= slots) throw new RangeError(`no analyst slot ${slot} (there are ${slots})`);
      const running = runNow(slot, work);
      busy.add(running);
      void running.catch(() => undefined).finally(() => busy.delete(running));
      return running;
    },
    async close() {
      await Promise.allSettled([...busy]);
      for (const session of sessions) await session.close();
    },
  };
}
