/**
 * Runs one analyst query: the sandbox (sandbox.ts) decides from ClickHouse's own parse whether it
 * may run and gives the exact text; that text runs with the endpoint's limits, enforced by
 * ClickHouse: readonly, max_execution_time, max_memory_usage (group-by and sort spill to disk past
 * a quarter of it: past half, a spilling GROUP BY still ran out here), max_result_rows / max_result_bytes (throw). The rows are read as a stream of lines
 * and turned into the answer's JSON one row at a time, its size counted as it grows: a result
 * whose JSON would pass SQL_MAX_RESULT_BYTES is stopped there, never built whole.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { Catalogue } from './allow-list.ts';
import { describeEngineError, type Described } from './errors.ts';
import type { SqlLimits } from './limits.ts';
import { vetQuery } from './sandbox.ts';

export interface QueryResult {
  columns: { name: string; type: string }[];
  /** Each row as its JSON text (an object by column name), in order. */
  rowsJson: string[];
  rowCount: number;
  bytesRead: number;
  elapsedMs: number;
  queryId: string;
}

export type QueryOutcome = { ok: true; result: QueryResult } | ({ ok: false; queryId: string; elapsedMs: number } & Described);

/**
 * The settings every step of an analyst query runs with. On the embedded engine each becomes a SET
 * on the analysts' own session (the same values every time, so nothing one query leaves differs for
 * the next); readonly goes last, or it would refuse the others.
 */
export function sqlSettings(limits: SqlLimits): ClickHouseSettings {
  const spillAt = String(Math.floor(limits.maxMemoryBytes / 4));
  return {
    max_execution_time: limits.maxExecutionSeconds,
    max_result_rows: String(limits.maxResultRows),
    max_result_bytes: String(limits.maxResultBytes),
    result_overflow_mode: 'throw',
    max_memory_usage: String(limits.maxMemoryBytes),
    max_bytes_before_external_group_by: spillAt,
    max_bytes_before_external_sort: spillAt,
    // 64-bit integers and decimals as strings, as JSON numbers would lose digits on the way through.
    output_format_json_quote_64bit_integers: 1,
    output_format_json_quote_decimals: 1,
    readonly: '1',
  };
}

const ROWS_FORMAT = 'JSONCompactEachRowWithNamesAndTypes';

/** Lines of a byte stream, as they arrive. */
async function* lines(stream: Readable): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let end = pending.indexOf('\n');
    while (end >= 0) {
      yield pending.slice(0, end);
      pending = pending.slice(end + 1);
      end = pending.indexOf('\n');
    }
  }
  if (pending !== '') yield pending;
}

class ResultTooLarge extends Error {}

/** A line that is not a row: a server's error report in the middle of the stream. */
function streamError(line: string): { code: string; message: string } {
  return { code: /Code: (\d+)/.exec(line)?.[1] ?? '', message: line.replace(/^.*?DB::Exception: /, '') };
}

async function readRows(client: ClickHouseClient, statement: string, settings: ClickHouseSettings, limits: SqlLimits, queryId: string) {
  const abort = new AbortController();
  const result = await client.exec({ query: `${statement}\nFORMAT ${ROWS_FORMAT}`, query_id: queryId, clickhouse_settings: settings, abort_signal: abort.signal });
  let names: string[] | undefined;
  let types: string[] | undefined;
  const rowsJson: string[] = [];
  let bytes = 0;
  try {
    for await (const line of lines(result.stream)) {
      if (line === '') continue;
      let values: unknown[];
      try {
        values = JSON.parse(line) as unknown[];
      } catch {
        throw streamError(line);
      }
      if (!Array.isArray(values)) throw streamError(line);
      if (!names) names = values as string[];
      else if (!types) types = values as string[];
      else {
        const row: Record<string, unknown> = {};
        names.forEach((name, i) => (row[name] = values[i]));
        const json = JSON.stringify(row);
        bytes += json.length + 1;
        if (bytes > limits.maxResultBytes) throw new ResultTooLarge();
        rowsJson.push(json);
      }
    }
  } finally {
    // Stop the query when the rows are not read to the end (the server cancels a read-only query whose client went away).
    abort.abort();
    result.stream.destroy();
  }
  const columns = (names ?? []).map((name, i) => ({ name, type: types?.[i] ?? '' }));
  return { columns, rowsJson, bytesRead: Number(result.summary?.read_bytes ?? 0) };
}

/** Vet and run one query on `client` (one of the analysts' sessions); `failed` = the session should be replaced. */
export async function runAnalystQuery(client: ClickHouseClient, sql: string, limits: SqlLimits, catalogue: Catalogue): Promise<{ value: QueryOutcome; failed: boolean }> {
  const queryId = randomUUID();
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  const settings = sqlSettings(limits);
  const vetted = await vetQuery(client, sql, catalogue, settings, limits);
  if (!vetted.ok) {
    const { ok: _, ...described } = vetted;
    return { value: { ok: false, ...described, queryId, elapsedMs: elapsedMs() }, failed: described.cause !== undefined };
  }
  try {
    const { columns, rowsJson, bytesRead } = await readRows(client, vetted.statement, settings, limits, queryId);
    return { value: { ok: true, result: { columns, rowsJson, rowCount: rowsJson.length, bytesRead, elapsedMs: elapsedMs(), queryId } }, failed: false };
  } catch (error) {
    const described: Described =
      error instanceof ResultTooLarge
        ? { status: 422, kind: 'error', error: `the result is larger than the limit of ${Math.round(limits.maxResultBytes / 1024 / 1024)} MiB as JSON; aggregate more or add LIMIT` }
        : describeEngineError(error, limits);
    return { value: { ok: false, ...described, queryId, elapsedMs: elapsedMs() }, failed: true };
  }
}
