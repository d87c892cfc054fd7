/**
 * The api's picture of today's counts per division × category: read from ClickHouse (the
 * snapshot, with distinct counts), then kept current by the processor's deltas, and read again
 * every resync interval (distinct counts cannot be summed from deltas; the day rolls over).
 *
 * The hand-over between a snapshot and the deltas around it is exact: the snapshot is read with its
 * watermark — the highest batch mark per events-topic partition in the rows it sums, from the same
 * table in the same statement (migration 0070) — and a delta whose mark is at or below the watermark
 * is already in it. Batches of one partition are written in offset order, so that test is exact.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { addCounters, cellKey, type BatchMark, type CountsRow, type LiveDelta, type SnapshotRow } from '../../common/live.ts';
import { dayBounds, dayOf } from '../../common/time.ts';

/** Per events-topic partition, the next offset after the last batch a snapshot holds. */
export type Watermark = Map<number, bigint>;

function holds(watermark: Watermark, mark: BatchMark): boolean {
  return BigInt(mark.nextOffset) <= (watermark.get(mark.partition) ?? 0n);
}

function raise(watermark: Watermark, mark: BatchMark): void {
  if (!holds(watermark, mark)) watermark.set(mark.partition, BigInt(mark.nextOffset));
}

/** What became of a delta: counted (today's part), held already (a replay, or in the snapshot), or of another day only. */
export type DeltaOutcome = 'counted' | 'held' | 'other-day';

export interface LiveCounts {
  readonly day: string;
  /** The board's day has moved on past `day` (its midnight came): the counts are to be read again. */
  dayIsOver(): boolean;
  /** Re-read today from ClickHouse; deltas applied while the read ran stay counted unless the new snapshot holds them. */
  resync(): Promise<void>;
  /** Add a processor delta unless the counts already hold it; `rows` is today's part of it (to broadcast). */
  apply(delta: LiveDelta): { outcome: DeltaOutcome; rows: CountsRow[] };
  /** Today's counts, copied. */
  rows(): SnapshotRow[];
}

export interface DaySnapshot {
  rows: SnapshotRow[];
  watermark: Watermark;
}

type Cell = Record<keyof SnapshotRow, string | number> & { marks: [number[], (string | number)[]] };

export async function readDaySnapshot(client: ClickHouseClient, day: string, timeZone: string): Promise<DaySnapshot> {
  const { start, end } = dayBounds(day, timeZone);
  // One statement, one table: the marks describe exactly the rows summed beside them.
  const result = await client.query({
    query: `SELECT division, category, sum(messages) AS messages, sum(media) AS media, sum(forwarded) AS forwarded,
                   sum(joins) AS joins, sum(leaves) AS leaves,
                   uniqMerge(active_groups) AS activeGroups, uniqMerge(active_senders) AS activeSenders,
                   maxMap(batch_marks) AS marks
            FROM rollup_minute
            WHERE minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')}
            GROUP BY division, category ORDER BY division, category`,
    query_params: { start: start / 1000, end: end / 1000 },
    format: 'JSONEachRow',
  });
  const watermark: Watermark = new Map();
  const rows = (await result.json<Cell>()).map((r) => {
    const [partitions, nextOffsets] = r.marks;
    partitions.forEach((partition, i) => raise(watermark, { partition: Number(partition), nextOffset: String(nextOffsets[i]) }));
    return {
      division: String(r.division),
      category: String(r.category),
      messages: Number(r.messages),
      media: Number(r.media),
      forwarded: Number(r.forwarded),
      joins: Number(r.joins),
      leaves: Number(r.leaves),
      activeGroups: Number(r.activeGroups),
      activeSenders: Number(r.activeSenders),
    };
  });
  return { rows, watermark };
}

export function createLiveCounts(client: ClickHouseClient, timeZone: string, now: () => number = Date.now): LiveCounts {
  let day = dayOf(now(), timeZone);
  let cells = new Map<string, SnapshotRow>();
  /** The batches the counts hold: the snapshot's watermark, raised by every delta applied since. */
  let watermark: Watermark = new Map();
  /** Deltas applied while a snapshot read is in flight (the new snapshot may not hold them). */
  let appliedDuringRead: LiveDelta[] | undefined;

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

  function apply(delta: LiveDelta): { outcome: DeltaOutcome; rows: CountsRow[] } {
    // Held already: in the snapshot, or the same batch delivered again (a replay after a crash).
    if (holds(watermark, delta.batch)) return { outcome: 'held', rows: [] };
    raise(watermark, delta.batch);
    appliedDuringRead?.push(delta);
    const part = delta.days.find((d) => d.day === day);
    if (!part) return { outcome: 'other-day', rows: [] };
    add(part.rows);
    return { outcome: 'counted', rows: part.rows };
  }

  return {
    get day() {
      return day;
    },
    dayIsOver: () => dayOf(now(), timeZone) !== day,
    async resync() {
      const today = dayOf(now(), timeZone);
      const sinceReadBegan: LiveDelta[] = [];
      appliedDuringRead = sinceReadBegan;
      try {
        const snapshot = await readDaySnapshot(client, today, timeZone);
        day = today;
        cells = new Map(snapshot.rows.map((r) => [cellKey(r.division, r.category), r]));
        watermark = snapshot.watermark;
      } finally {
        appliedDuringRead = undefined;
      }
      // Deltas that arrived during the read: those committed too late for it are added on top.
      for (const delta of sinceReadBegan) apply(delta);
    },
    apply,
    rows() {
      // Copies: a snapshot being sent must not change under it as deltas arrive.
      return [...cells.values()].map((cell) => ({ ...cell })).sort((a, b) => a.division.localeCompare(b.division) || a.category.localeCompare(b.category));
    },
  };
}
