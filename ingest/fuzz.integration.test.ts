/**
 * Property-based fuzzing (fast-check): thousands of random bodies at every ingest endpoint of a
 * running server (in-process bus, real embedded ClickHouse, 127.0.0.1 only). Every answer must be a
 * deliberate one — never a 5xx, always JSON naming the problem for a 4xx — and afterwards the
 * service must still accept good events and webhooks.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, TEST_TOKEN, type TestPipeline } from '../test/support/pipeline.ts';
import { telegramMessage, whatsappMessagesPayload, recentSeconds } from './webhooks/fixtures/payloads.ts';

const APP_SECRET = 'fuzz-app-secret-0123';
const TG_SECRET = 'fuzz-telegram-secret';
/** Runs per endpoint: 4 endpoints × 600 = 2,400 requests (about a minute here). */
const RUNS = 600;
const DELIBERATE = new Set([200, 202, 400, 401, 403, 404, 413, 415]);

const sign = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;

/** Values shaped like the real thing, with every field free to be anything. */
const eventish = fc.record(
  {
    type: fc.oneof(fc.constantFrom('message', 'member_joined', 'member_left', 'group_snapshot'), fc.anything()),
    id: fc.oneof(fc.string(), fc.anything()),
    group: fc.oneof(fc.string({ maxLength: 300 }), fc.anything()),
    at: fc.oneof(fc.integer(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.anything(), fc.constant(Date.now())),
    sender: fc.oneof(fc.string(), fc.integer(), fc.anything()),
    member: fc.oneof(fc.string(), fc.anything()),
    kind: fc.oneof(fc.constantFrom('text', 'image', 'gif'), fc.anything()),
    forwarded: fc.anything(),
    members: fc.anything(),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const jsonText = fc.oneof(
  fc.json(),
  fc.array(eventish, { maxLength: 20 }).map((a) => JSON.stringify(a)),
  fc.array(eventish, { maxLength: 20 }).map((a) => a.map((e) => JSON.stringify(e)).join('\n')),
  fc.string({ maxLength: 500 }),
  fc.nat({ max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const contentType = fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', 'application/octet-stream', '', 'application/json; charset=utf-16');

const whatsappish = fc.oneof(
  fc.anything().map((v) => JSON.stringify({ object: 'whatsapp_business_account', entry: v })),
  fc.array(fc.record({ field: fc.oneof(fc.constantFrom('messages', 'group_participants_update', 'group_settings_update'), fc.string()), value: fc.anything() }), { maxLength: 5 })
    .map((changes) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes }] })),
  fc.tuple(fc.anything(), fc.anything(), fc.anything()).map(([id, ts, type]) => {
    const payload = whatsappMessagesPayload(recentSeconds());
    Object.assign(payload.entry[0]!.changes[0]!.value.messages[0]!, { id, timestamp: ts, type });
    return JSON.stringify(payload);
  }),
  jsonText,
);
const telegramish = fc.oneof(
  fc.record({ update_id: fc.oneof(fc.integer(), fc.anything()), message: fc.anything(), chat_member: fc.anything(), edited_message: fc.anything() }, { requiredKeys: ['update_id'] }).map((u) => JSON.stringify(u)),
  fc.tuple(fc.anything(), fc.anything(), fc.constantFrom('group', 'supergroup', 'private', 'channel', 'x')).map(([text, date, type]) =>
    JSON.stringify(telegramMessage(5, typeof date === 'number' ? date : recentSeconds(), { text, migrate_to_chat_id: typeof text === 'number' ? text : undefined }, { id: -77, type }))),
  jsonText,
);
const exportish = fc.oneof(
  fc.array(
    fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 30 }), fc.string({ maxLength: 40 }), fc.boolean()).map(([a, b, h, rest, iphone]) =>
      iphone ? `[${a}/${b}/26, ${h}:05:00 PM] ${rest}` : `${a}/${b}/2026, ${h}:05 - ${rest}`),
    { maxLength: 30 },
  ).map((lines) => lines.join('\n')),
  fc.string({ unit: 'binary', maxLength: 500 }),
);

describe('fuzzing every ingest endpoint', () => {
  let pipeline: TestPipeline;
  const seen = new Map<number, number>();

  async function expectDeliberate(response: Response): Promise<void> {
    seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
    expect(DELIBERATE.has(response.status), `status ${response.status}`).toBe(true);
    const body = (await response.json()) as { error?: unknown };
    if (response.status >= 400) expect(typeof body.error).toBe('string');
  }

  beforeAll(async () => {
    pipeline = await startTestPipeline({
      localBus: true,
      env: { WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: 'fuzz-verify-token-0123', TELEGRAM_SECRET_TOKEN: TG_SECRET, INGEST_RATE_LIMIT: '1000000', INGEST_MAX_BODY_BYTES: '100000' },
    });
  });
  afterAll(() => pipeline?.stop());

  it('POST /v1/events answers every random body deliberately', async () => {
    await fc.assert(
      fc.asyncProperty(jsonText, contentType, fc.boolean(), async (body, type, authorised) => {
        const response = await fetch(`${pipeline.url}/v1/events`, { method: 'POST', headers: { 'content-type': type, authorization: authorised ? `Bearer ${TEST_TOKEN}` : 'Bearer wrong' }, body });
        await expectDeliberate(response);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/webhooks/whatsapp answers every random (signed or not) body deliberately, 200 for every signed readable one', async () => {
    await fc.assert(
      fc.asyncProperty(whatsappish, fc.constantFrom('good', 'bad', 'none'), async (body, signature) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (signature === 'good') headers['x-hub-signature-256'] = sign(body);
        if (signature === 'bad') headers['x-hub-signature-256'] = sign(`${body} `);
        const response = await fetch(`${pipeline.url}/v1/webhooks/whatsapp`, { method: 'POST', headers, body });
        if (signature === 'good' && response.status !== 413) {
          let readable = true;
          try {
            JSON.parse(body);
          } catch {
            readable = false;
          }
          if (readable) expect([200, 400]).toContain(response.status);
        }
        if (signature === 'none') expect(response.status).toBe(401);
        if (signature === 'bad') expect(response.status).toBe(403);
        await expectDeliberate(response);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/webhooks/telegram answers every random update deliberately', async () => {
    await fc.assert(
      fc.asyncProperty(telegramish, fc.boolean(), async (body, authorised) => {
        const response = await fetch(`${pipeline.url}/v1/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': authorised ? TG_SECRET : 'nope' }, body });
        if (!authorised) expect(response.status).toBe(403);
        await expectDeliberate(response);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /v1/imports/whatsapp-export answers every random file deliberately', async () => {
    await fc.assert(
      fc.asyncProperty(exportish, fc.string({ minLength: 0, maxLength: 20 }), async (body, group) => {
        const response = await fetch(`${pipeline.url}/v1/imports/whatsapp-export?group=${encodeURIComponent(group)}`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${TEST_TOKEN}` }, body });
        await expectDeliberate(response);
      }),
      { numRuns: RUNS },
    );
  });

  it('still serves correctly afterwards', async () => {
    const good = await pipeline.post([{ type: 'message', id: 'after-fuzz', group: 'wa:after', at: Date.now(), sender: '1', kind: 'text' }]);
    expect(await good.json()).toEqual({ accepted: 1, rejected: [] });
    const body = JSON.stringify(whatsappMessagesPayload(recentSeconds(), 'after'));
    const webhook = await fetch(`${pipeline.url}/v1/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body });
    expect(await webhook.json()).toEqual({ accepted: 3, ignored: 2, rejected: [] });
    expect((await fetch(`${pipeline.url}/healthz`)).status).toBe(200);
    expect([...seen.keys()].every((s) => s < 500)).toBe(true);
    // Enough of each outcome that the fuzzing reached past authentication and parsing.
    expect(seen.get(200)).toBeGreaterThan(100);
    expect(seen.get(202)).toBeGreaterThan(100);
    expect(seen.get(400)).toBeGreaterThan(100);
  });
});
