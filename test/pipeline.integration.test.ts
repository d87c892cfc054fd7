/**
 * The whole pipeline on the real Kafka broker and the real ClickHouse engine:
 * HTTP ingest → Kafka → processor → ClickHouse → summary API and Socket.io.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { SOCKET_EVENTS, type CountsDelta, type CountsSnapshot } from '../common/live.ts';
import { adminToken, authHeaders } from './support/auth.ts';
import { expectedOf, makeEvents } from './support/events.ts';
import { startTestPipeline, waitFor, type TestPipeline } from './support/pipeline.ts';

const DAY = '2026-11-22';
const WHATSAPP_SECRET = 'whatsapp-app-secret-for-tests';

async function summary(pipeline: TestPipeline, from = `${DAY}T00:00:00Z`, to = `${DAY}T23:59:00Z`) {
  const response = await fetch(`${pipeline.url}/api/v1/summary?from=${from}&to=${to}`, { headers: await authHeaders(pipeline.url) });
  expect(response.status).toBe(200);
  return (await response.json()) as { rows: { division: string; category: string; messages: number; activeGroups: number; activeSenders: number; joins: number; leaves: number }[] };
}

async function storedCount(pipeline: TestPipeline): Promise<number> {
  const result = await pipeline.store!.client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' });
  return Number((await result.json<{ n: string }>())[0]!.n);
}

describe('pipeline on Kafka', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    pipeline = await startTestPipeline();
  });
  afterAll(() => pipeline?.stop());

  it('N events over HTTP give exactly N in ClickHouse and in the summary, duplicates counted once', async () => {
    const events = makeEvents(1000, 'n');
    const expected = expectedOf(events);
    // JSON arrays and NDJSON; a copy of the first batch resent later; a repeat inside a batch; bad events mixed in.
    for (let start = 0; start < events.length; start += 200) {
      const batch = events.slice(start, start + 200);
      const response = start % 400 === 0
        ? await pipeline.post([...batch, batch[0], { type: 'message', id: 'bad' }])
        : await pipeline.post(batch.map((e) => JSON.stringify(e)).join('\n') + '\nnot json\n', { contentType: 'application/x-ndjson' });
      expect(response.status).toBe(202);
      const body = (await response.json()) as { accepted: number; rejected: { index: number; error: string }[] };
      expect(body.rejected).toHaveLength(1);
      expect(body.rejected[0]!.index).toBe(start % 400 === 0 ? 201 : 200);
    }
    const resend = await pipeline.post(events.slice(0, 200));
    expect(await resend.json()).toEqual({ accepted: 200, rejected: [] });

    const rows = await waitFor(async () => {
      const { rows } = await summary(pipeline);
      const total = rows.reduce((n, r) => n + r.messages, 0);
      return total >= expected.messages && (await storedCount(pipeline)) >= 1000 ? rows : undefined;
    }, 'all events in ClickHouse');
    // Everything consumed: nothing more can arrive.
    await waitFor(async () => ((await pipeline.bus.lag(`${pipeline.config.KAFKA_TOPIC_PREFIX}processor`, `${pipeline.config.KAFKA_TOPIC_PREFIX}events`)).every((p) => p.lag === 0) ? true : undefined), 'lag 0');

    expect(rows).toEqual([
      {
        division: 'unassigned',
        category: 'unassigned',
        messages: expected.messages,
        activeGroups: expected.groups.size,
        activeSenders: expected.senders.size,
        joins: expected.joins,
        leaves: expected.leaves,
      },
    ]);
    expect(await storedCount(pipeline)).toBe(1000);
    const raw = await pipeline.store!.client.query({
      query: `SELECT countIf(type = 'message') AS messages, countIf(kind = 'image') AS media, countIf(forwarded) AS forwarded,
                     uniqExact(event_id) AS ids FROM events`,
      format: 'JSONEachRow',
    });
    const [stats] = await raw.json<Record<string, string>>();
    expect(Number(stats!.messages)).toBe(expected.messages);
    expect(Number(stats!.ids)).toBe(1000);
    const rollup = await pipeline.store!.client.query({ query: 'SELECT sum(media) AS media, sum(forwarded) AS forwarded FROM rollup_minute', format: 'JSONEachRow' });
    const [sums] = await rollup.json<Record<string, string>>();
    expect(Number(sums!.media)).toBe(Number(stats!.media));
    expect(Number(sums!.forwarded)).toBe(Number(stats!.forwarded));

    // A sub-minute range reads raw events: only 10:00:30 onwards of one hour.
    const partial = await summary(pipeline, `${DAY}T10:00:30Z`, `${DAY}T11:00:00Z`);
    const inRange = events.filter((e) => e.type === 'message' && e.at >= `${DAY}T10:00:30Z` && e.at < `${DAY}T11:00:00Z`).length;
    expect(partial.rows[0]?.messages ?? 0).toBe(inRange);
  });

  it('sends records it cannot decode to the dead-letter topic and keeps going', async () => {
    const kafka = new Kafka({ brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const prefix = pipeline.config.KAFKA_TOPIC_PREFIX;
    await producer.send({ topic: `${prefix}events`, messages: [{ key: 'g', value: 'this is not an event' }, { key: 'g', value: '{"v":1,"type":"message"}' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `${prefix}dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}events.dlq`, fromBeginning: true });
    const reasons: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void reasons.push(String(message.headers?.reason)) });
    await waitFor(() => (reasons.length >= 2 ? true : undefined), 'two dead letters');
    await consumer.disconnect();
    expect(reasons[0]).toMatch(/^not JSON/);
    expect(reasons[1]).toMatch(/^not a bus event: .*id/);

    // The processor did not stop: a good event after them still arrives.
    const before = await storedCount(pipeline);
    await pipeline.post([{ type: 'message', id: 'after-dlq', group: 'g', at: `${DAY}T09:00:00Z`, sender: 'x' }]);
    await waitFor(async () => ((await storedCount(pipeline)) === before + 1 ? true : undefined), 'the event after the dead letters');
  });

  // Delta delivery on its own (deterministic, per room) is in api/live/live-scoping.integration.test.ts.
  it('streams a snapshot on connect, then keeps a Socket.io client current (deltas and resyncs)', async () => {
    const socket: Socket = connectSocket(pipeline.url, { transports: ['websocket'], auth: { token: await adminToken(pipeline.url) } });
    try {
      const snapshot = await new Promise<CountsSnapshot>((resolve) => socket.once(SOCKET_EVENTS.snapshot, resolve));
      expect(snapshot.timeZone).toBe('Asia/Kolkata');
      expect(snapshot.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const before = snapshot.rows.reduce((n, r) => n + r.messages, 0);

      // What a board shows: the latest snapshot plus the deltas after it; the most it ever showed.
      let shown = before;
      let most = before;
      socket.on(SOCKET_EVENTS.snapshot, (next: CountsSnapshot) => {
        shown = next.rows.reduce((n, r) => n + r.messages, 0);
        most = Math.max(most, shown);
      });
      socket.on(SOCKET_EVENTS.delta, (delta: CountsDelta) => {
        shown += delta.rows.reduce((n, r) => n + r.messages, 0);
        most = Math.max(most, shown);
      });
      const now = new Date().toISOString();
      const events = Array.from({ length: 30 }, (_, i) => ({ type: 'message', id: `live-${i}`, group: `wa:live-${i % 3}`, at: now, sender: `s${i}` }));
      expect((await pipeline.post(events)).status).toBe(202);
      await waitFor(() => (shown >= before + 30 ? true : undefined), 'the 30 messages on the client');
      // Through the next resync (distinct counts included) it is exactly the 30, and never was more:
      // a batch is in the snapshot or in a delta, never both (the snapshot's watermark, docs/architecture.md).
      const next = await new Promise<CountsSnapshot>((resolve) => socket.once(SOCKET_EVENTS.snapshot, resolve));
      expect(next.rows.reduce((n, r) => n + r.messages, 0)).toBe(before + 30);
      expect(next.rows.find((r) => r.division === 'unassigned')!.activeGroups).toBeGreaterThanOrEqual(3);
      expect(most).toBe(before + 30);
      expect(shown).toBe(before + 30);
    } finally {
      socket.close();
    }
  });
});

describe('processor restarted mid-stream', () => {
  let front: TestPipeline;
  afterAll(() => front?.stop());

  it('loses nothing and counts nothing twice', async () => {
    // ingest + api in one service, the processor in another on the same data dir and topics.
    front = await startTestPipeline({ roles: { ingest: true, processor: false, api: true } });
    const processorOptions = { roles: { ingest: false, processor: true, api: false }, dataDir: front.config.DATA_DIR, topicPrefix: front.config.KAFKA_TOPIC_PREFIX };
    let processor = await startTestPipeline(processorOptions);

    const events = makeEvents(3000, 'r', 40);
    const expected = expectedOf(events);
    let sent = 0;
    const sending = (async () => {
      for (let start = 0; start < events.length; start += 100) {
        const response = await front.post(events.slice(start, start + 100));
        expect(response.status).toBe(202);
        sent += 100;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    for (const stopAt of [800, 1800]) {
      await waitFor(() => (sent >= stopAt ? true : undefined), `${stopAt} sent`);
      await processor.stop();
      processor = await startTestPipeline(processorOptions);
    }
    await sending;
    try {
      const rows = await waitFor(async () => {
        const { rows } = await summary(front);
        return rows.length === 1 && rows[0]!.messages + rows[0]!.joins + rows[0]!.leaves === 3000 ? rows : undefined;
      }, 'all 3000 events', 60_000);
      expect(rows[0]).toMatchObject({ messages: expected.messages, joins: expected.joins, leaves: expected.leaves, activeGroups: expected.groups.size });
      expect(await storedCount(front)).toBe(3000);
    } finally {
      await processor.stop();
    }
  });
});

describe('ingest errors', () => {
  let pipeline: TestPipeline;
  beforeAll(async () => {
    // The local log with room for 12 records and nobody consuming: it fills up.
    pipeline = await startTestPipeline({ localBus: true, roles: { ingest: true, processor: false, api: false }, env: { LOCAL_BUS_MAX_PENDING: '12', INGEST_MAX_BODY_BYTES: '20000', INGEST_AUTH_FAILURES_PER_MINUTE: '5', WHATSAPP_APP_SECRET: WHATSAPP_SECRET, WHATSAPP_VERIFY_TOKEN: 'whatsapp-verify-token' } });
  });
  afterAll(() => pipeline?.stop());

  it('answers 401 without a valid source token', async () => {
    const response = await fetch(`${pipeline.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(response.status).toBe(401);
    expect((await pipeline.post([], { token: 'wrong' })).status).toBe(401);
  });

  it('answers 415, 400 and 413 for whole-body problems', async () => {
    expect((await pipeline.post('[]', { contentType: 'text/csv' })).status).toBe(415);
    const malformed = await pipeline.post('[{"type":');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toContain('not valid JSON');
    const big = await pipeline.post('[' + '"x",'.repeat(6000) + '"x"]');
    expect(big.status).toBe(413);
  });

  it('answers 503 with Retry-After when the bus cannot take the events', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ type: 'message', id: `full-${i}`, group: `g${i}`, at: Date.now(), sender: 's' }));
    const response = await pipeline.post(events);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await response.json()).error).toContain('retry later');
  });

  it('answers an address\'s wrong tokens 429 after the limit, while the right token from it still goes through', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8 && statuses.at(-1) !== 429; i++) statuses.push((await pipeline.post([], { token: `guess-${i}` })).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    const valid = await pipeline.post([]);
    expect(valid.status, await valid.clone().text()).toBe(202);
    expect((await pipeline.post([], { token: 'guess-again' })).status).toBe(429);
    // The WhatsApp webhook from the same address: signed right, it is taken; signed wrong, 429.
    const delivery = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const signature = `sha256=${createHmac('sha256', WHATSAPP_SECRET).update(delivery).digest('hex')}`;
    const whatsapp = (sig: string) => fetch(`${pipeline.url}/v1/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig }, body: delivery });
    expect((await whatsapp(signature)).status).toBe(200);
    expect((await whatsapp(`sha256=${'0'.repeat(64)}`)).status).toBe(429);
  });
});
