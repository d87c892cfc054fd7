/**
 * Errors in the chosen language, in Debian's Chromium against the real all-in-one server: a wrong password
 * and too many of them, a lead opening another division, the board's own forms (the chart's range, the
 * admin's display form) refused by the server, and the SQL console's refusals and mistakes framed in the
 * viewer's language around the engine's words. Phone and desktop, Hindi and English. The server answers a
 * code beside its English words; the board says the code. Screenshots go to test-results/errors-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startBoardUnderTest, type ApiAnswer, type BoardUnderTest, type Credentials } from '../support/board-browser.ts';
import { importOrg } from '../support/org-fixture.ts';

const INGEST_TOKEN = 'errors-test-token';
const ADMIN = { username: 'admin', password: 'errors-admin-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const ANALYST = { username: 'analyst.one', password: 'analyst-one-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const live = '[data-testid="connection"][data-state="live"]';

let board: BoardUnderTest;

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

/** Signed in as `user` on a phone in Hindi: the language chosen on the sign-in page, before signing in. */
async function openInHindi(user: Credentials): Promise<Page> {
  const page = await board.open({ viewport: PHONE });
  await page.click('[data-testid="lang-hi"]');
  await board.signIn(page, user);
  await page.locator(live, { hasText: 'लाइव' }).waitFor({ timeout: WAIT_MS });
  return page;
}

/** The text of `selector` once it shows. */
async function textOf(page: Page, selector: string): Promise<string> {
  await page.locator(selector).first().waitFor({ timeout: WAIT_MS });
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

async function runSql(page: Page, query: string): Promise<string> {
  await page.click('[data-testid="nav-sql"]');
  await page.fill('[data-testid="sql-input"]', query);
  await page.click('[data-testid="sql-run"]');
  // What went wrong in the viewer's language, then the engine's words.
  return `${await textOf(page, '[data-testid="sql-error"] strong')} ${await textOf(page, '[data-testid="sql-error"] pre')}`;
}

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS, env: { AUTH_SIGNIN_MAX_FAILURES: '3' } });
  const adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  await importOrg(board.url, adminToken);
  for (const [user, roles, units] of [[LEAD, ['lead'], ['JPR']], [ANALYST, ['analyst'], []], [{ username: 'locked.out', password: 'locked-out-password' }, ['monitor'], []]] as const) {
    const created = await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...user, roles, units } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe("errors in the viewer's language", () => {
  test('phone, Hindi: a wrong password, then too many of them, are told in Hindi', async () => {
    const page = await board.open({ viewport: PHONE });
    await page.click('[data-testid="lang-hi"]');
    const notice = '[data-testid="sign-in"] [role="alert"]';
    for (let attempt = 1; attempt <= 3; attempt++) {
      await board.signIn(page, { username: 'locked.out', password: `wrong-password-${attempt}` });
      await page.locator(notice, { hasText: 'उपयोगकर्ता नाम या पासवर्ड ग़लत है।' }).waitFor({ timeout: WAIT_MS });
      await page.evaluate(() => document.querySelector('[data-testid="sign-in"] [role="alert"]')?.remove());
    }
    await board.signIn(page, { username: 'locked.out', password: 'locked-out-password' });
    expect(await textOf(page, notice)).toBe('बहुत बार ग़लत साइन इन: 15 मिनट बाद फिर कोशिश करें।');
    await board.screenshot(page, 'errors-phone-hi-too-many');
  });

  test('desktop, English: a wrong password is told in English', async () => {
    const page = await board.open({ viewport: DESKTOP });
    await board.signIn(page, { username: LEAD.username, password: 'not-the-password' });
    expect(await textOf(page, '[data-testid="sign-in"] [role="alert"]')).toBe('Wrong username or password.');
  });

  test("phone, Hindi: a lead opening another division, and a date the chart's range cannot take, are told in Hindi", async () => {
    const page = await openInHindi(LEAD);
    await page.evaluate(() => (location.hash = '#/unit/AJM'));
    expect(await textOf(page, '[data-testid="unit-error"]')).toBe('कुछ गड़बड़ हुई: यह आपके देखने या करने के दायरे से बाहर है।');
    await board.screenshot(page, 'errors-phone-hi-forbidden');
    // An error on screen follows a change of language, without asking the server again.
    await page.click('[data-testid="lang-en"]');
    await page.locator('[data-testid="unit-error"]', { hasText: 'Something went wrong: This is outside what you may see or do.' }).waitFor({ timeout: WAIT_MS });
    await page.click('[data-testid="lang-hi"]');

    await page.evaluate(() => (location.hash = '#/unit/JPR'));
    await page.locator('[data-testid="unit-metrics"]').waitFor({ timeout: WAIT_MS });
    await page.locator('.fixed input').first().fill('1999-01-01T00:00');
    await page.locator('.fixed button[type="submit"]').click();
    expect(await textOf(page, '[data-testid="series-error"]')).toBe('“से” जाँचें: सर्वर इसे स्वीकार नहीं कर सका।');
    await board.screenshot(page, 'errors-phone-hi-range');
  });

  test("desktop, English: a range too long, and the admin's display form with an unknown unit, are told by name", async () => {
    const page = await board.openAs(ADMIN, { viewport: DESKTOP });
    await page.evaluate(() => (location.hash = '#/unit/JPR'));
    await page.locator('[data-testid="unit-metrics"]').waitFor({ timeout: WAIT_MS });
    await page.locator('.fixed input').nth(0).fill('2025-01-01T00:00');
    await page.locator('.fixed input').nth(1).fill('2025-12-31T00:00');
    await page.locator('.fixed button[type="submit"]').click();
    expect(await textOf(page, '[data-testid="series-error"]')).toBe('Choose a start before the end, and a range that is not too long.');

    await page.click('[data-testid="nav-admin"]');
    await page.fill('input[name="label"]', 'Nowhere hall');
    await page.fill('input[name="unit"]', 'NOPE');
    await page.click('[data-testid="admin-page"] button[type="submit"]');
    expect(await textOf(page, '[data-testid="admin-error"]')).toBe('Check “Unit”: the server could not accept it.');
    await board.screenshot(page, 'errors-desktop-admin-form');
  });

  test("the SQL console frames the engine's words: desktop in English, phone in Hindi", async () => {
    const desktop = await board.openAs(ANALYST, { viewport: DESKTOP });
    expect(await runSql(desktop, 'SELECT * FROM users')).toMatch(/^This query is not allowed here: refused: users is not an analytics table/);
    await board.screenshot(desktop, 'errors-desktop-sql-refused');

    const phone = await openInHindi(ANALYST);
    expect(await runSql(phone, 'SELECT count( FROM events')).toMatch(/^क्वेरी में ग़लती है: syntax error at character \d+/);
    await board.screenshot(phone, 'errors-phone-hi-sql-mistake');
    await phone.click('[data-testid="lang-en"]');
    await phone.locator('[data-testid="sql-error"] strong', { hasText: 'The query has a mistake:' }).waitFor({ timeout: WAIT_MS });
  });
});
