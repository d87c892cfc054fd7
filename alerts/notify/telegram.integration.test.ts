/**
 * The Telegram channel end to end, on the real Kafka broker and the real ClickHouse engine, with a real
 * local HTTP server standing in for api.telegram.org that checks every request against the Bot API's
 * format (POST /bot<token>/<method>, JSON, sendMessage's chat_id/text/reply_markup.inline_keyboard,
 * answerCallbackQuery's callback_query_id) and answers as the docs show. A lead asks for a link code,
 * sends `/start <code>` (through the real webhook with the secret token), an alert fired for them arrives
 * in Hindi with an Acknowledge button — after one 429 with retry_after 1, which the sender waits out —
 * and the button's callback_query acknowledges it as that lead via Telegram. After a restart, the same
 * alert redelivered from the bus is not sent twice; two processes claiming one delivery: one wins.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertMessage } from '../../common/contracts/alerts.ts';
import { TOPICS, topicName } from '../../common/topics.ts';
import { adminToken } from '../../test/support/auth.ts';
import { api as apiOf, LEAD_PASSWORD, signInAs } from '../../test/support/alerts.ts';
import { jsonBody, readText } from '../../test/support/notify-servers.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../../test/support/pipeline.ts';
import { createAlertRepository } from '../repository.ts';
import { produceAlertMessages } from '../service.ts';
import { claimKey } from './notifier.ts';
import { createNotifyStore } from './store.ts';

const BOT_TOKEN = '123456789:AAE-test-bot-token-for-grouppulse';
const SECRET = 'telegram-secret-token-for-tests';
const BOT_USERNAME = 'GroupPulseTestBot';
const LEAD_CHAT = 770_001;
const OTHER_CHAT = 770_002;

interface BotCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  answered: 'ok' | '429';
}

/** The stand-in for api.telegram.org: checks each request as the Bot API documents it; `problems` lists what was wrong. */
function startFakeTelegram(): Promise<{ server: Server; base: string; calls: BotCall[]; problems: string[]; tooManyFor: Set<string> }> {
  const calls: BotCall[] = [];
  const problems: string[] = [];
  /** callback_data of messages to answer once with 429 retry_after 1. */
  const tooManyFor = new Set<string>();
  let messageId = 100;
  const server = createServer(async (req, res) => {
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const text = await readText(req);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const problem = (what: string) => {
      problems.push(`${req.method} ${req.url?.replace(BOT_TOKEN, '<token>')}: ${what}`);
      answer(400, { ok: false, error_code: 400, description: `Bad Request: ${what}` });
    };
    if (req.method !== 'POST') return problem('not POST');
    if (!match || match[1] !== BOT_TOKEN) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const body = jsonBody(req, text);
    if (typeof body === 'string') return problem(body);
    const method = match[2]!;
    if (method === 'sendMessage') {
      if (typeof body.chat_id !== 'number' || !Number.isInteger(body.chat_id)) return problem('chat_id must be an integer');
      if (typeof body.text !== 'string' || body.text.length < 1 || body.text.length > 4096) return problem('text must be 1-4096 characters');
      const extra = Object.keys(body).filter((k) => !['chat_id', 'text', 'reply_markup'].includes(k));
      if (extra.length > 0) return problem(`unexpected fields ${extra.join(', ')}`);
      if (body.reply_markup !== undefined) {
        const keyboard = (body.reply_markup as { inline_keyboard?: unknown }).inline_keyboard;
        const rowsOk =
          Array.isArray(keyboard) &&
          keyboard.length > 0 &&
          keyboard.every(
            (row) =>
              Array.isArray(row) &&
              row.every((b: { text?: unknown; callback_data?: unknown }) => typeof b.text === 'string' && b.text.length > 0 && typeof b.callback_data === 'string' && Buffer.byteLength(b.callback_data) >= 1 && Buffer.byteLength(b.callback_data) <= 64),
          );
        if (!rowsOk) return problem('reply_markup.inline_keyboard must be rows of {text, callback_data (1-64 bytes)}');
        const data = (keyboard as { callback_data: string }[][])[0]![0]!.callback_data;
        if (tooManyFor.delete(data)) {
          calls.push({ method, body, at: Date.now(), answered: '429' });
          return answer(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
        }
      }
      calls.push({ method, body, at: Date.now(), answered: 'ok' });
      return answer(200, { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, text: body.text } });
    }
    if (method === 'answerCallbackQuery') {
      if (typeof body.callback_query_id !== 'string' || body.callback_query_id === '') return problem('callback_query_id must be a string');
      if (body.text !== undefined && (typeof body.text !== 'string' || body.text.length > 200)) return problem('text must be 0-200 characters');
      calls.push({ method, body, at: Date.now(), answered: 'ok' });
      return answer(200, { ok: true, result: true });
    }
    return answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, problems, tooManyFor })));
}

function alertFor(id: string, division: string, recipients: string[]): Alert {
  const now = Date.now();
  return {
    id, rule: 'group-inactive', subjectKind: 'group', subject: `g-${id.slice(0, 6)}`, division, divisions: [], unit: division, unitPath: [division], category: '',
    state: 'firing', message: `Group g-${id.slice(0, 6)} has been silent for 3 days`, details: {}, since: now - 3 * 86_400_000, firedAt: now,
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, escalatedAt: null, escalatedUnit: '', recipients, escalatedTo: [], version: now * 1000,
  };
}

describe('Telegram notifications end to end', () => {
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let pipeline: TestPipeline;
  let env: Record<string, string>;
  let leadToken: string;
  const api = (p: string, init: RequestInit & { token?: string } = {}) => apiOf(pipeline, p, init);
  const webhook = (update: unknown, secret = SECRET) =>
    fetch(`${pipeline.url}/v1/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) }, body: JSON.stringify(update) });
  const sendsFor = (alertId: string) => telegram.calls.filter((c) => c.method === 'sendMessage' && JSON.stringify(c.body.reply_markup ?? '').includes(`ack:${alertId}`));
  const publish = (messages: AlertMessage[]) => produceAlertMessages(pipeline.bus, topicName(pipeline.config.KAFKA_TOPIC_PREFIX, TOPICS.alerts), messages);
  async function fire(alert: Alert): Promise<void> {
    await createAlertRepository(pipeline.store!.client).write([alert]);
    await publish([{ kind: 'alert', change: 'fired', alert }]);
  }
  const A = 'a'.repeat(31) + '1';
  const B = 'b'.repeat(31) + '2';
  const C = 'c'.repeat(31) + '3';

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    env = { TELEGRAM_SECRET_TOKEN: SECRET, TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_BOT_USERNAME: BOT_USERNAME, TELEGRAM_API_BASE: telegram.base };
    pipeline = await startTestPipeline({ env });
    const created = await api('/api/v1/admin/users', { method: 'POST', token: await adminToken(pipeline.url), body: JSON.stringify({ username: 'lead-north', password: LEAD_PASSWORD, roles: ['lead'], units: ['div-north'] }) });
    expect(created.status).toBe(201);
    leadToken = await signInAs(pipeline, 'lead-north');
  });

  afterAll(async () => {
    await pipeline?.stop();
    telegram?.server.close();
  });

  it('links a lead\'s chat with a one-time code sent as /start through the webhook', async () => {
    expect(await (await api('/api/v1/me/notify', { token: leadToken })).json()).toMatchObject({ language: 'en', channels: { telegram: { available: true, linked: false } } });
    const put = await api('/api/v1/me/notify', { method: 'PUT', token: leadToken, body: JSON.stringify({ language: 'hi' }) });
    expect(put.status).toBe(200);
    expect((await api('/api/v1/me/notify', { method: 'PUT', token: leadToken, body: JSON.stringify({ language: 'fr' }) })).status).toBe(400);

    const linkAnswer = await api('/api/v1/me/telegram/link', { method: 'POST', token: leadToken, body: '{}' });
    expect(linkAnswer.status).toBe(201);
    const link = (await linkAnswer.json()) as { code: string; deepLink: string; expiresAt: string };
    expect(link.deepLink).toBe(`https://t.me/${BOT_USERNAME}?start=${link.code}`);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    // An admin may ask for a lead's code; a lead may not ask for someone else's.
    const forLead = await api('/api/v1/me/telegram/link', { method: 'POST', token: await adminToken(pipeline.url), body: JSON.stringify({ username: 'lead-north' }) });
    expect(forLead.status).toBe(201);
    expect(await forLead.json()).toMatchObject({ username: 'lead-north' });
    expect((await api('/api/v1/me/telegram/link', { method: 'POST', token: await adminToken(pipeline.url), body: JSON.stringify({ username: 'nobody' }) })).status).toBe(404);
    expect((await api('/api/v1/me/telegram/link', { method: 'POST', token: leadToken, body: JSON.stringify({ username: 'admin' }) })).status).toBe(403);

    const start = (chat: number, updateId: number) => ({
      update_id: updateId,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: 'private', first_name: 'Lead' }, from: { id: chat, is_bot: false, first_name: 'Lead' }, text: `/start ${link.code}`, entities: [{ offset: 0, length: 6, type: 'bot_command' }] },
    });
    expect((await webhook(start(LEAD_CHAT, 1), '')).status).toBe(401);
    expect((await webhook(start(LEAD_CHAT, 1), 'a-wrong-secret-token-value')).status).toBe(403);
    expect((await webhook(start(LEAD_CHAT, 1))).status).toBe(200);
    expect(await (await api('/api/v1/me/notify', { token: leadToken })).json()).toMatchObject({ language: 'hi', channels: { telegram: { available: true, linked: true } } });
    const confirmation = telegram.calls.find((c) => c.method === 'sendMessage' && c.body.chat_id === LEAD_CHAT);
    expect(confirmation?.body.text).toContain('lead-north');
    expect(confirmation?.body.text).toContain('जुड़ गई');

    // The code is used: another chat sending it is refused (in both languages) and not linked.
    expect((await webhook(start(OTHER_CHAT, 2))).status).toBe(200);
    const refusal = telegram.calls.find((c) => c.method === 'sendMessage' && c.body.chat_id === OTHER_CHAT);
    expect(refusal?.body.text).toContain('unknown, used or expired');
    expect(await createNotifyStore(pipeline.store!.client).userOfChat(OTHER_CHAT)).toBeUndefined();
    expect(await createNotifyStore(pipeline.store!.client).userOfChat(LEAD_CHAT)).toBe('lead-north');
  });

  it('sends a fired alert in the lead\'s language with an Acknowledge button, waiting out a 429', async () => {
    telegram.tooManyFor.add(`ack:${A}`);
    await fire(alertFor(A, 'div-north', ['lead-north']));
    const sent = await waitFor(() => sendsFor(A).find((c) => c.answered === 'ok'), 'the alert message', 60_000);
    const tries = sendsFor(A);
    expect(tries.map((c) => c.answered)).toEqual(['429', 'ok']);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
    expect(sent.body.chat_id).toBe(LEAD_CHAT);
    expect(sent.body.text).toContain('GroupPulse चेतावनी');
    expect(sent.body.reply_markup).toEqual({ inline_keyboard: [[{ text: 'स्वीकार करें', callback_data: `ack:${A}` }]] });

    const ledger = await waitFor(async () => {
      const entries = await createNotifyStore(pipeline.store!.client).ledger(A);
      return entries.length === 2 ? entries : undefined;
    }, 'the ledger');
    expect(ledger.map((e) => [e.username, e.channel, e.status, e.attempt])).toEqual([['lead-north', 'telegram', 'failed', 1], ['lead-north', 'telegram', 'sent', 2]]);
    expect(ledger[0]!.error).toContain('429');
    expect(ledger[1]!.providerMessageId).toMatch(/^\d+$/);
    const counter = await pipeline.metrics.registry.getSingleMetricAsString('alerts_notifications_total');
    expect(counter).toMatch(/alerts_notifications_total\{channel="telegram",outcome="sent"\} [1-9]/);
    expect(counter).toMatch(/alerts_notifications_total\{channel="telegram",outcome="failed"\} [1-9]/);
  });

  it('acknowledges from the button as the chat\'s user, only alerts in their scope', async () => {
    const callback = (id: string, alertId: string, updateId: number) => ({
      update_id: updateId,
      callback_query: { id, from: { id: LEAD_CHAT, is_bot: false, first_name: 'Lead' }, message: { message_id: 101, date: Math.floor(Date.now() / 1000), chat: { id: LEAD_CHAT, type: 'private' } }, chat_instance: '42', data: `ack:${alertId}` },
    });
    expect((await webhook(callback('cbq-1', A, 10), 'a-wrong-secret-token-value')).status).toBe(403);
    expect((await webhook(callback('cbq-1', A, 10))).status).toBe(200);
    const answered = telegram.calls.find((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'cbq-1');
    expect(answered?.body.text).toBe('स्वीकार किया गया। धन्यवाद।');
    const read = (await (await api(`/api/v1/alerts/${A}`, { token: leadToken })).json()) as { alert: Alert };
    expect(read.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'lead-north', acknowledgedVia: 'telegram' });
    // Pressed again (or Telegram retrying the update): answered, nothing changes.
    expect((await webhook(callback('cbq-1b', A, 12))).status).toBe(200);
    expect(telegram.calls.find((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'cbq-1b')?.body.text).toBe('यह चेतावनी पहले ही स्वीकार की जा चुकी है।');

    // An alert of another division, not addressed to this lead: refused, not acknowledged.
    await createAlertRepository(pipeline.store!.client).write([alertFor(B, 'div-south', [])]);
    expect((await webhook(callback('cbq-2', B, 11))).status).toBe(200);
    expect(telegram.calls.find((c) => c.method === 'answerCallbackQuery' && c.body.callback_query_id === 'cbq-2')?.body.text).toBe('यह चैट इस चेतावनी को स्वीकार नहीं कर सकती।');
    const other = await createAlertRepository(pipeline.store!.client).get(B);
    expect(other?.acknowledgedBy).toBeNull();
  });

  it('does not send a second message for the same alert and user after a restart, nor from a second process', async () => {
    const { dataDir } = { dataDir: pipeline.config.DATA_DIR };
    const prefix = pipeline.config.KAFKA_TOPIC_PREFIX;
    await pipeline.stop();
    pipeline = await startTestPipeline({ env, dataDir, topicPrefix: prefix });
    // The bus delivers at least once: the record of A again (as after a crash before its offset was committed), then a new alert C.
    await publish([{ kind: 'alert', change: 'fired', alert: alertFor(A, 'div-north', ['lead-north']) }]);
    await fire(alertFor(C, 'div-north', ['lead-north']));
    await waitFor(() => sendsFor(C).find((c) => c.answered === 'ok'), 'the next alert after the restart', 60_000);
    expect(sendsFor(A).filter((c) => c.answered === 'ok')).toHaveLength(1);
    expect((await createNotifyStore(pipeline.store!.client).ledger(A)).filter((e) => e.status === 'sent')).toHaveLength(1);
    // It was seen again and refused by its claim, not missed.
    expect(await pipeline.metrics.registry.getSingleMetricAsString('alerts_notifications_total')).toMatch(/alerts_notifications_total\{channel="telegram",outcome="duplicate"\} [1-9]/);

    // Two processes claiming one delivery at the same moment: exactly one may send.
    const key = claimKey('d'.repeat(32), 'lead-north', 'telegram');
    const claims = await Promise.all([createNotifyStore(pipeline.store!.client).claim(key, 'process-1', Date.now()), createNotifyStore(pipeline.store!.client).claim(key, 'process-2', Date.now())]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(telegram.problems).toEqual([]);
  });
});
