/**
 * Large reads (one row per group or unit, 100k and more) as one array per column: the result comes
 * back as JSONColumnsWithMetadata and is parsed in one go. Decoding row by row (JSONCompactEachRow,
 * one JSON.parse per row) cost several times the query itself. UInt64 columns arrive as strings;
 * cast counts to Float64 in the query to get numbers (exact below 2^53). With no rows the engine
 * leaves the columns out: they come back as empty arrays.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export async function readColumns<T extends Record<string, unknown[]>>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T> {
  const result = await client.query({ query, query_params: params, format: 'JSONColumnsWithMetadata' });
  const body = (await result.json()) as unknown as { meta: { name: string }[]; data: Record<string, unknown[] | undefined> };
  const data: Record<string, unknown[]> = {};
  for (const { name } of body.meta) data[name] = body.data[name] ?? [];
  return data as T;
}
