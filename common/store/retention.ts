/**
 * How long raw events and the SQL audit are kept, as the settings say (EVENTS_RETENTION_DAYS,
 * SQL_AUDIT_RETENTION_DAYS; 0 = for ever): a ClickHouse TTL on each table, set after the migrations by every
 * start and by `grouppulse migrate`. A TTL is changed only when it differs from the setting, since a change
 * makes the engine recompute it over the whole table once. The rollups are not touched: they keep the counts
 * of days whose raw events are gone. Other tables' TTLs are the migrations' own (README, "Retention").
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface RetentionSettings {
  EVENTS_RETENTION_DAYS: number;
  SQL_AUDIT_RETENTION_DAYS: number;
}

/** The tables whose retention is a setting, and the time column each is kept by. */
const KEPT: { table: string; column: string; setting: keyof RetentionSettings }[] = [
  { table: 'events', column: 'at', setting: 'EVENTS_RETENTION_DAYS' },
  { table: 'account_events', column: 'at', setting: 'EVENTS_RETENTION_DAYS' },
  { table: 'sql_audit', column: 'at', setting: 'SQL_AUDIT_RETENTION_DAYS' },
];

/** The TTL clause of a table's engine description (system.tables.engine_full), undefined when it has none. */
export function ttlOf(engineFull: string): string | undefined {
  return /\bTTL (.+?)(?= SETTINGS |$)/.exec(engineFull)?.[1]?.trim();
}

/** Set each table's TTL to its setting where it differs; returns what changed, e.g. `events: 400 days`. */
export async function applyRetention(client: ClickHouseClient, settings: RetentionSettings): Promise<string[]> {
  const result = await client.query({
    query: 'SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {tables:Array(String)}',
    query_params: { tables: KEPT.map((k) => k.table) },
    format: 'JSONEachRow',
  });
  const engines = new Map((await result.json<{ name: string; engine_full: string }>()).map((row) => [row.name, row.engine_full]));
  const changed: string[] = [];
  for (const { table, column, setting } of KEPT) {
    const days = settings[setting];
    const current = ttlOf(engines.get(table) ?? '');
    if (days > 0) {
      if (current === `toDateTime(${column}) + toIntervalDay(${days})`) continue;
      await client.command({ query: `ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${Math.floor(days)} DAY` });
      changed.push(`${table}: ${days} days`);
    } else if (current !== undefined) {
      await client.command({ query: `ALTER TABLE ${table} REMOVE TTL` });
      changed.push(`${table}: kept for ever`);
    }
  }
  return changed;
}
