/**
 * The api's picture of today's counts per division × category: read from ClickHouse (the
 * snapshot, with distinct counts), then kept current by the processor's deltas, and read again
 * every resync interval so anything missed or doubled around a snapshot heals itself.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { addCounters, cellKey, type CountsRow, type LiveDelta, type SnapshotRow } from '../../common/live.ts';
import { dayBounds, dayOf } from './day.ts';

export interface LiveCounts {
  readonly day: string;
  /** Re-read today from ClickHouse; resolves with the instant the read began. */
  resync(): Promise<number>;
  /** Add a processor delta unless the snapshot already holds it; returns today's part of it (to broadcast). */
  apply(delta: LiveDelta): CountsRow[];
  /** Add rows of today as they are (deltas known to be missing from the snapshot). */
  add(rows: CountsRow[]): void;
  rows(): SnapshotRow[];
}

export async function readDaySnapshot(client: ClickHouseClient, day: string, timeZone: string): Promise<SnapshotRow[]> {
  const { start, end } = dayBounds(day, timeZone);
  const result = await client.query({
    query: `SELECT division, category, sum(messages) AS messages, sum(media) AS media, sum(forwarded) AS forwarded,
                   sum(joins) AS joins, sum(leaves) AS leaves,
                   uniqMerge(active_groups) AS activeGroups, uniqMerge(active_senders) AS activeSenders
            FROM rollup_minute
            WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
            GROUP BY division, category ORDER BY division, category`,
    query_params: { start: start / 1000, end: end / 1000 },
    format: 'JSONEachRow',
  });
  const rows = await result.json<Record<keyof SnapshotRow, string | number>>();
  return rows.map((r) => ({
    division: String(r.division),
    category: String(r.category),
    messages: Number(r.messages),
    media: Number(r.media),
    forwarded: Number(r.forwarded),
    joins: Number(r.joins),
    leaves: Number(r.leaves),
    activeGroups: Number(r.activeGroups),
    activeSenders: Number(r.activeSenders),
  }));
}

export function createLiveCounts(client: ClickHouseClient, timeZone: string, now: () => number = Date.now): LiveCounts {
  let day = dayOf(now(), timeZone);
  let cells = new Map<string, SnapshotRow>();
  /** Deltas written after this instant are not in the snapshot we hold. */
  let snapshotStartedAt = 0;

  function add(rows: CountsRow[]): void {
    for (const row of rows) {
      const key = cellKey(row.division, row.category);
      let cell = cells.get(key);
      if (!cell) {
        cell = { division: row.division, category: row.category, messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0, activeGroups: 0, activeSenders: 0 };
        cells.set(key, cell);
      }
      addCounters(cell, row);
    }
  }

  return {
    get day() {
      return day;
    },
    async resync() {
      const startedAt = now();
      const today = dayOf(startedAt, timeZone);
      const rows = await readDaySnapshot(client, today, timeZone);
      day = today;
      snapshotStartedAt = startedAt;
      cells = new Map(rows.map((r) => [cellKey(r.division, r.category), r]));
      return startedAt;
    },
    apply(delta) {
      if (delta.writtenAt < snapshotStartedAt) return [];
      const part = delta.days.find((d) => d.day === day);
      if (!part) return [];
      add(part.rows);
      return part.rows;
    },
    add,
    rows() {
      return [...cells.values()].sort((a, b) => a.division.localeCompare(b.division) || a.category.localeCompare(b.category));
    },
  };
}
