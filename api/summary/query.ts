/**
 * The summary's read (common/contracts/summary.ts): per division × category over [from, to).
 * Minute-aligned ranges read the rollups (the fast path): whole UTC days from the per-day rollup and
 * the partial days at either end from the per-minute one (common/store/day-split.ts); other ranges
 * read raw events so the edges are exact.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { SummaryRow } from '../../common/contracts/summary.ts';
import { DAY_PART, daySplit, finePart } from '../../common/store/day-split.ts';

export interface SummaryQuery {
  from: Date;
  to: Date;
  /** Only these divisions (undefined = all). */
  divisions?: string[];
}

// Distinct counts merge exactly across the two tables: uniq states of the same hashes, however grouped.
const ROLLUP_SQL = `
  SELECT division, category,
         sum(messages) AS messages, uniqMerge(active_groups) AS activeGroups, uniqMerge(active_senders) AS activeSenders,
         sum(joins) AS joins, sum(leaves) AS leaves
  FROM (
    SELECT division, category, messages, joins, leaves, active_groups, active_senders
    FROM rollup_day WHERE ${DAY_PART} {divisionFilter}
    UNION ALL
    SELECT division, category, messages, joins, leaves, active_groups, active_senders
    FROM rollup_minute WHERE ${finePart('minute')} {divisionFilter}
  )
  GROUP BY division, category ORDER BY division, category`;

const RAW_SQL = `
  SELECT division, category,
         countIf(type = 'message') AS messages, uniqIf(group_id, type = 'message') AS activeGroups,
         uniqIf(person, type = 'message') AS activeSenders,
         countIf(type = 'member_joined') AS joins, countIf(type = 'member_left') AS leaves
  FROM events
  WHERE at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')} {divisionFilter}
  GROUP BY division, category ORDER BY division, category`;

function minuteAligned(date: Date): boolean {
  return date.getTime() % 60_000 === 0;
}

export async function querySummary(client: ClickHouseClient, query: SummaryQuery): Promise<SummaryRow[]> {
  const rollup = minuteAligned(query.from) && minuteAligned(query.to);
  const sql = (rollup ? ROLLUP_SQL : RAW_SQL).replaceAll('{divisionFilter}', query.divisions ? 'AND division IN {divisions:Array(String)}' : '');
  const range = rollup ? daySplit(query.from.getTime(), query.to.getTime()) : { from: query.from.getTime() / 1000, to: query.to.getTime() / 1000 };
  const result = await client.query({
    query: sql,
    query_params: { ...range, divisions: query.divisions ?? [] },
    format: 'JSONEachRow',
  });
  const rows = await result.json<Record<keyof SummaryRow, string | number>>();
  return rows.map((r) => ({
    division: String(r.division),
    category: String(r.category),
    messages: Number(r.messages),
    activeGroups: Number(r.activeGroups),
    activeSenders: Number(r.activeSenders),
    joins: Number(r.joins),
    leaves: Number(r.leaves),
  }));
}
