/**
 * The directory on the real pipeline: imports through the api, a change picked up by RUNNING
 * processors (two of them, one consumer group on the real Kafka broker, each with its own live
 * directory) without a restart, and drill-down / coverage numbers on the real ClickHouse engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEventRow } from '../processor/rows.ts';
import { writeEventRows } from '../processor/write-batch.ts';
import { unknownUnits } from './cli.ts';
import { readGroupTitles } from './group-titles.ts';
import { adminToken, authHeaders, signIn } from '../test/support/auth.ts';
import { startTestPipeline, TEST_TOKEN, waitFor, type TestPipeline } from '../test/support/pipeline.ts';

/** A read of the api as the signed-in first admin. */
async function read<T>(pipeline: TestPipeline, path: string): Promise<T> {
  const response = await fetch(`${pipeline.url}${path}`, { headers: await authHeaders(pipeline.url) });
  return (await response.json()) as T;
}

const UNITS = `id,name,level,parent
rj,Rajasthan,state,
jp,Jaipur,division,rj
ud,Udaipur,division,rj
jpc,Jaipur City,district,jp
udc,Udaipur City,district,ud
a1,Assembly 1,assembly,jpc
a2,Assembly 2,assembly,udc
m1,Mandal 1,mandal,a1
m2,Mandal 2,mandal,a2
b1,Booth 1,booth,m1
b2,Booth 2,booth,m1
b3,Booth 3,booth,m2
b4,Booth 4,booth,m2
`;

const GROUP_IDS = Array.from({ length: 12 }, (_, i) => `wa:g${i}@g.us`);
/** Groups 0–5 on Jaipur booths, 6–11 on Udaipur booths. */
const GROUPS = `id,unit,category,title\n${GROUP_IDS.map((g, i) => `${g},${i < 6 ? (i % 2 ? 'b2' : 'b1') : i % 2 ? 'b4' : 'b3'},booth-voters,Group ${i}`).join('\n')}\n`;

async function importFile(pipeline: TestPipeline, kind: 'units' | 'groups', csv: string, mode = 'merge') {
  const response = await fetch(`${pipeline.url}/api/v1/directory/${kind}?mode=${mode}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function query<T>(pipeline: TestPipeline, sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await pipeline.store!.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

const message = (group: string, id: string, sender: string, at = new Date().toISOString()) => ({ type: 'message', id, group, at, sender, kind: 'text' });

describe('directory changes reach running processors (Kafka, two processor instances)', () => {
  const started: TestPipeline[] = [];
  afterAll(async () => {
    for (const p of started.reverse()) await p.stop();
  });

  it('events are enriched with the new placement within seconds of an import, by both processors', async () => {
    const all = await startTestPipeline();
    started.push(all);
    const second = await startTestPipeline({
      roles: { ingest: false, processor: true, api: false },
      dataDir: all.config.DATA_DIR,
      topicPrefix: all.config.KAFKA_TOPIC_PREFIX,
    });
    started.push(second);

    // Before the directory knows the groups, their events roll up under `unassigned`.
    expect((await all.post(GROUP_IDS.map((g) => message(g, `before-${g}`, 'p1')))).status).toBe(202);
    await waitFor(async () => {
      const [row] = await query<{ n: string }>(all, "SELECT count() AS n FROM events WHERE division = 'unassigned' AND event_id LIKE 'before-%'");
      return Number(row?.n) === GROUP_IDS.length ? true : undefined;
    }, 'unplaced events stored');

    expect((await importFile(all, 'units', UNITS)).status).toBe(200);
    const imported = await importFile(all, 'groups', GROUPS);
    expect(imported.status).toBe(200);
    const importedAt = Date.now();

    // Keep sending until every group's newest event lands enriched: the running processors reloaded.
    let round = 0;
    const pickedUpMs = await waitFor(async () => {
      round += 1;
      await all.post(GROUP_IDS.map((g) => message(g, `after-${round}-${g}`, 'p1')));
      const rows = await query<{ group_id: string; division: string; unit_path: string[] }>(
        all,
        `SELECT group_id, argMax(division, at) AS division, argMax(unit_path, at) AS unit_path FROM events
         WHERE event_id LIKE 'after-%' GROUP BY group_id`,
      );
      const placed = rows.filter((r) => r.division !== 'unassigned');
      return placed.length === GROUP_IDS.length ? Date.now() - importedAt : undefined;
    }, 'every group placed by the running processors', 20_000);
    console.info(`directory change picked up by both running processors ${pickedUpMs} ms after the import answered`);
    expect(pickedUpMs).toBeLessThan(15_000);

    const [g0] = await query<{ division: string; category: string; unit_path: string[] }>(
      all,
      "SELECT division, category, unit_path FROM events WHERE group_id = {g:String} AND division != 'unassigned' LIMIT 1",
      { g: GROUP_IDS[0] },
    );
    expect(g0).toEqual({ division: 'jp', category: 'booth-voters', unit_path: ['rj', 'jp', 'jpc', 'a1', 'm1', 'b1'] });

    // Both processor instances wrote placed events (each owns some partitions of the topic).
    const written = async (p: TestPipeline) => (await p.metrics.processorRecords.get()).values.find((v) => v.labels.outcome === 'written')?.value ?? 0;
    expect(await written(all)).toBeGreaterThan(0);
    expect(await written(second)).toBeGreaterThan(0);

    // A move (group 0 to Udaipur) reaches them too.
    expect((await importFile(all, 'groups', `id,unit,category\n${GROUP_IDS[0]},b3,youth\n`)).status).toBe(200);
    await waitFor(async () => {
      round += 1;
      await all.post([message(GROUP_IDS[0]!, `moved-${round}`, 'p1')]);
      const rows = await query<{ division: string }>(all, "SELECT division FROM events WHERE event_id = {id:String}", { id: `moved-${round - 1}` });
      return rows[0]?.division === 'ud' ? true : undefined;
    }, 'moved group placed under its new division', 20_000);
  });
});

describe('imports, drill-down and coverage through the api (real engine)', () => {
  let pipeline: TestPipeline;
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('refuses a bad import as a whole and lists the problems', async () => {
    pipeline = await startTestPipeline({ localBus: true });
    const bad = await importFile(pipeline, 'units', `${UNITS}b9,Booth 9,booth,nowhere\nb1,Again,booth,m1\n`);
    expect(bad.status).toBe(422);
    expect(bad.body.problems).toEqual([
      { line: 15, problem: 'unknown parent "nowhere" of "b9"' },
      { line: 16, problem: 'duplicate id "b1" (first on line 11)' },
    ]);
    const status = await read(pipeline, '/api/v1/directory');
    expect((await fetch(`${pipeline.url}/api/v1/directory`)).status).toBe(401);
    expect(status).toMatchObject({ units: 0, groups: 0 });
    // Before the first import a lead may be given the units it will bring (the command line's check).
    expect(await unknownUnits(pipeline.store!.client, ['m1', 'nowhere'])).toEqual([]);
    const unauthorised = await fetch(`${pipeline.url}/api/v1/directory/units`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: UNITS });
    expect(unauthorised.status).toBe(401);
  });

  it('drills down and reports coverage with distinct people', async () => {
    expect((await importFile(pipeline, 'units', UNITS)).status).toBe(200);
    expect(await unknownUnits(pipeline.store!.client, ['m1', 'nowhere', 'b2'])).toEqual(['nowhere']);
    const groups = `id,unit,category,target_size\nwa:x1,b1,booth-voters,10\nwa:x2,b1,youth,\nwa:x3,b2,youth,5\nwa:x4,b3,booth-voters,\n`;
    expect((await importFile(pipeline, 'groups', groups)).status).toBe(200);
    const now = new Date().toISOString();
    const events = [
      message('wa:x1', 'm1', 'alice', now),
      message('wa:x1', 'm2', 'bob', now),
      message('wa:x2', 'm3', 'alice', now),
      { type: 'member_joined', id: 'j1', group: 'wa:x2', at: now, member: 'carol' },
      { type: 'member_joined', id: 'j2', group: 'wa:x3', at: now, member: 'dave' },
      { type: 'member_left', id: 'l1', group: 'wa:x3', at: now, member: 'dave' },
      message('wa:x4', 'm4', 'erin', now),
      { type: 'group_snapshot', id: 's1', group: 'wa:x1', at: now, members: 40 },
      { type: 'group_snapshot', id: 's2', group: 'wa:x3', at: now, members: 12 },
    ];
    expect((await pipeline.post(events)).status).toBe(202);

    const drill = await waitFor(async () => {
      const body = await read<{ total: { messages: number; members: number }; children: { id: string; groups: number; activeGroups: number; inactiveGroups: number; messages: number; joins: number; leaves: number; members: number }[] }>(pipeline, '/api/v1/directory/drilldown?unit=rj');
      return body.total.messages === 4 && body.total.members === 52 ? body : undefined;
    }, 'drill-down counts');
    expect(drill.children.map((c) => [c.id, c.groups, c.activeGroups, c.inactiveGroups, c.messages, c.joins, c.leaves, c.members])).toEqual([
      ['jp', 3, 2, 1, 3, 2, 1, 52],
      ['ud', 1, 1, 0, 1, 0, 0, 0],
    ]);
    const booths = await read<{ children: { id: string; groups: number; messages: number }[] }>(pipeline, '/api/v1/directory/drilldown?unit=m1');
    expect(booths.children.map((c) => [c.id, c.groups, c.messages])).toEqual([['b1', 2, 3], ['b2', 1, 0]]);

    // Coverage reads tables other views write (people, last messages): on the server they may trail the drill-down's.
    const coverage = await waitFor(async () => {
      const body = await read<{ total: Record<string, unknown>; children: Record<string, unknown>[] }>(pipeline, '/api/v1/directory/coverage?unit=rj&expected=booth-voters,youth');
      return body.total.reached === 4 && body.total.boothsActive24h === 2 ? body : undefined;
    }, 'coverage counts');
    // alice (in two groups) counts once; dave left; carol joined: alice, bob, carol, erin.
    expect(coverage.total).toMatchObject({ booths: 4, boothsWithGroup: 3, boothsActive24h: 2, boothsActive7d: 2, boothsMissingExpected: 3, missingByCategory: { 'booth-voters': 2, youth: 2 }, groups: 4, reached: 4, target: 15 });
    expect(coverage.children.map((c) => [c.id, c.reached, c.target])).toEqual([['jp', 3, 15], ['ud', 1, null]]);
  });
  it('counts a retried batch once in every table the directory reads', async () => {
    const at = Date.parse('2026-11-22T10:15:00Z');
    const base = { v: 1 as const, group: 'wa:retry', receivedAt: at, source: 'test', kind: '' as const, forwarded: false };
    const placement = { division: 'jp', category: 'youth', unitPath: ['rj', 'jp'] };
    const rows = [
      toEventRow({ ...base, type: 'message', id: 'r1', at, person: 'p1', kind: 'text' }, placement),
      toEventRow({ ...base, type: 'member_joined', id: 'r2', at, person: 'p2' }, placement),
      toEventRow({ ...base, type: 'group_snapshot', id: 'r3', at, person: '', members: 9 }, placement),
    ];
    for (let i = 0; i < 3; i++) await writeEventRows(pipeline.store!.client, rows, 'test:retry:0-2');
    const counts = await query<Record<string, string | number>>(
      pipeline,
      `SELECT (SELECT sum(messages) + sum(joins) FROM rollup_group_hour WHERE group_id = 'wa:retry') AS hour,
              (SELECT count() FROM group_people WHERE group_id = 'wa:retry') AS people,
              (SELECT count() FROM group_members WHERE group_id = 'wa:retry') AS snapshots,
              (SELECT count() FROM group_last_message WHERE group_id = 'wa:retry') AS last`,
    );
    expect(Object.fromEntries(Object.entries(counts[0]!).map(([k, v]) => [k, Number(v)]))).toEqual({ hour: 2, people: 2, snapshots: 1, last: 1 });
  });
  it('a lead reads only their division; imports need an admin or the directory import token', async () => {
    const admin = await adminToken(pipeline.url);
    const created = await fetch(`${pipeline.url}/api/v1/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lead.jaipur', password: 'lead-password-1', roles: ['lead'], units: ['jp'] }),
    });
    expect(created.status).toBe(201);
    const lead = (await signIn(pipeline.url, 'lead.jaipur', 'lead-password-1')).token;
    const as = (token: string, path: string, init: RequestInit = {}) =>
      fetch(`${pipeline.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
    expect((await as(lead, '/api/v1/directory/drilldown?unit=jp')).status).toBe(200);
    expect((await as(lead, '/api/v1/directory/drilldown?unit=jpc')).status).toBe(200);
    expect((await as(lead, '/api/v1/directory/drilldown?unit=ud')).status).toBe(403);
    expect((await as(lead, '/api/v1/directory/coverage')).status).toBe(403);
    expect((await as(lead, '/api/v1/directory/groups/wa:x4')).status).toBe(403);
    const importAs = (token: string) => as(token, '/api/v1/directory/units', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'id,name,level,parent\nb5,Booth 5,booth,m2\n' });
    expect((await importAs(lead)).status).toBe(403);
    expect((await importAs(admin)).status).toBe(200);
  });

  it('names two groups of one unit with the same title apart by the end of their ids', async () => {
    const groups = 'id,unit,category,title\nwa:120363041234567890@g.us,b1,youth,Yuva\nwa:120363049999991111@g.us,b1,youth,Yuva\nwa:120363040000002222@g.us,b2,youth,Yuva\nwa:t1,b1,youth,Mahila\n';
    expect((await importFile(pipeline, 'groups', groups)).status).toBe(200);
    const titles = await readGroupTitles(pipeline.store!.client, ['wa:120363041234567890@g.us', 'wa:120363049999991111@g.us', 'wa:120363040000002222@g.us', 'wa:t1', 'wa:none']);
    expect(Object.fromEntries(titles)).toEqual({
      'wa:120363041234567890@g.us': 'Yuva · …7890',
      'wa:120363049999991111@g.us': 'Yuva · …1111',
      'wa:120363040000002222@g.us': 'Yuva',
      'wa:t1': 'Mahila',
    });
  });
});

describe('directory imports and source tokens', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true, env: { DIRECTORY_IMPORT_TOKEN: '' } });
  });
  afterAll(() => pipeline?.stop());

  it('a source token cannot rewrite the organisation', async () => {
    const response = await fetch(`${pipeline.url}/api/v1/directory/units`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv' },
      body: 'id,name,level,parent\nrj,Rajasthan,state,\n',
    });
    expect(response.status).toBe(401);
  });
});
