/**
 * Real sources end to end on the real Kafka broker and the real ClickHouse engine: both webhooks
 * (signatures, handshake, redelivery counted once, Telegram migration), chat-export upload (twice),
 * stored sources (revocation at once), and hostile input (413, deep JSON, wrong types, unknown
 * fields, time window, rate limit 429, slow clients).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, waitFor, type TestPipeline } from '../test/support/pipeline.ts';
import { createSourcesStore } from './sources-store.ts';
import { KNOWN, TG_GROUP, WA_GROUP, recentSeconds, telegramChatMember, telegramMessage, whatsappGroupsPayload, whatsappMessagesPayload } from './webhooks/fixtures/payloads.ts';

const APP_SECRET = 'test-app-secret-0123';
const VERIFY = 'test-verify-token';
const TG_SECRET = 'test-telegram-secret_1';

function sign(body: string): string {
  return `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
}

async function count(pipeline: TestPipeline, where: string, params: Record<string, unknown> = {}): Promise<number> {
  const result = await pipeline.store!.client.query({ query: `SELECT count() AS n FROM events WHERE ${where}`, query_params: params, format: 'JSONEachRow' });
  return Number((await result.json<{ n: string }>())[0]!.n);
}

async function drained(pipeline: TestPipeline): Promise<void> {
  const prefix = pipeline.config.KAFKA_TOPIC_PREFIX;
  await waitFor(async () => ((await pipeline.bus.lag(`${prefix}processor`, `${prefix}events`)).every((p) => p.lag === 0) ? true : undefined), 'consumer lag 0');
}

describe('real sources on Kafka', () => {
  let pipeline: TestPipeline;
  /** `signature: null` sends none. */
  const postWhatsApp = (body: string, signature: string | null = sign(body)) =>
    fetch(`${pipeline.url}/v1/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) }, body });
  /** `secret: null` sends none. */
  const postTelegram = (update: unknown, secret: string | null = TG_SECRET) =>
    fetch(`${pipeline.url}/v1/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(update) });

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      env: {
        WHATSAPP_APP_SECRET: APP_SECRET,
        WHATSAPP_VERIFY_TOKEN: VERIFY,
        TELEGRAM_SECRET_TOKEN: TG_SECRET,
        INGEST_MAX_BODY_BYTES: '200000',
        INGEST_RATE_LIMIT: '60',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      },
    });
  });
  afterAll(() => pipeline?.stop());

  it('WhatsApp: handshake echoes the challenge only for the right verify token', async () => {
    const ok = await fetch(`${pipeline.url}/v1/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${pipeline.url}/v1/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope`);
    expect(wrong.status).toBe(403);
    expect((await fetch(`${pipeline.url}/v1/webhooks/whatsapp?hub.challenge=1`)).status).toBe(400);
  });

  it('WhatsApp: missing signature 401, wrong signature 403, signature over other bytes 403', async () => {
    const body = JSON.stringify(whatsappMessagesPayload(recentSeconds()));
    expect((await postWhatsApp(body, null)).status).toBe(401);
    const wrong = await postWhatsApp(body, `sha256=${'0'.repeat(64)}`);
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error).toContain('does not match');
    // Re-serialised JSON (spaces) is other bytes: the signature covers the raw body.
    expect((await postWhatsApp(JSON.stringify(JSON.parse(body), null, 1), sign(body))).status).toBe(403);
  });

  it('WhatsApp: a delivery with several entries/changes/items, delivered twice, counts once', async () => {
    const ts = recentSeconds(30);
    const messages = JSON.stringify(whatsappMessagesPayload(ts, 'replay'));
    const groups = JSON.stringify(whatsappGroupsPayload(ts));
    for (let copy = 0; copy < 2; copy += 1) {
      const first = await postWhatsApp(messages);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ accepted: 3, ignored: 2, rejected: [] });
      const second = await postWhatsApp(groups);
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual({ accepted: 5, ignored: 3, rejected: [] });
    }
    await waitFor(async () => ((await count(pipeline, "source = 'whatsapp'")) >= 8 ? true : undefined), 'whatsapp events in ClickHouse');
    await drained(pipeline);
    expect(await count(pipeline, "source = 'whatsapp' AND type = 'message'")).toBe(3);
    expect(await count(pipeline, "source = 'whatsapp' AND type = 'member_joined'")).toBe(3);
    expect(await count(pipeline, "source = 'whatsapp' AND type = 'member_left'")).toBe(2);
    expect(await count(pipeline, "source = 'whatsapp' AND group_id = {g:String}", { g: `wa:${WA_GROUP}` })).toBe(7);
  });

  it('Telegram: secret token checked; messages and members counted; edits never; a migrated group keeps one history', async () => {
    const date = recentSeconds(20);
    expect((await postTelegram(telegramMessage(734512001, date, { text: 'x' }), null)).status).toBe(401);
    expect((await postTelegram(telegramMessage(734512001, date, { text: 'x' }), 'wrong')).status).toBe(403);

    const oldGroup = { id: -4001, title: 'Booth 7', type: 'group' };
    const newGroup = { id: -1004001, title: 'Booth 7', type: 'supergroup' };
    const updates = [
      telegramMessage(734512001, date, { text: KNOWN.texts[1] }),
      telegramMessage(734512002, date, { new_chat_members: [{ id: KNOWN.telegramUsers[1], is_bot: false, first_name: 'Jonas' }, { id: KNOWN.telegramUsers[2], is_bot: false, first_name: 'Priya' }] }),
      telegramChatMember(734512003, date, KNOWN.telegramUsers[2]!, 'member', 'left'),
      { update_id: 734512004, edited_message: { ...telegramMessage(734512001, date, { text: 'edited', edit_date: date + 5 }).message } },
      telegramMessage(734512005, date, { photo: [{ file_id: 'f' }], caption: KNOWN.texts[2] }, oldGroup),
      telegramMessage(734512006, date + 1, { migrate_to_chat_id: newGroup.id }, oldGroup),
      telegramMessage(734512007, date + 1, { migrate_from_chat_id: oldGroup.id }, newGroup),
      telegramMessage(734512008, date + 2, { text: 'after migration' }, newGroup),
      telegramMessage(734512009, date + 2, { text: 'private' }, { id: 5123456789, type: 'private' }),
    ];
    for (const update of updates) expect((await postTelegram(update)).status).toBe(200);
    // Redelivery of the whole sequence counts nothing twice.
    for (const update of updates) expect((await postTelegram(update)).status).toBe(200);
    await waitFor(async () => ((await count(pipeline, "source = 'telegram'")) >= 6 ? true : undefined), 'telegram events in ClickHouse');
    await drained(pipeline);
    expect(await count(pipeline, "source = 'telegram' AND type = 'message'")).toBe(3);
    expect(await count(pipeline, "source = 'telegram' AND type = 'member_joined'")).toBe(2);
    expect(await count(pipeline, "source = 'telegram' AND type = 'member_left'")).toBe(1);
    expect(await count(pipeline, "group_id = 'tg:-4001'")).toBe(2);
    expect(await count(pipeline, "group_id = 'tg:-1004001'")).toBe(0);
    expect(await count(pipeline, "group_id = {g:String}", { g: `tg:${TG_GROUP}` })).toBe(4);
  });

  it('chat export upload: both formats; importing the same file twice counts once', async () => {
    const upload = (file: string, group: string, token?: string) =>
      fetch(`${pipeline.url}/v1/imports/whatsapp-export?group=${encodeURIComponent(group)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token ?? 'test-source-token'}`, 'content-type': 'text/plain' },
        body: readFileSync(new URL(`./chat-export/fixtures/${file}`, import.meta.url)),
      });
    for (let copy = 0; copy < 2; copy += 1) {
      const android = await upload('android-24h-dmy.txt', 'wa:export-android');
      expect(android.status).toBe(202);
      expect(await android.json()).toMatchObject({ format: 'android', messages: 6, joins: 4, leaves: 2, accepted: 12, rejectedCount: 0 });
      const iphone = await upload('iphone-12h-mdy.txt', 'wa:export-iphone');
      expect(await iphone.json()).toMatchObject({ format: 'iphone', messages: 6, accepted: 9 });
    }
    const noGroup = await fetch(`${pipeline.url}/v1/imports/whatsapp-export`, { method: 'POST', headers: { authorization: 'Bearer test-source-token', 'content-type': 'text/plain' }, body: 'x' });
    expect(noGroup.status).toBe(400);
    expect((await noGroup.json()).error).toContain('group is required');
    const zip = await fetch(`${pipeline.url}/v1/imports/whatsapp-export?group=g`, { method: 'POST', headers: { authorization: 'Bearer test-source-token', 'content-type': 'application/zip' }, body: 'PK' });
    expect(zip.status).toBe(415);
    await waitFor(async () => ((await count(pipeline, "group_id LIKE 'wa:export-%'")) >= 21 ? true : undefined), 'export events');
    await drained(pipeline);
    expect(await count(pipeline, "group_id = 'wa:export-android'")).toBe(12);
    expect(await count(pipeline, "group_id = 'wa:export-iphone'")).toBe(9);
  });

  it('stored sources: a registered token works, its events carry its name, and revocation stops it at once', async () => {
    const sources = createSourcesStore(pipeline.store!.client);
    const added = await sources.add('collector-x');
    if (!added.ok) throw new Error(added.error);
    const event = { type: 'message', id: 'cx-1', group: 'wa:cx', at: Date.now() - 60_000, sender: '919800000001', kind: 'text' };
    const ok = await pipeline.post([event], { token: added.value.token });
    expect(await ok.json()).toEqual({ accepted: 1, rejected: [] });
    await waitFor(async () => ((await count(pipeline, "source = 'collector-x'")) === 1 ? true : undefined), 'event recorded with its source');
    const revoked = await sources.revoke('collector-x');
    expect(revoked.ok).toBe(true);
    const refused = await pipeline.post([{ ...event, id: 'cx-2' }], { token: added.value.token });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toContain('revoked');
    // INGEST_TOKEN keeps working as the source "default".
    expect((await pipeline.post([{ ...event, id: 'cx-3' }])).status).toBe(202);
  });

  it('hostile bodies: each gets a clear 4xx, good events of the same body go through', async () => {
    const now = Date.now();
    const good = { type: 'message', id: 'h-good', group: 'wa:not-in-directory', at: now - 1000, sender: '919800000002', kind: 'text' };
    const mixed = await pipeline.post([
      good,
      { ...good, id: 'h-types', at: 'soon', forwarded: 'yes' },
      { ...good, id: 'h-unknown', text: 'hello', colour: 'red' },
      { ...good, id: 'h-future', at: now + 86_400_000 },
      { ...good, id: 'h-past', at: Date.parse('2001-01-01T00:00:00Z') },
      { ...good, id: 'h-deep', sender: { a: [[[1]]] } },
      null,
    ]);
    expect(mixed.status).toBe(202);
    const body = (await mixed.json()) as { accepted: number; rejected: { index: number; error: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(body.rejected[1]!.error).toContain('unknown fields "text", "colour"');
    expect(body.rejected[2]!.error).toContain('in the future');
    expect(body.rejected[3]!.error).toContain('too far in the past');

    const tooLarge = await pipeline.post(`[${'1,'.repeat(150_000)}1]`);
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error).toContain('body too large');
    const deep = await pipeline.post(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(deep.status).toBe(400);
    expect((await deep.json()).error).toContain('nested deeper than 64');
    const deepWebhook = `{"object":"whatsapp_business_account","entry":${'['.repeat(100)}${']'.repeat(100)}}`;
    expect((await postWhatsApp(deepWebhook)).status).toBe(400);
    expect((await pipeline.post('{"type":', {})).status).toBe(400);
    expect((await pipeline.post('[]', { contentType: 'text/csv' })).status).toBe(415);
    // A signed but malformed item in a webhook: 200 (Meta must not retry), the item named.
    const odd = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ id: 5, group_id: [], timestamp: 'x', type: 1 }] } }] }] });
    const oddResponse = await postWhatsApp(odd);
    expect(oddResponse.status).toBe(200);
    expect((await oddResponse.json()).rejected[0].at).toBe('entry[0].changes[0].value.messages[0]');
    // Still serving.
    expect((await pipeline.post([{ ...good, id: 'h-after' }])).status).toBe(202);
  });

  it('floods: a source over its rate limit gets 429 with Retry-After; other sources are unaffected', async () => {
    const sources = createSourcesStore(pipeline.store!.client);
    const added = await sources.add('flooder');
    if (!added.ok) throw new Error(added.error);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 70; i += 1) {
      const response = await pipeline.post([], { token: added.value.token });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect((await response.json()).error).toContain('too many requests from source "flooder"');
      } else await response.body?.cancel();
    }
    expect(statuses.filter((s) => s === 429).length).toBe(10);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await pipeline.post([{ type: 'message', id: 'f-ok', group: 'g', at: Date.now(), sender: 's' }])).status).toBe(202);
  });

  it('slow clients: a request whose headers never finish is dropped, the server keeps serving', async () => {
    const { port } = new URL(pipeline.url);
    const started = Date.now();
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('slow client was not dropped within 10 s')), 10_000).unref();
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(closed).toContain('408');
    expect((await fetch(`${pipeline.url}/healthz`)).status).toBe(200);
  });

  it('counts every ingest request by endpoint and status (ingest_requests_total)', async () => {
    const accepted = await pipeline.post([{ type: 'message', id: 'counted-1', group: 'wa:counted', at: Date.now(), sender: '919800000001', kind: 'text' }]);
    expect(accepted.status).toBe(202);
    expect((await postWhatsApp('{}', null)).status).toBe(401);
    const metrics = await (await fetch(`${pipeline.url}/metrics`)).text();
    const counted = (endpoint: string, status: number) =>
      Number(new RegExp(`^ingest_requests_total\\{endpoint="${endpoint}",status="${status}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    expect(counted('/v1/events', 202)).toBeGreaterThan(0);
    expect(counted('/v1/webhooks/whatsapp', 401)).toBeGreaterThan(0);
  });
});
