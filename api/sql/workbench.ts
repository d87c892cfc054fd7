/**
 * The analyst's workbench around POST /api/v1/sql: the tables they may query with each column's type and
 * meaning (analytics-schema.ts, types from the engine), their own query history (read from sql_audit) and
 * the queries they saved by name (sql_saved_queries, migration 0120). Every read and write here names the
 * signed-in user: one analyst never sees another's history or saved queries. Through the service's own
 * client: the analysts' read-only one may not read these tables.
 */
import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { SavedQuery, SqlHistory, SqlSchema } from '../../common/contracts/sql.ts';
import { createVersionClock } from '../../common/store/row-version.ts';
import { ANALYTICS_SCHEMA } from './analytics-schema.ts';

/** How many distinct queries the history gives back, and how many a user may keep saved. */
export const HISTORY_SIZE = 50;
export const MAX_SAVED = 200;
export const MAX_NAME_CHARS = 100;

const NO_MEANING = { en: '', hi: '' };

/** The analytics tables in the allow-list's order, each column in the engine's order with its engine type. */
export async function readSchema(client: ClickHouseClient): Promise<SqlSchema> {
  const result = await client.query({
    query: `SELECT table, name, type FROM system.columns
            WHERE database = currentDatabase() AND table IN {tables:Array(String)} ORDER BY table, position`,
    query_params: { tables: Object.keys(ANALYTICS_SCHEMA) },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ table: string; name: string; type: string }>();
  return {
    tables: Object.entries(ANALYTICS_SCHEMA).map(([name, described]) => ({
      name,
      meaning: described.meaning,
      columns: rows.filter((row) => row.table === name).map((row) => ({ name: row.name, type: row.type, meaning: described.columns[row.name] ?? NO_MEANING })),
    })),
  };
}

/** The user's most recent distinct queries, newest first. */
export async function readHistory(client: ClickHouseClient, username: string): Promise<SqlHistory> {
  const result = await client.query({
    query: `SELECT query, formatDateTime(max(at), '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS last, argMax(outcome, at) AS outcome, argMax(rows, at) AS last_rows
            FROM sql_audit WHERE username = {username:String} AND query != ''
            GROUP BY query ORDER BY max(at) DESC LIMIT {size:UInt32}`,
    query_params: { username, size: HISTORY_SIZE },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ query: string; last: string; outcome: 'ok' | 'error' | 'refused'; last_rows: string }>();
  return { queries: rows.map((row) => ({ query: row.query, at: isoMillis(row.last), outcome: row.outcome, rows: Number(row.last_rows) })) };
}

/** `…T10:00:00.123000Z` (microseconds from %f) → `…T10:00:00.123Z`. */
const isoMillis = (text: string) => new Date(text.replace(/(\.\d{3})\d*Z$/, '$1Z')).toISOString();

export interface SavedQueries {
  list(username: string): Promise<SavedQuery[]>;
  /** Save under `name`: a saved query of that name is replaced. Undefined when the user has MAX_SAVED already. */
  save(username: string, name: string, query: string): Promise<SavedQuery | undefined>;
  /** False when the user has no saved query `id`. */
  remove(username: string, id: string): Promise<boolean>;
}

export function createSavedQueries(client: ClickHouseClient): SavedQueries {
  const version = createVersionClock();
  async function list(username: string): Promise<SavedQuery[]> {
    const result = await client.query({
      query: `SELECT id, name, query, formatDateTime(saved_at, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS savedAt
              FROM sql_saved_queries FINAL WHERE username = {username:String} AND deleted = 0 ORDER BY name, id`,
      query_params: { username },
      format: 'JSONEachRow',
    });
    return (await result.json<SavedQuery>()).map((row) => ({ ...row, savedAt: isoMillis(row.savedAt) }));
  }
  async function write(username: string, row: { id: string; name: string; query: string; deleted: 0 | 1 }, at: number) {
    await client.insert({ table: 'sql_saved_queries', format: 'JSONEachRow', values: [{ username, ...row, saved_at: at, version: version(at) }] });
  }
  return {
    list,
    async save(username, name, query) {
      const saved = await list(username);
      const same = saved.find((s) => s.name === name);
      if (!same && saved.length >= MAX_SAVED) return undefined;
      const at = Date.now();
      const id = same?.id ?? randomUUID();
      await write(username, { id, name, query, deleted: 0 }, at);
      return { id, name, query, savedAt: new Date(at).toISOString() };
    },
    async remove(username, id) {
      const found = (await list(username)).find((s) => s.id === id);
      if (!found) return false;
      await write(username, { id, name: found.name, query: found.query, deleted: 1 }, Date.now());
      return true;
    },
  };
}
