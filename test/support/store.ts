/** The embedded ClickHouse engine for tests that read or write the store directly, and what they check in it. */
import type { ClickHouseClient } from '@clickhouse/client';
import { createStore, type Store } from '../../common/store/store.ts';

/** The in-process engine at `dir` (no ClickHouse server, whatever the environment says). */
export function openEmbeddedStore(dir: string): Promise<Store> {
  return createStore({ DATA_DIR: dir, CLICKHOUSE_DATABASE: 'grouppulse', CLICKHOUSE_URL: undefined, CLICKHOUSE_USER: undefined, CLICKHOUSE_PASSWORD: undefined });
}

/** Rows of the raw table and messages per table the processor's insert feeds: a batch counted twice shows where. */
export async function messagesPerTable(client: ClickHouseClient): Promise<Record<string, number>> {
  const result = await client.query({
    query: `SELECT (SELECT count() FROM events) AS events, (SELECT countIf(type = 'message') FROM events) AS messages, (SELECT count() FROM event_keys FINAL) AS event_keys,
                   (SELECT sum(messages) FROM rollup_minute) AS rollup_minute, (SELECT sum(messages) FROM rollup_day) AS rollup_day,
                   (SELECT sum(messages) FROM rollup_group_hour) AS rollup_group_hour, (SELECT sum(messages) FROM rollup_group_day) AS rollup_group_day`,
    format: 'JSONEachRow',
  });
  return Object.fromEntries(Object.entries((await result.json<Record<string, string | number>>())[0]!).map(([table, n]) => [table, Number(n)]));
}
