/**
 * Rule representative-lagging on the real store (local bus, processor into account_events, the directory
 * imported through its API), the detector run as the processor runs it with the real lead lookup: a district
 * president silent for 5 days and below the follower target without growth gets two alerts (one per reason),
 * addressed to the lead of their division and not another; a second tick fires nothing again; a post and a
 * grown follower count resolve both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertMessage } from '../common/contracts/alerts.ts';
import { createLogger } from '../common/logger.ts';
import { DAY_MS } from '../common/time.ts';
import { createLeadLookup } from '../access/leads.ts';
import { createLiveDirectory, type LiveDirectory } from '../directory/live-directory.ts';
import { adminToken } from '../test/support/auth.ts';
import { startTestPipeline, TEST_TOKEN, waitFor, type TestPipeline } from '../test/support/pipeline.ts';
import { createDetector, type Detector, type DetectorOptions } from './detector.ts';
import { createAlertRepository } from './repository.ts';
import { REPRESENTATIVE_RULE } from './representative-lagging.ts';
import { parseAlertRules } from './rules.ts';

const UNITS = `id,name,level,parent,voters
rj,Rajasthan,state,,
jp,Jaipur,division,rj,
ud,Udaipur,division,rj,50000
jpc,Jaipur City,district,jp,30000
`;
const REPRESENTATIVES = `person,role,unit,platform,account
Asha Meena,MLA,jpc,x,asha_meena
Vijay Singh,district president,jpc,x,vijay_singh
Udai Lal,MLA,ud,x,udai_lal
`;

describe('alerts on representatives', () => {
  let pipeline: TestPipeline;
  let detectorOptions: () => DetectorOptions;
  let directory: LiveDirectory;
  let detector: Detector;
  const published: AlertMessage[] = [];
  const now = Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString();
  const snapshot = (account: string, daysAgo: number, followers: number) => ({ type: 'account_snapshot', id: `s-${account}-${daysAgo}`, account, platform: 'x', at: at(daysAgo), followers });
  const post = (account: string, daysAgo: number) => ({ type: 'post', id: `p-${account}-${daysAgo}`, account, platform: 'x', at: at(daysAgo), kind: 'text' });
  const as = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${pipeline.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });
  const ours = (alerts: Alert[]) => alerts.filter((a) => a.rule === REPRESENTATIVE_RULE).map((a) => a.subject.replace(/^[^/]+\//, `${a.details.account}/`)).sort();

  async function stored(events: number): Promise<void> {
    await waitFor(async () => {
      const result = await pipeline.store!.client.query({ query: 'SELECT count() AS n FROM account_events', format: 'JSONEachRow' });
      return Number((await result.json<{ n: string }>())[0]!.n) >= events ? true : undefined;
    }, `${events} account events stored`);
  }

  beforeAll(async () => {
    pipeline = await startTestPipeline({ localBus: true, env: { ALERT_TICK_MS: '3600000' } });
    for (const [kind, csv] of [['units', UNITS], ['representatives', REPRESENTATIVES]] as const) {
      const response = await as(TEST_TOKEN, `/api/v1/directory/${kind}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      expect(response.status, await response.text()).toBe(200);
    }
    const admin = await adminToken(pipeline.url);
    for (const [username, unit] of [['lead.jaipur', 'jp'], ['lead.udaipur', 'ud']]) {
      const created = await as(admin, '/api/v1/admin/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'a-good-password-1', roles: ['lead'], units: [unit] }) });
      expect(created.status).toBe(201);
    }
    const events = [
      // Asha: 9,000 of Jaipur City's 30,000 voters (30 %), posted today. Udai: 40 %, posted yesterday.
      snapshot('asha_meena', 8, 8000), snapshot('asha_meena', 0.1, 9000), post('asha_meena', 0.2),
      snapshot('udai_lal', 0.1, 20000), post('udai_lal', 1),
      // Vijay: 1,000 (3 %), the same as 8 days ago; last post 5 days ago.
      snapshot('vijay_singh', 8, 1000), snapshot('vijay_singh', 0.1, 1000), post('vijay_singh', 5),
    ];
    expect((await pipeline.post(events)).status).toBe(202);
    await stored(events.length);
    const client = pipeline.store!.client;
    const logger = createLogger('silent');
    directory = createLiveDirectory({ client, logger, pollMs: 500 });
    await directory.start();
    detectorOptions = () => ({
      client,
      index: () => directory.index,
      repository: createAlertRepository(client),
      rules: parseAlertRules({ muteWindows: [] }),
      leads: createLeadLookup(client, { cacheMs: 0 }),
      publish: async (messages: AlertMessage[]) => void published.push(...messages),
      now: Date.now,
      logger,
      representatives: { target: 0.25, timeZone: 'Asia/Kolkata' },
    });
    detector = createDetector(detectorOptions());
  });
  afterAll(async () => {
    await directory?.stop();
    await pipeline?.stop();
  });

  it('fires once per representative and reason, to the lead of their division', async () => {
    // While accepted events wait in a stall, their posts may be among them: nothing fires.
    const stalled = createDetector({ ...detectorOptions(), pipeline: () => ({ topic: 'events', stalls: [{ partition: 0, since: Date.now() - 600_000, waiting: 5 }] }) });
    expect(ours((await stalled.tick()).fired)).toEqual([]);
    const first = await detector.tick();
    expect(ours(first.fired)).toEqual(['vijay_singh/below-target', 'vijay_singh/silent']);
    for (const alert of first.fired.filter((a) => a.rule === REPRESENTATIVE_RULE)) {
      expect([alert.subjectKind, alert.division, alert.unit, alert.recipients]).toEqual(['representative', 'jp', 'jpc', ['lead.jaipur']]);
    }
    const silent = first.fired.find((a) => a.details.reason === 'silent')!;
    expect([silent.details.person, silent.details.silentDays, silent.details.limitDays]).toEqual(['Vijay Singh', 5, 3]);
    expect(published.filter((m) => m.kind === 'alert' && m.alert.rule === REPRESENTATIVE_RULE)).toHaveLength(2);

    const second = await detector.tick();
    expect(ours(second.fired)).toEqual([]);
    expect(ours(second.open)).toEqual(['vijay_singh/below-target', 'vijay_singh/silent']);
  });

  it('resolves when they post and grow', async () => {
    expect((await pipeline.post([post('vijay_singh', 0.01), snapshot('vijay_singh', 0.01, 1100)])).status).toBe(202);
    await stored(10);
    const third = await detector.tick();
    expect(ours(third.resolved)).toEqual(['vijay_singh/below-target', 'vijay_singh/silent']);
    expect(ours(third.open)).toEqual([]);
  });
});
