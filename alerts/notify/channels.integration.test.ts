/**
 * WhatsApp and email notifications end to end, on the real Kafka broker and the real ClickHouse engine,
 * against local stand-ins speaking the providers' protocols (test/support/notify-servers.ts): a lead sets
 * their number and address (kept encrypted, answered masked), an alert reaches them on WhatsApp as a
 * template in Hindi — after one 429 — its delivered/read statuses come back through the real signed
 * webhook into the ledger, and the quick-reply button acknowledges it via WhatsApp. WhatsApp failing
 * for good falls back to email; the email's link acknowledges via email; expired and tampered links are
 * refused. Telegram answering "chat not found" falls back to WhatsApp. Admins see the failures.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../common/contracts/alerts.ts';
import { TOPICS, topicName } from '../../common/topics.ts';
import { adminToken } from '../../test/support/auth.ts';
import { api as apiOf, LEAD_PASSWORD, signInAs } from '../../test/support/alerts.ts';
import { mailPart, startFakeWhatsApp, startSmtp, type FakeSmtp, type FakeWhatsApp } from '../../test/support/notify-servers.ts';
import { startTestPipeline, waitFor, type TestPipeline } from '../../test/support/pipeline.ts';
import { createAlertRepository } from '../repository.ts';
import { produceAlertMessages } from '../service.ts';
import { signAckLink } from './ack-link.ts';
import { createNotifyStore, type LedgerEntry } from './store.ts';

const WA = { version: 'v21.0', phoneNumberId: '106540352242922', accessToken: 'EAAG-test-access-token-for-grouppulse' };
const APP_SECRET = 'whatsapp-app-secret-for-tests';
const LINK_SECRET = 'notify-link-secret-for-tests';
const BOT_TOKEN = '123456789:AAE-test-bot-token-for-grouppulse';
const TG_SECRET = 'telegram-secret-token-for-tests';
const LEAD_NUMBER = '+919876543210';

/** Telegram's stand-in for this file: private replies go through, alert messages answer "chat not found". */
function startChatNotFoundTelegram(): Promise<{ server: Server; base: string; refused: number }> {
  const state = { refused: 0 };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as { reply_markup?: unknown };
      const answer = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (req.url !== `/bot${BOT_TOKEN}/sendMessage`) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
      if (body.reply_markup) {
        state.refused++;
        return answer(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
      }
      return answer(200, { ok: true, result: { message_id: 1 } });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(Object.assign(state, { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }))));
}

function alertFor(id: string, division: string, recipients: string[]): Alert {
  const now = Date.now();
  return {
    id, rule: 'group-inactive', subjectKind: 'group', subject: `wa:g-${id.slice(0, 4)}`, division, divisions: [], unit: division, unitPath: [division], category: '', state: 'firing',
    message: `group wa:g-${id.slice(0, 4)} silent for 3 days (threshold 2 days)`, details: { thresholdHours: 48, silentHours: 72, silentMinutes: 4320 }, since: now - 3 * 86_400_000, firedAt: now,
    acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, escalatedAt: null, escalatedUnit: '', recipients, escalatedTo: [], version: now * 1000,
  };
}

describe('WhatsApp and email notifications end to end', () => {
  let whatsapp: FakeWhatsApp;
  let smtp: FakeSmtp;
  let telegram: Awaited<ReturnType<typeof startChatNotFoundTelegram>>;
  let pipeline: TestPipeline;
  let admin: string;
  let lead: string;
  const api = (p: string, init: RequestInit & { token?: string } = {}) => apiOf(pipeline, p, init);
  const ledger = () => createNotifyStore(pipeline.store!.client);
  const signed = (body: string) => `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const webhook = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return fetch(`${pipeline.url}/v1/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signed(body) }, body });
  };
  const change = (value: Record<string, unknown>) => ({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WA.phoneNumberId }, ...value } }] }] });
  async function fire(alert: Alert): Promise<void> {
    await createAlertRepository(pipeline.store!.client).write([alert]);
    await produceAlertMessages(pipeline.bus, topicName(pipeline.config.KAFKA_TOPIC_PREFIX, TOPICS.alerts), [{ kind: 'alert', change: 'fired', alert }]);
  }
  const rows = async (alertId: string, count: number) =>
    waitFor(async () => {
      const entries = await ledger().ledger(alertId);
      return entries.length >= count ? entries : undefined;
    }, `${count} ledger rows of ${alertId}`, 60_000);
  const brief = (entries: LedgerEntry[]) => entries.map((e) => [e.channel, e.status, e.attempt]);
  const W = 'w'.repeat(31) + '1';
  const X = 'x'.repeat(31) + '2';
  const Y = 'y'.repeat(31) + '3';
  const Z = 'z'.repeat(31) + '4';

  beforeAll(async () => {
    [whatsapp, smtp, telegram] = await Promise.all([startFakeWhatsApp(WA), startSmtp(), startChatNotFoundTelegram()]);
    pipeline = await startTestPipeline({
      env: {
        WHATSAPP_ACCESS_TOKEN: WA.accessToken, WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId, WHATSAPP_API_BASE: whatsapp.base, WHATSAPP_API_VERSION: WA.version,
        WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: 'whatsapp-verify-token-for-tests',
        SMTP_URL: smtp.url, NOTIFY_EMAIL_FROM: 'GroupPulse <alerts@grouppulse.test>', BOARD_PUBLIC_URL: 'https://pulse.example.org', NOTIFY_LINK_SECRET: LINK_SECRET,
        NOTIFY_CONTACTS_KEY: 'notify-contacts-key-for-tests',
        TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_BOT_USERNAME: 'GroupPulseTestBot', TELEGRAM_SECRET_TOKEN: TG_SECRET, TELEGRAM_API_BASE: telegram.base,
        // Two attempts per channel, a few ms apart: the fall-back comes quickly.
        ALERT_WEBHOOK_MAX_ATTEMPTS: '2', ALERT_WEBHOOK_BACKOFF_MS: '5',
      },
    });
    admin = await adminToken(pipeline.url);
    const created = await api('/api/v1/admin/users', { method: 'POST', token: admin, body: JSON.stringify({ username: 'lead-west', password: LEAD_PASSWORD, roles: ['lead'], units: ['div-west'] }) });
    expect(created.status).toBe(201);
    lead = await signInAs(pipeline, 'lead-west');
  });

  afterAll(async () => {
    await pipeline?.stop();
    await Promise.all([whatsapp?.close(), smtp?.close(), new Promise((r) => telegram?.server.close(r))]);
  });

  it('keeps a lead\'s number and address encrypted and answers them masked; bad ones are refused without echo', async () => {
    const put = (body: unknown, path = '/api/v1/me/notify', token = lead) => api(path, { method: 'PUT', token, body: JSON.stringify(body) });
    const bad = await put({ whatsapp: '12345' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain('12345');
    expect((await put({ email: 'not an address' })).status).toBe(400);
    expect((await put({ timeZone: 'Mars/Olympus' })).status).toBe(400);
    expect((await put({ quietHours: { from: '25:00', to: '07:00' } })).status).toBe(400);
    expect((await put({ useChannels: 'some' })).status).toBe(400);
    // The first channel only, the next when it fails: the fall-backs below.
    const ok = await put({ whatsapp: '+91 98765 43210', email: 'ravi@example.org', language: 'hi', order: ['whatsapp', 'email'], quietHours: null, useChannels: 'first' });
    expect(ok.status).toBe(200);
    const expected = {
      language: 'hi', timeZone: 'Asia/Kolkata', quietHours: null, ruleModes: {}, order: ['whatsapp', 'email', 'telegram'], useChannels: 'first',
      channels: { telegram: { available: true, linked: false }, whatsapp: { available: true, number: '+91••••••3210' }, email: { available: true, address: 'r•••@example.org' } },
    };
    expect(await ok.json()).toEqual(expected);
    expect(await (await api('/api/v1/users/lead-west/notify', { token: admin })).json()).toEqual(expected);
    expect((await api('/api/v1/users/lead-west/notify', { token: lead })).status).toBe(403);
    expect((await api('/api/v1/users/nobody/notify', { token: admin })).status).toBe(404);
    const stored = await (await pipeline.store!.client.query({ query: 'SELECT whatsapp, email FROM notify_contacts', format: 'JSONEachRow' })).text();
    expect(stored).not.toContain('9876543210');
    expect(stored).not.toContain('ravi@');
  });

  it('sends a WhatsApp template in Hindi after a 429, records its statuses, and acknowledges from the quick reply', async () => {
    whatsapp.tooMany.add(`ack:${W}`);
    await fire(alertFor(W, 'div-west', ['lead-west']));
    const sent = await waitFor(() => whatsapp.calls.find((c) => c.payload === `ack:${W}` && c.answered === 'ok'), 'the WhatsApp message', 60_000);
    expect(whatsapp.calls.filter((c) => c.payload === `ack:${W}`).map((c) => c.answered)).toEqual(['429', 'ok']);
    expect(sent.to).toBe('919876543210');
    expect(sent.template.name).toBe('grouppulse_alert');
    expect(sent.template.language.code).toBe('hi');
    expect(sent.template.components[0]!.parameters.map((p) => p.text)).toEqual(['GroupPulse चेतावनी', expect.stringContaining('3 दिन से चुप है')]);
    expect(brief(await rows(W, 2))).toEqual([['whatsapp', 'failed', 1], ['whatsapp', 'sent', 2]]);

    const status = (s: string, at: number) => ({ id: sent.wamid, status: s, timestamp: String(at), recipient_id: '919876543210', conversation: { id: 'c1', origin: { type: 'utility' } }, pricing: { billable: true, pricing_model: 'CBP', category: 'utility' } });
    // Meta's timestamps are whole seconds, after the send.
    const now = Math.floor(Date.now() / 1000) + 1;
    // Delivered twice (Meta repeats itself), then read; and a status of some other message.
    expect((await webhook(change({ statuses: [status('delivered', now), status('delivered', now)] }))).status).toBe(200);
    expect((await webhook(change({ statuses: [status('read', now + 1), { ...status('read', now + 1), id: 'wamid.someone-else' }] }))).status).toBe(200);
    const bad = JSON.stringify(change({ statuses: [status('failed', now + 2)] }));
    expect((await fetch(`${pipeline.url}/v1/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signed(`${bad} `) }, body: bad })).status).toBe(403);
    expect(brief(await rows(W, 4))).toEqual([['whatsapp', 'failed', 1], ['whatsapp', 'sent', 2], ['whatsapp', 'delivered', 0], ['whatsapp', 'read', 0]]);

    const reply = (from: string) => ({ contacts: [{ profile: { name: 'Ravi' }, wa_id: from }], messages: [{ context: { from: '15550783881', id: sent.wamid }, from, id: 'wamid.reply1', timestamp: String(now + 3), type: 'button', button: { payload: `ack:${W}`, text: 'स्वीकार करें' } }] });
    // Someone else's number cannot acknowledge.
    expect((await webhook(change(reply('919812345678')))).status).toBe(200);
    expect((await createAlertRepository(pipeline.store!.client).get(W))?.acknowledgedBy).toBeNull();
    expect((await webhook(change(reply('919876543210')))).status).toBe(200);
    expect(await createAlertRepository(pipeline.store!.client).get(W)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'lead-west', acknowledgedVia: 'whatsapp' });

    const deliveries = (await (await api(`/api/v1/alerts/${W}/deliveries`, { token: lead })).json()) as { deliveries: { error?: string }[]; summary: unknown };
    expect(deliveries.summary).toEqual({ sentTo: 1, deliveredTo: 1, readBy: 1, failed: 0, acknowledged: { by: 'lead-west', via: 'whatsapp', at: expect.any(Number) } });
    expect(deliveries.deliveries.some((d) => d.error !== undefined)).toBe(false);
    const forAdmin = (await (await api(`/api/v1/alerts/${W}/deliveries`, { token: admin })).json()) as { deliveries: { error?: string }[] };
    expect(forAdmin.deliveries[0]!.error).toContain('130429');
    expect((await api(`/api/v1/alerts/${'v'.repeat(32)}/deliveries`, { token: lead })).status).toBe(404);
    // The people WhatsApp wrote to in the last 24 h, for its messaging limit (WHATSAPP_DAILY_RECIPIENTS).
    expect(await ledger().recipientsSince('whatsapp', Date.now() - 86_400_000)).toEqual(['lead-west']);
  });

  it('falls back to email when WhatsApp gives up; the email\'s link acknowledges via email', async () => {
    whatsapp.undeliverable.add(`ack:${X}`);
    await fire(alertFor(X, 'div-west', ['lead-west']));
    const mail = await waitFor(() => smtp.mails.find((m) => m.raw.includes(X) || (mailPart(m.raw, 'text/plain') ?? '').includes(X)), 'the email', 60_000);
    expect(mail.to).toEqual(['ravi@example.org']);
    expect(brief(await rows(X, 3))).toEqual([['whatsapp', 'failed', 1], ['whatsapp', 'gave_up', 2], ['email', 'sent', 1]]);
    const text = mailPart(mail.raw, 'text/plain')!;
    expect(text).toContain('3 दिन से चुप है');
    expect(mailPart(mail.raw, 'text/html')).toContain('<a href="https://pulse.example.org/api/v1/alerts/ack-link/');
    const link = /https:\/\/pulse\.example\.org(\/api\/v1\/alerts\/ack-link\/\S+)/.exec(text)![1]!;

    const tampered = `${pipeline.url}${link.slice(0, -3)}${link.slice(-3) === 'AAA' ? 'BBB' : 'AAA'}`;
    expect((await fetch(tampered)).status).toBe(403);
    expect((await fetch(tampered, { method: 'POST' })).status).toBe(403);
    const expired = await fetch(`${pipeline.url}/api/v1/alerts/ack-link/${signAckLink(LINK_SECRET, { alertId: X, username: 'lead-west', expiresAt: Date.now() - 1000 })}`, { method: 'POST' });
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('expired');

    // Opening the link (a mail scanner, a preview) acknowledges nothing: its page posts it back.
    const opened = await fetch(`${pipeline.url}${link}`);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toMatch(/<form id="ack" method="post">.*स्वीकार करें.*<script src="\/api\/v1\/alerts\/ack-link\/submit\.js">/s);
    expect((await createAlertRepository(pipeline.store!.client).get(X))?.state).toBe('firing');
    const followed = await fetch(`${pipeline.url}${link}`, { method: 'POST' });
    expect(followed.status).toBe(200);
    expect(await followed.text()).toContain('स्वीकार किया गया');
    expect(await createAlertRepository(pipeline.store!.client).get(X)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'lead-west', acknowledgedVia: 'email' });
  });

  it('falls back from Telegram ("chat not found") to WhatsApp; admins see the failures', async () => {
    const code = ((await (await api('/api/v1/me/telegram/link', { method: 'POST', token: lead, body: '{}' })).json()) as { code: string }).code;
    const start = { update_id: 1, message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: 880_001, type: 'private' }, from: { id: 880_001, is_bot: false, first_name: 'Ravi' }, text: `/start ${code}` } };
    expect((await fetch(`${pipeline.url}/v1/webhooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET }, body: JSON.stringify(start) })).status).toBe(200);
    expect((await api('/api/v1/me/notify', { method: 'PUT', token: lead, body: JSON.stringify({ order: ['telegram', 'whatsapp'] }) })).status).toBe(200);

    await fire(alertFor(Y, 'div-west', ['lead-west']));
    await waitFor(() => whatsapp.calls.find((c) => c.payload === `ack:${Y}` && c.answered === 'ok'), 'the WhatsApp fall-back', 60_000);
    expect(brief(await rows(Y, 3))).toEqual([['telegram', 'failed', 1], ['telegram', 'gave_up', 2], ['whatsapp', 'sent', 1]]);
    const summary = ((await (await api(`/api/v1/alerts/${Y}/deliveries`, { token: lead })).json()) as { summary: unknown }).summary;
    expect(summary).toEqual({ sentTo: 1, deliveredTo: 0, readBy: 0, failed: 0, acknowledged: null });

    expect((await api('/api/v1/notify/failures', { token: lead })).status).toBe(403);
    const failures = ((await (await api('/api/v1/notify/failures?limit=10', { token: admin })).json()) as { failures: { alertId: string; channel: string; status: string; error: string }[] }).failures;
    expect(failures.find((f) => f.alertId === Y && f.status === 'gave_up')).toMatchObject({ channel: 'telegram', error: expect.stringContaining('chat not found') });
    expect(failures.find((f) => f.alertId === X && f.status === 'gave_up')).toMatchObject({ channel: 'whatsapp', error: expect.stringContaining('131026') });

    expect((await api('/api/v1/me/telegram', { method: 'DELETE', token: lead })).status).toBe(204);
    expect(((await (await api('/api/v1/me/notify', { token: lead })).json()) as { channels: { telegram: { linked: boolean } } }).channels.telegram.linked).toBe(false);
    expect(whatsapp.problems).toEqual([]);
  });

  it('sends on every channel set up when the lead asks for all of them', async () => {
    expect((await api('/api/v1/me/notify', { method: 'PUT', token: lead, body: JSON.stringify({ useChannels: 'all' }) })).status).toBe(200);
    await fire(alertFor(Z, 'div-west', ['lead-west']));
    await waitFor(() => whatsapp.calls.find((c) => c.payload === `ack:${Z}` && c.answered === 'ok'), 'the WhatsApp message', 60_000);
    await waitFor(() => smtp.mails.find((m) => (mailPart(m.raw, 'text/plain') ?? '').includes(Z)), 'the email', 60_000);
    // Telegram was unlinked above: the two channels set up, each once.
    expect(brief(await rows(Z, 2))).toEqual([['whatsapp', 'sent', 1], ['email', 'sent', 1]]);
    const summary = ((await (await api(`/api/v1/alerts/${Z}/deliveries`, { token: lead })).json()) as { summary: unknown }).summary;
    expect(summary).toMatchObject({ sentTo: 1, failed: 0 });
    expect(whatsapp.problems).toEqual([]);
  });
});
