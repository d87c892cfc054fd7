/** The embedded ClickHouse engine (or CLICKHOUSE_URL) for a benchmark, and the reads the benchmarks check with. */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Bus } from '../../common/bus/bus.ts';
import type { Metrics } from '../../common/metrics.ts';
import { migrate } from '../../common/store/migrate.ts';
import { createStore, type Store } from '../../common/store/store.ts';
import type { Config } from '../../common/config.ts';

export async function openStore(config: Config): Promise<Store> {
  const store = await createStore(config);
  await migrate(store.client);
  return store;
}

/** First column of the first row, as a number. */
export async function scalar(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<number> {
  const result = await client.query({ query, query_params: params, format: 'JSONCompactEachRow' });
  const rows = await result.json<[string | number]>();
  return Number(rows[0]?.[0] ?? 0);
}

/** The raw table and every materialized-view target the processor's insert feeds. */
export const PIPELINE_TABLES = [
  'events', 'event_ids', 'rollup_minute', 'rollup_group_hour', 'group_last_message', 'group_members', 'group_people',
  'source_last_seen', 'group_source', 'group_first_message', 'rollup_day', 'rollup_group_day',
];

export async function truncatePipelineTables(client: ClickHouseClient): Promise<void> {
  for (const table of PIPELINE_TABLES) await client.command({ query: `TRUNCATE TABLE IF EXISTS ${table}` });
}

/** Rows the processor reports written (its own counter, so polling costs no query). */
export async function writtenByProcessor(metrics: Metrics): Promise<number> {
  const { values } = await metrics.processorRecords.get();
  return values.filter((v) => v.labels.outcome === 'written').reduce((n, v) => n + v.value, 0);
}

/** Mean rows per ClickHouse insert the processor made. */
export async function meanBatchRows(metrics: Metrics): Promise<number> {
  const { values } = await metrics.processorBatchRows.get();
  const sum = values.find((v) => v.metricName === 'processor_batch_rows_sum')?.value ?? 0;
  const count = values.find((v) => v.metricName === 'processor_batch_rows_count')?.value ?? 0;
  return count === 0 ? 0 : sum / count;
}

/** A bus that notes when a subscriber first joined its group, so timings can leave out the join (as the bare consumer's do). */
export function withJoinClock(bus: Bus): { bus: Bus; joinedAt: () => number | undefined } {
  let joined: number | undefined;
  const watched: Bus = {
    ...bus,
    kind: bus.kind,
    ensureTopics: (topics) => bus.ensureTopics(topics),
    produce: (topic, records) => bus.produce(topic, records),
    lag: (groupId, topic) => bus.lag(groupId, topic),
    close: () => bus.close(),
    subscribe: (options) =>
      bus.subscribe({
        ...options,
        onAssignment(partitions) {
          joined ??= performance.now();
          options.onAssignment?.(partitions);
        },
      }),
  };
  return { bus: watched, joinedAt: () => joined };
}
