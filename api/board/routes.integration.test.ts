/**
 * The board's endpoints on the real pipeline (Kafka, processor, embedded ClickHouse): a small tree
 * imported through the directory API (as the admin), a lead created through the admin API, events through
 * /v1/events; then trends, drill-down, series and search, for an admin and cut to a lead's division.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, createUserToken } from '../../test/support/auth.ts';
import { importOrg } from '../../test/support/org-fixture.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../../test/support/pipeline.ts';

let pipeline: TestPipeline;
let admin: string;
let lead: string;
const now = Date.now();

async function get(path: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${pipeline.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // Quiet as the alert rules say (alerts/quiet.ts), with almost no grace for never-spoken groups: the groups
  // imported just now that never spoke count as quiet, as they would days after their import.
  const rulesFile = path.join(mkdtempSync(path.join(tmpdir(), 'grouppulse-board-rules-')), 'rules.json');
  writeFileSync(rulesFile, JSON.stringify({ inactivity: { newGraceHours: 0.0001 } }));
  pipeline = await startTestPipeline({ env: { ALERT_RULES_FILE: rulesFile } });
  admin = await adminToken(pipeline.url);
  await importOrg(pipeline.url, admin);
  lead = await createUserToken(pipeline.url, admin, { username: 'lead.jaipur', password: 'lead-password-1', roles: ['lead'], units: ['JPR'] });

  const at = new Date(now - 30_000).toISOString();
  const events = [
    ...[1, 2, 3].map((i) => ({ type: 'message', id: `m-g1-${i}`, group: 'wa:g1', at, sender: `91980000000${i}`, kind: 'text' })),
    { type: 'message', id: 'm-g4-1', group: 'wa:g4', at, sender: '919800000009', kind: 'text' },
  ];
  expect((await pipeline.post(events)).status).toBe(202);
  // Reads are shared for up to 5 s, each from when it was made: wait until the drill-down and the
  // coverage (last messages) both show the events.
  await waitFor(async () => {
    const { body } = await get('/api/v1/board/unit?unit=RJ', admin);
    const messages = (body.total as { messages: number } | undefined)?.messages;
    const activeBooths = (body.coverage as { total: { boothsActive24h: number } } | undefined)?.total.boothsActive24h;
    return messages === 4 && activeBooths === 2 ? true : undefined;
  }, 'four messages in the drill-down and two booths active in the coverage');
});

afterAll(async () => {
  await pipeline?.stop();
});

describe('board endpoints', () => {
  it('answers hourly trends per division × category with division names', async () => {
    const { status, body } = await get('/api/v1/board/trends?hours=6', admin);
    expect(status).toBe(200);
    expect((body.buckets as number[]).length).toBe(6);
    expect(body.names).toMatchObject({ JPR: 'Jaipur', AJM: 'Ajmer' });
    const cells = body.cells as { division: string; category: string; messages: number[] }[];
    const jaipur = cells.find((c) => c.division === 'JPR' && c.category === 'booth-voters');
    expect(jaipur?.messages.reduce((a, b) => a + b, 0)).toBe(3);
    // The 4 messages of 30 s ago, per minute over the 60-120 s the last and the current minute span.
    expect(body.perMinute).toBeGreaterThanOrEqual(2);
    expect(body.perMinute).toBeLessThanOrEqual(4);
    expect((await get('/api/v1/board/trends?hours=99', admin)).body.error).toMatch(/hours must be 1 to 48/);
  });

  it('drills from the state to a booth and lists its groups with coverage', async () => {
    const top = await get('/api/v1/board/unit?unit=RJ', admin);
    expect(top.status).toBe(200);
    const children = top.body.children as { id: string; messages: number; activeGroups: number }[];
    expect(children.map((c) => [c.id, c.messages])).toEqual([['AJM', 1], ['JPR', 3]]);
    const booth = await get('/api/v1/board/unit?unit=B101', admin);
    expect(booth.body.unit).toMatchObject({ id: 'B101', division: 'JPR', leaf: true });
    expect((booth.body.path as { name: string }[]).map((p) => p.name)).toEqual(['Rajasthan', 'Jaipur', 'Jaipur City', 'Booth 101 Sanganer']);
    const groups = booth.body.groups as { id: string; title: string; messages: number; lastMessageAt: string | null }[];
    expect(groups.map((g) => [g.id, g.title, g.messages])).toEqual([['wa:g1', 'Sanganer voters', 3], ['wa:g2', 'Sanganer yuva', 0]]);
    expect(groups[1]!.lastMessageAt).toBeNull();
    // One judgement of quiet on the page: an own group is quiet exactly when the quiet list has it, with its threshold (48 h default).
    expect((booth.body.groups as { id: string; quiet: boolean; quietThresholdHours: number }[]).map((g) => [g.id, g.quiet, g.quietThresholdHours])).toEqual([['wa:g1', false, 24 * 2], ['wa:g2', true, 48]]);
    expect(booth.body.coverage).toMatchObject({ total: { booths: 1, boothsWithGroup: 1, boothsActive24h: 1 } });
    expect(booth.body.quiet).toMatchObject({ total: 1, rules: { defaultHours: 48, newGraceHours: 0.0001 }, groups: [{ id: 'wa:g2', title: 'Sanganer yuva', unit: 'B101', unitName: 'Booth 101 Sanganer', category: 'youth', lastMessageAt: null, thresholdHours: 48 }] });
    const division = await get('/api/v1/board/unit?unit=JPR', admin);
    expect((division.body.quiet as { groups: { id: string }[] }).groups.map((g) => g.id)).toEqual(['wa:g2', 'wa:g3']);
    expect((await get('/api/v1/board/unit?unit=nope', admin)).status).toBe(404);
  });

  it('counts the quiet groups (by the alert rules) of a unit or of everything', async () => {
    for (const [unit, groups, quietGroups] of [['', 5, 3], ['RJ', 5, 3], ['JPR', 3, 2], ['B101', 2, 1], ['AJM', 2, 1]] as const) {
      const { status, body } = await get(`/api/v1/board/quiet?unit=${unit}`, admin);
      expect(status).toBe(200);
      expect(body, unit).toMatchObject({ unit, groups, quietGroups });
    }
    expect((await get('/api/v1/board/quiet?unit=nope', admin)).status).toBe(404);
  });

  it('answers a time series per unit over a range, every bucket present', async () => {
    const to = new Date(Math.ceil(now / 3_600_000) * 3_600_000);
    const from = new Date(to.getTime() - 3 * 3_600_000);
    const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
    for (const [unit, messages] of [['JPR', 3], ['B101', 3], ['RJ', 4], ['', 4]] as const) {
      const { status, body } = await get(`/api/v1/board/series?unit=${unit}&${range}`, admin);
      expect(status).toBe(200);
      const points = body.points as { t: number; messages: number; activeGroups: number }[];
      expect(body.stepSeconds).toBe(60);
      expect(points).toHaveLength(180);
      expect(points.reduce((sum, p) => sum + p.messages, 0), unit).toBe(messages);
    }
    const tooFine = await get(`/api/v1/board/series?unit=JPR&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&step=60`, admin);
    expect(tooFine.status).toBe(400);
    expect(tooFine.body.error).toMatch(/more than 2000 points/);
  });

  it('finds units and groups by name', async () => {
    const { body } = await get('/api/v1/board/search?q=sanganer', admin);
    expect((body.units as { id: string }[]).map((u) => u.id)).toEqual(['B101']);
    expect((body.groups as { id: string; unitName: string }[]).map((g) => [g.id, g.unitName])).toEqual([
      ['wa:g1', 'Booth 101 Sanganer'],
      ['wa:g2', 'Booth 101 Sanganer'],
    ]);
    expect((await get('/api/v1/board/search?q=a', admin)).status).toBe(400);
  });

  it('lists what it finds in natural order (Booth 2 before Booth 10), as many as asked up to 200', async () => {
    const post = (kind: 'units' | 'groups', rows: object[]) =>
      fetch(`${pipeline.url}/api/v1/directory/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ [kind]: rows }) });
    const booths = [100, 2, 10, 1].map((n) => ({ id: `PSK${n}`, name: `Pushkar booth ${n}`, level: 'booth', parent: 'AJM' }));
    expect((await post('units', booths)).status).toBe(200);
    expect((await post('groups', booths.map((b) => ({ id: `wa:${b.id.toLowerCase()}`, unit: b.id, category: 'youth', title: `Pushkar yuva ${b.id.slice(3)}` })))).status).toBe(200);
    const found = await waitFor(async () => {
      const { body } = await get('/api/v1/board/search?q=pushkar&limit=200', admin);
      return (body.units as unknown[]).length === 4 && (body.groups as unknown[]).length === 4 ? body : undefined;
    }, 'the Pushkar booths and groups in the search');
    expect((found.units as { name: string }[]).map((u) => u.name)).toEqual(['Pushkar booth 1', 'Pushkar booth 2', 'Pushkar booth 10', 'Pushkar booth 100']);
    expect((found.groups as { title: string }[]).map((g) => g.title)).toEqual(['Pushkar yuva 1', 'Pushkar yuva 2', 'Pushkar yuva 10', 'Pushkar yuva 100']);
    const two = (await get('/api/v1/board/search?q=pushkar&limit=2', admin)).body;
    expect((two.units as { id: string }[]).map((u) => u.id)).toEqual(['PSK1', 'PSK2']);
    expect((await get('/api/v1/board/search?q=pushkar&limit=201', admin)).status).toBe(400);
  });

  it("cuts every answer to a lead's division", async () => {
    expect((await get('/api/v1/board/unit?unit=JPR', lead)).status).toBe(200);
    expect((await get('/api/v1/board/unit?unit=B101', lead)).status).toBe(200);
    expect((await get('/api/v1/board/unit?unit=AJM', lead)).status).toBe(403);
    expect((await get('/api/v1/board/unit?unit=RJ', lead)).status).toBe(403);
    expect((await get('/api/v1/board/unit', lead)).status).toBe(403);
    expect((await get('/api/v1/board/series?unit=B201', lead)).status).toBe(403);
    const trends = await get('/api/v1/board/trends', lead);
    expect(Object.keys(trends.body.names as object)).toEqual(['JPR']);
    expect((trends.body.cells as { division: string }[]).every((c) => c.division === 'JPR')).toBe(true);
    const search = await get('/api/v1/board/search?q=voters', lead);
    expect((search.body.groups as { id: string }[]).map((g) => g.id)).toEqual(['wa:g3', 'wa:g1']);
    expect((await get('/api/v1/board/quiet?unit=JPR', lead)).body).toMatchObject({ groups: 3, quietGroups: 2 });
    expect((await get('/api/v1/board/quiet?unit=AJM', lead)).status).toBe(403);
    expect((await get('/api/v1/board/quiet', lead)).status).toBe(403);
    const anonymous = await fetch(`${pipeline.url}/api/v1/board/trends`);
    expect(anonymous.status).toBe(401);
  });
});
