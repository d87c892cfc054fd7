/**
 * The monitoring board in Debian's Chromium against the real all-in-one server (in-process bus,
 * embedded ClickHouse, alerts detector ticking every second). Everything the tests need goes in
 * through the real APIs: the organisation tree through the directory API, users through the admin
 * API (as the admin), events through /v1/events (two groups spoke 50 h ago, so group-inactive alerts fire).
 * Screenshots go to test-results/monitoring-*.png. Polls with deadlines; never sleeps a fixed time.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { ALL_ROLES, startServices, type RunningServices } from '../../runtime/services.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCREENSHOTS = path.join(ROOT, 'test-results');
const INGEST_TOKEN = 'monitoring-test-token';
const ADMIN = { username: 'admin', password: 'monitoring-admin-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const ANALYST = { username: 'analyst.one', password: 'analyst-one-password' };
const WAIT_MS = 30_000;
const HOUR = 3_600_000;

let dataDir: string;
let services: RunningServices;
let browser: Browser;
let adminToken: string;
const contexts: BrowserContext[] = [];
/** Uncaught errors in any page: every test ends with none. */
const pageErrors: string[] = [];
const run = randomUUID().slice(0, 8);
let nextId = 0;

function message(group: string, at = Date.now()) {
  nextId += 1;
  return { type: 'message', id: `${run}:m${nextId}`, group, at: new Date(at).toISOString(), sender: `9198${String(nextId).padStart(8, '0')}`, kind: 'text' };
}

async function api(pathname: string, init: { method?: string; token?: string; body?: unknown; contentType?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${services.url}${pathname}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'Content-Type': init.contentType ?? 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

async function postEvents(events: object[]): Promise<void> {
  const { status, body } = await api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: events });
  expect(status, JSON.stringify(body)).toBe(202);
  expect(body).toMatchObject({ accepted: events.length, rejected: [] });
}

async function openAs(user: { username: string; password: string }, viewport = { width: 1440, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme: 'dark', timezoneId: 'Asia/Kolkata', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${services.url}/`);
  await page.locator('[data-testid="sign-in"]').waitFor({ timeout: WAIT_MS });
  await page.fill('input[name="username"]', user.username);
  await page.fill('input[name="password"]', user.password);
  await page.click('button[type="submit"]');
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: WAIT_MS });
  return page;
}

async function numberIn(page: Page, selector: string): Promise<number> {
  const value = await page.locator(selector).first().getAttribute('data-value', { timeout: WAIT_MS });
  return Number(value);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `monitoring-${name}.png`), fullPage: true });
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

beforeAll(async () => {
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  mkdirSync(SCREENSHOTS, { recursive: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'grouppulse-monitoring-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    INGEST_TOKEN,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'silent',
    ALERT_TICK_MS: '1000',
    LIVE_RESYNC_MS: '2000',
    AUTH_SIGNIN_MAX_ATTEMPTS: '1000',
    KAFKA_BROKERS: '',
    CLICKHOUSE_URL: '',
  });
  services = await startServices(config, ALL_ROLES, createLogger('silent'));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });

  adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  const units = await api('/api/v1/directory/units', {
    method: 'POST',
    token: adminToken,
    body: {
      units: [
        { id: 'RJ', name: 'Rajasthan', level: 'state', parent: '' },
        { id: 'JPR', name: 'Jaipur', level: 'division', parent: 'RJ' },
        { id: 'AJM', name: 'Ajmer', level: 'division', parent: 'RJ' },
        { id: 'JPR-D1', name: 'Jaipur City', level: 'district', parent: 'JPR' },
        { id: 'B101', name: 'Booth 101 Sanganer', level: 'booth', parent: 'JPR-D1' },
        { id: 'B102', name: 'Booth 102 Malviya Nagar', level: 'booth', parent: 'JPR-D1' },
        { id: 'B201', name: 'Booth 201 Kishangarh', level: 'booth', parent: 'AJM' },
      ],
    },
  });
  expect(units.status, JSON.stringify(units.body)).toBe(200);
  const groups = await api('/api/v1/directory/groups', {
    method: 'POST',
    token: adminToken,
    body: {
      groups: [
        { id: 'wa:g1', unit: 'B101', category: 'booth-voters', title: 'Sanganer voters' },
        { id: 'wa:g2', unit: 'B101', category: 'youth', title: 'Sanganer yuva' },
        { id: 'wa:g3', unit: 'B102', category: 'booth-voters', title: 'Malviya Nagar voters' },
        { id: 'wa:g4', unit: 'B201', category: 'booth-voters', title: 'Kishangarh voters' },
        { id: 'wa:g5', unit: 'B201', category: 'women', title: 'Kishangarh mahila' },
      ],
    },
  });
  expect(groups.status, JSON.stringify(groups.body)).toBe(200);

  for (const [user, roles, unitsOf] of [[LEAD, ['lead'], ['JPR']], [ANALYST, ['analyst'], []]] as const) {
    const created = await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...user, roles, units: unitsOf } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }

  // Today's traffic, and two groups (one per division) that last spoke 50 h ago: quiet, alerting.
  await postEvents([message('wa:g1'), message('wa:g1'), message('wa:g4'), message('wa:g3', Date.now() - 50 * HOUR), message('wa:g5', Date.now() - 50 * HOUR)]);
  await waitFor(async () => {
    const { body } = await api('/api/v1/alerts?state=open', { token: adminToken });
    const divisions = new Set(((body.alerts as { division: string; rule: string }[] | undefined) ?? []).filter((a) => a.rule === 'group-inactive').map((a) => a.division));
    return divisions.has('JPR') && divisions.has('AJM') ? true : undefined;
  }, 'group-inactive alerts in both divisions', 60_000);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await services?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

describe('monitoring board', () => {
  test('central board: totals, named divisions with trends, ranking and alerts; numbers move live', async () => {
    const page = await openAs(ADMIN);
    await page.locator('tbody[data-division="JPR"] button[aria-expanded]').filter({ hasText: 'Jaipur' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alert"]').first().waitFor({ timeout: WAIT_MS });
    await page.locator('tbody[data-division="JPR"] svg polyline').first().waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('[data-testid="total-openAlerts"] .count') !== null, undefined, { timeout: WAIT_MS });
    expect(await page.locator('[data-testid="rank-most"] li').first().textContent()).toMatch(/Jaipur/);
    const before = await numberIn(page, '[data-testid="total-messages"] .count');
    expect(before).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'central');

    await postEvents(Array.from({ length: 25 }, () => message('wa:g1')));
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="total-messages"] .count')?.getAttribute('data-value')) === n, before + 25, { timeout: WAIT_MS });
    expect(await page.locator('[data-testid="total-messages"] .count').textContent()).toBe((before + 25).toLocaleString('en-IN'));
    await screenshot(page, 'central-live');
  });

  test('drills down from a division to a booth and its groups, charts a range, finds units by name', async () => {
    const page = await openAs(ADMIN);
    await page.locator('tbody[data-division="JPR"] [data-testid="open-division"]').click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Jaipur' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="chart"] canvas').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="quiet-groups"] tr[data-quiet="wa:g3"]').waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'division');

    await page.locator('[data-testid="children"] a', { hasText: 'Jaipur City' }).click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Jaipur City' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="children"] a', { hasText: 'Booth 101 Sanganer' }).click();
    await page.locator('[data-testid="groups"] tr[data-group="wa:g1"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="groups"] tr[data-group="wa:g2"]').textContent()).toMatch(/never/);
    expect(await page.locator('[data-testid="coverage"]').textContent()).toMatch(/Booths\s*1/);
    // Another range: 7 days, drawn again.
    await page.getByRole('button', { name: '7 days' }).click();
    await page.locator('[data-testid="chart"] canvas').waitFor({ timeout: WAIT_MS });
    expect(page.url()).toMatch(/#\/unit\/B101$/);
    await screenshot(page, 'booth');

    await page.fill('[data-testid="search"]', 'kishan');
    await page.locator('[data-testid="search-results"] a', { hasText: 'Booth 201 Kishangarh' }).first().click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Booth 201 Kishangarh' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="groups"] tr[data-group="wa:g5"]').waitFor({ timeout: WAIT_MS });
  });

  test('acknowledges an alert from the feed', async () => {
    const page = await openAs(ADMIN);
    const firing = page.locator('[data-testid="alerts-feed"] [data-testid="alert"][data-state="firing"]').first();
    await firing.waitFor({ timeout: WAIT_MS });
    const id = await firing.getAttribute('data-alert-id');
    await firing.locator('[data-testid="ack"]').click();
    await page.locator(`[data-alert-id="${id}"][data-state="acknowledged"]`).waitFor({ timeout: WAIT_MS });
    expect(await page.locator(`[data-alert-id="${id}"]`).textContent()).toMatch(/Acknowledged by admin/);
    const stored = await api(`/api/v1/alerts/${id}`, { token: adminToken });
    expect((stored.body.alert as { state: string }).state).toBe('acknowledged');
  });

  test('switches to Hindi and remembers it after a reload', async () => {
    const page = await openAs(ADMIN);
    await page.click('[data-testid="lang-hi"]');
    await page.locator('[data-testid="total-messages"]', { hasText: 'आज के संदेश' }).waitFor({ timeout: WAIT_MS });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('hi-IN');
    await page.reload();
    await page.locator('[data-testid="connection"][data-state="live"]', { hasText: 'लाइव' }).waitFor({ timeout: WAIT_MS });
    await page.locator('tbody[data-division="JPR"] svg').first().waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'hindi');
    // Numbers keep the Indian grouping in Hindi too.
    const shown = await page.locator('.count').evaluateAll((spans) => spans.map((s) => [s.getAttribute('data-value'), s.textContent?.trim()]));
    for (const [value, text] of shown) expect(text).toBe(Number(value).toLocaleString('en-IN'));
    await page.click('[data-testid="lang-en"]');
    await page.locator('[data-testid="total-messages"]', { hasText: 'Messages today' }).waitFor({ timeout: WAIT_MS });
  });

  test('a lead on a phone lands on their division, sees only it, and acknowledges its alert', async () => {
    const page = await openAs(LEAD, { width: 390, height: 844 });
    await page.locator('[data-testid="unit-page"][data-unit="JPR"]').waitFor({ timeout: WAIT_MS });
    expect(page.url()).toMatch(/#\/unit\/JPR$/);
    await page.locator('[data-testid="alerts-feed"] [data-testid="alert"]').first().waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="chart"] canvas').waitFor({ timeout: WAIT_MS });
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('Jaipur');
    expect(text).not.toMatch(/Ajmer|Kishangarh|AJM/);
    expect(await page.locator('[data-testid="nav-sql"]').count()).toBe(0);
    await noSidewaysScroll(page);
    await screenshot(page, 'lead-phone');
    // Outdoors: the high-contrast light theme, remembered like the language.
    await page.click('[data-testid="sunlight"]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('sunlight');
    await page.locator('[data-testid="chart"] canvas').waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'lead-phone-sunlight');

    // Searching for another division's booth finds nothing; the other division's page is refused.
    await page.fill('[data-testid="search"]', 'kishan');
    await page.locator('[data-testid="search-results"]', { hasText: 'kishan' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="search-results"] a').count()).toBe(0);
    await page.fill('[data-testid="search"]', '');

    const firing = page.locator('[data-testid="alert"][data-state="firing"]').first();
    if ((await firing.count()) > 0) {
      const id = await firing.getAttribute('data-alert-id');
      await firing.locator('[data-testid="ack"]').click();
      await page.locator(`[data-alert-id="${id}"][data-state="acknowledged"]`).waitFor({ timeout: WAIT_MS });
      expect(await page.locator(`[data-alert-id="${id}"]`).textContent()).toMatch(/lead\.jaipur/);
    } else {
      // The admin's test acknowledged Jaipur's only alert already: it shows as acknowledged here too.
      await page.locator('[data-testid="alert"][data-state="acknowledged"]').first().waitFor({ timeout: WAIT_MS });
    }
    const every = await page.locator('[data-testid="alert"]').evaluateAll((items) => items.length);
    expect(every).toBeGreaterThan(0);

    await page.goto(`${services.url}/#/unit/AJM`);
    await page.locator('[data-testid="unit-page"] [role="alert"]', { hasText: /may not read/ }).waitFor({ timeout: WAIT_MS });
  });

  test('the central board fits a phone screen', async () => {
    const page = await openAs(ADMIN, { width: 390, height: 844 });
    await page.locator('tbody[data-division="JPR"]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alert"]').first().waitFor({ timeout: WAIT_MS });
    await noSidewaysScroll(page);
    await screenshot(page, 'central-phone');
  });

  test('an analyst runs SQL: table, chart, CSV, and a clear error', async () => {
    const page = await openAs(ANALYST);
    await page.click('[data-testid="nav-sql"]');
    await page.fill('[data-testid="sql-input"]', "SELECT division, sum(messages) AS messages FROM rollup_minute WHERE division IN ('JPR', 'AJM') GROUP BY division ORDER BY division");
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-table"] tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sql-table"] tbody tr').first().textContent()).toMatch(/AJM/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="sql-csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('division,messages');
    expect(csv).toMatch(/^AJM,\d+\r$/m);
    await page.click('[data-testid="sql-chart"]');
    await page.locator('[data-testid="sql-result"] [data-testid="chart"] canvas').waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'sql');

    await page.fill('[data-testid="sql-input"]', 'SELECT nope FROM rollup_minute');
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-error"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sql-error"]').textContent()).toMatch(/nope/);
    await page.fill('[data-testid="sql-input"]', 'DROP TABLE events');
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-error"]', { hasText: /refused|read-only|readonly|not allowed/i }).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'sql-error');
  });
});
