/**
 * Step 4: one INSERT per batch. The token names the batch's offsets, so inserting the same
 * batch again (a retry after a failure) is dropped by ClickHouse in the raw table and in every
 * materialized-view target (each has non_replicated_deduplication_window set).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { EventRow } from './rows.ts';

export async function writeEventRows(client: ClickHouseClient, rows: EventRow[], token: string): Promise<void> {
  await client.insert({
    table: 'events',
    values: rows,
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplication_token: token,
      deduplicate_blocks_in_dependent_materialized_views: 1,
      // One block per insert: the dedup token covers the batch as a whole.
      max_insert_block_size: String(Math.max(rows.length, 1_048_576)),
    },
  });
}
