/**
 * Long ranges read whole days from the per-day rollups (migration 0050) and the partial days from the
 * per-minute / per-hour ones. On the real engine, with events written through their materialized views
 * over several days: every split of a range gives the same numbers as the finer rollup alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../common/store/migrate.ts';
import type { Store } from '../common/store/store.ts';
import { readGroupActivity } from '../directory/activity.ts';
import { writeEventRows } from '../processor/write-batch.ts';
import type { EventRow } from '../processor/rows.ts';
import { querySummary } from './summary/query.ts';
import { openTestStore } from '../test/support/store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-01T00:00:00Z');
const KINDS = ['text', 'image', 'video', 'sticker', 'text'];
const TYPES = ['message', 'message', 'message', 'member_joined', 'member_left', 'group_snapshot'];

/** 6 days of events, every 7 minutes, over 9 groups in 3 divisions × 2 categories. */
function rows(): EventRow[] {
  const out: EventRow[] = [];
  for (let i = 0, at = START + 5 * 60_000; at < START + 6 * DAY; i++, at += 7 * 60_000) {
    const group = i % 9;
    out.push({
      event_id: `e${i}`, type: TYPES[i % TYPES.length]!, group_id: `g${group}`, at, received_at: at, source: 's', person: `p${(i * 13) % 40}`,
      kind: KINDS[i % KINDS.length]!, forwarded: i % 4 === 0, members: i % TYPES.length === 5 ? 30 : null, admins: null, title: '',
      division: `d${group % 3}`, category: `c${group % 2}`, unit_path: [`d${group % 3}`], batch_partition: 0, batch_next_offset: '0',
    });
  }
  return out;
}

describe('per-day rollups agree with the finer rollups', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openTestStore('grouppulse-days-');
    await migrate(store.client);
    const all = rows();
    // Several inserts, as batches arrive: the day tables get several parts per day.
    for (let i = 0; i < all.length; i += 300) await writeEventRows(store.client, all.slice(i, i + 300), `test:0:${i}-${i + 299}`);
  });
  afterAll(() => store?.close());

  async function fineSummary(from: number, to: number) {
    const result = await store.client.query({
      query: `SELECT division, category, toFloat64(sum(messages)) AS messages, toFloat64(uniqMerge(active_groups)) AS activeGroups,
                     toFloat64(uniqMerge(active_senders)) AS activeSenders, toFloat64(sum(joins)) AS joins, toFloat64(sum(leaves)) AS leaves
              FROM rollup_minute WHERE minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
              GROUP BY division, category ORDER BY division, category`,
      query_params: { from: from / 1000, to: to / 1000 },
      format: 'JSONEachRow',
    });
    return result.json();
  }

  async function hourActivity(from: number, to: number) {
    const result = await store.client.query({
      query: `SELECT group_id AS id, toFloat64(sum(messages)) AS messages, toFloat64(sum(media)) AS media, toFloat64(sum(forwarded)) AS forwarded,
                     toFloat64(sum(joins)) AS joins, toFloat64(sum(leaves)) AS leaves
              FROM rollup_group_hour WHERE hour >= {from:DateTime('UTC')} AND hour < {to:DateTime('UTC')} GROUP BY group_id`,
      query_params: { from: from / 1000, to: to / 1000 },
      format: 'JSONEachRow',
    });
    const found = await result.json<{ id: string; messages: number; media: number; forwarded: number; joins: number; leaves: number }>();
    return new Map(found.map(({ id, ...counts }) => [id, counts]));
  }

  const ranges: [string, number, number][] = [
    ['whole days', START, START + 6 * DAY],
    ['partial days at both ends', START + 5 * HOUR + 17 * 60_000, START + 4 * DAY + 9 * HOUR + 3 * 60_000],
    ['less than a day across midnight', START + DAY - 3 * HOUR, START + DAY + 2 * HOUR],
    ['within one day', START + 2 * DAY + HOUR, START + 2 * DAY + 5 * HOUR],
  ];

  it.each(ranges)('summary over %s: day + minute rollups = minute rollup alone', async (_name, from, to) => {
    const summary = await querySummary(store.client, { from: new Date(from), to: new Date(to) });
    expect(summary.length).toBeGreaterThan(0);
    expect(summary).toEqual(await fineSummary(from, to));
    const one = await querySummary(store.client, { from: new Date(from), to: new Date(to), divisions: ['d1'] });
    expect(one).toEqual(summary.filter((r) => r.division === 'd1'));
  });

  it.each(ranges)('group activity over %s: day + hour rollups = hour rollup alone', async (_name, from, to) => {
    const hourFrom = Math.floor(from / HOUR) * HOUR;
    const activity = await readGroupActivity(store.client, new Date(from), new Date(to));
    expect(activity.size).toBe(9);
    expect(activity).toEqual(await hourActivity(hourFrom, to));
  });

  it('a range without events reads as empty (the engine leaves empty columns out)', async () => {
    expect((await readGroupActivity(store.client, new Date(START - 10 * DAY), new Date(START - 2 * DAY))).size).toBe(0);
    expect(await querySummary(store.client, { from: new Date(START - 10 * DAY), to: new Date(START - 2 * DAY) })).toEqual([]);
  });

  it("migration 0050's copy of history gives the day tables exactly what their views wrote", async () => {
    const snapshot = async () => {
      const result = await store.client.query({
        query: `SELECT (SELECT groupArray(tuple(day, group_id, messages, media, forwarded, joins, leaves, last_at)) FROM
                         (SELECT day, group_id, sum(messages) AS messages, sum(media) AS media, sum(forwarded) AS forwarded, sum(joins) AS joins,
                                 sum(leaves) AS leaves, max(last_at) AS last_at FROM rollup_group_day GROUP BY day, group_id ORDER BY day, group_id)) AS groups,
                       (SELECT groupArray(tuple(day, division, category, messages, groups, senders)) FROM
                         (SELECT day, division, category, sum(messages) AS messages, uniqMerge(active_groups) AS groups, uniqMerge(active_senders) AS senders
                          FROM rollup_day GROUP BY day, division, category ORDER BY day, division, category)) AS cells`,
        format: 'JSONEachRow',
      });
      return result.json();
    };
    const fromViews = await snapshot();
    const copies = listMigrations().find((m) => m.version === 50)!.statements.filter((s) => s.startsWith('INSERT'));
    expect(copies).toHaveLength(2);
    for (const statement of copies) await store.client.command({ query: statement });
    expect(await snapshot()).toEqual(fromViews); // tables not empty: the copy does nothing
    await store.client.command({ query: 'TRUNCATE TABLE rollup_group_day' });
    await store.client.command({ query: 'TRUNCATE TABLE rollup_day' });
    for (const statement of copies) await store.client.command({ query: statement });
    expect(await snapshot()).toEqual(fromViews);
  });
});
