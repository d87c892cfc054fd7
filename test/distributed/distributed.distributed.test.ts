/**
 * The distributed deployment as docker-compose runs it, for real: two ingest, three processor and two
 * api processes (the real command line), started at the same moment, on a Kafka broker and a ClickHouse
 * server of this file's own. One deployment serves every scenario, in order; each scenario's events have
 * groups (and, where the rollups have no group, days or minutes) of their own, and each ends with every
 * table and both api instances counting exactly what ingest acknowledged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOCKET_EVENTS, type CountsDelta, type CountsSnapshot } from '../../common/live.ts';
import { STALL_EXIT_CODE } from '../../runtime/stall-exit.ts';
import { adminToken, signIn } from '../support/auth.ts';
import { expectedOf, makeEvents, type TestEvent } from '../support/events.ts';
import type { SendStats } from '../support/reliable-sender.ts';
import { waitFor } from '../support/wait.ts';
import { metric } from '../support/metrics-text.ts';
import { expectExactly, readiness, sendThroughBoth } from './checks.ts';
import { IMPORT_TOKEN, PARTITIONS, runCommand, SOURCE_TOKEN, startDeployment, type Deployment, type Instance } from './deployment.ts';

const HOUR = 3_600_000;
/** A day of its own for a scenario's events (UTC), so the per-minute and per-day rollups are its alone. */
const dayRange = (day: string) => ({ from: `${day}T00:00:00.000Z`, to: new Date(Date.parse(`${day}T00:00:00Z`) + 24 * HOUR).toISOString(), wholeDays: true });
/** The groups of a scenario: `wa:<prefix>-g<n>` (makeEvents). */
const groupsOf = (prefix: string) => `wa:${prefix}-`;

/** Events of makeEvents moved to `at(i)`. */
function eventsAt(events: TestEvent[], at: (i: number) => number): TestEvent[] {
  return events.map((e, i) => ({ ...e, at: new Date(at(i)).toISOString() }));
}

async function post(url: string, events: object[]): Promise<{ status: number; body: { accepted: number; rejected: unknown[] } }> {
  const response = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${SOURCE_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
  return { status: response.status, body: (await response.json()) as { accepted: number; rejected: unknown[] } };
}

async function importDirectory(apiUrl: string, kind: 'units' | 'groups', rows: object[]): Promise<void> {
  const response = await fetch(`${apiUrl}/api/v1/directory/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${IMPORT_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ [kind]: rows }) });
  if (response.status !== 200) throw new Error(`importing ${kind} answered ${response.status}: ${await response.text()}`);
}

/** Wait until `instance` has written at least one more record than it had (it holds partitions and works). */
async function writing(instance: Instance): Promise<void> {
  const before = await metric(instance.url, 'processor_records_total', 'outcome="written"');
  await waitFor(async () => ((await metric(instance.url, 'processor_records_total', 'outcome="written"')) > before ? true : undefined), `${instance.name} writing`, 90_000);
}

/** Today's messages on the board's socket of one api instance: the snapshot at connect, and what deltas added since. */
async function liveCounts(api: Instance): Promise<{ snapshot: number; deltas: number; day: string }> {
  const socket = connectSocket(api.url, { auth: { token: await adminToken(api.url) }, transports: ['websocket'] });
  sockets.push(socket);
  const seen = { snapshot: -1, deltas: 0, day: '' };
  socket.on(SOCKET_EVENTS.snapshot, (s: CountsSnapshot) => {
    seen.day = s.day;
    seen.snapshot = s.rows.reduce((n, r) => n + r.messages, 0);
  });
  socket.on(SOCKET_EVENTS.delta, (delta: CountsDelta) => {
    if (delta.day === seen.day) seen.deltas += delta.rows.reduce((n, r) => n + r.messages, 0);
  });
  await waitFor(() => (seen.snapshot >= 0 ? true : undefined), `${api.name}'s snapshot`);
  return seen;
}

/**
 * rollup_minute has no group: a scenario's events of "now" need minutes no other scenario wrote into. The
 * last minute written at "now" (the board's live day), so the next such scenario starts after it.
 */
let lastMinuteWritten = 0;
const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000;
function markWritten(at: number): void {
  lastMinuteWritten = Math.max(lastMinuteWritten, minuteOf(at));
}

/**
 * Events of now, in a minute of their own (waiting for the next minute when an earlier scenario wrote into
 * this one); so never before the board's midnight (its zone is far from midnight: deployment.ts), the live counts' day. With
 * the window of them, minute-aligned, up to two minutes ahead (the check may run in a later minute).
 */
async function eventsOfNow(count: number, prefix: string, groups: number): Promise<{ events: TestEvent[]; window: { from: string; to: string; groupPrefix: string } }> {
  const from = await waitFor(() => (minuteOf(Date.now()) > lastMinuteWritten ? minuteOf(Date.now()) : undefined), 'a minute no scenario wrote into', 61_000);
  const now = Date.now();
  markWritten(now);
  const events = eventsAt(makeEvents(count, prefix, groups), (i) => from + (i % Math.max(1, now - from)));
  return { events, window: { from: new Date(from).toISOString(), to: new Date(minuteOf(now) + 3 * 60_000).toISOString(), groupPrefix: groupsOf(prefix) } };
}

/** Each socket's deltas add up to `messages`, exactly (waited for, then compared). */
async function expectLiveDeltas(live: { deltas: number; day: string }[], messages: number): Promise<void> {
  await waitFor(() => (live.every((seen) => seen.deltas >= messages) ? true : undefined), `every socket's deltas adding up to ${messages}`).catch(() => undefined);
  expect(live.map((seen) => seen.deltas), `messages in live deltas per socket (their live days: ${live.map((seen) => seen.day).join(', ')})`).toEqual(live.map(() => messages));
}

/** Sockets the scenarios opened, closed at the end. */
const sockets: Socket[] = [];

describe('distributed deployment: 2 ingest + 3 processors + 2 api processes on Kafka and a ClickHouse server', () => {
  let d: Deployment;

  beforeAll(async () => {
    // The third processor gives up on a stall (STALL_EXIT_SECONDS) and runs under a supervisor, as compose runs them.
    d = await startDeployment({ processors: 3, processorEnv: { 2: { STALL_EXIT_SECONDS: '15' } } });
  }, 180_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await d?.stop();
  }, 120_000);

  /** On failure, what the services said. */
  const withOutputs = async (work: () => Promise<void>) =>
    work().catch((error: Error) => {
      throw new Error(`${error.message}\n${d.outputs()}`, { cause: error });
    });

  it('seven services started at the same moment come up on one schema, migrated once', () =>
    withOutputs(async () => {
      await Promise.all(d.all.map((s) => s.spawn()));
      await Promise.all(d.all.map((s) => s.current.waitReady(150_000)));
      d.processors[2]!.supervised = true;
      const result = await d.client.query({ query: 'SELECT version, count() AS n FROM schema_migrations GROUP BY version ORDER BY version', format: 'JSONEachRow' });
      const recorded = await result.json<{ version: string; n: string }>();
      expect(recorded.length).toBeGreaterThan(10);
      expect(recorded.filter((r) => Number(r.n) !== 1), 'migrations recorded more than once').toEqual([]);
      const views = await d.client.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView' ORDER BY name", format: 'JSONEachRow' });
      expect((await views.json<{ name: string }>()).map((v) => v.name)).toContain('rollup_minute_mv');
    }), 200_000);

  it('`grouppulse migrate` (compose runs it before the services) finds the schema up to date; no process has the embedded engine', () =>
    withOutputs(async () => {
      const migrated = await runCommand(['migrate'], d.env);
      expect(migrated, migrated.output).toEqual({ code: 0, output: expect.stringContaining('the schema of') });
      expect(migrated.output).toContain('is up to date');
      // The processes run as the image has them: asked for the embedded engine, they find none.
      const embedded = await runCommand(['migrate'], { ...d.env, CLICKHOUSE_URL: '', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'grouppulse-no-engine-')) });
      expect(embedded.code, embedded.output).toBe(1);
      expect(embedded.output).toContain('the embedded ClickHouse engine (npm package chdb) is not installed here');
    }), 120_000);

  it('load through both ingests with copies across them counts once, in ClickHouse and live on sockets of both api instances', () =>
    withOutputs(async () => {
      // Live counts are for the board's day: events of the last minute.
      const prefix = 'dup';
      const { events, window } = await eventsOfNow(4000, prefix, 40);
      const live = await Promise.all(d.apis.map(liveCounts));
      expect(live.map((l) => l.snapshot)).toEqual([0, 0]);

      // Every event through one ingest, and a third of them again through the other, at the same time.
      const copies = events.filter((_, i) => i % 3 === 0);
      const [first, second] = await Promise.all([
        sendThroughBoth(d, events, { batchSize: 100 }),
        sendThroughBoth({ ...d, ingests: [...d.ingests].reverse() }, copies, { batchSize: 100 }),
      ]);
      expect(first.acknowledged + second.acknowledged).toBe(events.length + copies.length);

      await expectExactly(d, events, window);
      // Only deltas can bring a socket's count there (no resync snapshot in the deployment's hour).
      await expectLiveDeltas(live, expectedOf(events).messages);
    }), 240_000);

  it('a single request of 10,000 events with WhatsApp-length ids', () =>
    withOutputs(async () => {
      const prefix = 'wamid.HBgMOTE5ODEyMzQ1Njc4FQIAEhgUM0FCRTQ4RjE3QzVFNjJBNkYyMDEA';
      const day = '2026-11-02';
      const events = makeEvents(10_000, prefix, 500, day);
      const answer = await post(d.ingests[0]!.url, events);
      expect(answer).toEqual({ status: 202, body: { accepted: 10_000, rejected: [] } });
      await expectExactly(d, events, { ...dayRange(day), groupPrefix: groupsOf(prefix) });
    }), 240_000);

  it('the analysts\' read-only ClickHouse user answers through every api instance', () =>
    withOutputs(async () => {
      const admin = await adminToken(d.apis[0]!.url);
      const created = await fetch(`${d.apis[0]!.url}/api/v1/admin/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ana', password: 'analyst-password-long', roles: ['analyst'] }),
      });
      expect(created.status).toBe(201);
      for (const api of d.apis) {
        // Signed in on each instance: the users live in ClickHouse, the tokens' key is shared.
        const { token } = await signIn(api.url, 'ana', 'analyst-password-long');
        const sql = async (query: string) => {
          const response = await fetch(`${api.url}/api/v1/sql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          return { status: response.status, body: (await response.json()) as { rows?: Record<string, unknown>[]; error?: string } };
        };
        expect((await sql('SELECT currentUser() AS user')).body.rows, api.name).toEqual([{ user: 'grouppulse_readonly' }]);
        expect((await sql("SELECT count() AS n FROM events WHERE toDate(at) = '2026-11-02'")).body.rows, api.name).toEqual([{ n: '10000' }]);
        expect((await sql("SELECT sum(messages) AS n FROM rollup_day WHERE day = '2026-11-02'")).body.rows, api.name).toEqual([{ n: String(expectedOf(makeEvents(10_000, 'x', 500)).messages) }]);
        expect([400, 403], api.name).toContain((await sql("INSERT INTO events (event_id) VALUES ('x')")).status);
        expect((await sql('SELECT count() FROM users')).status, api.name).toBe(403);
      }
    }), 120_000);

  it('alerts: one detector across the processors, each alert fired once, on the sockets of both api instances', () =>
    withOutputs(async () => {
      const fired = await Promise.all(d.apis.map(async (api) => {
        const socket = connectSocket(api.url, { auth: { token: await adminToken(api.url) }, transports: ['websocket'] });
        sockets.push(socket);
        const ids: string[] = [];
        socket.on(SOCKET_EVENTS.alertFired, (payload: { alert: { id: string } }) => ids.push(payload.alert.id));
        await waitFor(() => (socket.connected ? true : undefined), `a socket on ${api.name}`);
        return ids;
      }));
      const connectedAt = Date.now();
      await importDirectory(d.apis[0]!.url, 'units', [
        { id: 'S', name: 'State', level: 'state', parent: '' },
        { id: 'D3', name: 'Quiet division', level: 'division', parent: 'S' },
        { id: 'B3', name: 'Quiet booth', level: 'booth', parent: 'D3' },
      ]);
      const quiet = ['q0', 'q1', 'q2', 'q3'].map((g) => `wa:quiet-${g}`);
      await importDirectory(d.apis[0]!.url, 'groups', quiet.map((id) => ({ id, unit: 'B3', category: 'booth-voters' })));
      // Their last messages 50 h ago: past the 48 h a booth-voters group may be silent.
      const old = Date.now() - 50 * HOUR;
      expect((await post(d.ingests[1]!.url, quiet.map((group, i) => ({ type: 'message', id: `quiet-${i}`, group, at: new Date(old).toISOString(), sender: '919800000001', kind: 'text' })))).status).toBe(202);
      const openFor = async (subject: string) => {
        const result = await d.client.query({ query: "SELECT state FROM alerts FINAL WHERE rule = 'group-inactive' AND subject = {subject:String}", query_params: { subject }, format: 'JSONEachRow' });
        return (await result.json<{ state: string }>())[0]?.state;
      };
      await waitFor(async () => ((await Promise.all(quiet.map(openFor))).every((s) => s === 'firing') ? true : undefined), 'group-inactive alerts for the four quiet groups', 60_000);
      // A message now resolves q0's alert: once that is seen, the detector has run again after it fired them.
      const now = Date.now();
      markWritten(now);
      expect((await post(d.ingests[0]!.url, [{ type: 'message', id: 'quiet-now', group: quiet[0], at: new Date(now).toISOString(), sender: '919800000001', kind: 'text' }])).status).toBe(202);
      await waitFor(async () => ((await openFor(quiet[0]!)) === 'resolved' ? true : undefined), 'q0\'s alert resolved', 60_000);

      const leaders = await Promise.all(d.processors.map((p) => metric(p.url, 'alerts_detector_leader')));
      expect(leaders.reduce((a, b) => a + b, 0), `detector runners (per processor: ${leaders.join(', ')})`).toBe(1);
      // Every alert in the store was published once, by one processor (none restarted yet: the counters
      // cover the deployment's life); each that fired since the sockets connected reached both, once.
      const stored = async () => (await (await d.client.query({ query: 'SELECT alert_id AS id, min(toUnixTimestamp64Milli(fired_at)) AS at FROM alerts GROUP BY alert_id', format: 'JSONEachRow' })).json<{ id: string; at: string }>()).map((r) => ({ id: r.id, at: Number(r.at) }));
      const published = async () => Promise.all(d.processors.map((p) => metric(p.url, 'alerts_changes_total', 'change="fired"')));
      await waitFor(async () => {
        const all = await stored();
        const since = all.filter((a) => a.at >= connectedAt).map((a) => a.id);
        const onSockets = fired.every((ids) => since.every((id) => ids.includes(id)) && ids.every((id) => all.some((a) => a.id === id)));
        return since.length >= 4 && (await published()).reduce((a, b) => a + b, 0) === all.length && onSockets ? true : undefined;
      }, 'alerts published = alerts stored, and those fired since on each socket', 30_000).catch(async (error: Error) => {
        const rows = await (await d.client.query({ query: 'SELECT alert_id, rule, subject, state, fired_at, version FROM alerts ORDER BY alert_id, version', format: 'JSONEachRow' })).json();
        throw new Error(`${error.message}: published per processor ${(await published()).join(', ')}; on the sockets ${fired.map((ids) => ids.join(' ')).join(' | ')}; stored ${JSON.stringify(rows)}`);
      });
      for (const ids of fired) expect(new Set(ids).size, 'an alert fired twice on a socket').toBe(ids.length);
    }), 180_000);

  it('directory changes reach every processor', () =>
    withOutputs(async () => {
      const api = d.apis[1]!.url;
      const versionNow = async () => Number((await (await d.client.query({ query: 'SELECT max(version) AS v FROM directory_version', format: 'JSONEachRow' })).json<{ v: string }>())[0]!.v);
      const everyProcessorHas = async (what: string) => {
        const version = await versionNow();
        await waitFor(async () => ((await Promise.all(d.processors.map((p) => metric(p.url, 'directory_version')))).every((v) => v >= version) ? true : undefined), `every processor on directory version ${version} (${what})`, 30_000);
      };
      const prefix = 'dir';
      const groups = Array.from({ length: 24 }, (_, i) => `wa:${prefix}-g${i}`);
      await importDirectory(api, 'units', [
        { id: 'S', name: 'State', level: 'state', parent: '' },
        { id: 'D1', name: 'Jaipur', level: 'division', parent: 'S' },
        { id: 'D2', name: 'Ajmer', level: 'division', parent: 'S' },
        { id: 'B1', name: 'Booth 1', level: 'booth', parent: 'D1' },
        { id: 'B2', name: 'Booth 2', level: 'booth', parent: 'D2' },
      ]);
      await importDirectory(api, 'groups', groups.map((id) => ({ id, unit: 'B1', category: 'booth-voters' })));
      await everyProcessorHas('groups in Jaipur');

      // An hour ago (no alert), 24 groups: every partition, so every processor places some. A minute each phase.
      const base = Math.floor((Date.now() - HOUR) / 60_000) * 60_000;
      const minute = (n: number) => ({ from: new Date(base + n * 60_000).toISOString(), to: new Date(base + (n + 1) * 60_000).toISOString(), groupPrefix: groupsOf(prefix) });
      const before = eventsAt(makeEvents(1200, prefix, 24), (i) => base + (i % 600) * 100);
      expect((await sendThroughBoth(d, before)).acknowledged).toBe(before.length);
      await expectExactly(d, before, { ...minute(0), division: 'D1' });
      const partitions = await d.client.query({ query: 'SELECT uniqExact(batch_partition) AS n FROM events WHERE startsWith(group_id, {p:String})', query_params: { p: groupsOf(prefix) }, format: 'JSONEachRow' });
      expect(Number((await partitions.json<{ n: string }>())[0]!.n), 'partitions the groups fell on').toBe(PARTITIONS);

      // Every group moves to Ajmer: the next events of every partition must land there, the first stay in Jaipur.
      await importDirectory(api, 'groups', groups.map((id) => ({ id, unit: 'B2', category: 'booth-voters' })));
      await everyProcessorHas('groups moved to Ajmer');
      const after = eventsAt(makeEvents(1200, `${prefix}2`, 24), (i) => base + 60_000 + (i % 600) * 100).map((e) => ({ ...e, group: e.group.replace(`${prefix}2-`, `${prefix}-`) }));
      expect((await sendThroughBoth(d, after)).acknowledged).toBe(after.length);
      await expectExactly(d, after, { ...minute(1), division: 'D2' });
      await expectExactly(d, before, { ...minute(0), division: 'D1' });
    }), 180_000);

  /**
   * `count` events on `day` sent through both ingests while `fault` runs (once `faultAfter` are sent); then
   * every service ready again and the counts exact. Returns what the sender saw.
   */
  async function underLoad(day: string, count: number, options: { pauseMs: number; faultAfter: number }, fault: () => Promise<void>): Promise<SendStats> {
    const prefix = `load${day.replaceAll('-', '')}`;
    const events = makeEvents(count, prefix, count / 100, day);
    let sent = 0;
    const sending = sendThroughBoth(d, events, { pauseMs: options.pauseMs, onProgress: (n) => (sent = n) });
    await waitFor(() => (sent >= options.faultAfter ? true : undefined), `${options.faultAfter} events sent`, 60_000);
    await fault();
    const stats = await sending;
    expect(stats.acknowledged).toBe(events.length);
    await Promise.all(d.all.map((s) => s.settled()));
    await expectExactly(d, events, { ...dayRange(day), groupPrefix: groupsOf(prefix) });
    return stats;
  }

  it('processors killed with SIGKILL mid-stream, three times', () =>
    withOutputs(async () => {
      await underLoad('2026-11-03', 6000, { pauseMs: 200, faultAfter: 0 }, async () => {
        for (const victim of [d.processors[0]!, d.processors[1]!, d.processors[0]!]) {
          await writing(victim);
          expect(await victim.kill('SIGKILL')).toBe('SIGKILL');
          await victim.start();
        }
      });
    }), 300_000);

  it('ClickHouse killed with SIGKILL mid-stream and started again', () =>
    withOutputs(async () => {
      await underLoad('2026-11-04', 5000, { pauseMs: 150, faultAfter: 1500 }, async () => {
        d.clickhouse.signal('SIGKILL');
        await waitFor(async () => ((await readiness(d.apis[0]!.url))?.status === 503 ? true : undefined), 'the api not ready without ClickHouse', 30_000);
        await d.clickhouse.start();
      });
    }), 300_000);

  it('ClickHouse paused (SIGSTOP) for 45 s mid-stream: readiness shows the stall, a processor that gives up is restarted, counts exact', () =>
    withOutputs(async () => {
      await underLoad('2026-11-05', 6000, { pauseMs: 400, faultAfter: 1000 }, async () => {
        const quitter = d.processors[2]!;
        const exitsBefore = quitter.exits.length;
        d.clickhouse.signal('SIGSTOP');
        const stoppedAt = Date.now();
        try {
          // Records wait, nothing moves: each processor says so on /readyz.
          for (const p of d.processors.slice(0, 2)) {
            await waitFor(async () => {
              const answer = await readiness(p.url);
              return answer?.status === 503 && answer.checks.processor !== 'ok' ? answer : undefined;
            }, `${p.name}'s /readyz naming the stall`, 40_000);
          }
          await waitFor(() => (quitter.exits.length > exitsBefore ? true : undefined), `${quitter.name} exiting on the stall`, 42_000);
          expect(quitter.exits.at(-1)).toBe(STALL_EXIT_CODE);
        } finally {
          // The fault lasts 45 s whatever the checks above took.
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, 45_000 - (Date.now() - stoppedAt))));
          d.clickhouse.signal('SIGCONT');
        }
      });
      // Ready again once the group has settled (the restarted processor rejoins, a rebalance follows) and the
      // next lag reading (every 2.5 s here) sees the partitions moving: soon, not at once.
      for (const p of d.processors) {
        let last: Awaited<ReturnType<typeof readiness>>;
        await waitFor(async () => ((last = await readiness(p.url))?.status === 200 ? true : undefined), `${p.name} ready again`, 30_000).catch((error: Error) => {
          throw new Error(`${error.message}; its last /readyz: ${JSON.stringify(last)}`);
        });
      }
    }), 300_000);

  it('the broker stopped and started again mid-stream: ingest answers 503 meanwhile, counts exact', () =>
    withOutputs(async () => {
      const stats = await underLoad('2026-11-06', 5000, { pauseMs: 100, faultAfter: 1500 }, async () => {
        await d.kafka.stop();
        const refused = await post(d.ingests[0]!.url, [{ type: 'message', id: 'while-down', group: 'wa:probe', at: '2026-11-07T00:00:00Z', sender: 'x', kind: 'text' }]);
        expect(refused.status).toBe(503);
        await d.kafka.start();
      });
      expect(stats.unavailable).toBeGreaterThan(0);
    }), 300_000);

  it('after the faults: live deltas still reach both api instances, one processor runs the detector', () =>
    withOutputs(async () => {
      const live = await Promise.all(d.apis.map(liveCounts));
      const prefix = 'after';
      const { events, window } = await eventsOfNow(2000, prefix, 20);
      expect((await sendThroughBoth(d, events, { batchSize: 100 })).acknowledged).toBe(events.length);
      await expectExactly(d, events, window);
      await expectLiveDeltas(live, expectedOf(events).messages);
      await waitFor(async () => ((await Promise.all(d.processors.map((p) => metric(p.url, 'alerts_detector_leader')))).reduce((a, b) => a + b, 0) === 1 ? true : undefined), 'exactly one detector runner', 60_000);
    }), 180_000);
});
