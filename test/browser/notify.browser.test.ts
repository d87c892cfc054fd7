/**
 * Alerts on a lead's phone, from the board's side, against local stand-ins of Telegram's Bot API, the
 * WhatsApp Cloud API and an SMTP server (test/support/notify-servers.ts): the Ajmer lead, on a phone in
 * Hindi, links Telegram by its one-time code and gives a WhatsApp number and an email on "My alerts";
 * the detector then fires for their quiet groups and each alert reaches them on all three, in Hindi.
 * WhatsApp's delivered/read statuses come back through the signed webhook; the lead acknowledges one
 * alert with Telegram's button and another with the email's link; the inbox shows how far each got and
 * who acknowledged how. Screenshots: test-results/notify/.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { SCREENSHOTS, startBoardUnderTest, wholePageScreenshot, type ApiAnswer, type BoardUnderTest } from '../support/board-browser.ts';
import { mailPart, startFakeTelegram, startFakeWhatsApp, startSmtp, type FakeSmtp, type FakeTelegram, type FakeWhatsApp } from '../support/notify-servers.ts';
import { importOrg } from '../support/org-fixture.ts';
import { waitFor } from '../support/wait.ts';

const SHOTS = path.join(SCREENSHOTS, 'notify');
const ADMIN = { username: 'admin', password: 'notify-admin-password' };
const LEAD = { username: 'lead.ajmer', password: 'lead-ajmer-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const WA = { version: 'v21.0', phoneNumberId: '106540352242922', accessToken: 'EAAG-board-test-access-token' };
const BOT_TOKEN = '123456789:AAE-board-test-bot-token';
const TG_SECRET = 'telegram-secret-token-for-board-tests';
const APP_SECRET = 'whatsapp-app-secret-for-board-tests';
const LEAD_CHAT = 770_001;
/** Never-spoken groups are quiet after a few seconds; no escalation or mute window in the way. */
const RULES = { inactivity: { newGraceHours: 0.001 }, routing: { escalateAfterMinutes: 600 }, muteWindows: [] };

let board: BoardUnderTest;
let telegram: FakeTelegram;
let whatsapp: FakeWhatsApp;
let smtp: FakeSmtp;
let adminToken: string;

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

function postSigned(pathname: string, payload: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${board.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

function whatsappWebhook(value: Record<string, unknown>): Promise<Response> {
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WA.phoneNumberId }, ...value } }] }] });
  return fetch(`${board.url}/v1/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` }, body });
}

async function shot(page: Page, name: string): Promise<void> {
  await wholePageScreenshot(page, path.join(SHOTS, `${name}.png`));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const rulesFile = path.join(mkdtempSync(path.join(tmpdir(), 'grouppulse-notify-rules-')), 'rules.json');
  writeFileSync(rulesFile, JSON.stringify(RULES));
  [telegram, whatsapp, smtp] = await Promise.all([startFakeTelegram(BOT_TOKEN), startFakeWhatsApp(WA), startSmtp()]);
  board = await startBoardUnderTest({
    admin: ADMIN,
    ingestToken: 'notify-board-token',
    waitMs: WAIT_MS,
    env: {
      ALERT_TICK_MS: '1000',
      ALERT_RULES_FILE: rulesFile,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_BOT_USERNAME: 'GroupPulseBoardTestBot', TELEGRAM_SECRET_TOKEN: TG_SECRET, TELEGRAM_API_BASE: telegram.base,
      WHATSAPP_ACCESS_TOKEN: WA.accessToken, WHATSAPP_PHONE_NUMBER_ID: WA.phoneNumberId, WHATSAPP_API_BASE: whatsapp.base, WHATSAPP_API_VERSION: WA.version,
      WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: 'whatsapp-verify-token-for-board-tests',
      SMTP_URL: smtp.url, NOTIFY_EMAIL_FROM: 'GroupPulse <alerts@grouppulse.test>', BOARD_PUBLIC_URL: 'https://pulse.example.org', NOTIFY_LINK_SECRET: 'notify-link-secret-for-board-tests',
      NOTIFY_CONTACTS_KEY: 'notify-contacts-key-for-board-tests',
    },
  });
  adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  const created = await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...LEAD, roles: ['lead'], units: ['AJM'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 120_000);

afterAll(async () => {
  await board?.stop();
  await Promise.all([telegram?.close(), whatsapp?.close(), smtp?.close()]);
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

test('a lead on a phone, in Hindi, sets up Telegram, WhatsApp and email, gets each alert on all three and acknowledges from the messages', async () => {
  const page = await board.openAs(LEAD, { viewport: PHONE, hindi: true });
  await page.click('[data-testid="nav-notify"]');
  await page.locator('[data-testid="notify-page"] .page-title', { hasText: 'मेरी सूचनाएँ' }).waitFor({ timeout: WAIT_MS });

  // Telegram: a one-time code, sent to the bot as /start through the real webhook, links the chat.
  await page.click('[data-testid="telegram-link-start"]');
  const deepLink = await page.locator('[data-testid="telegram-link"] a').getAttribute('href');
  const code = /start=([\w-]+)$/.exec(deepLink ?? '')?.[1];
  expect(deepLink).toMatch(/^https:\/\/t\.me\/GroupPulseBoardTestBot\?start=/);
  expect(await page.locator('[data-testid="telegram-link"]').textContent()).toContain(`/start ${code}`);
  const start = { update_id: 1, message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: LEAD_CHAT, type: 'private' }, from: { id: LEAD_CHAT, is_bot: false, first_name: 'Ravi' }, text: `/start ${code}` } };
  expect((await postSigned('/v1/webhooks/telegram', start, { 'x-telegram-bot-api-secret-token': TG_SECRET })).status).toBe(200);
  await page.click('[data-testid="telegram-check"]');
  await page.locator('[data-testid="telegram-state"]', { hasText: 'जुड़ा है' }).waitFor({ timeout: WAIT_MS });

  // A number without its country code is taken as Indian; a bad one is refused without being repeated.
  const whatsappForm = page.locator('[data-testid="channel-whatsapp"] form');
  await whatsappForm.locator('input[name="whatsapp"]').fill('12345');
  await whatsappForm.locator('button[type="submit"]').click();
  const refusal = page.locator('[data-testid="notify-error"]');
  await refusal.waitFor({ timeout: WAIT_MS });
  expect(await refusal.textContent()).not.toContain('12345');
  await whatsappForm.locator('input[name="whatsapp"]').fill('98765 43210');
  await whatsappForm.locator('button[type="submit"]').click();
  await page.locator('[data-testid="whatsapp-state"]', { hasText: '+91••••••3210' }).waitFor({ timeout: WAIT_MS });
  const emailForm = page.locator('[data-testid="channel-email"] form');
  await emailForm.locator('input[name="email"]').fill('ravi@example.org');
  await emailForm.locator('button[type="submit"]').click();
  await page.locator('[data-testid="email-state"]', { hasText: 'r•••@example.org' }).waitFor({ timeout: WAIT_MS });
  // Messages in Hindi, on every channel set up.
  await page.locator('[data-testid="notify-form"] input[name="language"][value="hi"]').check();
  expect(await page.locator('[data-testid="notify-form"] input[name="useChannels"][value="all"]').isChecked()).toBe(true);
  await page.click('[data-testid="notify-save"]');
  await page.locator('[data-testid="notify-saved"]').waitFor({ timeout: WAIT_MS });
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  await shot(page, 'phone-hi-my-alerts');

  // The organisation arrives; Ajmer's two groups never spoke, so two alerts fire for this lead.
  await importOrg(board.url, adminToken);
  const ajmer = await waitFor(async () => {
    const { body } = await api('/api/v1/alerts?state=open&division=AJM&rule=group-inactive', { token: adminToken });
    const alerts = (body.alerts as { id: string; subject: string }[] | undefined) ?? [];
    return alerts.length === 2 ? alerts : undefined;
  }, "Ajmer's two group alerts", 60_000);
  const [first, second] = ajmer.sort((a, b) => a.subject.localeCompare(b.subject)) as [{ id: string; subject: string }, { id: string; subject: string }];

  // Each alert on each channel, once, in Hindi.
  const tgFor = (id: string) => telegram.calls.filter((c) => c.method === 'sendMessage' && JSON.stringify(c.body.reply_markup ?? '').includes(`ack:${id}`));
  const waFor = (id: string) => whatsapp.calls.filter((c) => c.payload === `ack:${id}` && c.answered === 'ok');
  const mailFor = (id: string) => smtp.mails.filter((m) => (mailPart(m.raw, 'text/plain') ?? '').includes(id));
  await waitFor(() => [first, second].every((a) => tgFor(a.id).length && waFor(a.id).length && mailFor(a.id).length) || undefined, 'both alerts on all three channels', 60_000);
  for (const alert of [first, second]) {
    expect([tgFor(alert.id).length, waFor(alert.id).length, mailFor(alert.id).length]).toEqual([1, 1, 1]);
    expect(tgFor(alert.id)[0]!.body.chat_id).toBe(LEAD_CHAT);
    expect(tgFor(alert.id)[0]!.body.text).toContain('चेतावनी');
    // The booth by its name, as the lead knows it, not its id.
    expect(tgFor(alert.id)[0]!.body.text).toContain('इकाई: Booth 201 Kishangarh');
    expect(waFor(alert.id)[0]!.to).toBe('919876543210');
    expect(waFor(alert.id)[0]!.template.language.code).toBe('hi');
    expect(mailFor(alert.id)[0]!.to).toEqual(['ravi@example.org']);
  }
  expect(mailPart(mailFor(first.id)[0]!.raw, 'text/plain')).toContain('Kishangarh');

  // WhatsApp says the first was delivered and read.
  const wamid = waFor(first.id)[0]!.wamid!;
  const now = Math.floor(Date.now() / 1000) + 1;
  const status = (s: string, at: number) => ({ id: wamid, status: s, timestamp: String(at), recipient_id: '919876543210' });
  expect((await whatsappWebhook({ statuses: [status('delivered', now)] })).status).toBe(200);
  expect((await whatsappWebhook({ statuses: [status('read', now + 1)] })).status).toBe(200);

  // The first is acknowledged with Telegram's button, the second with the email's link.
  const callback = { update_id: 2, callback_query: { id: 'cbq-board-1', from: { id: LEAD_CHAT, is_bot: false, first_name: 'Ravi' }, message: { message_id: 5, date: now, chat: { id: LEAD_CHAT, type: 'private' } }, chat_instance: '1', data: `ack:${first.id}` } };
  expect((await postSigned('/v1/webhooks/telegram', callback, { 'x-telegram-bot-api-secret-token': TG_SECRET })).status).toBe(200);
  // The email's link, opened in the phone's browser: one click, its page posts it back.
  const link = /https:\/\/pulse\.example\.org(\/api\/v1\/alerts\/ack-link\/\S+)/.exec(mailPart(mailFor(second.id)[0]!.raw, 'text/plain')!)![1]!;
  const fromMail = await page.context().newPage();
  await fromMail.goto(`${board.url}${link}`);
  await fromMail.locator('p', { hasText: 'स्वीकार किया गया' }).waitFor({ timeout: WAIT_MS });
  await fromMail.close();

  // The lead's inbox, acknowledged: how far each got, and who acknowledged how.
  await page.goto(`${board.url}/#/unit/AJM`);
  await page.click('[data-testid="state-acknowledged"]');
  const row = (id: string) => page.locator(`[data-alert-id="${id}"]`);
  await row(first.id).locator('[data-testid="delivery"]', { hasText: '1 को भेजी गई · 1 तक पहुँची · 1 ने पढ़ी' }).waitFor({ timeout: WAIT_MS });
  expect(await row(first.id).locator('[data-testid="acked"]').textContent()).toMatch(/lead\.ajmer ने टेलीग्राम से स्वीकार किया, /);
  expect(await row(second.id).locator('[data-testid="acked"]').textContent()).toMatch(/lead\.ajmer ने ईमेल से स्वीकार किया, /);
  await row(first.id).scrollIntoViewIfNeeded();
  await shot(page, 'phone-hi-acknowledged');

  // The central team, in English: the same, and no failures to look at.
  const admin = await board.openAs(ADMIN);
  await admin.goto(`${board.url}/#/unit/AJM`);
  await admin.click('[data-testid="state-acknowledged"]');
  await admin.locator(`[data-alert-id="${first.id}"] [data-testid="delivery"]`, { hasText: 'Sent to 1 · delivered to 1 · read by 1' }).waitFor({ timeout: WAIT_MS });
  expect(await admin.locator(`[data-alert-id="${second.id}"] [data-testid="acked"]`).textContent()).toMatch(/Acknowledged by lead\.ajmer via Email, /);
  await admin.click('[data-testid="nav-admin"]');
  await admin.locator('[data-testid="notify-failures"]', { hasText: 'None lately.' }).waitFor({ timeout: WAIT_MS });
  // An admin opens the lead's channels from the users list: masked, and unlinks their Telegram.
  await admin.locator('[data-testid="user"][data-username="lead.ajmer"] [data-testid="user-notify"]').click();
  await admin.locator('[data-testid="notify-page"] .page-title', { hasText: 'lead.ajmer' }).waitFor({ timeout: WAIT_MS });
  expect(await admin.locator('[data-testid="whatsapp-state"]').textContent()).toBe('+91••••••3210');
  await admin.click('[data-testid="telegram-unlink"]');
  await admin.locator('[data-testid="telegram-state"]', { hasText: 'Not linked.' }).waitFor({ timeout: WAIT_MS });
  expect((await api('/api/v1/users/lead.ajmer/notify', { token: adminToken })).body).toMatchObject({ language: 'hi', useChannels: 'all', channels: { telegram: { linked: false } } });
  expect([telegram.problems, whatsapp.problems]).toEqual([[], []]);
}, 240_000);
