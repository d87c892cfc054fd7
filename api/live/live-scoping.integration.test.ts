/**
 * Live socket scoping on the real Kafka broker: two leads of different divisions and a central
 * monitor connected at once. Deltas are put on the live topic as the processor would; each lead
 * must receive only its own division's rows, in deltas and in snapshots, and never another's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { SOCKET_EVENTS, type CountsDelta, type CountsSnapshot, type LiveDelta } from '../../common/live.ts';
import { TOPICS, topicName } from '../../common/topics.ts';
import { startTestPipeline, waitFor, TEST_TOKEN, type TestPipeline } from '../../test/support/pipeline.ts';
import { adminToken, signIn } from '../../test/support/auth.ts';
import { dayOf } from '../../common/time.ts';

const PASSWORD = 'a-long-enough-password';

interface Watcher {
  socket: Socket;
  deltas: CountsDelta[];
  snapshots: CountsSnapshot[];
}

function watch(url: string, token: string): Promise<Watcher> {
  const socket = connectSocket(url, { transports: ['websocket'], auth: { token }, reconnection: false });
  const watcher: Watcher = { socket, deltas: [], snapshots: [] };
  socket.on(SOCKET_EVENTS.delta, (delta: CountsDelta) => watcher.deltas.push(delta));
  socket.on(SOCKET_EVENTS.snapshot, (snapshot: CountsSnapshot) => watcher.snapshots.push(snapshot));
  return new Promise((resolve, reject) => {
    socket.once(SOCKET_EVENTS.snapshot, () => resolve(watcher));
    socket.once('connect_error', reject);
  });
}

function refusal(url: string, auth: Record<string, string>): Promise<string> {
  const socket = connectSocket(url, { transports: ['websocket'], auth, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error.message);
    });
    socket.once(SOCKET_EVENTS.snapshot, () => reject(new Error('a snapshot reached a socket that should have been refused')));
  });
}

const divisionsIn = (rows: { division: string }[]) => [...new Set(rows.map((r) => r.division))].sort();
const messagesIn = (deltas: CountsDelta[], division: string) => deltas.flatMap((d) => d.rows).filter((r) => r.division === division).reduce((n, r) => n + r.messages, 0);

describe('live socket rooms', () => {
  let pipeline: TestPipeline;
  const watchers: Watcher[] = [];

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    const admin = await adminToken(pipeline.url);
    for (const [username, roles, units] of [['lead-jaipur', ['lead'], ['jaipur']], ['lead-ajmer', ['lead'], ['ajmer']], ['monitor1', ['monitor'], []]] as const) {
      const response = await fetch(`${pipeline.url}/api/v1/admin/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD, roles, units }),
      });
      expect(response.status).toBe(201);
    }
  });
  afterAll(async () => {
    for (const w of watchers) w.socket.close();
    await pipeline?.stop();
  });

  it('refuses sockets without a user token, with a source token, or a bad one', async () => {
    expect(await refusal(pipeline.url, {})).toMatch(/sign in first/);
    expect(await refusal(pipeline.url, { token: TEST_TOKEN })).toMatch(/invalid token/);
    expect(await refusal(pipeline.url, { token: 'a.b.c' })).toMatch(/invalid token/);
  });

  it('two leads connected at once each get only their division; the monitor gets both', async () => {
    const jaipur = await watch(pipeline.url, (await signIn(pipeline.url, 'lead-jaipur', PASSWORD)).token);
    const ajmer = await watch(pipeline.url, (await signIn(pipeline.url, 'lead-ajmer', PASSWORD)).token);
    const monitor = await watch(pipeline.url, (await signIn(pipeline.url, 'monitor1', PASSWORD)).token);
    watchers.push(jaipur, ajmer, monitor);

    const day = dayOf(Date.now(), pipeline.config.BOARD_TIME_ZONE);
    const row = (division: string, messages: number) => ({ division, category: 'booth', messages, media: 0, forwarded: 0, joins: 0, leaves: 0 });
    const liveTopic = topicName(pipeline.config.KAFKA_TOPIC_PREFIX, TOPICS.live);
    // Marked on a partition no processor writes, so no snapshot the api reads holds them. These deltas
    // are not in ClickHouse either, so one the api still holds unsent when a resync (every 2 s here)
    // replaces its counts is never sent as a delta: deltas keep coming until every socket has its part.
    let nextOffset = 0;
    const seenByAll = () => divisionsIn(monitor.deltas.flatMap((d) => d.rows)).length === 3 && messagesIn(jaipur.deltas, 'jaipur') > 0 && messagesIn(ajmer.deltas, 'ajmer') > 0;
    await waitFor(async () => {
      if (seenByAll()) return true;
      nextOffset += 1;
      const delta: LiveDelta = { batch: { partition: 99, nextOffset: String(nextOffset) }, oldestReceivedAt: Date.now(), days: [{ day, rows: [row('jaipur', 2), row('ajmer', 3), row('bikaner', 7)] }] };
      await pipeline.bus.produce(liveTopic, [{ key: 'delta', value: JSON.stringify(delta) }]);
      return undefined;
    }, 'the monitor sees every division and each lead its own');

    // Every flush reaches each room: once the last deltas have landed, a lead has exactly the monitor's
    // flushes that hold its division, each cut to that division (nothing lost, nothing added).
    const flushesWith = (division: string) => monitor.deltas.filter((m) => m.rows.some((r) => r.division === division));
    const sameFlushes = (lead: Watcher, division: string) => lead.deltas.map((d) => d.asOf).join() === flushesWith(division).map((m) => m.asOf).join();
    await waitFor(() => (sameFlushes(jaipur, 'jaipur') && sameFlushes(ajmer, 'ajmer') ? true : undefined), 'each lead has every flush with its division');
    expect(divisionsIn(jaipur.deltas.flatMap((d) => d.rows))).toEqual(['jaipur']);
    expect(divisionsIn(ajmer.deltas.flatMap((d) => d.rows))).toEqual(['ajmer']);
    expect(divisionsIn(monitor.deltas.flatMap((d) => d.rows))).toEqual(['ajmer', 'bikaner', 'jaipur']);
    for (const [lead, division] of [[jaipur, 'jaipur'], [ajmer, 'ajmer']] as const) {
      flushesWith(division).forEach((all, i) => expect(lead.deltas[i]!.rows).toEqual(all.rows.filter((r) => r.division === division)));
    }
  });

  it('snapshots are cut to the same scope', async () => {
    const at = Date.now();
    const event = (id: string, division: string) => ({ event_id: id, type: 'message', group_id: `g-${division}`, at, received_at: at, source: 't', person: id, kind: 'text', forwarded: false, members: null, admins: null, title: '', division, category: 'booth', unit_path: [] });
    await pipeline.store!.client.insert({ table: 'events', format: 'JSONEachRow', values: [event('s1', 'jaipur'), event('s2', 'ajmer'), event('s3', 'bikaner')] });
    const [jaipur, ajmer, monitor] = watchers as [Watcher, Watcher, Watcher];
    const fresh = (w: Watcher) => w.snapshots.find((s) => s.rows.length > 0 && Date.parse(s.asOf) > at);
    await waitFor(() => (fresh(jaipur) && fresh(ajmer) && fresh(monitor) ? true : undefined), 'a resync snapshot on every socket');
    expect(divisionsIn(fresh(jaipur)!.rows)).toEqual(['jaipur']);
    expect(divisionsIn(fresh(ajmer)!.rows)).toEqual(['ajmer']);
    expect(divisionsIn(fresh(monitor)!.rows)).toEqual(['ajmer', 'bikaner', 'jaipur']);
    // Never, at any point, did a lead receive another division.
    expect(divisionsIn(jaipur.snapshots.flatMap((s) => s.rows))).toEqual(['jaipur']);
    expect(divisionsIn(ajmer.snapshots.flatMap((s) => s.rows))).toEqual(['ajmer']);
  });

  it('drops a socket whose token was signed out (at the next resync)', async () => {
    const { token } = await signIn(pipeline.url, 'lead-jaipur', PASSWORD);
    const watcher = await watch(pipeline.url, token);
    let disconnected = false;
    watcher.socket.on('disconnect', () => (disconnected = true));
    const out = await fetch(`${pipeline.url}/api/v1/auth/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.status).toBe(204);
    await waitFor(() => (disconnected ? true : undefined), 'the signed-out socket dropped', 15_000);
    expect(await refusal(pipeline.url, { token })).toMatch(/signed out/);
  });
});
