/**
 * Alert rules on stored data and routing in the running service, on the real Kafka broker and the
 * real ClickHouse engine, with an injected clock: a sharp drop against the trailing baseline, a
 * silence created through the API, the life-cycle states and quiet groups in the API, list filters
 * and acknowledgement, a mute window that holds webhooks back and sends them when it ends, the
 * digest's daily cap per lead, and escalation one level up over Socket.io to that lead only.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { BusEvent } from '../common/events.ts';
import { createLogger } from '../common/logger.ts';
import { createImporter } from '../directory/importer.ts';
import { createLiveDirectory, type LiveDirectory } from '../directory/live-directory.ts';
import { createHeartbeatRouter } from '../api/ingest/heartbeat.ts';
import { createStaticSourceRegistry } from '../ingest/sources.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../test/support/pipeline.ts';
import { api as apiOf, leadOnSocket, message, produceEvents, signInAs, startReceiver, type Receiver, type SeenChange } from '../test/support/alerts.ts';
import type { TickResult } from './detector.ts';
import type { Alert } from '../common/contracts/alerts.ts';
import { loadAlertRules } from './rules.ts';
import { startAlertsService, type AlertsService } from './service.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SECRET = 'webhook-secret-for-routing-tests';
const ADMIN_PASSWORD = 'admin-password-for-tests';
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE;
/** The last whole hour: the drop rule's windows are hour-aligned. */
const END = Math.floor(T0 / HOUR) * HOUR;
let clock = T0;

/**
 * A fixed-offset zone in which T0 is between 01:00 and 02:00 local time, so the mute window
 * 01:00–03:00 is on at T0 and over at T0 + 2 h, and T0 … T0 + 4 h 1 min is one local day (the digest cap's day).
 */
function zoneWhereHourIsOne(at: number): string {
  let offset = 1 - new Date(at).getUTCHours();
  if (offset < -12) offset += 24;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
const ZONE = zoneWhereHourIsOne(T0);

/** A message every 36 min (40 a day) from 8 days before END up to `until`. */
function steady(group: string, until: number): BusEvent[] {
  const out: BusEvent[] = [];
  for (let at = END - 8 * DAY, i = 0; at < until; at += 36 * MINUTE, i++) out.push(message(group, `${group}-s${i}`, 'col', at, at));
  return out;
}

describe('alert rules and routing in the running service', () => {
  let pipeline: TestPipeline;
  let directory: LiveDirectory;
  let receiver: Receiver;
  let instance: AlertsService;
  const sockets: Socket[] = [];
  const seen = new Map<string, SeenChange[]>();
  const logger = createLogger('silent');
  const api = (p: string, init: RequestInit & { token?: string } = {}) => apiOf(pipeline, p, init);
  const json = async <T>(p: string, token: string): Promise<T> => {
    const response = await api(p, { token });
    expect(response.status, p).toBe(200);
    return (await response.json()) as T;
  };
  const subjects = (alerts: Alert[]) => alerts.map((a) => a.subject).sort();
  const changes = (result: TickResult, kind: 'fired' | 'escalated' | 'resolved') => result[kind].map((a) => `${a.rule}:${a.subject}`).sort();
  let rulesFile: string;
  /** The heartbeat endpoint as ingest mounts it, on the injected clock: the collector `col` beats before each tick. */
  let heartbeats: Server;
  async function beat(): Promise<void> {
    const response = await fetch(`http://127.0.0.1:${(heartbeats.address() as AddressInfo).port}/v1/heartbeat`, { method: 'POST', headers: { authorization: 'Bearer col-token' } });
    expect(response.status).toBe(200);
  }

  async function count(query: string): Promise<number> {
    const r = await pipeline.store!.client.query({ query, format: 'JSONEachRow' });
    return Number((await r.json<{ n: string }>())[0]!.n);
  }

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'grouppulse-alert-rules-'));
    rulesFile = path.join(dir, 'rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        routing: { escalateAfterMinutes: 90 },
        digest: { intervalMinutes: 1, dailyCapPerLead: 1, silentDays: 2, timeZone: ZONE },
        muteWindows: [{ from: '01:00', to: '03:00', timeZone: ZONE }],
      }),
    );
    receiver = await startReceiver(0, SECRET);
    pipeline = await startTestPipeline({ roles: { ingest: false, processor: true, api: true }, env: { ADMIN_PASSWORD, ALERT_TICK_MS: '3600000', ALERT_RULES_FILE: rulesFile } });
    const client = pipeline.store!.client;
    const importer = createImporter(client);
    const units = [
      { id: 'S', name: 'State', level: 'state', parent: '' },
      ...['D1', 'D2', 'D3'].map((id) => ({ id, name: `Division ${id}`, level: 'division', parent: 'S' })),
      ...['1', '2', '3'].map((n) => ({ id: `B${n}`, name: `Booth ${n}`, level: 'booth', parent: `D${n}` })),
    ];
    const groups = [
      ...['q1', 'q2', 'q3', 'q4'].map((id) => ({ id, unit: 'B1', category: 'booth-voters', ...(id === 'q3' ? { title: 'Kisan manch' } : {}) })),
      ...['s1', 'n1', 'z1'].map((id) => ({ id, unit: 'B2', category: 'booth-voters' })),
      ...['drop1', 'drop2'].map((id) => ({ id, unit: 'B3', category: 'farmers' })),
    ];
    expect((await importer.importUnits(JSON.stringify({ units }), 'json', 'merge')).ok).toBe(true);
    expect((await importer.importGroups(JSON.stringify({ groups }), 'json', 'merge')).ok).toBe(true);
    directory = createLiveDirectory({ client, logger, pollMs: 500 });
    await directory.start();
    const heartbeatApp = express().use(createHeartbeatRouter({ sources: createStaticSourceRegistry([{ name: 'col', token: 'col-token' }]), client, logger, now: () => clock }));
    heartbeats = await new Promise<Server>((resolve) => {
      const server = createServer(heartbeatApp).listen(0, '127.0.0.1', () => resolve(server));
    });

    const events = [
      // D1: q1–q3 quiet for 50, 60, 70 h (q1 is known-quiet: silenced below); q4 spoke 44 h ago (quiet at T0 + 4 h).
      message('q1', 'q1-1', 'col', T0 - 50 * HOUR, T0 - 50 * HOUR),
      message('q2', 'q2-1', 'col', T0 - 60 * HOUR, T0 - 60 * HOUR),
      message('q3', 'q3-1', 'col', T0 - 70 * HOUR, T0 - 70 * HOUR),
      message('q4', 'q4-1', 'col', T0 - 44 * HOUR, T0 - 44 * HOUR),
      // D2: s1 steady for 8 days (active), n1 first spoke 2 days ago (new), z1 silent for 30 days (dormant).
      ...steady('s1', END),
      message('n1', 'n1-1', 'col', T0 - 2 * DAY, T0 - 2 * DAY),
      message('n1', 'n1-2', 'col', T0 - HOUR, T0 - MINUTE),
      message('z1', 'z1-1', 'col', T0 - 30 * DAY, T0 - 30 * DAY),
      // D3: 40 a day for 7 days, then 2 messages in the last 24 h: a sharp drop for both groups and the division.
      ...['drop1', 'drop2'].flatMap((g) => [...steady(g, END - DAY), message(g, `${g}-r1`, 'col', END - 3 * HOUR, END - 3 * HOUR), message(g, `${g}-r2`, 'col', END - 2 * HOUR, END - 2 * HOUR)]),
    ];
    await produceEvents(pipeline, events);
    await waitFor(async () => ((await count('SELECT count() AS n FROM events')) === events.length ? true : undefined), `${events.length} events in ClickHouse`, 60_000);
    await waitFor(async () => ((await count('SELECT uniqExact(group_id) AS n FROM rollup_group_hour')) === 9 ? true : undefined), 'hourly rollups of 9 groups');

    const admin = await signInAs(pipeline, 'admin', ADMIN_PASSWORD);
    for (const [username, units] of [['lead1', ['D1']], ['lead2', ['D2']], ['lead3', ['D3']], ['statelead', ['S']]] as const) {
      const lead = await leadOnSocket(pipeline, admin, username, [...units]);
      seen.set(username, lead.seen);
      sockets.push(lead.socket);
    }

    instance = await startAlertsService({
      config: { ...pipeline.config, ALERT_TICK_MS: 3_600_000, ALERT_WEBHOOK_URLS: receiver.url, ALERT_WEBHOOK_SECRET: SECRET, ALERT_WEBHOOK_BACKOFF_MS: 50 },
      bus: pipeline.bus,
      client,
      directory,
      logger,
      metrics: pipeline.metrics,
      now: () => clock,
      rules: loadAlertRules(rulesFile),
      workerGroup: `${pipeline.config.KAFKA_TOPIC_PREFIX}test-alerts-worker`,
    });
    await waitFor(() => (instance.worker!.isLeader() ? true : undefined), 'the instance runs the detector', 60_000);
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await instance?.stop();
    await directory?.stop();
    await pipeline?.stop();
    receiver?.server.close();
    heartbeats?.close();
  });

  it('a silence created through the API keeps a known-quiet group from alerting; leads silence only their own groups', async () => {
    const lead1 = await signInAs(pipeline, 'lead1');
    const until = new Date(T0 + 30 * DAY).toISOString();
    const created = await api('/api/v1/alerts/silences', { method: 'POST', token: lead1, body: JSON.stringify({ subject: 'q1', rule: 'group-inactive', until, reason: 'seasonal group, quiet until the campaign' }) });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { silence: { createdBy: string } }).silence.createdBy).toBe('lead1');
    const foreign = await api('/api/v1/alerts/silences', { method: 'POST', token: lead1, body: JSON.stringify({ subject: 'drop1', until }) });
    expect(foreign.status).toBe(403);
    const bad = await api('/api/v1/alerts/silences', { method: 'POST', token: lead1, body: JSON.stringify({ subject: 'q2', until: 'tomorrow' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/until/);
  });

  it('during a mute window: inactivity and sharp drops on stored data fire and show live, webhooks are held back, no digest', async () => {
    const result = (await instance.worker!.tickNow())!;
    expect(changes(result, 'fired')).toEqual([
      'group-inactive:q2', 'group-inactive:q3', 'group-inactive:z1',
      'sharp-drop:D3', 'sharp-drop:drop1', 'sharp-drop:drop2',
    ]);
    const drop = result.fired.find((a) => a.subject === 'drop1')!;
    expect(drop.details).toMatchObject({ recent: 2, baselinePerWindow: 40, windowHours: 24 });
    expect(result.fired.find((a) => a.subject === 'D3')!.details).toMatchObject({ recent: 4, baselinePerWindow: 80 });
    expect(drop.recipients).toEqual(['lead3']);
    expect(result.digests).toEqual([]);

    // Held back in the store, not sent and not dropped.
    await waitFor(async () => ((await count('SELECT count() AS n FROM alert_webhook_outbox FINAL WHERE delivered_at IS NULL')) === 6 ? true : undefined), '6 webhooks held back');
    expect(receiver.received).toEqual([]);
    // Live pushes are not muted: lead1 sees D1's two alerts; the state lead's board shows every division below
    // it live (its scope, directory/scope.ts#widenScope), though no alert is addressed to them yet.
    await waitFor(() => (seen.get('lead1')!.length === 2 ? true : undefined), 'lead1 got D1 alerts live');
    expect(seen.get('lead1')!.map((s) => `${s.change}:${s.subject}`).sort()).toEqual(['fired:q2', 'fired:q3']);
    await waitFor(() => (seen.get('statelead')!.length === 6 ? true : undefined), 'the state lead got the alerts below it live');
    expect(seen.get('statelead')!.map((s) => `${s.change}:${s.subject}`).sort()).toEqual(['fired:D3', 'fired:drop1', 'fired:drop2', 'fired:q2', 'fired:q3', 'fired:z1']);
  });

  it('the API lists and filters alerts by unit, state and rule, and acknowledges with who and when', async () => {
    const admin = await signInAs(pipeline, 'admin', ADMIN_PASSWORD);
    const lead1 = await signInAs(pipeline, 'lead1');
    type List = { alerts: Alert[] };
    expect(subjects((await json<List>('/api/v1/alerts?rule=sharp-drop', admin)).alerts)).toEqual(['D3', 'drop1', 'drop2']);
    expect(subjects((await json<List>('/api/v1/alerts?unit=B3', admin)).alerts)).toEqual(['drop1', 'drop2']);
    expect(subjects((await json<List>('/api/v1/alerts?unit=D3', admin)).alerts)).toEqual(['D3', 'drop1', 'drop2']);
    expect(subjects((await json<List>('/api/v1/alerts?rule=group-inactive&unit=S', admin)).alerts)).toEqual(['q2', 'q3', 'z1']);
    expect(subjects((await json<List>('/api/v1/alerts', lead1)).alerts)).toEqual(['q2', 'q3']);
    expect((await api('/api/v1/alerts?division=D3', { token: lead1 })).status).toBe(403);
    expect((await api('/api/v1/alerts?rule=gone-quiet', { token: lead1 })).status).toBe(400);

    const q2 = (await json<List>('/api/v1/alerts?unit=B1', lead1)).alerts.find((a) => a.subject === 'q2')!;
    const acked = await api(`/api/v1/alerts/${q2.id}/acknowledge`, { method: 'POST', token: lead1 });
    expect(acked.status).toBe(200);
    const drop1 = (await json<List>('/api/v1/alerts?unit=B3', admin)).alerts.find((a) => a.subject === 'drop1')!;
    expect((await api(`/api/v1/alerts/${drop1.id}/acknowledge`, { method: 'POST', token: lead1 })).status).toBe(404);
    const ackedList = (await json<List>('/api/v1/alerts?state=acknowledged', lead1)).alerts;
    expect(ackedList.map((a) => [a.subject, a.acknowledgedBy])).toEqual([['q2', 'lead1']]);
    expect(ackedList[0]!.acknowledgedAt).toEqual(expect.any(Number));
    expect(subjects((await json<List>('/api/v1/alerts?state=firing', lead1)).alerts)).toEqual(['q3']);
    expect(subjects((await json<List>('/api/v1/alerts?state=resolved', admin)).alerts)).toEqual([]);
    // The acknowledgement is published too; inside the mute window its webhook is held back with the rest.
    await waitFor(async () => ((await count('SELECT count() AS n FROM alert_webhook_outbox FINAL WHERE delivered_at IS NULL')) === 7 ? true : undefined), 'the acknowledgement held back');
  });

  it('the API shows each group\'s life-cycle state and a division\'s quiet groups with their silence, sortable', async () => {
    const admin = await signInAs(pipeline, 'admin', ADMIN_PASSWORD);
    type Groups = { total: number; groups: { group: string; state: string; silentForHours: number | null }[] };
    const states = async (division: string) => Object.fromEntries((await json<Groups>(`/api/v1/alerts/groups?division=${division}`, admin)).groups.map((g) => [g.group, g.state]));
    expect(await states('D2')).toEqual({ s1: 'active', n1: 'new', z1: 'dormant' });
    expect(await states('D3')).toEqual({ drop1: 'declining', drop2: 'declining' });
    expect(await states('D1')).toEqual({ q1: 'dormant', q2: 'dormant', q3: 'dormant', q4: 'new' });

    const lead1 = await signInAs(pipeline, 'lead1');
    const longestFirst = await json<Groups>('/api/v1/alerts/quiet-groups?division=D1', lead1);
    expect(longestFirst.groups.map((g) => g.group)).toEqual(['q3', 'q2', 'q1']);
    const hours = longestFirst.groups.map((g) => g.silentForHours!);
    // The api reads on the real clock, minutes after T0: 70, 60 and 50 h and a little.
    expect(hours.map((h, i) => h - [70, 60, 50][i]!).every((d) => d >= 0 && d < 1)).toBe(true);
    expect((await json<Groups>('/api/v1/alerts/quiet-groups?division=D1&order=asc', lead1)).groups.map((g) => g.group)).toEqual(['q1', 'q2', 'q3']);
    expect((await json<Groups>('/api/v1/alerts/quiet-groups?division=D1&minHours=55', lead1)).groups.map((g) => g.group)).toEqual(['q3', 'q2']);
    expect((await json<Groups>('/api/v1/alerts/quiet-groups?division=D1&sort=group&order=asc', lead1)).groups.map((g) => g.group)).toEqual(['q1', 'q2', 'q3']);
    const badSort = await api('/api/v1/alerts/quiet-groups?division=D1&sort=loudness', { token: lead1 });
    expect(badSort.status).toBe(400);
    expect(((await badSort.json()) as { error: string }).error).toMatch(/sort must be one of/);
  });

  it('when the window ends: held-back webhooks go out and one digest per division; no escalation before 90 min outside the window', async () => {
    clock = T0 + 2 * HOUR + MINUTE;
    await beat();
    const result = (await instance.worker!.tickNow())!;
    expect(changes(result, 'fired')).toEqual([]);
    // Fired more than 90 min ago, but the leads have had at most an hour outside the window.
    expect(changes(result, 'escalated')).toEqual([]);
    expect(result.digests.map((d) => [d.division, d.recipients]).sort()).toEqual([['D1', ['lead1']], ['D2', ['lead2']]]);
    const d1 = result.digests.find((d) => d.division === 'D1')!;
    expect(d1.lines.map((l) => l.text)).toEqual(['3 of your 4 booth-voters groups silent for more than 2 days']);
    expect(d1.newlyQuiet.map((g) => [g.group, g.title])).toEqual([['q3', 'Kisan manch'], ['q2', undefined]]);

    // Every held-back webhook (6 fired + lead1's acknowledgement) arrives, then the outbox is empty.
    const arrived = await waitFor(() => {
      const held = receiver.received.filter((r) => r.event === 'alert.fired' || r.event === 'alert.acknowledged');
      const digests = receiver.received.filter((r) => r.event === 'digest');
      return held.length === 7 && digests.length === 2 ? receiver.received : undefined;
    }, 'held-back webhooks and digests delivered');
    expect(arrived).toHaveLength(9);
    expect(arrived.every((r) => r.status === 200 && r.signatureOk)).toBe(true);
    expect(arrived.filter((r) => r.event === 'alert.fired').map((r) => r.body.alert!.subject).sort()).toEqual(['D3', 'drop1', 'drop2', 'q2', 'q3', 'z1']);
    expect(arrived.filter((r) => r.event === 'digest').map((r) => r.body.digest!.recipients).sort()).toEqual([['lead1'], ['lead2']]);
    expect(await count('SELECT count() AS n FROM alert_webhook_outbox FINAL WHERE delivered_at IS NULL')).toBe(0);
    const metrics = await (await fetch(`${pipeline.url}/metrics`)).text();
    expect(metrics).toMatch(/^alerts_webhook_attempts_total\{result="deferred"\} 7$/m);
    expect(seen.get('statelead')!.filter((s) => s.change === 'escalated')).toEqual([]);
  });

  it('unacknowledged 90 min outside the window, alerts escalate one level up: live to that lead only, who may then acknowledge', async () => {
    clock = T0 + 3 * HOUR + 31 * MINUTE;
    await beat();
    const result = (await instance.worker!.tickNow())!;
    expect(changes(result, 'fired')).toEqual([]);
    expect(result.digests).toEqual([]);
    // q2 was acknowledged: it does not escalate.
    expect(changes(result, 'escalated')).toEqual(['group-inactive:q3', 'group-inactive:z1', 'sharp-drop:D3', 'sharp-drop:drop1', 'sharp-drop:drop2']);
    expect(new Set(result.escalated.map((a) => `${a.escalatedUnit}:${a.escalatedTo.join(',')}`))).toEqual(new Set(['S:statelead']));

    // The state lead gets the escalations live; lead1 sees q3's escalation, not D3's.
    const escalatedTo = (who: string) => seen.get(who)!.filter((s) => s.change === 'escalated');
    await waitFor(() => (escalatedTo('statelead').length === 5 ? true : undefined), 'escalations reached the state lead');
    expect(escalatedTo('statelead').map((s) => `${s.change}:${s.subject}`).sort()).toEqual(['escalated:D3', 'escalated:drop1', 'escalated:drop2', 'escalated:q3', 'escalated:z1']);
    await waitFor(() => (seen.get('lead1')!.some((s) => s.change === 'escalated') ? true : undefined), 'lead1 saw q3 escalate');
    expect(seen.get('lead1')!.filter((s) => s.change === 'escalated').map((s) => s.subject)).toEqual(['q3']);
    await waitFor(() => (receiver.received.filter((r) => r.event === 'alert.escalated').length === 5 ? true : undefined), 'escalations sent at once (no window on)');

    // The state lead may now read and acknowledge what escalated to them.
    const statelead = await signInAs(pipeline, 'statelead');
    const theirs = (await json<{ alerts: Alert[] }>('/api/v1/alerts', statelead)).alerts.filter((a) => a.escalatedUnit === 'S');
    expect(subjects(theirs)).toEqual(['D3', 'drop1', 'drop2', 'q3', 'z1']);
    const z1 = theirs.find((a) => a.subject === 'z1')!;
    expect((await api(`/api/v1/alerts/${z1.id}/acknowledge`, { method: 'POST', token: statelead })).status).toBe(200);
    await waitFor(() => (receiver.received.some((r) => r.event === 'alert.acknowledged' && r.body.alert!.acknowledgedBy === 'statelead') ? true : undefined), 'the acknowledgement sent at once');
  });

  it('the daily cap per lead holds: a group going quiet later the same day alerts, but no second digest reaches lead1', async () => {
    const before = receiver.received.length;
    clock = T0 + 4 * HOUR + MINUTE;
    await beat();
    const result = (await instance.worker!.tickNow())!;
    expect(changes(result, 'fired')).toEqual(['group-inactive:q4', 'unit-dark:D1']);
    expect(result.digests).toEqual([]);
    await waitFor(() => (receiver.received.length - before >= 2 ? true : undefined), 'the two new alerts delivered at once (no window on)');
    expect(receiver.received.slice(before).map((r) => `${r.event}:${r.body.alert?.subject}`).sort()).toEqual(['alert.fired:D1', 'alert.fired:q4']);
    expect(await count("SELECT count() AS n FROM alert_digests WHERE has(recipients, 'lead1')")).toBe(1);
    // The silence still holds: q1 never fired.
    expect(await count("SELECT count() AS n FROM alerts WHERE subject = 'q1'")).toBe(0);
  });
});
