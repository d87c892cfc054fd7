/**
 * Alerts on the real Kafka broker and the real ClickHouse engine, with an injected clock: events go
 * through the real processor; alert workers run as the processor role runs them; the api's sockets
 * and a local webhook receiver (127.0.0.1, failing its first deliveries) are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type { BusEvent } from '../common/events.ts';
import { createLogger } from '../common/logger.ts';
import { createImporter } from '../directory/importer.ts';
import { createLiveDirectory, type LiveDirectory } from '../directory/live-directory.ts';
import { createSourcesStore } from '../ingest/sources-store.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../test/support/pipeline.ts';
import { api as apiOf, leadOnSocket, message, produceEvents, signInAs, startReceiver, type Receiver, type SeenChange } from '../test/support/alerts.ts';
import type { Alert } from '../common/contracts/alerts.ts';
import { createAlertRepository } from './repository.ts';
import { parseAlertRules } from './rules.ts';
import { startAlertsService, type AlertsService } from './service.ts';

const HOUR = 3_600_000;
const SECRET = 'webhook-secret-for-tests';
const ADMIN_PASSWORD = 'admin-password-for-tests';
const N = Math.floor(Date.now() / 60_000) * 60_000;
let clock = N;

describe('alerts on Kafka and ClickHouse', () => {
  let pipeline: TestPipeline;
  let directory: LiveDirectory;
  let receiver: Receiver;
  const instances: AlertsService[] = [];
  const sockets: Socket[] = [];
  const seen = new Map<string, SeenChange[]>();
  const logger = createLogger('silent');

  const produce = (events: BusEvent[]) => produceEvents(pipeline, events);
  const api = (path: string, init: RequestInit & { token?: string } = {}) => apiOf(pipeline, path, init);
  const signIn = (username: string, password: string) => signInAs(pipeline, username, password);

  async function storedGroups(): Promise<number> {
    const r = await pipeline.store!.client.query({ query: 'SELECT uniqExact(group_id) AS n FROM group_last_message', format: 'JSONEachRow' });
    return Number((await r.json<{ n: string }>())[0]!.n);
  }

  function startInstance(): Promise<AlertsService> {
    return startAlertsService({
      config: { ...pipeline.config, ALERT_TICK_MS: 3_600_000, ALERT_WEBHOOK_URLS: receiver.url, ALERT_WEBHOOK_SECRET: SECRET, ALERT_WEBHOOK_BACKOFF_MS: 50 },
      bus: pipeline.bus,
      client: pipeline.store!.client,
      directory,
      logger,
      metrics: pipeline.metrics,
      now: () => clock,
      // No mute window: this file is about delivery, whatever the hour it runs at (mute windows: alerts-routing).
      rules: parseAlertRules({ muteWindows: [] }),
      workerGroup: `${pipeline.config.KAFKA_TOPIC_PREFIX}test-alerts-worker`,
    }).then((s) => {
      instances.push(s);
      return s;
    });
  }

  async function openAlerts(): Promise<Alert[]> {
    return createAlertRepository(pipeline.store!.client).open();
  }

  beforeAll(async () => {
    receiver = await startReceiver(2, SECRET);
    pipeline = await startTestPipeline({ roles: { ingest: true, processor: true, api: true }, env: { ADMIN_PASSWORD, ALERT_TICK_MS: '3600000' } });
    const client = pipeline.store!.client;
    const importer = createImporter(client);
    const units = [
      { id: 'S', name: 'State', level: 'state', parent: '' },
      { id: 'D1', name: 'Jaipur', level: 'division', parent: 'S' },
      { id: 'D2', name: 'Ajmer', level: 'division', parent: 'S' },
      { id: 'B1', name: 'Booth 1', level: 'booth', parent: 'D1' },
      { id: 'B2', name: 'Booth 2', level: 'booth', parent: 'D2' },
    ];
    const groups = [
      ...['a1', 'a2', 'a3'].map((id) => ({ id, unit: 'B1', category: 'booth-voters', ...(id === 'a1' ? { title: 'Sanganer yuva' } : {}) })),
      ...Array.from({ length: 20 }, (_, i) => ({ id: `b${i + 1}`, unit: 'B2', category: 'booth-voters' })),
    ];
    expect((await importer.importUnits(JSON.stringify({ units }), 'json', 'merge')).ok).toBe(true);
    expect((await importer.importGroups(JSON.stringify({ groups }), 'json', 'merge')).ok).toBe(true);
    directory = createLiveDirectory({ client, logger, pollMs: 500 });
    await directory.start();
    expect(directory.index.groups.size).toBe(23);

    // Both collectors last delivered 50 h ago; collector-a is alive by its heartbeat (below), collector-b went silent.
    await produce([
      ...['a1', 'a2', 'a3'].map((g) => message(g, `${g}-1`, 'collector-a', N - 50 * HOUR, N - 50 * HOUR)),
      ...Array.from({ length: 20 }, (_, i) => message(`b${i + 1}`, `b${i + 1}-1`, 'collector-b', N - 50 * HOUR, N - 50 * HOUR)),
    ]);
    await waitFor(async () => ((await storedGroups()) === 23 ? true : undefined), 'events of 23 groups in ClickHouse');

    // collector-a beats through ingest with its own token; a wrong token is refused.
    const added = await createSourcesStore(client).add('collector-a');
    if (!added.ok) throw new Error(added.error);
    const beat = await fetch(`${pipeline.url}/v1/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${added.value.token}` } });
    expect(beat.status).toBe(200);
    expect(((await beat.json()) as { source: string }).source).toBe('collector-a');
    expect((await fetch(`${pipeline.url}/v1/heartbeat`, { method: 'POST', headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await fetch(`${pipeline.url}/v1/heartbeat`, { method: 'POST' })).status).toBe(401);

    // Two leads, one per division, each on a live socket.
    const admin = await signIn('admin', ADMIN_PASSWORD);
    for (const [username, division] of [['lead1', 'D1'], ['lead2', 'D2']] as const) {
      const lead = await leadOnSocket(pipeline, admin, username, [division]);
      seen.set(username, lead.seen);
      sockets.push(lead.socket);
    }
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const i of instances) await i.stop();
    await directory?.stop();
    await pipeline?.stop();
    receiver?.server.close();
  });

  it('a silent source gives one source-down alert and no inactivity storm for the groups it feeds', async () => {
    const a = await startInstance();
    await waitFor(() => (a.worker!.isLeader() ? true : undefined), 'instance A runs the detector');
    const result = (await a.worker!.tickNow())!;
    const fired = result.fired.map((f) => `${f.rule}:${f.subject}`).sort();
    expect(fired).toEqual(['group-inactive:a1', 'group-inactive:a2', 'group-inactive:a3', 'source-down:collector-b', 'unit-dark:D1']);
    const lead1Alert = result.fired.find((f) => f.subject === 'a1')!;
    expect(lead1Alert.recipients).toEqual(['lead1']);
    // A group alert names its group by the directory's title where it has one.
    expect([lead1Alert.details.title, lead1Alert.message]).toEqual(['Sanganer yuva', expect.stringMatching(/^group "Sanganer yuva" \(a1\) /)]);
    expect(result.fired.find((f) => f.subject === 'a2')!.message).toMatch(/^group a2 /);
    // The source-down alert goes to the leads of the division collector-b feeds, not only to central monitoring.
    const down = result.fired.find((f) => f.rule === 'source-down')!;
    expect([down.division, down.divisions, down.recipients, down.details.groups]).toEqual(['', ['D2'], ['lead2'], 20]);
    // The quiet-groups view shows collector-b's groups as dark (no data), sorted by silence.
    const token = await signIn('lead2', 'lead-password-for-tests');
    const quiet = (await (await api('/api/v1/alerts/quiet-groups?division=D2', { token })).json()) as { groups: { group: string; state: string }[] };
    expect(quiet.groups).toHaveLength(20);
    expect(new Set(quiet.groups.map((g) => g.state))).toEqual(new Set(['dark']));
    expect((await api('/api/v1/alerts/quiet-groups?division=D1', { token })).status).toBe(403);
    // lead2 lists the source-down alert among their division's; lead1 does not see it.
    const lead2List = (await (await api('/api/v1/alerts?division=D2&rule=source-down', { token })).json()) as { alerts: Alert[] };
    expect(lead2List.alerts.map((x) => x.subject)).toEqual(['collector-b']);
    const lead1 = await signIn('lead1', 'lead-password-for-tests');
    expect((await api(`/api/v1/alerts/${down.id}`, { token: lead1 })).status).toBe(404);
    expect(((await (await api('/api/v1/alerts?rule=source-down', { token: lead1 })).json()) as { alerts: Alert[] }).alerts).toEqual([]);
  });

  it('webhooks are signed and retried with backoff until the receiver takes them; failures are visible', async () => {
    // The receiver failed its first two requests; every one of the 5 alerts (and D1's digest) still arrives with 200.
    const ok = await waitFor(() => {
      const delivered = new Set(receiver.received.filter((r) => r.status === 200 && r.event === 'alert.fired').map((r) => r.delivery));
      return delivered.size >= 5 && receiver.received.some((r) => r.event === 'digest' && r.status === 200) ? delivered : undefined;
    }, 'all 5 alerts and the digest delivered');
    expect(ok.size).toBe(5);
    expect(receiver.received.slice(0, 2).map((r) => r.status)).toEqual([500, 500]);
    expect(receiver.received.filter((r) => r.status === 200)).toHaveLength(6);
    expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
    const failed = await waitFor(async () => {
      const rows = await createAlertRepository(pipeline.store!.client).deliveries({ failedOnly: true, limit: 10 });
      return rows.length >= 2 ? rows : undefined;
    }, 'failed attempts recorded');
    expect(failed.map((f) => f.error)).toEqual(['HTTP 500', 'HTTP 500']);
    // Backoff: the n-th retry of a delivery came at least 50 ms × 2^(n-1) after the attempt before it
    // (deliveries of different partitions run side by side, so the two failures may hit one or two).
    const retried = [...new Set(receiver.received.slice(0, 2).map((r) => r.delivery))];
    for (const delivery of retried) {
      const attempts = receiver.received.filter((r) => r.delivery === delivery);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < attempts.length; i++) expect(attempts[i]!.receivedAt - attempts[i - 1]!.receivedAt).toBeGreaterThanOrEqual(50 * 2 ** (i - 1));
    }
    // Failures are visible in the API (admins and monitors) and in the metrics.
    const admin = await signIn('admin', ADMIN_PASSWORD);
    const listed = (await (await api('/api/v1/alerts/deliveries?failed=true', { token: admin })).json()) as { deliveries: { ok: boolean; status: number; attempt: number; target: string }[] };
    // The same two failures the receiver answered, each with its attempt number.
    const answered500 = receiver.received.flatMap((r, i) => (r.status === 500 ? [[false, 500, receiver.received.slice(0, i + 1).filter((x) => x.delivery === r.delivery).length]] : []));
    expect(answered500).toHaveLength(2);
    expect(listed.deliveries.map((d) => [d.ok, d.status, d.attempt]).sort()).toEqual(answered500.sort());
    expect(listed.deliveries.every((d) => d.target === receiver.url)).toBe(true);
    const lead = await signIn('lead1', 'lead-password-for-tests');
    expect((await api('/api/v1/alerts/deliveries?failed=true', { token: lead })).status).toBe(403);
    const metrics = await waitFor(async () => {
      const text = await (await fetch(`${pipeline.url}/metrics`)).text();
      return /^alerts_webhook_attempts_total\{result="ok"\} 6$/m.test(text) ? text : undefined;
    }, 'six successful attempts counted');
    expect(metrics).toMatch(/^alerts_webhook_attempts_total\{result="failed"\} 2$/m);
  });

  it('two instances on the broker, a rebalance in the middle: open alerts neither lost nor fired again', async () => {
    const [a] = instances;
    const b = await startInstance();
    const leaders = await waitFor(() => {
      const count = [a!, b].filter((i) => i.worker!.isLeader()).length;
      return count === 1 ? count : undefined;
    }, 'exactly one runner after B joined', 60_000);
    expect(leaders).toBe(1);
    clock = N + 5 * 60_000;
    const afterJoin = await Promise.all([a!.worker!.tickNow(), b.worker!.tickNow()]);
    expect(afterJoin.filter(Boolean)).toHaveLength(1);
    expect(afterJoin.flatMap((r) => r?.fired ?? [])).toEqual([]);
    // The runner leaves; the other instance takes partition 0 and continues from the store.
    const runner = a!.worker!.isLeader() ? a! : b;
    const other = runner === b ? a! : b;
    await runner.stop();
    instances.splice(instances.indexOf(runner), 1);
    await waitFor(() => (other.worker!.isLeader() ? true : undefined), 'the other instance runs the detector', 60_000);
    const afterLeave = (await other.worker!.tickNow())!;
    expect(afterLeave.fired).toEqual([]);
    expect((await openAlerts()).map((o) => `${o.rule}:${o.subject}`).sort()).toEqual([
      'group-inactive:a1', 'group-inactive:a2', 'group-inactive:a3', 'source-down:collector-b', 'unit-dark:D1',
    ]);
  });

  it('a processor restart rebuilds from the store and does not re-fire', async () => {
    for (const i of instances.splice(0)) await i.stop();
    const c = await startInstance();
    await waitFor(() => (c.worker!.isLeader() ? true : undefined), 'restarted instance runs the detector', 60_000);
    clock = N + 6 * 60_000;
    expect((await c.worker!.tickNow())!.fired).toEqual([]);
  });

  it('acknowledge records who and when; new activity resolves by itself', async () => {
    const token = await signIn('lead1', 'lead-password-for-tests');
    const a1 = (await openAlerts()).find((o) => o.subject === 'a1')!;
    const acked = await api(`/api/v1/alerts/${a1.id}/acknowledge`, { method: 'POST', token });
    expect(acked.status).toBe(200);
    const listed = (await (await api('/api/v1/alerts?state=acknowledged', { token })).json()) as { alerts: Alert[] };
    expect(listed.alerts.map((x) => [x.subject, x.acknowledgedBy])).toEqual([['a1', 'lead1']]);

    // a1 speaks again; b1 is now fed by the live collector-a but has been silent 49 h: it alerts in D2.
    await produce([message('a1', 'a1-2', 'collector-a', N + 10 * 60_000, N + 10 * 60_000), message('b1', 'b1-2', 'collector-a', N - 49 * HOUR, N + 10 * 60_000)]);
    // Waited for in the tables the detector reads: on a ClickHouse server the raw rows show before the
    // views' rows of the same insert do.
    await waitFor(async () => {
      const r = await pipeline.store!.client.query({
        query: `SELECT (SELECT toUnixTimestamp64Milli(max(last_at)) FROM group_last_message WHERE group_id = 'a1') AS a1,
                       (SELECT argMax(source, at) FROM group_source WHERE group_id = 'b1') AS b1`,
        format: 'JSONEachRow',
      });
      const row = (await r.json<{ a1: string; b1: string }>())[0]!;
      return Number(row.a1) === N + 10 * 60_000 && row.b1 === 'collector-a' ? true : undefined;
    }, 'new events stored, down to the views the detector reads');
    clock = N + 11 * 60_000;
    const c = instances[0]!;
    const result = (await c.worker!.tickNow())!;
    expect(result.resolved.map((r) => `${r.rule}:${r.subject}`).sort()).toEqual(['group-inactive:a1', 'unit-dark:D1']);
    expect(result.fired.map((r) => `${r.rule}:${r.subject}`)).toEqual(['group-inactive:b1']);
    const resolved = (await (await api(`/api/v1/alerts/${a1.id}`, { token })).json()) as { alert: Alert };
    expect(resolved.alert.state).toBe('resolved');
    expect(resolved.alert.acknowledgedBy).toBe('lead1');
    expect(resolved.alert.resolvedAt).toBe(clock);
  });

  it('a lead receives only their own division\'s alerts over Socket.io', async () => {
    await waitFor(() => (seen.get('lead2')!.length >= 2 && seen.get('lead1')!.some((s) => s.change === 'resolved') ? true : undefined), 'socket alerts arrived');
    const lead1 = seen.get('lead1')!;
    const lead2 = seen.get('lead2')!;
    expect(new Set(lead1.map((s) => s.audience))).toEqual(new Set(['D1']));
    expect(new Set(lead2.map((s) => s.audience))).toEqual(new Set(['D2']));
    expect(lead1.filter((s) => s.change === 'fired')).toHaveLength(4);
    // lead2: the source-down alert of the collector feeding D2, then b1 going quiet — nothing of D1.
    expect(lead2).toEqual([
      { audience: 'D2', rule: 'source-down', subject: 'collector-b', change: 'fired' },
      { audience: 'D2', rule: 'group-inactive', subject: 'b1', change: 'fired' },
    ]);
  });
});
