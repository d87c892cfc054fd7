/**
 * ClickHouse reads behind the board's own endpoints (routes.ts): hourly trends per
 * division × category for the grid's sparklines, time series per unit over a range, and group
 * titles for search and a unit's group list. Values always go in as query_params.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { SeriesPoint } from '../../common/contracts/board.ts';

/** The rollup filter for a scope's divisions (undefined = all); the value goes in as {divisions}. */
function inDivisions(divisions: string[] | undefined): string {
  return divisions ? 'AND division IN {divisions:Array(String)}' : '';
}

export interface TrendRow {
  division: string;
  category: string;
  /** Bucket start, epoch seconds. */
  t: number;
  messages: number;
}

/** Messages per division × category per `stepSeconds` bucket in [from, to), from the per-minute rollup. */
export async function readTrends(client: ClickHouseClient, from: Date, to: Date, stepSeconds: number, divisions: string[] | undefined): Promise<TrendRow[]> {
  const result = await client.query({
    query: `SELECT division, category, toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({step:UInt32}))) AS t, sum(messages) AS messages
            FROM rollup_minute
            WHERE minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
              ${inDivisions(divisions)}
            GROUP BY division, category, t ORDER BY t`,
    query_params: { from: Math.floor(from.getTime() / 1000), to: Math.floor(to.getTime() / 1000), step: stepSeconds, divisions: divisions ?? [] },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ division: string; category: string; t: number | string; messages: number | string }>();
  return rows.map((r) => ({ division: r.division, category: r.category, t: Number(r.t), messages: Number(r.messages) }));
}

export type SeriesSource =
  /** Whole divisions (or everything): the per-minute rollup. */
  | { kind: 'divisions'; divisions: string[] | undefined }
  /** A unit below the division level: raw events of its division whose path holds the unit. */
  | { kind: 'unit'; division: string; unit: string };

/** Buckets of `stepSeconds` over [from, to), every bucket present (zeros where nothing happened). */
export async function readSeries(client: ClickHouseClient, source: SeriesSource, from: Date, to: Date, stepSeconds: number): Promise<SeriesPoint[]> {
  const params = {
    from: Math.floor(from.getTime() / 1000),
    to: Math.floor(to.getTime() / 1000),
    step: stepSeconds,
    divisions: source.kind === 'divisions' ? (source.divisions ?? []) : [],
    division: source.kind === 'unit' ? source.division : '',
    unit: source.kind === 'unit' ? source.unit : '',
  };
  const query =
    source.kind === 'divisions'
      ? `SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({step:UInt32}))) AS t,
                sum(messages) AS messages, uniqMerge(active_groups) AS activeGroups, uniqMerge(active_senders) AS activeMembers,
                sum(joins) AS joins, sum(leaves) AS leaves
         FROM rollup_minute
         WHERE minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
           ${inDivisions(source.divisions)}
         GROUP BY t ORDER BY t`
      : `SELECT toUnixTimestamp(toStartOfInterval(at, toIntervalSecond({step:UInt32}))) AS t,
                countIf(type = 'message') AS messages, uniqIf(group_id, type = 'message') AS activeGroups,
                uniqIf(person, type = 'message') AS activeMembers,
                countIf(type = 'member_joined') AS joins, countIf(type = 'member_left') AS leaves
         FROM events
         WHERE division = {division:String} AND at >= {from:DateTime('UTC')} AND at < {to:DateTime('UTC')} AND has(unit_path, {unit:String})
         GROUP BY t ORDER BY t`;
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  const rows = await result.json<Record<keyof SeriesPoint, number | string>>();
  const byT = new Map(rows.map((r) => [Number(r.t), r]));
  const points: SeriesPoint[] = [];
  const first = Math.floor(params.from / stepSeconds) * stepSeconds;
  for (let t = first; t < params.to; t += stepSeconds) {
    const r = byT.get(t);
    points.push({
      t,
      messages: Number(r?.messages ?? 0),
      activeGroups: Number(r?.activeGroups ?? 0),
      activeMembers: Number(r?.activeMembers ?? 0),
      joins: Number(r?.joins ?? 0),
      leaves: Number(r?.leaves ?? 0),
    });
  }
  return points;
}

export interface GroupTitle {
  id: string;
  unit: string;
  category: string;
  title: string;
}

/** Groups placed directly on a unit, with their titles (at most `limit`). */
export async function readGroupsOfUnit(client: ClickHouseClient, unit: string, limit: number): Promise<GroupTitle[]> {
  const result = await client.query({
    query: `SELECT group_id AS id, unit_id AS unit, category, title FROM directory_groups FINAL
            WHERE deleted = 0 AND unit_id = {unit:String} ORDER BY title, id LIMIT {limit:UInt32}`,
    query_params: { unit, limit },
    format: 'JSONEachRow',
  });
  return result.json<GroupTitle>();
}

/** Groups whose title or id contains `text` (case-insensitive), at most `limit`. */
export async function searchGroups(client: ClickHouseClient, text: string, limit: number): Promise<GroupTitle[]> {
  const result = await client.query({
    query: `SELECT group_id AS id, unit_id AS unit, category, title FROM directory_groups FINAL
            WHERE deleted = 0 AND (positionCaseInsensitiveUTF8(title, {text:String}) > 0 OR positionCaseInsensitiveUTF8(group_id, {text:String}) > 0)
            ORDER BY title, id LIMIT {limit:UInt32}`,
    query_params: { text, limit },
    format: 'JSONEachRow',
  });
  return result.json<GroupTitle>();
}

/** Messages in [from, to) in scope, from the per-minute rollup (minute-aligned bounds). */
export async function readMessagesBetween(client: ClickHouseClient, from: Date, to: Date, divisions: string[] | undefined): Promise<number> {
  const result = await client.query({
    query: `SELECT sum(messages) AS messages FROM rollup_minute
            WHERE minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')} ${inDivisions(divisions)}`,
    query_params: { from: Math.floor(from.getTime() / 1000), to: Math.floor(to.getTime() / 1000), divisions: divisions ?? [] },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ messages: number | string }>();
  return Number(row?.messages ?? 0);
}
