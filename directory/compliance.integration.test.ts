/**
 * Group compliance on the real pipeline: a directory with booths, groups, pramukhs and a mandal's youth
 * in-charge; events through ingest (a pramukh joining a booth group, another joining and leaving, snapshots
 * naming admins by phone number, pseudonymised at the door); the compliance answer for the division counts
 * and lists what falls short, exactly, and for a unit below it only what is under it; the daily compliance
 * digest to each lead (the detector as the processor runs it); a lead of another division is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadLookup } from '../access/leads.ts';
import { createDetector } from '../alerts/detector.ts';
import { createAlertRepository } from '../alerts/repository.ts';
import { parseAlertRules } from '../alerts/rules.ts';
import type { AlertMessage } from '../common/contracts/alerts.ts';
import type { ComplianceAnswer } from '../common/contracts/compliance.ts';
import { createLogger } from '../common/logger.ts';
import { createPseudonymiser } from '../ingest/pseudonymise.ts';
import { createLiveDirectory } from './live-directory.ts';
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

  it('reads a unit below a division: only the booths and groups under it', async () => {
    const admin = await adminToken(pipeline.url);
    const mandal = (await (await as(admin, '/api/v1/board/compliance?unit=m1')).json()) as ComplianceAnswer;
    expect(mandal.total).toEqual({ id: 'm1', name: 'Mandal 1', booths: 3, missingGroups: 1, noPramukh: 1, pramukhAbsent: 1, ruledGroups: 2, adminMissing: 1 });
    expect(mandal.booths.map((b) => [b.id, b.path.map((p) => p.id)])).toEqual([['b2', ['b2']], ['b10', ['b10']]]);
    const booth = (await (await as(admin, '/api/v1/board/compliance?unit=b10')).json()) as ComplianceAnswer;
    expect(booth.total).toEqual({ id: 'b10', name: 'Booth 10', booths: 1, missingGroups: 0, noPramukh: 1, pramukhAbsent: 0, ruledGroups: 0, adminMissing: 0 });
    expect([booth.booths.map((b) => b.id), booth.groups, booth.children]).toEqual([['b10'], [], []]);
  });

  it('sends each lead their unit\'s compliance once a day, the booths capped with "and N more"', async () => {
    const client = pipeline.store!.client;
    const logger = createLogger('silent');
    const admin = await adminToken(pipeline.url);
    const created = await as(admin, '/api/v1/admin/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lead.jaipur', password: 'a-good-password-1', roles: ['lead'], units: ['jp'] }) });
    expect(created.status).toBe(201);
    const directory = createLiveDirectory({ client, logger, pollMs: 60_000 });
    await directory.start();
    const published: AlertMessage[] = [];
    const detector = createDetector({
      client,
      index: () => directory.index,
      repository: createAlertRepository(client),
      rules: parseAlertRules({ muteWindows: [], compliance: { digestAt: '00:00', listBooths: 1 } }),
      leads: createLeadLookup(client, { cacheMs: 0 }),
      publish: async (messages) => void published.push(...messages),
      now: Date.now,
      logger,
      compliance: { pramukhRole: 'booth pramukh', admins: [{ categories: ['youth'], role: 'youth in-charge', level: 'mandal' }], personKey: createPseudonymiser(Buffer.from(pipeline.config.PSEUDONYM_KEY!, 'hex')) },
    });
    try {
      const first = await detector.tick();
      const byUnit = new Map(first.digests.map((d) => [d.compliance?.unit, d]));
      expect([...byUnit.keys()].sort()).toEqual(['jp', 'ud']);
      const jaipur = byUnit.get('jp')!;
      expect([jaipur.division, jaipur.recipients, jaipur.newlyQuiet]).toEqual(['jp', ['lead.jaipur'], []]);
      expect(jaipur.compliance).toMatchObject({ unitName: 'Jaipur', boothsTotal: 2, more: 1, groupsShort: 1, booths: [{ id: 'b2', name: 'Booth 2', missing: ['booth-voters'], pramukh: 'absent', pramukhName: 'Mohan Lal' }] });
      expect(jaipur.lines.map((l) => l.text)).toEqual([
        '2 of the 3 booths of Jaipur fall short: 1 miss a required group, 1 have no pramukh, 1 have a pramukh in none of their groups',
        '1 of 2 category groups miss their required admin',
        'Booth 2: no booth-voters group; pramukh Mohan Lal in none of its groups',
        'and 1 more',
      ]);
      expect(byUnit.get('ud')!.recipients).toEqual(['lead.udaipur']);
      expect(published.filter((m) => m.kind === 'digest')).toHaveLength(2);
      // The next tick the same day: nothing again.
      expect((await detector.tick()).digests).toEqual([]);
    } finally {
      await directory.stop();
    }
  });

  it('keeps a lead to their divisions', async () => {
    expect((await as(lead, '/api/v1/board/compliance?unit=jp')).status).toBe(403);
    const own = (await (await as(lead, '/api/v1/board/compliance?unit=ud')).json()) as ComplianceAnswer;
    expect(own.total).toMatchObject({ booths: 1, missingGroups: 0, noPramukh: 1, pramukhAbsent: 0 });
  });
});
