/**
 * The analysts' own ClickHouse client, apart from the service's read-write one. Embedded engine: a
 * second session on the same data directory (settings stick to a chdb session, so this one turns
 * read-only on its first query and stays so). Server: logs in as CLICKHOUSE_READONLY_USER when set
 * (see deploy/clickhouse/), else as the service user with readonly=1 per query.
 */
import { createClient } from '@clickhouse/client';
import type { Config } from '../../common/config.ts';
import { createStore, type Store } from '../../common/store/store.ts';

type AnalystConfig = Pick<Config, 'CLICKHOUSE_URL' | 'CLICKHOUSE_USER' | 'CLICKHOUSE_PASSWORD' | 'CLICKHOUSE_DATABASE' | 'DATA_DIR' | 'CLICKHOUSE_READONLY_USER' | 'CLICKHOUSE_READONLY_PASSWORD'>;

export async function createAnalystStore(config: AnalystConfig): Promise<Store & { dedicatedUser: boolean }> {
  if (config.CLICKHOUSE_URL && config.CLICKHOUSE_READONLY_USER) {
    const url = new URL(config.CLICKHOUSE_URL);
    url.username = '';
    url.password = '';
    const client = createClient({
      url: url.toString(),
      username: config.CLICKHOUSE_READONLY_USER,
      password: config.CLICKHOUSE_READONLY_PASSWORD ?? '',
      database: config.CLICKHOUSE_DATABASE,
      request_timeout: 120_000,
    });
    return { client, kind: 'server', location: url.toString(), close: () => client.close(), dedicatedUser: true };
  }
  return { ...(await createStore(config)), dedicatedUser: false };
}
