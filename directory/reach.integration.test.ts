/**
 * The reach reads on rows written straight into reach_first_seen and reach_forwarded, each insert a part of its
 * own (as the views write them, before merges): a group seen twice, or at the end of one month and the start of
 * the next, counts once at its first sighting, and only within 24 h of the message's first; the list ranks candidates by copies, keeps messages sent down that
 * reached two groups in scope, widest first.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../common/store/migrate.ts';
import type { Store } from '../common/store/store.ts';
import { HOUR_MS, MINUTE_MS } from '../common/time.ts';
import { openTestStore } from '../test/support/store.ts';
import { readDivisionReach, readReachByLevel, readReachCandidates, readReachList } from './reach.ts';

let store: Store;
let client: ClickHouseClient;

/** The last minute of November (UTC): a message sent down across the month's end. */
const T0 = Date.parse('2026-11-30T23:50:00Z');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const UNITS = [
  { unit_id: 'RJ', level: 'state', parent: '' },
  { unit_id: 'JPR', level: 'division', parent: 'RJ' },
  { unit_id: 'AJM', level: 'division', parent: 'RJ' },
  { unit_id: 'B1', level: 'booth', parent: 'JPR' },
  { unit_id: 'B2', level: 'booth', parent: 'JPR' },
  { unit_id: 'B3', level: 'booth', parent: 'AJM' },
];
const DIVISION: Record<string, string> = { RJ: 'RJ', JPR: 'JPR', AJM: 'AJM', B1: 'JPR', B2: 'JPR', B3: 'AJM' };

/** One sighting, inserted alone: a part of its own. */
async function seen(fingerprint: string, group: string, unit: string, offsetMs: number): Promise<void> {
  const at = T0 + offsetMs;
  await client.insert({ table: 'reach_first_seen', values: [{ day: day(at), fingerprint, group_id: group, division: DIVISION[unit], unit, first_at: at }], format: 'JSONEachRow' });
}

async function copies(fingerprint: string, offsetMs: number, n: number): Promise<void> {
  await client.insert({ table: 'reach_forwarded', values: [{ day: day(T0 + offsetMs), fingerprint, copies: n }], format: 'JSONEachRow' });
}

beforeAll(async () => {
  store = await openTestStore('grouppulse-reach-');
  client = store.client;
  await migrate(client);
  await client.insert({ table: 'directory_units', values: UNITS.map((u) => ({ ...u, name: u.unit_id, version: 1 })), format: 'JSONEachRow' });
  // "wide": from the state group to four booth groups in two divisions. g1 gets it twice, on both sides of the
  // month's end; g2's second row, stored later, is its first sighting.
  await seen('wide', 'g-state', 'RJ', 0);
  await seen('wide', 'g1', 'B1', 5 * MINUTE_MS); // 23:55 on 30 Nov
  await seen('wide', 'g1', 'B1', 15 * MINUTE_MS); // 00:05 on 1 Dec: the same group again, next month
  await seen('wide', 'g2', 'B2', 50 * MINUTE_MS);
  await seen('wide', 'g2', 'B2', 30 * MINUTE_MS); // stored later, seen earlier: its first sighting
  await seen('wide', 'g3', 'B3', 2 * HOUR_MS);
  await seen('wide', 'g5', 'B3', 3 * HOUR_MS);
  await seen('wide', 'g4', 'B3', 30 * HOUR_MS); // past the last mark (24 h): not followed
  // "narrow": from the Jaipur group to one booth group.
  await seen('narrow', 'g-jpr', 'JPR', HOUR_MS);
  await seen('narrow', 'g1', 'B1', 2 * HOUR_MS);
  // "booth-born": first seen in a booth group, forwarded to others: not sent down.
  await seen('booth-born', 'g1', 'B1', 0);
  await seen('booth-born', 'g2', 'B2', MINUTE_MS);
  await seen('booth-born', 'g3', 'B3', MINUTE_MS);
  // "alone": sent down, but never reached a second group.
  await seen('alone', 'g-state', 'RJ', HOUR_MS);
  // "yesterday": first seen the day before the list's day.
  await seen('yesterday', 'g-state', 'RJ', -20 * HOUR_MS);
  await seen('yesterday', 'g1', 'B1', HOUR_MS);
  // Copies sent down, by UTC day: "wide" spans two days (3 + 2), each day's row in parts.
  await copies('wide', 5 * MINUTE_MS, 1);
  await copies('wide', 15 * MINUTE_MS, 1);
  await copies('wide', 30 * MINUTE_MS, 2);
  await copies('narrow', 2 * HOUR_MS, 1);
  await copies('booth-born', MINUTE_MS, 2);
  await copies('alone', HOUR_MS, 1);
  await copies('yesterday', HOUR_MS, 1);
}, 120_000);

afterAll(async () => {
  await store?.close();
});

/** The list's day: 30 Nov 23:00 UTC to 1 Dec 23:00 UTC. */
const WINDOW = { fromMs: T0 - 50 * MINUTE_MS, toMs: T0 + 23 * HOUR_MS + 10 * MINUTE_MS };
const sentDown = (m: { unit: string }) => !m.unit.startsWith('B');

describe('reach reads', () => {
  it('candidates: the messages first seen in the window, with their first sighting anywhere', async () => {
    const found = await readReachCandidates(client, WINDOW);
    expect(found.map((m) => [m.fingerprint, m.firstAt - T0, m.group, m.unit, m.division]).sort()).toEqual([
      ['alone', HOUR_MS, 'g-state', 'RJ', 'RJ'],
      ['booth-born', 0, 'g1', 'B1', 'JPR'],
      ['narrow', HOUR_MS, 'g-jpr', 'JPR', 'JPR'],
      ['wide', 0, 'g-state', 'RJ', 'RJ'],
    ]);
  });

  it('the list: sent down, two groups or more in scope, widest first, each group once at its first sighting', async () => {
    const listed = await readReachList(client, { ...WINDOW, limit: 10, leafLevel: 'booth', sentDown });
    expect(listed.map((l) => [l.message.fingerprint, l.groups])).toEqual([['wide', 5], ['narrow', 2]]);
    const wide = new Map(listed[0]!.divisions.map((d) => [d.division, d]));
    // Marks 15 min / 1 h / 6 h / 24 h after 23:50: g1 at 5 min, g2 at 30 min, g3 at 2 h, g5 at 3 h (g4 at 30 h).
    expect(wide.get('JPR')).toMatchObject({ groups: 2, units: 2, boothGroups: 2, booths: 2, reachedAt: [1, 2, 2, 2] });
    expect(wide.get('AJM')).toMatchObject({ groups: 2, units: 1, boothGroups: 2, booths: 1, reachedAt: [0, 0, 2, 2] });
    expect(wide.get('RJ')).toMatchObject({ groups: 1, units: 1, boothGroups: 0, booths: 0, reachedAt: [0, 0, 0, 0] });
    const narrowOnly = await readReachList(client, { ...WINDOW, limit: 1, leafLevel: 'booth', sentDown: (m) => m.fingerprint === 'narrow' });
    expect(narrowOnly.map((l) => [l.message.fingerprint, l.groups])).toEqual([['narrow', 2]]);
  });

  it('a lead\'s list counts their divisions only; a message that reached one group there is left out', async () => {
    const ajmer = await readReachList(client, { ...WINDOW, divisions: ['AJM'], limit: 10, leafLevel: 'booth', sentDown });
    expect(ajmer.map((l) => [l.message.fingerprint, l.groups, l.divisions.map((d) => d.division)])).toEqual([['wide', 2, ['AJM']]]);
  });

  it('per level, the first arrival and the groups, each group once, within 24 h of the first sighting', async () => {
    const [first] = await readReachCandidates(client, WINDOW).then((all) => all.filter((m) => m.fingerprint === 'wide'));
    const levels = (await readReachByLevel(client, first!)).map((l) => [l.level, l.firstAt - T0, l.groups]).sort();
    expect(levels).toEqual([['booth', 5 * MINUTE_MS, 4], ['state', 0, 1]]);
    const ajmer = (await readReachByLevel(client, first!, ['AJM'])).map((l) => [l.level, l.firstAt - T0, l.groups]);
    expect(ajmer).toEqual([['booth', 2 * HOUR_MS, 2]]);
    const deadline = await readDivisionReach(client, [first!], { leafLevel: 'booth', deadlineMinutes: new Map([['wide', 60]]) });
    expect(new Map(deadline.get('wide')!.map((d) => [d.division, d.reachedByDeadline]))).toEqual(new Map([['JPR', 2], ['AJM', 0], ['RJ', 0]]));
  });
});
