/** Groups' titles from the directory, for lists and alerts that name groups a person can recognise. */
import type { ClickHouseClient } from '@clickhouse/client';

/** Ids per statement: a detector tick can name thousands of quiet groups, and a server takes the ids in the URL. */
const IDS_PER_READ = 5000;

/** The directory titles of `ids` (a group without one, or not in the directory, is left out). */
export async function readGroupTitles(client: ClickHouseClient, ids: readonly string[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  for (let start = 0; start < ids.length; start += IDS_PER_READ) {
    const result = await client.query({
      query: `SELECT group_id AS id, title FROM directory_groups FINAL WHERE deleted = 0 AND group_id IN {ids:Array(String)} AND title != ''`,
      query_params: { ids: ids.slice(start, start + IDS_PER_READ) },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ id: string; title: string }>()) titles.set(row.id, row.title);
  }
  return titles;
}
