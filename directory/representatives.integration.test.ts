/**
 * Leaders' social reach on the real pipeline: units with voters and representatives imported through the
 * directory API, account events sent through ingest (the local log and the processor into account_events),
 * and the scorecards the board reads: followers against the unit's voters, growth over 7 and 30 days, days
 * with a post, the ranking, the units, a role filter; a lead only in their divisions; events sent twice
 * counted once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepresentativesAnswer } from '../common/contracts/representatives.ts';
import { DAY_MS } from '../common/time.ts';
import { adminToken, signIn } from '../test/support/auth.ts';
import { startTestPipeline, TEST_TOKEN, waitFor, type TestPipeline } from '../test/support/pipeline.ts';

const UNITS = `id,name,level,parent,voters
rj,Rajasthan,state,,
jp,Jaipur,division,rj,
ud,Udaipur,division,rj,50000
jpc,Jaipur City,district,jp,30000
jpr,Jaipur Rural,district,jp,10000
`;
const REPRESENTATIVES = `person,role,unit,platform,account
Asha Meena,MLA,jpc,x,asha_meena
Vijay Singh,district president,jpr,x,vijay_singh
Kiran Joshi,MP,jp,facebook,kiranjoshi.mp
Udai Lal,MLA,ud,x,udai_lal
`;

describe('representatives\' scorecards', () => {
  let pipeline: TestPipeline;
  let lead: string;
  const now = Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString();
  const as = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${pipeline.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
  const snapshot = (account: string, platform: string, daysAgo: number, followers: number) => ({ type: 'account_snapshot', id: `s-${account}-${daysAgo}`, account, platform, at: at(daysAgo), followers });
  const post = (account: string, platform: string, daysAgo: number, n = 0) => ({ type: 'post', id: `p-${account}-${daysAgo}-${n}`, account, platform, at: at(daysAgo), kind: 'text' });

  const EVENTS = [
    // Asha: 9,000 followers of Jaipur City's 30,000 voters (30 %), up 1,000 in 7 days and 4,000 in 30; posts on 3 of the last 7 days.
    snapshot('asha_meena', 'x', 40, 5000), snapshot('asha_meena', 'x', 10, 8000), snapshot('asha_meena', 'x', 0.1, 9000),
    // Two posts on one day (the same moment, so the board's midnight can never fall between them).
    post('asha_meena', 'x', 0.2), post('asha_meena', 'x', 0.2, 1), post('asha_meena', 'x', 2), post('asha_meena', 'x', 5), post('asha_meena', 'x', 20),
    // Vijay: 1,000 of Jaipur Rural's 10,000 (10 %), no growth known for 30 days, flat over 7; last post 12 days ago.
    snapshot('vijay_singh', 'x', 9, 1000), snapshot('vijay_singh', 'x', 0.1, 1000), post('vijay_singh', 'x', 12),
    // Kiran: no snapshot yet. Udai: another division.
    post('kiranjoshi.mp', 'facebook', 1),
    snapshot('udai_lal', 'x', 0.1, 20000),
  ];

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true });
    for (const [kind, csv] of [['units', UNITS], ['representatives', REPRESENTATIVES]] as const) {
      const response = await as(TEST_TOKEN, `/api/v1/directory/${kind}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      expect(response.status, await response.text()).toBe(200);
    }
    const admin = await adminToken(pipeline.url);
    const created = await as(admin, '/api/v1/admin/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lead.jaipur', password: 'a-good-password-1', roles: ['lead'], units: ['jp'] }) });
    expect(created.status).toBe(201);
    lead = (await signIn(pipeline.url, 'lead.jaipur', 'a-good-password-1')).token;
    // Sent twice: a collector retrying counts once.
    for (let i = 0; i < 2; i++) expect((await pipeline.post(EVENTS)).status).toBe(202);
  });
  afterAll(() => pipeline?.stop());

  async function scorecards(query: string): Promise<RepresentativesAnswer> {
    const response = await as(lead, `/api/v1/board/representatives?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as RepresentativesAnswer;
  }

  it('weighs followers against the unit\'s voters, with growth, posting days and the ranking', async () => {
    const answer = await waitFor(async () => {
      const read = await scorecards('unit=jp');
      const asha = read.representatives.find((r) => r.account === 'asha_meena');
      return asha?.followers === 9000 && asha.postDays30 === 4 && read.representatives.find((r) => r.account === 'kiranjoshi.mp')?.lastPostAt ? read : undefined;
    }, 'the account events stored', 30_000);
    expect(answer.target).toBe(0.25);
    expect(answer.roles).toEqual(['MLA', 'MP', 'district president']);
    expect(answer.representatives.map((r) => [r.person, r.voters, r.followers, r.share, r.growth7, r.growth30, r.postDays7, r.postDays30, r.belowTarget])).toEqual([
      ['Asha Meena', 30000, 9000, 0.3, 1000, 4000, 3, 4, false],
      ['Vijay Singh', 10000, 1000, 0.1, 0, null, 0, 1, true],
      // Jaipur counts no voters of its own: its districts' sum.
      ['Kiran Joshi', 40000, null, null, null, null, 1, 1, false],
    ]);
    expect(answer.representatives[1]!.lastPostAt).toBe(at(12));
    expect(answer.units.map((u) => [u.unitName, u.representatives, u.followers, u.belowTarget, u.silent7])).toEqual([
      ['Jaipur Rural', 1, 1000, 1, 1],
      ['Jaipur', 1, 0, 0, 0],
      ['Jaipur City', 1, 9000, 0, 0],
    ]);
  });

  it('filters by role, and keeps a lead to their divisions', async () => {
    expect((await scorecards('unit=jp&role=MLA')).representatives.map((r) => r.person)).toEqual(['Asha Meena']);
    expect((await as(lead, '/api/v1/board/representatives?unit=ud')).status).toBe(403);
    expect((await as(lead, '/api/v1/board/representatives')).status).toBe(403);
    expect((await as(lead, '/api/v1/directory/representatives', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: REPRESENTATIVES })).status).toBe(403);
  });

  it('refuses a representatives file with problems as a whole', async () => {
    const response = await as(TEST_TOKEN, '/api/v1/directory/representatives', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'person,role,unit,platform,account\nA,MLA,nowhere,x,a\n,MLA,jp,x,b\nC,MLA,jp,x,a_again\nD,MP,jp,x,a_again\n',
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { problems: unknown[] }).problems).toEqual([
      { line: 2, problem: 'unknown unit "nowhere"' },
      { line: 3, problem: 'person is empty' },
      { line: 5, problem: 'the account x:a_again again (first on line 4)' },
    ]);
  });
});
