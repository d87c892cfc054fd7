/** Groups' titles from the directory, for lists and alerts that name groups a person can recognise. */
import type { ClickHouseClient } from '@clickhouse/client';
import { chunkKeys } from '../common/store/query-params.ts';

/**
 * The directory titles of `ids` (a group without one, or not in the directory, is left out). A detector tick
 * can name thousands of quiet groups: the ids go in chunks that each fit a server's query parameter limit.
 */
export async function readGroupTitles(client: ClickHouseClient, ids: readonly string[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  for (const chunk of chunkKeys(ids)) {
    const result = await client.query({
      query: `SELECT group_id AS id, title FROM directory_groups FINAL WHERE deleted = 0 AND group_id IN {ids:Array(String)} AND title != ''`,
      query_params: { ids: chunk },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ id: string; title: string }>()) titles.set(row.id, row.title);
  }
  return titles;
}
