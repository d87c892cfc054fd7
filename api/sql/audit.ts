/** The SQL audit trail (table `sql_audit`, migration 0022): one row per query posted, whatever its outcome. */
import type { ClickHouseClient } from '@clickhouse/client';

export type AuditOutcome = 'ok' | 'error' | 'refused';

export interface AuditEntry {
  at: Date;
  username: string;
  query: string;
  outcome: AuditOutcome;
  error: string;
  rows: number;
  bytes: number;
  elapsedMs: number;
  queryId: string;
}

export type AuditLog = (entry: AuditEntry) => Promise<void>;

/** Writes through the read-write client: the analysts' client cannot write, by design. */
export function createAuditLog(client: ClickHouseClient): AuditLog {
  return async function writeAudit(entry) {
    await client.insert({
      table: 'sql_audit',
      format: 'JSONEachRow',
      values: [
        {
          at: entry.at.getTime(),
          username: entry.username,
          // Bounded: an audit row is evidence, not a second copy of a megabyte query.
          query: entry.query.slice(0, 100_000),
          outcome: entry.outcome,
          error: entry.error.slice(0, 2_000),
          rows: entry.rows,
          bytes: entry.bytes,
          elapsed_ms: Math.round(entry.elapsedMs),
          query_id: entry.queryId,
        },
      ],
    });
  };
}
