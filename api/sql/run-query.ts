/**
 * Runs one analyst query with ClickHouse enforcing the rules: readonly=1 (no writes, no DDL, no
 * setting changes — ClickHouse refuses them, not us), max_execution_time, max_result_rows and
 * max_result_bytes with result_overflow_mode=throw. Tables holding accounts and the audit trail
 * are filtered to nothing through additional_table_filters (readonly=1 stops a query from
 * lifting that), and the merge* table functions, which read around those filters, are refused.
 *
 * The connection must be the analysts' own (analyst-client.ts): with the embedded engine the
 * settings stick to its session (which so stays read-only for good); with a server it should log
 * in as the read-only user (deploy/clickhouse/).
 */
import { randomUUID } from 'node:crypto';
import { SettingsMap, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import type { AnalystConnection } from './analyst-client.ts';
import { calledNames, singleStatement } from './statements.ts';

export interface SqlLimits {
  maxExecutionSeconds: number;
  maxResultRows: number;
  maxResultBytes: number;
}

/** Tables no analyst reads: accounts, revoked tokens, the audit trail itself. */
export const HIDDEN_TABLES = ['users', 'revoked_tokens', 'sql_audit'];
const REFUSED_FUNCTIONS = /^merge/;

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  bytesRead: number;
  elapsedMs: number;
  queryId: string;
}

export type QueryOutcome =
  | { ok: true; result: QueryResult }
  | { ok: false; kind: 'refused' | 'error'; status: 400 | 403 | 422; error: string; queryId: string; elapsedMs: number };

/** ClickHouse error codes → what the analyst should hear. */
const EXPLAIN: Record<string, { status: 400 | 403 | 422; kind: 'refused' | 'error'; say: (limits: SqlLimits) => string }> = {
  '164': { status: 403, kind: 'refused', say: () => 'refused: this endpoint is read-only (ClickHouse readonly=1): no writes, no DDL, no setting changes' },
  '159': { status: 422, kind: 'error', say: (l) => `the query ran longer than the limit of ${l.maxExecutionSeconds} s and was stopped; narrow it (time range, LIMIT, a rollup table)` },
  '396': { status: 422, kind: 'error', say: (l) => `the result is larger than the limit (${l.maxResultRows} rows or ${l.maxResultBytes} bytes); aggregate more or add LIMIT` },
  '497': { status: 403, kind: 'refused', say: () => 'refused: the read-only ClickHouse user has no access to that' },
};

export function sqlSettings(limits: SqlLimits): ClickHouseSettings {
  // Order matters on the embedded engine (each becomes a SET): readonly goes last, or it would refuse the others.
  return {
    additional_table_filters: SettingsMap.from(Object.fromEntries(HIDDEN_TABLES.map((table) => [table, '0']))),
    max_execution_time: limits.maxExecutionSeconds,
    max_result_rows: String(limits.maxResultRows),
    max_result_bytes: String(limits.maxResultBytes),
    result_overflow_mode: 'throw',
    readonly: '1',
  };
}

export async function runAnalystQuery(connection: AnalystConnection, sql: string, limits: SqlLimits): Promise<QueryOutcome> {
  const queryId = randomUUID();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const single = singleStatement(sql);
  if (!single.ok) return { ok: false, kind: 'refused', status: 400, error: single.error, queryId, elapsedMs: elapsed() };
  // A SET statement never reaches ClickHouse in a form it could answer clearly (the client appends FORMAT).
  if (/^\s*set\b/i.test(single.statement.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, ''))) {
    return { ok: false, kind: 'refused', status: 403, error: 'refused: settings cannot be changed here (the endpoint runs with readonly=1 and fixed limits)', queryId, elapsedMs: elapsed() };
  }
  const refused = calledNames(single.statement).find((name) => REFUSED_FUNCTIONS.test(name));
  if (refused) {
    return { ok: false, kind: 'refused', status: 403, error: `refused: the table function ${refused}() is not available here; query the tables directly`, queryId, elapsedMs: elapsed() };
  }
  return connection.run((client) => execute(client, single.statement, limits, queryId, elapsed));
}

async function execute(client: ClickHouseClient, statement: string, limits: SqlLimits, queryId: string, elapsed: () => number): Promise<{ value: QueryOutcome; failed: boolean }> {
  try {
    const result = await client.query({ query: statement, format: 'JSON', query_id: queryId, clickhouse_settings: sqlSettings(limits) });
    const body = await result.json<Record<string, unknown>>();
    const value: QueryOutcome = {
      ok: true,
      result: { columns: body.meta ?? [], rows: body.data, rowCount: body.rows ?? body.data.length, bytesRead: Number(body.statistics?.bytes_read ?? 0), elapsedMs: elapsed(), queryId },
    };
    return { value, failed: false };
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const detail = String(message ?? error).trim();
    const known = code ? EXPLAIN[code] : undefined;
    const value: QueryOutcome = known
      ? { ok: false, kind: known.kind, status: known.status, error: `${known.say(limits)} (ClickHouse: ${detail})`, queryId, elapsedMs: elapsed() }
      : { ok: false, kind: 'error', status: 400, error: `ClickHouse refused the query: ${detail}`, queryId, elapsedMs: elapsed() };
    return { value, failed: true };
  }
}
