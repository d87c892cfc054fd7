/**
 * The live socket's own clock, on the real engine, the local bus and the real sign-in: at the board's
 * midnight the counts start the new day at the next flush (the resync here is an hour away), the deltas
 * it had to drop are counted by outcome, and a re-read that keeps failing is the socket's problem (the
 * api's /readyz) until one goes through.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createAccessControl } from '../../access/access-control.ts';
import { createLocalBus } from '../../common/bus/local-bus.ts';
import type { Bus } from '../../common/bus/bus.ts';
import { loadConfig } from '../../common/config.ts';
import { SOCKET_EVENTS, type CountsDelta, type CountsSnapshot, type LiveDelta } from '../../common/live.ts';
import { createMetrics } from '../../common/metrics.ts';
import { migrate } from '../../common/store/migrate.ts';
import type { Store } from '../../common/store/store.ts';
import { openTestStore } from '../../test/support/store.ts';
import { waitFor } from '../../test/support/pipeline.ts';
import { createLiveServer, startLiveSocket, type LiveSocket } from './live-socket.ts';

const TIME_ZONE = 'Asia/Kolkata';
const TOPIC = 'live';
const HOUR = 3_600_000;

describe('the live socket at midnight and when its re-reads fail', () => {
  let store: Store;
  let bus: Bus;
  let http: HttpServer;
  let live: LiveSocket;
  let socket: Socket;
  const metrics = createMetrics();
  // 23:59:50 on 7 Dec in the board's zone; the test moves it on.
  let clock = Date.parse('2026-12-07T18:29:50Z');
  const snapshots: CountsSnapshot[] = [];
  const deltas: CountsDelta[] = [];
  let offset = 0;
  /** What the socket logged at warn and above. */
  const warnings: string[] = [];

  const send = (day: string, messages: number) => {
    offset += 1;
    const delta: LiveDelta = { batch: { partition: 99, nextOffset: String(offset) }, oldestReceivedAt: clock, days: [{ day, rows: [{ division: 'jaipur', category: 'booth', messages, media: 0, forwarded: 0, joins: 0, leaves: 0 }] }] };
    return bus.produce(TOPIC, [{ key: 'delta', value: JSON.stringify(delta) }]);
  };
  const outcomes = async () => Object.fromEntries((await metrics.liveDeltas.get()).values.map((v) => [v.labels.outcome, v.value]));

  beforeAll(async () => {
    store = await openTestStore('grouppulse-live-socket-');
    await migrate(store.client);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'grouppulse-live-socket-'));
    const config = loadConfig({ DATA_DIR: dataDir, PSEUDONYM_KEY: '00112233445566778899aabbccddeeff' });
    const logger = pino({ level: 'warn' }, new Writable({ write: (line, _encoding, done) => done(void warnings.push(String(line))) }));
    const access = await createAccessControl(config, store.client, logger);
    await access.userAdmin.create({ username: 'monitor1', password: 'a-long-enough-password', roles: ['monitor'], units: [] });
    const signedIn = await access.auth.signIn('monitor1', 'a-long-enough-password');
    if (!signedIn.ok) throw new Error(signedIn.error);

    bus = createLocalBus({ dir: path.join(dataDir, 'bus'), partitions: 1, maxPendingPerPartition: 10_000, maxBatchRecords: 1000, sync: false, retryDelayMs: 50 });
    await bus.ensureTopics([TOPIC]);
    http = createServer();
    const io = createLiveServer(http, undefined);
    live = await startLiveSocket({
      io, bus, client: store.client, liveTopic: TOPIC, groupIdPrefix: 'test-', timeZone: TIME_ZONE,
      intervalMs: 50, resyncMs: HOUR, logger, metrics, authenticate: access.auth.authenticate, now: () => clock,
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    socket = connectSocket(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], auth: { token: signedIn.issued.token }, reconnection: false });
    socket.on(SOCKET_EVENTS.snapshot, (snapshot: CountsSnapshot) => snapshots.push(snapshot));
    socket.on(SOCKET_EVENTS.delta, (delta: CountsDelta) => deltas.push(delta));
    await waitFor(() => (snapshots.length > 0 ? true : undefined), 'the first snapshot');
  });
  afterAll(async () => {
    socket?.close();
    await live?.stop();
    http?.close();
    await bus?.close();
    await store?.close();
  });

  it('starts the new day at the next flush, not at the next resync', async () => {
    expect(snapshots.at(-1)!.day).toBe('2026-12-07');
    // Before midnight a delta of the next day has no place on the board: dropped, and counted as such.
    await send('2026-12-08', 4);
    await waitFor(async () => ((await outcomes())['other-day'] === 1 ? true : undefined), 'the other-day delta counted');

    clock = Date.parse('2026-12-07T18:30:05Z'); // 00:00:05 on 8 Dec
    const turned = await waitFor(() => snapshots.find((s) => s.day === '2026-12-08'), "the new day's snapshot");
    expect(turned.rows).toEqual([]);
    await send('2026-12-08', 3);
    const delta = await waitFor(() => deltas.find((d) => d.day === '2026-12-08'), "the new day's delta");
    expect(delta.rows).toMatchObject([{ division: 'jaipur', category: 'booth', messages: 3 }]);
    expect((await outcomes()).counted).toBe(1);
    expect(live.problem()).toBeUndefined();
  });

  it('says so when the counts cannot be re-read for three resyncs, and clears once they are', async () => {
    await store.client.command({ query: 'DETACH TABLE rollup_minute' });
    try {
      clock = Date.parse('2026-12-08T18:30:05Z'); // the next midnight: the re-read is due and fails
      await waitFor(() => (warnings.some((line) => line.includes('live snapshot resync failed')) ? true : undefined), 'the failed re-read logged');
      expect(live.problem()).toBeUndefined(); // failing for less than three resyncs is not a stall yet
      clock += 3 * HOUR;
      expect(live.problem()).toMatch(/^the live counts have not been re-read for 10800 s \(.+; details in the log\)$/s);
    } finally {
      await store.client.command({ query: 'ATTACH TABLE rollup_minute' });
    }
    await waitFor(() => (live.problem() === undefined ? true : undefined), 'the problem cleared');
    await waitFor(() => snapshots.find((s) => s.day === '2026-12-09'), 'the day after, once read');
  });
});
