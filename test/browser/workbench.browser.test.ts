/**
 * The analyst's workbench in Debian's Chromium against the real all-in-one server: examples a click puts
 * into the editor, the tables and what their columns mean, saved queries and history that are the user's
 * own and outlive a reload, the query and its answer kept across pages, and a mistake shown at its line
 * and column. Desktop in English, phone in Hindi. Screenshots go to /tmp/shots-23a/. Polls with
 * deadlines; never sleeps a fixed time.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SQL_EXAMPLES } from '../../common/contracts/sql-examples.ts';
import { messageMaker, startBoardUnderTest, wholePageScreenshot, type ApiAnswer, type BoardUnderTest, type Credentials, type OpenOptions, SCREENSHOTS } from '../support/board-browser.ts';
import { waitFor } from '../support/wait.ts';

const INGEST_TOKEN = 'workbench-test-token';
const ADMIN = { username: 'admin', password: 'workbench-admin-password' };
const ANA = { username: 'ana', password: 'ana-analyst-password' };
const BEA = { username: 'bea', password: 'bea-analyst-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const SHOTS = path.join(SCREENSHOTS, 'workbench');
const BROKEN = 'SELECT division,\n  count(\nFROM events';

let board: BoardUnderTest;
const message = messageMaker('9198');

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

async function shot(page: Page, name: string): Promise<void> {
  await wholePageScreenshot(page, path.join(SHOTS, `${name}.png`));
}

async function openSql(user: Credentials, options: OpenOptions & { hindi?: boolean } = {}): Promise<Page> {
  const page = await board.openAs(user, options);
  if (options.hindi) {
    await page.click('[data-testid="lang-hi"]');
    await page.locator('[data-testid="connection"][data-state="live"]', { hasText: 'लाइव' }).waitFor({ timeout: WAIT_MS });
  }
  await page.click('[data-testid="nav-sql"]');
  await page.locator('[data-testid="sql-page"]').waitFor({ timeout: WAIT_MS });
  return page;
}

const savedNames = (page: Page) => page.locator('[data-testid="sql-saved-item"] .link').allTextContents();

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS });
  const adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  const units = [{ id: 'RJ', name: 'Rajasthan', level: 'state', parent: '' }, { id: 'JPR', name: 'Jaipur', level: 'division', parent: 'RJ' }];
  const groups = [1, 2].map((n) => ({ id: `wa:w${n}`, unit: 'JPR', category: 'booth-voters', title: `Booth ${n} voters` }));
  for (const [kind, rows] of [['units', units], ['groups', groups]] as const) {
    expect((await api(`/api/v1/directory/${kind}`, { method: 'POST', token: adminToken, body: { [kind]: rows } })).status).toBe(200);
  }
  for (const user of [ANA, BEA]) expect((await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...user, roles: ['analyst'] } })).status).toBe(201);
  const events = Array.from({ length: 12 }, (_, i) => message(groups[i % 2]!.id, Date.now() - (i % 3) * 3_600_000));
  expect((await api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: events })).status).toBe(202);
  await waitFor(async () => {
    const { body } = await api('/api/v1/board/unit?unit=JPR', { token: adminToken });
    return (body.total as { messages?: number } | undefined)?.messages === events.length ? true : undefined;
  }, 'the events stored', WAIT_MS);
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe("the analyst's workbench", () => {
  test('on a desktop in English: an example, the tables, a saved query, a mistake at its place, all kept', async () => {
    const page = await openSql(ANA, { viewport: DESKTOP });
    const examples = page.locator('[data-testid="sql-example"]');
    expect(await examples.count()).toBe(SQL_EXAMPLES.length);
    await page.click('[data-testid="sql-example"][data-example="activity"]');
    expect(await page.inputValue('[data-testid="sql-input"]')).toBe(SQL_EXAMPLES.find((e) => e.id === 'activity')!.sql);
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-table"] tbody tr').first().waitFor({ timeout: WAIT_MS });
    await page.click('[data-testid="sql-chart"]');
    const charts = page.locator('[data-testid="sql-result"] [data-testid="chart"]');
    await charts.nth(2).locator('canvas').waitFor({ timeout: WAIT_MS });
    // Three quantities, three charts with an axis each.
    expect(await page.locator('[data-testid="sql-result"] [data-testid="chart-readout"] .name').allTextContents()).toEqual(['messages', 'active_groups', 'active_members']);

    // The tables and what their columns mean.
    await page.click('[data-testid="sql-schema"] > summary');
    const hourly = page.locator('[data-testid="sql-schema"] details[data-table="rollup_group_hour"]');
    await hourly.locator('summary').click();
    expect(await hourly.textContent()).toMatch(/last_at\s*SimpleAggregateFunction\(max, DateTime64\(3, 'UTC'\)\).*1970-01-01 00:00:00 when there were joins or leaves but no message/s);
    expect(await page.locator('[data-testid="sql-schema"] details[data-table]').count()).toBe(15);

    // Saved by name, on the server.
    await page.fill('[data-testid="sql-save-name"]', 'Hourly activity');
    await page.click('[data-testid="sql-save"]');
    await page.locator('[data-testid="sql-saved-item"]', { hasText: 'Hourly activity' }).waitFor({ timeout: WAIT_MS });

    // A mistake on the second line: said at its line and column, the caret under it, the cursor on it.
    await page.fill('[data-testid="sql-input"]', BROKEN);
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-error-place"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sql-error-place"]').textContent()).toBe('At line 2, column 8:');
    expect(await page.locator('[data-testid="sql-caret"]').textContent()).toBe('  count(\n       ^');
    expect(await page.locator('[data-testid="sql-error"] pre').first().textContent()).toMatch(/^syntax error at character 25 \(line 2, column 8\)/);
    await page.waitForFunction((at) => (document.querySelector('[data-testid="sql-input"]') as HTMLTextAreaElement).selectionStart === at, BROKEN.indexOf('('), { timeout: WAIT_MS });
    await shot(page, 'workbench-desktop-en-error');

    // Away to the board and back: the query and the failure are still there.
    await page.goto(`${board.url}/#/`);
    await page.locator('[data-testid="sql-page"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    await page.click('[data-testid="nav-sql"]');
    expect(await page.inputValue('[data-testid="sql-input"]')).toBe(BROKEN);
    expect(await page.locator('[data-testid="sql-caret"]').textContent()).toBe('  count(\n       ^');

    // A saved query opens with a click, and its answer too is kept across pages.
    await page.click('[data-testid="sql-saved-item"] .link');
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-result"]').waitFor({ timeout: WAIT_MS });
    await page.goto(`${board.url}/#/`);
    await page.locator('[data-testid="sql-page"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    await page.goto(`${board.url}/#/sql`);
    await page.locator('[data-testid="sql-result"] [data-testid="chart"]').first().waitFor({ timeout: WAIT_MS });
    await shot(page, 'workbench-desktop-en-kept');

    // A reload: the saved query and the history come back from the server.
    await page.reload();
    await page.locator('[data-testid="sql-page"]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="sql-saved-item"]', { hasText: 'Hourly activity' }).waitFor({ timeout: WAIT_MS });
    await page.click('[data-testid="sql-history"] > summary');
    const history = page.locator('[data-testid="sql-history-item"]');
    await history.first().waitFor({ timeout: WAIT_MS });
    expect(await history.first().locator('.link').textContent()).toBe(SQL_EXAMPLES.find((e) => e.id === 'activity')!.sql);
    expect(await page.locator('[data-testid="sql-history"]').textContent()).toMatch(/failed/);
    await shot(page, 'workbench-desktop-en-lists');

    // Deleted, and still gone after a reload.
    await page.click('[data-testid="sql-saved-delete"]');
    await page.locator('[data-testid="sql-saved-item"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    await page.reload();
    await page.locator('[data-testid="sql-saved"] .muted').waitFor({ timeout: WAIT_MS });
    expect(await savedNames(page)).toEqual([]);

    // Signed out and in as another analyst in the same tab: nothing of ana's query or answer is left.
    await page.fill('[data-testid="sql-input"]', 'SELECT 42 AS anas');
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-result"]').waitFor({ timeout: WAIT_MS });
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await board.signIn(page, BEA);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: WAIT_MS });
    await page.goto(`${board.url}/#/sql`);
    await page.locator('[data-testid="sql-page"]').waitFor({ timeout: WAIT_MS });
    expect(await page.inputValue('[data-testid="sql-input"]')).toBe(SQL_EXAMPLES[0]!.sql);
    expect(await page.locator('[data-testid="sql-result"]').count()).toBe(0);
  });

  test("on a phone in Hindi: another analyst sees none of ana's, and a misspelt SELECT is pointed at", async () => {
    await api('/api/v1/auth/sign-in', { method: 'POST', body: ANA }).then(async ({ body }) => {
      const token = (body as { token: string }).token;
      expect((await api('/api/v1/sql/saved', { method: 'POST', token, body: { name: 'ana only', query: 'SELECT 1' } })).status).toBe(201);
    });
    const page = await openSql(BEA, { viewport: PHONE, hindi: true });
    expect(await page.locator('[data-testid="sql-example"][data-example="istDays"]').textContent()).toBe('पिछले 7 दिन, IST में हर दिन के संदेश');
    await page.locator('[data-testid="sql-saved"] .muted', { hasText: 'अभी कुछ सहेजा नहीं गया' }).waitFor({ timeout: WAIT_MS });
    expect(await savedNames(page)).toEqual([]);

    await page.fill('[data-testid="sql-input"]', 'SELEC 1');
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-error-place"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sql-error"] strong').textContent()).toBe('क्वेरी में ग़लती है:');
    expect(await page.locator('[data-testid="sql-error-place"]').textContent()).toBe('पंक्ति 1, स्तंभ 1 पर:');
    expect(await page.locator('[data-testid="sql-caret"]').textContent()).toBe('SELEC 1\n^');
    await page.click('[data-testid="sql-history"] > summary');
    await page.locator('[data-testid="sql-history-item"]', { hasText: 'SELEC 1' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sql-history-item"] .link').allTextContents()).toEqual(['SELEC 1']);

    await page.click('[data-testid="sql-schema"] > summary');
    await page.locator('[data-testid="sql-schema"] details[data-table="events"] summary').click();
    expect(await page.locator('[data-testid="sql-schema"] details[data-table="events"]').textContent()).toMatch(/हर स्वीकृत घटना/);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    await shot(page, 'workbench-phone-hi');
    await page.locator('[data-testid="sql-error"]').screenshot({ path: path.join(SHOTS, 'workbench-phone-hi-error-part.png') });

    // One row is one row, in the summary and the history.
    await page.fill('[data-testid="sql-input"]', 'SELECT 1 AS one');
    await page.click('[data-testid="sql-run"]');
    expect(await page.locator('[data-testid="sql-summary"]').textContent()).toMatch(/^1 पंक्ति, \d+ ms में$/);
    await page.locator('[data-testid="sql-history-item"]', { hasText: '1 पंक्ति' }).waitFor({ timeout: WAIT_MS });

    await page.click('[data-testid="sql-example"][data-example="istDays"]');
    await page.click('[data-testid="sql-run"]');
    await page.click('[data-testid="sql-chart"]');
    await page.locator('[data-testid="sql-result"] [data-testid="chart"] canvas').first().waitFor({ timeout: WAIT_MS });
    // A long query in the history is cut with an ellipsis, never wider than the phone.
    await page.locator('[data-testid="sql-history-item"]').nth(2).waitFor({ timeout: WAIT_MS });
    const after = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
    expect(after.page).toBeLessThanOrEqual(after.viewport);
    await shot(page, 'workbench-phone-hi-chart');
    await page.locator('[data-testid="sql-result"]').screenshot({ path: path.join(SHOTS, 'workbench-phone-hi-chart-part.png') });
    await page.locator('[data-testid="sql-history"]').screenshot({ path: path.join(SHOTS, 'workbench-phone-hi-history-part.png') });
  });
});
