/** Groups' titles from the directory, for lists and alerts that name groups a person can recognise. */
import type { ClickHouseClient } from '@clickhouse/client';
import { chunkKeys } from '../common/store/query-params.ts';

/**
 * The end of a group's id, for telling apart two groups of one unit that share a title:
 * `wa:120363041234567890@g.us` → `…7890`, `tg:-1001234567` → `…4567`; short ids stay whole.
 */
export function shortGroupId(id: string): string {
  const bare = id.replace(/^[a-z]+:/, '').replace(/@.*$/, '');
  return bare.length > 6 ? `…${bare.slice(-4)}` : bare;
}

/**
 * The directory titles of `ids` (a group without one, or not in the directory, is left out). A title that
 * another group of the same unit also has gets the end of the id after it ("Booth 12 voters · …7890"): a
 * lead must know which of the two to call about. A detector tick can name thousands of quiet groups: the ids
 * go in chunks that each fit a server's query parameter limit.
 */
export async function readGroupTitles(client: ClickHouseClient, ids: readonly string[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  for (const chunk of chunkKeys(ids)) {
    const result = await client.query({
      query: `WITH asked AS (SELECT group_id, unit_id, title FROM directory_groups FINAL WHERE deleted = 0 AND group_id IN {ids:Array(String)} AND title != '')
              SELECT asked.group_id AS id, asked.title AS title, shared.n > 1 AS shared
              FROM asked
              LEFT JOIN (
                SELECT unit_id, title, count() AS n FROM directory_groups FINAL
                WHERE deleted = 0 AND (unit_id, title) IN (SELECT unit_id, title FROM asked)
                GROUP BY unit_id, title
              ) AS shared ON shared.unit_id = asked.unit_id AND shared.title = asked.title`,
      query_params: { ids: chunk },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ id: string; title: string; shared: number | boolean }>()) {
      titles.set(row.id, row.shared ? `${row.title} · ${shortGroupId(row.id)}` : row.title);
    }
  }
  return titles;
}
