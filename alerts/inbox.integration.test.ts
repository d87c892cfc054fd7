/**
 * The alert inbox's API on the real pipeline (Kafka, processor, ClickHouse): alerts written to the store
 * as the detector writes them, then true totals and paging, filters, grouping, a bulk acknowledge cut to
 * the caller's scope, a real short snooze that ends by itself, a state-level lead (the escalation target)
 * reading everything below it, and the admin's alert rules: validated, stored, withdrawn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertGroupsAnswer, AlertsAnswer, BulkAnswer } from '../common/contracts/alerts.ts';
import type { AlertRulesAnswer } from '../common/contracts/admin.ts';
import type { QuietAnswer } from '../common/contracts/board.ts';
import { adminToken, signIn } from '../test/support/auth.ts';
import { importOrg } from '../test/support/org-fixture.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../test/support/pipeline.ts';
import { alertFrom } from './evaluate.ts';
import { createAlertRepository } from './repository.ts';
import { createRulesBook } from './rules-store.ts';
import { DEFAULT_ALERT_RULES } from './rules.ts';

const HOUR = 3_600_000;
const PASSWORD = 'lead-password-1';
let pipeline: TestPipeline;
let admin: string;
const leads: Record<string, string> = {};

async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${pipeline.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
}
const get = <T>(path: string, token: string) => call<T>('GET', path, token);

/** An alert as the detector writes it: group-inactive on `group` of `unitPath`. */
function inactive(group: string, unitPath: string[], category: string, firedAt: number, extra: Partial<Alert> = {}): Alert {
  const division = unitPath[1]!;
  const alert = alertFrom(
    { rule: 'group-inactive', subjectKind: 'group', subject: group, division, divisions: [], unit: unitPath.at(-1)!, unitPath, category, since: firedAt - 50 * HOUR, message: `group ${group} silent`, details: { thresholdHours: 48, silentHours: 50 } },
    firedAt,
    firedAt * 1000,
  );
  return { ...alert, ...extra };
}

const T = Date.now() - 2 * HOUR;
// Jaipur: 60 open (B101 and B102, half youth), 5 of them escalated to the state; 3 resolved. Ajmer: 15 open.
const JPR = Array.from({ length: 60 }, (_, i) =>
  inactive(`wa:j${i}`, ['RJ', 'JPR', 'JPR-D1', i % 2 ? 'B102' : 'B101'], i % 2 ? 'youth' : 'booth-voters', T + i * 1000, i < 5 ? { escalatedAt: T + HOUR, escalatedUnit: 'RJ', escalatedTo: ['lead.state'] } : {}),
);
const RESOLVED = Array.from({ length: 3 }, (_, i) => inactive(`wa:r${i}`, ['RJ', 'JPR', 'JPR-D1', 'B101'], 'booth-voters', T, { state: 'resolved', resolvedAt: T + HOUR }));
const AJM = Array.from({ length: 15 }, (_, i) => inactive(`wa:a${i}`, ['RJ', 'AJM', 'B201'], 'women', T + 100_000 + i * 1000));

beforeAll(async () => {
  pipeline = await startTestPipeline({ env: { ALERT_TICK_MS: '3600000' } });
  admin = await adminToken(pipeline.url);
  await importOrg(pipeline.url, admin);
  for (const [username, unit] of [['lead.jaipur', 'JPR'], ['lead.ajmer', 'AJM'], ['lead.state', 'RJ']]) {
    expect((await call('POST', '/api/v1/admin/users', admin, { username, password: PASSWORD, roles: ['lead'], units: [unit] })).status).toBe(201);
    leads[unit!] = (await signIn(pipeline.url, username, PASSWORD)).token;
  }
  await createAlertRepository(pipeline.store!.client).write([...JPR, ...RESOLVED, ...AJM]);
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('the alert inbox', () => {
  it('answers true totals and counts per state, not the length of a page, and pages without gaps or repeats', async () => {
    const first = await get<AlertsAnswer>('/api/v1/alerts?state=open&limit=20', admin);
    expect(first.status).toBe(200);
    expect(first.body.alerts).toHaveLength(20);
    expect(first.body.total).toBe(75);
    expect(first.body.counts).toEqual({ open: 75, acknowledged: 0, snoozed: 0, resolved: 3 });
    const seen = new Set<string>();
    for (let offset = 0; offset < 75; offset += 20) {
      const page = await get<AlertsAnswer>(`/api/v1/alerts?state=open&limit=20&offset=${offset}`, admin);
      for (const a of page.body.alerts) seen.add(a.id);
      expect(page.body.alerts.length).toBe(Math.min(20, 75 - offset));
    }
    expect(seen.size).toBe(75);
    expect((await get('/api/v1/alerts?offset=-1', admin)).status).toBe(400);
  });

  it('filters by unit, category, rule and state, and groups by division with names', async () => {
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=open&unit=B201', admin)).body.total).toBe(15);
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=open&unit=B102', admin)).body.total).toBe(30);
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=open&category=youth', admin)).body.total).toBe(30);
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=open&rule=unit-dark', admin)).body.total).toBe(0);
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=resolved', admin)).body.alerts.map((a) => a.subject).sort()).toEqual(['wa:r0', 'wa:r1', 'wa:r2']);
    const grouped = await get<AlertGroupsAnswer>('/api/v1/alerts/grouped?state=open&by=division', admin);
    expect(grouped.body.groups.map((g) => [g.key, g.name, g.count, g.byRule['group-inactive']])).toEqual([['JPR', 'Jaipur', 60, 60], ['AJM', 'Ajmer', 15, 15]]);
    const byUnit = await get<AlertGroupsAnswer>('/api/v1/alerts/grouped?state=open&by=unit&division=JPR', leads.JPR!);
    expect(byUnit.body.groups.map((g) => [g.name, g.count])).toEqual([['Booth 101 Sanganer', 30], ['Booth 102 Malviya Nagar', 30]]);
    expect((await get('/api/v1/alerts/grouped?by=colour', admin)).status).toBe(400);
  });

  it('shows escalation on the alert, and the state lead it escalated to reads every division below', async () => {
    const state = await get<AlertsAnswer>('/api/v1/alerts?state=unresolved&limit=500', leads.RJ!);
    expect(state.body.total).toBe(75);
    const escalated = state.body.alerts.filter((a) => a.escalatedAt !== null);
    expect(escalated.map((a) => [a.escalatedUnit, a.escalatedTo])).toEqual(Array(5).fill(['RJ', ['lead.state']]));
    // The headline's reads: the quiet count and trends of the state, a booth's page below it.
    expect((await get<QuietAnswer>('/api/v1/board/quiet?unit=RJ', leads.RJ!)).body.groups).toBe(5);
    expect(Object.keys((await get<{ names: Record<string, string> }>('/api/v1/board/trends?hours=2', leads.RJ!)).body.names).sort()).toEqual(['AJM', 'JPR']);
    expect((await get('/api/v1/board/unit?unit=B101', leads.RJ!)).status).toBe(200);
    // A division lead still reads only their division.
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=open', leads.AJM!)).body.total).toBe(15);
    expect((await get('/api/v1/board/unit?unit=B101', leads.AJM!)).status).toBe(403);
  });

  it('acknowledges many in one request, only those in the caller scope, with an outcome per id', async () => {
    const ids = [AJM[0]!.id, AJM[1]!.id, JPR[10]!.id, 'no-such-alert', AJM[0]!.id];
    const acked = await call<BulkAnswer>('POST', '/api/v1/alerts/acknowledge', leads.AJM!, { ids });
    expect(acked.status).toBe(200);
    expect(acked.body.results).toEqual([
      { id: AJM[0]!.id, outcome: 'done' },
      { id: AJM[1]!.id, outcome: 'done' },
      { id: JPR[10]!.id, outcome: 'not-found' },
      { id: 'no-such-alert', outcome: 'not-found' },
    ]);
    expect(acked.body.done).toBe(2);
    const again = await call<BulkAnswer>('POST', '/api/v1/alerts/acknowledge', leads.AJM!, { ids: [AJM[0]!.id, RESOLVED[0]!.id] });
    expect(again.body.results).toEqual([{ id: AJM[0]!.id, outcome: 'already' }, { id: RESOLVED[0]!.id, outcome: 'not-found' }]);
    expect((await call<BulkAnswer>('POST', '/api/v1/alerts/acknowledge', admin, { ids: [RESOLVED[0]!.id] })).body.results).toEqual([{ id: RESOLVED[0]!.id, outcome: 'resolved' }]);
    // Acknowledged is not open: the counts say so apart.
    const counts = (await get<AlertsAnswer>('/api/v1/alerts?state=open&unit=AJM', admin)).body;
    expect([counts.total, counts.counts.open, counts.counts.acknowledged]).toEqual([13, 13, 2]);
    expect((await call('POST', '/api/v1/alerts/acknowledge', admin, { ids: [] })).status).toBe(400);
  });

  it('snoozes out of the open list until a time, then the alerts come back by themselves', async () => {
    const ids = [JPR[20]!.id, JPR[21]!.id, JPR[22]!.id];
    expect((await call('POST', '/api/v1/alerts/snooze', leads.JPR!, { ids, until: new Date(Date.now() - 1000).toISOString() })).status).toBe(400);
    expect((await call('POST', '/api/v1/alerts/snooze', leads.JPR!, { ids, until: new Date(Date.now() + 40 * 24 * HOUR).toISOString() })).status).toBe(400);
    const until = Date.now() + 4000;
    const snoozed = await call<BulkAnswer>('POST', '/api/v1/alerts/snooze', leads.JPR!, { ids: [...ids, AJM[5]!.id], until: new Date(until).toISOString() });
    expect(snoozed.body.results.map((r) => r.outcome)).toEqual(['done', 'done', 'done', 'not-found']);
    const during = (await get<AlertsAnswer>('/api/v1/alerts?state=snoozed&division=JPR', leads.JPR!)).body;
    expect(during.alerts.map((a) => a.id).sort()).toEqual([...ids].sort());
    expect(during.alerts.every((a) => a.snoozedUntil === until && a.snoozedBy === 'lead.jaipur')).toBe(true);
    expect((await get<AlertsAnswer>('/api/v1/alerts?state=open&division=JPR', leads.JPR!)).body.counts).toMatchObject({ open: 57, snoozed: 3 });
    // The snooze ends by itself: the same read, repeated, finds them open again once `until` has passed.
    const after = await waitFor(async () => {
      const body = (await get<AlertsAnswer>('/api/v1/alerts?state=open&division=JPR', leads.JPR!)).body;
      return Date.now() > until && body.counts.snoozed === 0 ? body : undefined;
    }, 'the snooze ended', 15_000);
    expect(after.counts.open).toBe(60);
    expect(after.alerts.find((a) => a.id === JPR[20]!.id)?.snoozedUntil ?? null).toBeNull();
  });
});

describe('the alert rules on the admin screen', () => {
  it('are validated with the key named, stored over the defaults, survive a new process, and withdraw', async () => {
    const before = await get<AlertRulesAnswer>('/api/v1/admin/alert-rules', admin);
    expect(before.body.origin).toEqual({ kind: 'defaults' });
    expect((await get('/api/v1/admin/alert-rules', leads.JPR!)).status).toBe(403);
    const bad = await call<{ error: string }>('PUT', '/api/v1/admin/alert-rules', admin, { inactivity: { defaultHours: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('inactivity.defaultHours');
    expect((await call<{ error: string }>('PUT', '/api/v1/admin/alert-rules', admin, { inactivty: {} })).body.error).toContain('inactivty');

    const saved = await call<AlertRulesAnswer>('PUT', '/api/v1/admin/alert-rules', admin, { inactivity: { defaultHours: 0.25 } });
    expect(saved.status).toBe(200);
    expect(saved.body.origin).toMatchObject({ kind: 'screen', editedBy: 'admin' });
    expect(saved.body.rules.inactivity).toEqual({ defaultHours: 0.25, byCategory: {}, byLevel: {}, newGraceHours: 72 });
    // The board's quiet tile judges by the rules in effect.
    expect((await get<QuietAnswer>('/api/v1/board/quiet?unit=RJ', admin)).body.rules.defaultHours).toBe(0.25);
    // Another process (a restart) reads the stored edit over its own file's rules.
    const told: { level: string; line: string }[] = [];
    const logger = { info: (_: object, line: string) => told.push({ level: 'info', line }), warn: (_: object, line: string) => told.push({ level: 'warn', line }) };
    const book = createRulesBook(pipeline.store!.client, { base: DEFAULT_ALERT_RULES, file: '/etc/rules.json', logger: logger as never, cacheMs: 0 });
    expect((await book.refresh()).origin).toMatchObject({ kind: 'screen', file: '/etc/rules.json' });
    expect(book.current().inactivity.defaultHours).toBe(0.25);
    // It says, once, that the screen's edit overrides its file.
    await book.refresh();
    expect(told).toEqual([{ level: 'info', line: 'alert rules: the edit saved on the admin screen is in effect, over ALERT_RULES_FILE /etc/rules.json' }]);
    // An edit that no longer reads as rules (written by another version): the file's rules hold, and it warns.
    const last = await pipeline.store!.client.query({ query: 'SELECT toString(max(version)) AS v FROM alert_rules_edits', format: 'JSONEachRow' });
    const version = (BigInt((await last.json<{ v: string }>())[0]!.v) + 1n).toString();
    await pipeline.store!.client.insert({ table: 'alert_rules_edits', values: [{ rules: '{"inactivity":{"defaultHours":"soon"}}', edited_by: 'old-version', edited_at: Date.now(), version }], format: 'JSONEachRow' });
    expect((await book.refresh()).origin).toEqual({ kind: 'file', file: '/etc/rules.json' });
    expect(told.at(-1)).toMatchObject({ level: 'warn', line: 'alert rules: the edit saved on the admin screen no longer reads as rules; the rules of ALERT_RULES_FILE hold until it is saved again or withdrawn' });

    const withdrawn = await call<AlertRulesAnswer>('DELETE', '/api/v1/admin/alert-rules', admin);
    expect(withdrawn.body.origin).toEqual({ kind: 'defaults' });
    expect(withdrawn.body.rules.inactivity.defaultHours).toBe(48);
  });

  it('refuses a lead of a unit the directory does not have', async () => {
    const created = await call<{ error: string; field: string }>('POST', '/api/v1/admin/users', admin, { username: 'lead.nowhere', password: PASSWORD, roles: ['lead'], units: ['XYZ'] });
    expect(created.status).toBe(400);
    expect(created.body.error).toContain('"XYZ"');
  });
});
