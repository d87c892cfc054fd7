/**
 * Message reach on the real pipeline (Kafka, processor, ClickHouse): the board's small tree with a state
 * group and a group per division, one central message posted with a fingerprint and forwarded down over
 * 20 hours, plus a copy replayed and a later repeat in a group that had it. Exact numbers for the admin;
 * a lead of Jaipur sees Jaipur only and gets 403 for Ajmer; only an admin marks a message important.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReachDetailAnswer, ReachListAnswer } from '../../common/contracts/reach.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, wallClockAt, wallClockToEpochMs } from '../../common/time.ts';
import { adminToken, createUserToken } from '../../test/support/auth.ts';
import { importOrgWithUpperGroups } from '../../test/support/org-fixture.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../../test/support/pipeline.ts';

let pipeline: TestPipeline;
let admin: string;
let lead: string;

// 10:00 IST two days ago: the whole 20 h of spread lies in the past, the day is one IST day.
const wall = wallClockAt(Date.now() - 2 * DAY_MS, 'Asia/Kolkata');
const T0 = wallClockToEpochMs({ ...wall, hour: 10, minute: 0, second: 0 }, 'Asia/Kolkata');
const DAY = `${wall.year}-${String(wall.month).padStart(2, '0')}-${String(wall.day).padStart(2, '0')}`;
const LATE = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 7 * HOUR_MS;
const lateWall = wallClockAt(LATE, 'Asia/Kolkata');
const LATE_DAY = `${lateWall.year}-${String(lateWall.month).padStart(2, '0')}-${String(lateWall.day).padStart(2, '0')}`;

const message = (id: string, group: string, offsetMs: number, fingerprint: string) =>
  ({ type: 'message', id, group, at: new Date(T0 + offsetMs).toISOString(), sender: '919800000001', kind: 'text', forwarded: true, fingerprint });

async function get<T>(path: string, token: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${pipeline.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  // The alerts detector (processor role) ticks every second: the reach-missed test waits for its alert.
  pipeline = await startTestPipeline({ env: { ALERT_TICK_MS: '1000' } });
  admin = await adminToken(pipeline.url);
  await importOrgWithUpperGroups(pipeline.url, admin);
  lead = await createUserToken(pipeline.url, admin, { username: 'lead.jaipur', password: 'lead-password-1', roles: ['lead'], units: ['JPR'] });

  const events = [
    message('c-1', 'wa:state', 0, 'central'),
    message('c-2', 'wa:jpr', 5 * MINUTE_MS, 'central'),
    message('c-3', 'wa:g1', 10 * MINUTE_MS, 'central'),
    message('c-4', 'wa:g3', 50 * MINUTE_MS, 'central'),
    message('c-5', 'wa:g4', 3 * HOUR_MS, 'central'),
    message('c-6', 'wa:g5', 20 * HOUR_MS, 'central'),
    // Forwarded again into a group that had it: the group counts once, from its first sighting.
    message('c-7', 'wa:g1', 2 * HOUR_MS, 'central'),
    // Chatter that started in a booth group is not a message sent down; one seen once is no spread.
    message('b-1', 'wa:g1', HOUR_MS, 'booth-chatter'),
    message('b-2', 'wa:g3', 2 * HOUR_MS, 'booth-chatter'),
    message('o-1', 'wa:state', HOUR_MS, 'only-once'),
  ];
  // A message of 7 hours ago: Jaipur had 1 of its 3 booth groups by 6 h, Ajmer both of its 2.
  const late = (id: string, group: string, offsetMs: number) => ({ ...message(id, group, 0, 'late-message'), at: new Date(LATE + offsetMs).toISOString() });
  events.push(late('l-1', 'wa:state', 0), late('l-2', 'wa:jpr', 5 * MINUTE_MS), late('l-3', 'wa:g1', 10 * MINUTE_MS), late('l-4', 'wa:g4', HOUR_MS), late('l-5', 'wa:g5', 2 * HOUR_MS));
  expect((await pipeline.post(events)).status).toBe(202);
  // The same batch again (a source retrying): deduplicated by event id.
  expect((await pipeline.post(events)).status).toBe(202);
  await waitFor(async () => {
    const { body } = await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, admin);
    return body.messages?.[0]?.groups === 6 ? true : undefined;
  }, 'the central message in six groups');
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('message reach', () => {
  it('lists the day\'s message sent down, with exact shares of booth groups per division at the four marks', async () => {
    const { status, body } = await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, admin);
    expect(status).toBe(200);
    expect(body).toMatchObject({ day: DAY, timeZone: 'Asia/Kolkata', marksMinutes: [15, 60, 360, 1440] });
    expect(body.messages).toHaveLength(1);
    const [central] = body.messages;
    expect(central!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(central).toMatchObject({
      origin: { at: new Date(T0).toISOString(), group: 'wa:state', title: 'Rajasthan core team', unit: 'RJ', unitName: 'Rajasthan', level: 'state' },
      groups: 6, units: 5, boothGroups: 4, booths: 3, important: null,
    });
    expect(central!.divisions).toEqual([
      { division: 'AJM', name: 'Ajmer', boothGroups: 2, reachedAt: [0, 0, 1, 2], shares: [0, 0, 0.5, 1], groups: 2 },
      { division: 'JPR', name: 'Jaipur', boothGroups: 3, reachedAt: [1, 2, 2, 2], shares: [0.3333, 0.6667, 0.6667, 0.6667], groups: 3 },
    ]);
    // The day before has none.
    const before = new Date(Date.parse(`${DAY}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
    expect((await get<ReachListAnswer>(`/api/v1/board/reach?day=${before}`, admin)).body.messages).toEqual([]);
  });

  it('drills into one message: first arrival per level, and the booth groups that never got it', async () => {
    const id = (await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, admin)).body.messages[0]!.id;
    const { status, body } = await get<ReachDetailAnswer>(`/api/v1/board/reach/${id}?division=JPR`, admin);
    expect(status).toBe(200);
    expect(body.levels).toEqual([
      { level: 'state', firstAt: new Date(T0).toISOString(), minutes: 0, groups: 1 },
      { level: 'division', firstAt: new Date(T0 + 5 * MINUTE_MS).toISOString(), minutes: 5, groups: 1 },
      { level: 'booth', firstAt: new Date(T0 + 10 * MINUTE_MS).toISOString(), minutes: 10, groups: 4 },
    ]);
    expect(body.missing).toEqual({ division: 'JPR', total: 1, page: 1, pageSize: 50, groups: [{ id: 'wa:g2', title: 'Sanganer yuva', unit: 'B101', unitName: 'Booth 101 Sanganer' }] });
    expect((await get<ReachDetailAnswer>(`/api/v1/board/reach/${id}?division=AJM`, admin)).body.missing).toMatchObject({ total: 0, groups: [] });
    expect((await get(`/api/v1/board/reach/${'0'.repeat(16)}`, admin)).status).toBe(404);
    expect((await get(`/api/v1/board/reach/not-an-id`, admin)).status).toBe(400);
  });

  it('cuts a lead to their division: Jaipur only, Ajmer refused', async () => {
    const { status, body } = await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, lead);
    expect(status).toBe(200);
    const [central] = body.messages;
    // Sent from the state above their division: the origin is named.
    expect(central).toMatchObject({ origin: { group: 'wa:state', title: 'Rajasthan core team' }, groups: 3, units: 3, boothGroups: 2, booths: 2 });
    expect(central!.divisions.map((d) => d.division)).toEqual(['JPR']);
    expect((await get(`/api/v1/board/reach?day=${DAY}&unit=AJM`, lead)).status).toBe(403);
    expect((await get(`/api/v1/board/reach/${central!.id}?division=AJM`, lead)).status).toBe(403);
    const detail = await get<ReachDetailAnswer>(`/api/v1/board/reach/${central!.id}`, lead);
    expect(detail.body.levels.map((l) => [l.level, l.groups])).toEqual([['division', 1], ['booth', 2]]);
    expect(detail.body.missing).toMatchObject({ division: 'JPR', total: 1 });
  });

  it('lets an admin mark a message important with a target, and no one else', async () => {
    const id = (await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, admin)).body.messages[0]!.id;
    const post = (token: string, body: unknown) => fetch(`${pipeline.url}/api/v1/board/reach/${id}/important`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await post(lead, { share: 0.6, withinMinutes: 360 })).status).toBe(403);
    const bad = await post(admin, { share: 1.5, withinMinutes: 360 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.stringContaining('share must be at most 1') });
    const marked = await post(admin, { share: 0.6, withinMinutes: 360 });
    expect(marked.status).toBe(200);
    expect(await marked.json()).toMatchObject({ id, important: { share: 0.6, withinMinutes: 360, markedBy: 'admin' } });
    const listed = (await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, lead)).body.messages[0]!;
    expect(listed.important).toMatchObject({ share: 0.6, withinMinutes: 360 });
    const removed = await fetch(`${pipeline.url}/api/v1/board/reach/${id}/important`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    expect(await removed.json()).toEqual({ id, important: null });
    expect((await get<ReachListAnswer>(`/api/v1/board/reach?day=${DAY}`, admin)).body.messages[0]!.important).toBeNull();
  });

  it('fires reach-missed for a division short of an important message\'s target by its deadline, to its lead', async () => {
    const { body } = await get<ReachListAnswer>(`/api/v1/board/reach?day=${LATE_DAY}`, admin);
    const target = body.messages.find((m) => m.origin.at === new Date(LATE).toISOString())!;
    expect(target.divisions.map((d) => [d.division, d.reachedAt])).toEqual([['AJM', [0, 1, 2, 2]], ['JPR', [1, 1, 1, 1]]]);
    const marked = await fetch(`${pipeline.url}/api/v1/board/reach/${target.id}/important`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ share: 0.6, withinMinutes: 360 }),
    });
    expect(marked.status).toBe(200);
    type Alerts = { alerts: { rule: string; subject: string; division: string; since: number; details: Record<string, unknown> }[] };
    const alerts = await waitFor(async () => {
      const { body: answer } = await get<Alerts>('/api/v1/alerts?rule=reach-missed&state=open', admin);
      return answer.alerts.length > 0 ? answer.alerts : undefined;
    }, 'the reach-missed alert');
    expect(alerts).toEqual([expect.objectContaining({
      rule: 'reach-missed', subject: `JPR/${target.id}`, division: 'JPR', since: LATE + 6 * HOUR_MS,
      details: expect.objectContaining({ message: target.id, name: 'Jaipur', share: 0.3333, target: 0.6, withinMinutes: 360, boothGroups: 3, reached: 1 }),
    })]);
    const forLead = await get<Alerts>('/api/v1/alerts?rule=reach-missed&state=open', lead);
    expect(forLead.body.alerts.map((a) => a.subject)).toEqual([`JPR/${target.id}`]);
  });
});
