/**
 * The directory's contacts on the real engine, through the api: an import refused as a whole with every
 * problem by line (never repeating a number back), numbers stored in E.164, the quiet groups of a unit
 * page carrying who to call (the group's own contact first, then its booth's and mandal's) and the units
 * down to it, a lead reading only their divisions' contacts, a replace import removing the rest, and the
 * analysts' SQL never reaching the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactsAnswer, UnitAnswer } from '../common/contracts/board.ts';
import { adminToken, signIn } from '../test/support/auth.ts';
import { startTestPipeline, TEST_TOKEN, waitFor, type TestPipeline } from '../test/support/pipeline.ts';

const UNITS = `id,name,level,parent
rj,Rajasthan,state,
jp,Jaipur,division,rj
ud,Udaipur,division,rj
jpc,Jaipur City,district,jp
a1,Assembly 1,assembly,jpc
m1,Mandal 1,mandal,a1
b1,Booth 1,booth,m1
b2,Booth 2,booth,m1
b3,Booth 3,booth,ud
`;
const GROUPS = `id,unit,category,title
wa:g1@g.us,b1,booth-voters,Booth 1 voters
wa:g2@g.us,b2,youth,Booth 2 youth
wa:g3@g.us,b3,booth-voters,Udaipur booth
`;
const CONTACTS = `person,role,phone,unit,group
Sunita Devi,booth pramukh,098290 12345,b1,
Mohan Lal,mandal in-charge,+91 94140 55555,m1,
Ramesh Kumar,group admin,9829011111,,wa:g1@g.us
Kavita Jain,booth pramukh,+91-98290-77777,b3,
`;

describe('directory contacts', () => {
  let pipeline: TestPipeline;
  let admin: string;
  let lead: string;
  let analyst: string;

  const as = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${pipeline.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
  const importContacts = (csv: string, mode = 'merge') =>
    as(TEST_TOKEN, `/api/v1/directory/contacts?mode=${mode}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true });
    for (const [kind, csv] of [['units', UNITS], ['groups', GROUPS]] as const) {
      const response = await as(TEST_TOKEN, `/api/v1/directory/${kind}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      expect(response.status, await response.text()).toBe(200);
    }
    admin = await adminToken(pipeline.url);
    for (const [username, roles, units] of [['lead.jaipur', ['lead'], ['jp']], ['analyst1', ['analyst'], []]] as const) {
      const created = await as(admin, '/api/v1/admin/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'a-good-password-1', roles, units }) });
      expect(created.status).toBe(201);
    }
    lead = (await signIn(pipeline.url, 'lead.jaipur', 'a-good-password-1')).token;
    analyst = (await signIn(pipeline.url, 'analyst1', 'a-good-password-1')).token;
  });
  afterAll(() => pipeline?.stop());

  it('refuses a bad file as a whole, every problem by line, without repeating a number back', async () => {
    const bad = `person,phone,unit,group
Asha,12345,b1,
,9829012345,b1,
Both,9829012345,b1,wa:g1@g.us
Nobody,9829012345,,
Lost,9829012345,b99,
Stray,9829012345,,wa:none
`;
    const response = await importContacts(bad);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { problems: { line: number; problem: string }[] };
    expect(body.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(body.problems[0]!.problem).toMatch(/phone is not a valid number/);
    expect(body.problems[1]!.problem).toBe('person is empty');
    expect(body.problems[2]!.problem).toMatch(/unit or group, not both/);
    expect(body.problems[3]!.problem).toMatch(/both empty/);
    expect(body.problems[4]!.problem).toBe('unknown unit "b99"');
    expect(body.problems[5]!.problem).toMatch(/unknown group "wa:none"/);
    expect(JSON.stringify(body)).not.toContain('12345');
    const listed = (await (await as(admin, '/api/v1/directory/contacts')).json()) as ContactsAnswer;
    expect(listed.total).toBe(0);
  });

  it('stores numbers in E.164 and lists a unit\'s contacts and those below it', async () => {
    const response = await importContacts(CONTACTS);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, written: 4, removed: 0 });
    const jaipur = (await (await as(admin, '/api/v1/directory/contacts?unit=jp')).json()) as ContactsAnswer;
    expect(jaipur.total).toBe(3);
    expect(jaipur.contacts.map((c) => [c.person, c.phone, c.unit, c.group]).sort()).toEqual([
      ['Mohan Lal', '+919414055555', 'm1', ''],
      ['Ramesh Kumar', '+919829011111', '', 'wa:g1@g.us'],
      ['Sunita Devi', '+919829012345', 'b1', ''],
    ]);
    const page = (await (await as(admin, '/api/v1/directory/contacts?limit=1&offset=1')).json()) as ContactsAnswer;
    expect([page.total, page.contacts.length]).toEqual([4, 1]);
  });

  it('the quiet groups of a unit page say who to call, the group\'s own contact first, and the units down to it', async () => {
    // Both Jaipur groups last spoke 50 h ago: past every category's threshold (a group that never spoke is in its grace period).
    const longAgo = new Date(Date.now() - 50 * 3_600_000).toISOString();
    expect((await pipeline.post(['wa:g1@g.us', 'wa:g2@g.us'].map((group, i) => ({ type: 'message', id: `old-${i}`, group, at: longAgo, sender: 'p1', kind: 'text' })))).status).toBe(202);
    const answer = await waitFor(async () => {
      const response = await as(lead, '/api/v1/board/unit?unit=jp');
      expect(response.status).toBe(200);
      const body = (await response.json()) as UnitAnswer;
      return body.quiet.groups.length === 2 ? body : undefined;
    }, 'both groups quiet');
    const quiet = new Map(answer.quiet.groups.map((g) => [g.id, g]));
    expect([...quiet.keys()].sort()).toEqual(['wa:g1@g.us', 'wa:g2@g.us']);
    expect(quiet.get('wa:g1@g.us')!.contacts.map((c) => [c.person, c.role])).toEqual([
      ['Ramesh Kumar', 'group admin'],
      ['Sunita Devi', 'booth pramukh'],
      ['Mohan Lal', 'mandal in-charge'],
    ]);
    expect(quiet.get('wa:g2@g.us')!.contacts.map((c) => c.person)).toEqual(['Mohan Lal']);
    expect(quiet.get('wa:g2@g.us')!.path.map((u) => u.name)).toEqual(['Jaipur City', 'Assembly 1', 'Mandal 1', 'Booth 2']);
  });

  it('a lead reads only the contacts of their divisions; an analyst\'s SQL never reaches them', async () => {
    expect((await as(lead, '/api/v1/directory/contacts?unit=jp')).status).toBe(200);
    expect((await as(lead, '/api/v1/directory/contacts?unit=ud')).status).toBe(403);
    expect((await as(lead, '/api/v1/directory/contacts')).status).toBe(403);
    expect((await as(lead, '/api/v1/directory/contacts', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: CONTACTS })).status).toBe(403);
    const sql = await as(analyst, '/api/v1/sql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'SELECT person, phone FROM directory_contacts' }) });
    expect(sql.status).toBe(403);
    const refusal = await sql.text();
    expect(refusal).toMatch(/refused: .*directory_contacts/);
    expect(refusal).not.toContain('+91');
  });

  it('a replace import removes the contacts the file does not hold', async () => {
    const response = await importContacts('person,phone,unit\nKavita Jain,+91-98290-77777,b3\n', 'replace');
    expect(await response.json()).toMatchObject({ ok: true, written: 1, removed: 3 });
    const all = (await (await as(admin, '/api/v1/directory/contacts')).json()) as ContactsAnswer;
    expect(all.contacts.map((c) => c.person)).toEqual(['Kavita Jain']);
  });
});
