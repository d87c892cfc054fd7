/**
 * Group compliance on the real pipeline: a directory with booths, groups, pramukhs and a mandal's youth
 * in-charge; events through ingest (a pramukh joining a booth group, another joining and leaving, snapshots
 * naming admins by phone number, pseudonymised at the door); the compliance answer for the division counts
 * and lists what falls short, exactly; a lead of another division is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceAnswer } from '../common/contracts/compliance.ts';
import { adminToken, signIn } from '../test/support/auth.ts';
import { startTestPipeline, TEST_TOKEN, waitFor, type TestPipeline } from '../test/support/pipeline.ts';

const UNITS = `id,name,level,parent
rj,Rajasthan,state,
jp,Jaipur,division,rj
ud,Udaipur,division,rj
m1,Mandal 1,mandal,jp
b1,Booth 1,booth,m1
b2,Booth 2,booth,m1
b10,Booth 10,booth,m1
b4,Booth 4,booth,ud
`;
const GROUPS = `id,unit,category,title
wa:g1,b1,booth-voters,Booth 1 voters
wa:g1y,b1,youth,Booth 1 yuva
wa:g2,b2,youth,Booth 2 yuva
wa:g10,b10,booth-voters,Booth 10 voters
wa:g4,b4,booth-voters,Udaipur voters
`;
const CONTACTS = `person,role,phone,unit
Sunita Devi,booth pramukh,+91 98290 12345,b1
Mohan Lal,booth pramukh,094140 55555,b2
Ravi Kumar,youth in-charge,9829099999,m1
`;

describe('group compliance', () => {
  let pipeline: TestPipeline;
  let lead: string;
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const as = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${pipeline.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      localBus: true,
      env: { COMPLIANCE_REQUIRED_ADMINS: JSON.stringify([{ categories: ['youth'], role: 'youth in-charge', level: 'mandal' }]) },
    });
    for (const [kind, csv] of [['units', UNITS], ['groups', GROUPS], ['contacts', CONTACTS]] as const) {
      const response = await as(TEST_TOKEN, `/api/v1/directory/${kind}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      expect(response.status, await response.text()).toBe(200);
    }
    const admin = await adminToken(pipeline.url);
    const created = await as(admin, '/api/v1/admin/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lead.udaipur', password: 'a-good-password-1', roles: ['lead'], units: ['ud'] }) });
    expect(created.status).toBe(201);
    lead = (await signIn(pipeline.url, 'lead.udaipur', 'a-good-password-1')).token;
    // Numbers written as people write them: the door brings them to one form before pseudonymising.
    const events = [
      { type: 'member_joined', id: 'j1', group: 'wa:g1', at: at(30), member: '98290-12345' },
      { type: 'member_joined', id: 'j2', group: 'wa:g2', at: at(30), member: '+919414055555' },
      { type: 'member_left', id: 'l2', group: 'wa:g2', at: at(20), member: '9414055555' },
      { type: 'group_snapshot', id: 's1', group: 'wa:g1y', at: at(10), members: 40, admins: 2, adminIds: ['+91 98290 99999', '9000000001'] },
      { type: 'group_snapshot', id: 's2', group: 'wa:g2', at: at(10), members: 25, admins: 1, adminIds: ['9000000001'] },
    ];
    expect((await pipeline.post(events)).status).toBe(202);
  });
  afterAll(() => pipeline?.stop());

  it('counts booths without their groups or their pramukh, and groups without their required admin', async () => {
    const answer = await waitFor(async () => {
      const response = await as(await adminToken(pipeline.url), '/api/v1/board/compliance?unit=jp');
      expect(response.status).toBe(200);
      const body = (await response.json()) as ComplianceAnswer;
      return body.total.pramukhAbsent === 1 && body.total.adminMissing === 1 && body.booths.find((b) => b.id === 'b1') === undefined ? body : undefined;
    }, 'the events stored', 30_000);
    expect(answer.required).toEqual({ categories: ['booth-voters'], pramukhRole: 'booth pramukh', admins: [{ categories: ['youth'], role: 'youth in-charge', level: 'mandal' }] });
    expect(answer.total).toEqual({ id: 'jp', name: 'Jaipur', booths: 3, missingGroups: 1, noPramukh: 1, pramukhAbsent: 1, ruledGroups: 2, adminMissing: 1 });
    expect(answer.children).toEqual([{ id: 'm1', name: 'Mandal 1', booths: 3, missingGroups: 1, noPramukh: 1, pramukhAbsent: 1, ruledGroups: 2, adminMissing: 1 }]);
    expect(answer.booths).toEqual([
      { id: 'b2', name: 'Booth 2', path: [{ id: 'm1', name: 'Mandal 1' }, { id: 'b2', name: 'Booth 2' }], missing: ['booth-voters'], pramukh: 'absent', pramukhName: 'Mohan Lal' },
      { id: 'b10', name: 'Booth 10', path: [{ id: 'm1', name: 'Mandal 1' }, { id: 'b10', name: 'Booth 10' }], missing: [], pramukh: 'none', pramukhName: '' },
    ]);
    expect(answer.boothsTotal).toBe(2);
    expect(answer.groups).toEqual([
      { id: 'wa:g2', title: 'Booth 2 yuva', unit: 'b2', unitName: 'Booth 2', category: 'youth', missingAdmins: [{ person: 'Ravi Kumar', role: 'youth in-charge' }], noSnapshot: false },
    ]);
  });

  it('keeps a lead to their divisions', async () => {
    expect((await as(lead, '/api/v1/board/compliance?unit=jp')).status).toBe(403);
    const own = (await (await as(lead, '/api/v1/board/compliance?unit=ud')).json()) as ComplianceAnswer;
    expect(own.total).toMatchObject({ booths: 1, missingGroups: 0, noPramukh: 1, pramukhAbsent: 0 });
  });
});
