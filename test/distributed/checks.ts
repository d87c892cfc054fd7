/**
 * What the distributed tier sends and checks: load through both ingest instances, and counts that must
 * come out exactly as acknowledged — in each api's summary (the rollup path and the raw path) and in
 * every table the processors' insert feeds.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { expect } from 'vitest';
import type { SummaryRow } from '../../common/contracts/summary.ts';
import { authHeaders } from '../support/auth.ts';
import { expectedOf, type TestEvent } from '../support/events.ts';
import { sendReliably, type SendStats } from '../support/reliable-sender.ts';
import { waitFor } from '../support/wait.ts';
import { SOURCE_TOKEN, type Deployment } from './deployment.ts';

/** Send through the ingest instances in turn (a batch each), as a load balancer would. */
export function sendThroughBoth(d: Deployment, events: object[], options: { batchSize?: number; pauseMs?: number; onProgress?(sent: number): void } = {}): Promise<SendStats> {
  let next = 0;
  return sendReliably(events, { url: () => d.ingests[next++ % d.ingests.length]!.url, token: SOURCE_TOKEN, batchSize: options.batchSize ?? 50, pauseMs: options.pauseMs, onProgress: options.onProgress, batchDeadlineMs: 180_000 });
}

/** GET /api/v1/summary on one api instance. */
export async function summary(apiUrl: string, from: string, to: string, division?: string): Promise<SummaryRow[]> {
  const query = new URLSearchParams({ from, to, ...(division ? { division } : {}) });
  const response = await fetch(`${apiUrl}/api/v1/summary?${query}`, { headers: await authHeaders(apiUrl) });
  if (response.status !== 200) throw new Error(`summary answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { rows: SummaryRow[] }).rows;
}

/** Totals of summary rows (one division, or all). */
export function totals(rows: SummaryRow[]) {
  return rows.reduce((t, r) => ({ messages: t.messages + r.messages, joins: t.joins + r.joins, leaves: t.leaves + r.leaves }), { messages: 0, joins: 0, leaves: 0 });
}

/** Messages, joins and leaves in each table the insert feeds, for events of `[from, to)` whose group starts with `groupPrefix`. */
async function tableCounts(client: ClickHouseClient, from: string, to: string, groupPrefix: string): Promise<Record<string, number>> {
  const inRange = (column: string) => `${column} >= parseDateTime64BestEffort({from:String}, 3) AND ${column} < parseDateTime64BestEffort({to:String}, 3)`;
  const days = 'day >= toDate(parseDateTime64BestEffort({from:String})) AND day < toDate(parseDateTime64BestEffort({to:String}))';
  const ours = 'startsWith(group_id, {prefix:String})';
  const result = await client.query({
    query: `SELECT
              (SELECT count() FROM events WHERE ${inRange('at')} AND ${ours}) AS events,
              (SELECT uniqExact(group_id, event_id) FROM events WHERE ${inRange('at')} AND ${ours}) AS distinct_events,
              (SELECT countIf(type = 'message') FROM events WHERE ${inRange('at')} AND ${ours}) AS messages,
              (SELECT sum(messages) FROM rollup_minute WHERE ${inRange('minute')}) AS rollup_minute,
              (SELECT sum(joins) + sum(leaves) FROM rollup_minute WHERE ${inRange('minute')}) AS rollup_minute_members,
              (SELECT sum(messages) FROM rollup_group_hour WHERE ${inRange('hour')} AND ${ours}) AS rollup_group_hour,
              (SELECT sum(messages) FROM rollup_group_day WHERE ${days} AND ${ours}) AS rollup_group_day,
              (SELECT sum(messages) FROM rollup_day WHERE ${days}) AS rollup_day`,
    query_params: { from, to, prefix: groupPrefix },
    format: 'JSONEachRow',
  });
  return Object.fromEntries(Object.entries((await result.json<Record<string, string | number>>())[0]!).map(([k, v]) => [k, Number(v)]));
}

/**
 * Once the processors have committed everything: what `events` (all distinct, of groups starting with
 * `groupPrefix`, in `[from, to)`) must have produced, exactly — in both api instances' summaries, by the
 * rollups (minute-aligned range) and by the raw table (the same range from 1 ms before), and in every table.
 * `division`: only that division's rows of the summary, and no per-minute table (it has other divisions).
 * `wholeDays`: nothing else was written on those UTC days, so the hour and day rollups must match too.
 */
export async function expectExactly(d: Deployment, events: TestEvent[], range: { from: string; to: string; groupPrefix: string; wholeDays?: boolean; division?: string }): Promise<void> {
  await d.drained();
  const expected = expectedOf(events);
  const want = { messages: expected.messages, joins: expected.joins, leaves: expected.leaves };
  // Not minute-aligned, so the raw table answers; no scenario has an event in the millisecond before its range.
  const rawFrom = new Date(Date.parse(range.from) - 1).toISOString();
  const seen: Record<string, unknown> = {};
  const wanted: Record<string, unknown> = {};
  for (const api of d.apis) {
    // The answer may lag the commit by a moment (the summary's read is its own query): poll, then compare exactly.
    seen[`${api.name}, rollup path`] = await waitFor(async () => {
      const t = totals(await summary(api.url, range.from, range.to, range.division));
      return t.messages + t.joins + t.leaves >= events.length ? t : undefined;
    }, `${events.length} events in ${api.name}'s summary`, 60_000).catch(async () => totals(await summary(api.url, range.from, range.to, range.division)));
    seen[`${api.name}, raw path`] = totals(await summary(api.url, rawFrom, range.to, range.division));
    wanted[`${api.name}, rollup path`] = want;
    wanted[`${api.name}, raw path`] = want;
  }
  const tables = await tableCounts(d.client, range.from, range.to, range.groupPrefix);
  const exact: Record<string, number> = {
    events: events.length,
    distinct_events: events.length,
    messages: expected.messages,
  };
  if (!range.division) Object.assign(exact, { rollup_minute: expected.messages, rollup_minute_members: expected.joins + expected.leaves });
  if (range.wholeDays) Object.assign(exact, { rollup_day: expected.messages, rollup_group_hour: expected.messages, rollup_group_day: expected.messages });
  seen.tables = Object.fromEntries(Object.keys(exact).map((k) => [k, tables[k]]));
  wanted.tables = exact;
  expect(seen, 'summaries of both api instances, and the tables').toEqual(wanted);
}

/** One instance's /readyz answer (status and the checks), or undefined when it does not answer in time. */
export async function readiness(url: string): Promise<{ status: number; checks: Record<string, string> } | undefined> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(8000) }).catch(() => undefined);
  if (!response) return undefined;
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}
