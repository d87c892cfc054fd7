/**
 * Reading the board without misreading it, in Debian's Chromium against the real all-in-one server:
 * charts (whole axis labels with Indian grouping, dates day before month, partial buckets marked,
 * one quantity per axis, bars from zero, the SQL chart in its column's time zone), the search box
 * (a keyboard combobox in natural order, more than one page, closing on navigation), and the words
 * and times of the chosen language. Desktop and phone, English and Hindi. Screenshots go to
 * test-results/reading-*.png. Polls with deadlines; never sleeps a fixed time.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { messageMaker, SCREENSHOTS, startBoardUnderTest, type ApiAnswer, type BoardUnderTest, type Credentials, type OpenOptions } from '../support/board-browser.ts';
import { waitFor } from '../support/wait.ts';

const INGEST_TOKEN = 'reading-test-token';
const ADMIN = { username: 'admin', password: 'reading-admin-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const ANALYST = { username: 'analyst.one', password: 'analyst-one-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const HOUR = 3_600_000;

/** Booths 1 to 30 and 100 under one district: more than a page of search results, numbers that sort wrongly as text. */
const BOOTHS = [...Array.from({ length: 30 }, (_, i) => i + 1), 100];
const UNITS = [
  { id: 'RJ', name: 'Rajasthan', level: 'state', parent: '' },
  { id: 'JPR', name: 'Jaipur', level: 'division', parent: 'RJ' },
  { id: 'AJM', name: 'Ajmer', level: 'division', parent: 'RJ' },
  { id: 'JPR-D1', name: 'Jaipur City', level: 'district', parent: 'JPR' },
  ...BOOTHS.map((n) => ({ id: `B${n}`, name: `Booth ${n}`, level: 'booth', parent: 'JPR-D1' })),
];
const GROUPS = [1, 2, 10, 100].map((n) => ({ id: `wa:r${n}`, unit: `B${n}`, category: 'booth-voters', title: `Booth ${n} voters` }));

let board: BoardUnderTest;
let adminToken: string;
const message = messageMaker('9197');

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

function screenshot(page: Page, name: string): Promise<void> {
  return board.screenshot(page, `reading-${name}`);
}

/** test-results/reading-<name>.png of one part of the page, at full size (a whole phone page is too tall to read). */
async function partScreenshot(part: Locator, name: string): Promise<void> {
  await part.screenshot({ path: path.join(SCREENSHOTS, `reading-${name}.png`) });
}

async function openAs(user: Credentials, options: OpenOptions & { hindi?: boolean } = {}): Promise<Page> {
  const page = await board.openAs(user, options);
  if (options.hindi) {
    await page.click('[data-testid="lang-hi"]');
    await page.locator('[data-testid="connection"][data-state="live"]', { hasText: 'लाइव' }).waitFor({ timeout: WAIT_MS });
  }
  return page;
}

/** What a drawn chart shows: its axes' labels (as the chart recorded them) and whether any ink touches its left edge (a label cut off). */
async function chartOf(chart: Locator): Promise<{ y: string[]; x: string[]; cutOnTheLeft: boolean }> {
  const plot = chart.locator('.plot[data-y-labels]');
  await plot.waitFor({ timeout: WAIT_MS });
  return plot.evaluate((element: HTMLElement) => {
    const canvas = element.querySelector('canvas')!;
    // Above the time axis: the value axis's labels start at the left edge when they are cut.
    const rows = canvas.height - Math.round(50 * devicePixelRatio);
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, 2, rows).data;
    let ink = false;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) ink = true;
    return { y: element.dataset.yLabels!.split('|'), x: element.dataset.xLabels!.split('|'), cutOnTheLeft: ink };
  });
}

async function runSql(page: Page, sql: string): Promise<void> {
  await page.fill('[data-testid="sql-input"]', sql);
  await page.click('[data-testid="sql-run"]');
  await page.locator('[data-testid="sql-result"]').waitFor({ timeout: WAIT_MS });
}

/** The names in the search list, in order (units and groups). */
function optionNames(page: Page): Promise<string[]> {
  return page.locator('[role="listbox"] [role="option"] .name').allTextContents();
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS });
  adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  for (const [kind, rows] of [['units', UNITS], ['groups', GROUPS]] as const) {
    const imported = await api(`/api/v1/directory/${kind}`, { method: 'POST', token: adminToken, body: { [kind]: rows } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  }
  for (const [user, roles, units] of [[LEAD, ['lead'], ['JPR']], [ANALYST, ['analyst'], []]] as const) {
    const created = await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...user, roles, units } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  // Activity over the last hours in Jaipur: the charts have a shape, and the current bucket has some.
  const events = [
    ...Array.from({ length: 40 }, (_, i) => message(GROUPS[i % 4]!.id, Date.now() - 5 * HOUR)),
    ...Array.from({ length: 60 }, (_, i) => message(GROUPS[i % 4]!.id, Date.now() - 2 * HOUR)),
    ...Array.from({ length: 8 }, (_, i) => message(GROUPS[i % 2]!.id)),
  ];
  const posted = await api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: events });
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  await waitFor(async () => {
    const { body } = await api('/api/v1/board/unit?unit=JPR', { token: adminToken });
    return (body.total as { messages?: number } | undefined)?.messages === events.length ? true : undefined;
  }, 'the events in the drill-down', WAIT_MS);
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe('charts that cannot be misread', () => {
  test('a unit page charts messages, active groups and active members each on its own axis, the last bucket marked partial', async () => {
    const page = await openAs(ADMIN, { viewport: DESKTOP });
    await page.goto(`${board.url}/#/unit/JPR`);
    const charts = page.locator('[data-testid="activity-charts"] [data-testid="chart"]');
    await charts.nth(2).locator('canvas').waitFor({ timeout: WAIT_MS });
    expect(await charts.count()).toBe(3);
    expect(await page.locator('[data-testid="activity-charts"] [data-testid="chart-readout"] .name').allTextContents()).toEqual(['Messages', 'Groups with messages', 'Active members']);
    const shown = await Promise.all([0, 1, 2].map((i) => chartOf(charts.nth(i))));
    for (const chart of shown) {
      expect(chart.cutOnTheLeft).toBe(false);
      expect(chart.y[0]).toBe('0');
      // Whole numbers only: no 0.5 of a group.
      for (const label of chart.y) expect(label).toMatch(/^\d{1,3}(,\d\d)*(,\d{3})?$|^\d+$/);
      // Times of day in Indian English, the date day before month; never "12/6".
      expect(chart.x.join(' ')).toMatch(/\d{1,2} (am|pm)/);
      expect(chart.x.join(' ')).toMatch(/\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/);
      for (const label of chart.x) expect(label).not.toMatch(/\d+\/\d+/);
    }
    // The three plots line up over the same times: each value axis as wide as the widest.
    const plotLefts = await page.locator('[data-testid="activity-charts"] .u-over').evaluateAll((overs) => overs.map((o) => o.getBoundingClientRect().left));
    expect(new Set(plotLefts).size, plotLefts.join(', ')).toBe(1);
    // Messages peak at 60 in a bucket (2 h ago); at most 4 groups were ever active: each has an axis of its own.
    const top = (labels: string[]) => Math.max(...labels.map((l) => Number(l.replaceAll(',', ''))));
    expect(top(shown[0]!.y)).toBeGreaterThanOrEqual(40);
    expect(top(shown[1]!.y)).toBeLessThanOrEqual(4);
    // 24 h in 15-minute buckets: the one still filling is partial (and the first, when the range cuts it), and the readout says so.
    expect(Number(await charts.first().getAttribute('data-partial'))).toBeGreaterThanOrEqual(1);
    expect(await charts.first().locator('[data-testid="chart-partial"]').textContent()).toMatch(/partial/);
    expect(await charts.first().locator('.readout .when').textContent()).toMatch(/^\d{1,2} [A-Z][a-z]{2}, \d{1,2}:\d\d(\s?(am|pm))?\s?–\s?\d{1,2}:\d\d\s?(am|pm)$/);
    await screenshot(page, 'unit-charts');

    // The cursor on a bucket of one chart reads the same bucket on all three.
    const plot = await charts.first().locator('.plot').boundingBox();
    await page.mouse.move(plot!.x + plot!.width * 0.5, plot!.y + plot!.height * 0.4);
    await page.waitForFunction(() => {
      const whens = [...document.querySelectorAll('[data-testid="activity-charts"] .readout .when')].map((w) => w.textContent);
      return whens.length === 3 && new Set(whens).size === 1 && !document.querySelector('[data-testid="activity-charts"] [data-testid="chart-partial"]');
    }, undefined, { timeout: WAIT_MS });
    await screenshot(page, 'unit-charts-cursor');
  });

  test('on a phone in Hindi the lead reads times in Hindi (no am/pm), the partial bucket named in Hindi', async () => {
    const page = await openAs(LEAD, { viewport: PHONE, hindi: true });
    await page.locator('[data-testid="unit-page"][data-unit="JPR"]').waitFor({ timeout: WAIT_MS });
    const charts = page.locator('[data-testid="activity-charts"] [data-testid="chart"]');
    await charts.nth(2).locator('canvas').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="activity-charts"] [data-testid="chart-readout"] .name').allTextContents()).toEqual(['संदेश', 'संदेश वाले समूह', 'सक्रिय सदस्य']);
    for (const i of [0, 1, 2]) {
      const chart = await chartOf(charts.nth(i));
      expect(chart.cutOnTheLeft).toBe(false);
      expect(chart.x.join(' ')).toMatch(/(सुबह|दोपहर|शाम|रात) \d/);
      // Day, then the month in Devanagari.
      expect(chart.x.join(' ')).toMatch(/\d{1,2} [\u0900-\u097F]+/);
      expect(chart.x.join(' ')).not.toMatch(/am|pm|\d+\/\d+/i);
    }
    expect(await charts.first().locator('[data-testid="chart-partial"]').textContent()).toMatch(/अधूरा/);
    expect(await charts.first().locator('.readout .when').textContent()).not.toMatch(/am|pm/i);
    // The clock of the last update and the unit's window are in Hindi words too.
    expect(await page.locator('.updated').textContent()).toMatch(/(सुबह|दोपहर|शाम|रात) \d/);
    expect(await page.locator('[data-testid="unit-page"]').textContent()).not.toMatch(/\d (am|pm)\b/i);
    await noSidewaysScroll(page);
    await screenshot(page, 'unit-charts-phone-hindi');
    await partScreenshot(page.locator('[data-testid="activity-charts"]'), 'unit-charts-phone-hindi-part');
  });

  test('the SQL chart: lakh-sized labels whole, bars from zero, one chart per column', async () => {
    const page = await openAs(ANALYST, { viewport: DESKTOP });
    await page.click('[data-testid="nav-sql"]');
    await runSql(page, 'SELECT number AS n, number * 25000 AS messages, number % 2 AS odd FROM numbers(5)');
    await page.click('[data-testid="sql-chart"]');
    const charts = page.locator('[data-testid="sql-result"] [data-testid="chart"]');
    await charts.nth(1).locator('canvas').waitFor({ timeout: WAIT_MS });
    expect(await charts.count()).toBe(2);
    const messages = await chartOf(charts.first());
    expect(messages.y[0]).toBe('0');
    expect(messages.y.at(-1)).toBe('1,00,000');
    for (const label of messages.y) expect(label).toMatch(/^\d{1,2}(,\d\d)*,\d{3}$|^0$/);
    expect(messages.cutOnTheLeft).toBe(false);
    expect(messages.x).toEqual(['0', '1', '2', '3', '4']);
    const odd = await chartOf(charts.nth(1));
    expect(odd.y[0]).toBe('0');
    await screenshot(page, 'sql-lakh');
  });

  test('the SQL chart draws a column converted to IST where it belongs, and one row spans a day, not years', async () => {
    const page = await openAs(ANALYST, { viewport: DESKTOP, timezoneId: 'UTC' });
    await page.click('[data-testid="nav-sql"]');
    // 10:00 UTC is 3:30 pm in India; the board shows IST (its default) whatever the browser's zone.
    await runSql(page, "SELECT toTimeZone(toDateTime('2026-06-12 10:00:00', 'UTC'), 'Asia/Kolkata') AS at, 7 AS n");
    await page.click('[data-testid="sql-chart"]');
    const chart = page.locator('[data-testid="sql-result"] [data-testid="chart"]');
    const drawn = await chartOf(chart);
    expect(await chart.locator('.readout .when').textContent()).toMatch(/^12 Jun, 3:30\s?pm$/);
    expect(await chart.locator('.readout .value').textContent()).toBe('7');
    expect(drawn.x.join(' ')).toMatch(/12 Jun/);
    for (const label of drawn.x) expect(label).not.toMatch(/20\d\d|\d+\/\d+/);
    expect(drawn.y[0]).toBe('0');
    await screenshot(page, 'sql-ist');

    // The viewer's own zone moves the drawing with it: 10:00 UTC.
    await page.selectOption('[data-testid="zone"]', 'local');
    await chart.locator('.readout .when', { hasText: /10:00\s?am/ }).waitFor({ timeout: WAIT_MS });
    await page.selectOption('[data-testid="zone"]', 'ist');
  });

  test('on a phone the SQL charts fit, in Hindi', async () => {
    const page = await openAs(ANALYST, { viewport: PHONE, hindi: true });
    await page.click('[data-testid="nav-sql"]');
    await runSql(page, 'SELECT toStartOfHour(minute) AS hour, sum(messages) AS messages, uniqMerge(active_groups) AS groups FROM rollup_minute GROUP BY hour ORDER BY hour');
    await page.click('[data-testid="sql-chart"]');
    const charts = page.locator('[data-testid="sql-result"] [data-testid="chart"]');
    await charts.nth(1).locator('canvas').waitFor({ timeout: WAIT_MS });
    for (const i of [0, 1]) {
      const chart = await chartOf(charts.nth(i));
      expect(chart.cutOnTheLeft).toBe(false);
      expect(chart.x.join(' ')).not.toMatch(/am|pm|\d+\/\d+/i);
    }
    await noSidewaysScroll(page);
    await screenshot(page, 'sql-phone-hindi');
    await partScreenshot(page.locator('[data-testid="sql-result"]'), 'sql-phone-hindi-part');
  });
});

describe('search that behaves like one', () => {
  test('desktop: natural order, more than a page, arrow keys and Enter, closes on navigation', async () => {
    const page = await openAs(ADMIN, { viewport: DESKTOP });
    const box = page.locator('[data-testid="search"]');
    await box.fill('booth');
    await page.locator('[role="listbox"] [role="option"]').first().waitFor({ timeout: WAIT_MS });
    expect(await box.getAttribute('role')).toBe('combobox');
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    const units = page.locator('[role="listbox"] [role="group"]').first().locator('[role="option"] .name');
    expect((await units.allTextContents()).slice(0, 12)).toEqual(['Booth 1', 'Booth 2', 'Booth 3', 'Booth 4', 'Booth 5', 'Booth 6', 'Booth 7', 'Booth 8', 'Booth 9', 'Booth 10', 'Booth 11', 'Booth 12']);
    expect(await units.count()).toBe(20);
    // Groups in natural order too.
    expect(await page.locator('[role="listbox"] [role="group"]').nth(1).locator('[role="option"] .name').allTextContents()).toEqual(['Booth 1 voters', 'Booth 2 voters', 'Booth 10 voters', 'Booth 100 voters']);
    await screenshot(page, 'search');

    await page.click('[data-testid="search-more"]');
    await waitFor(async () => ((await units.count()) === 31 ? true : undefined), 'all 31 booths after "Show more"', WAIT_MS);
    expect((await units.allTextContents()).slice(-3)).toEqual(['Booth 29', 'Booth 30', 'Booth 100']);
    expect(await page.locator('[data-testid="search-more"]').count()).toBe(0);
    expect(await box.evaluate((input) => input === document.activeElement)).toBe(true);

    // Arrow keys move the active option (aria-activedescendant); Enter opens it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator(`#${active} .name`).textContent()).toBe('Booth 2');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    // Round from the first option to the last.
    expect(await page.locator(`#${await box.getAttribute('aria-activedescendant')} .name`).textContent()).toBe('Booth 100 voters');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="unit-title"]', { hasText: 'Booth 2' }).waitFor({ timeout: WAIT_MS });
    expect(page.url()).toMatch(/#\/unit\/B2$/);
    expect(await page.locator('[data-testid="search-results"]').count()).toBe(0);
    expect(await box.inputValue()).toBe('');
    expect(await box.getAttribute('aria-expanded')).toBe('false');

    // Open again, then go elsewhere while the box keeps the focus (back in history): the list does not stay over the next page.
    await page.locator('nav.crumbs a', { hasText: 'Jaipur City' }).click();
    await page.locator('[data-testid="unit-title"]', { hasText: 'Jaipur City' }).waitFor({ timeout: WAIT_MS });
    await box.fill('booth 1');
    await page.locator('[role="listbox"] [role="option"]').first().waitFor({ timeout: WAIT_MS });
    await page.goBack();
    await page.locator('[data-testid="unit-title"]', { hasText: 'Booth 2' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="search-results"]').count()).toBe(0);
    expect(await box.inputValue()).toBe('');
    // Or by a link beside the box.
    await box.fill('booth 1');
    await page.locator('[role="listbox"] [role="option"]').first().waitFor({ timeout: WAIT_MS });
    await page.locator('nav.toolbar a', { hasText: 'Board' }).click();
    await page.locator('[data-testid="counts-grid"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="search-results"]').count()).toBe(0);

    // Escape closes the list; a second Escape empties the box.
    await box.fill('booth 3');
    await page.locator('[role="listbox"] [role="option"]').first().waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="search-results"]').count()).toBe(0);
    expect(await box.inputValue()).toBe('booth 3');
    await page.keyboard.press('Escape');
    expect(await box.inputValue()).toBe('');
  });

  test('phone, Hindi, as the lead: the list fits, a tap opens a booth, nothing outside the division', async () => {
    const page = await openAs(LEAD, { viewport: PHONE, hindi: true });
    await page.locator('[data-testid="unit-page"][data-unit="JPR"]').waitFor({ timeout: WAIT_MS });
    await page.fill('[data-testid="search"]', 'booth 1');
    await page.locator('[role="listbox"] [role="option"]').first().waitFor({ timeout: WAIT_MS });
    expect((await optionNames(page)).slice(0, 4)).toEqual(['Booth 1', 'Booth 10', 'Booth 11', 'Booth 12']);
    expect(await page.locator('[data-testid="search-results"] h3').first().textContent()).toBe('इकाइयाँ');
    const list = await page.locator('[data-testid="search-results"]').boundingBox();
    expect(list!.x).toBeGreaterThanOrEqual(0);
    expect(list!.x + list!.width).toBeLessThanOrEqual(PHONE.width);
    await noSidewaysScroll(page);
    await screenshot(page, 'search-phone-hindi');
    await page.locator('[role="option"]', { hasText: 'Booth 100 voters' }).click();
    await page.locator('[data-testid="unit-title"]', { hasText: 'Booth 100' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="search-results"]').count()).toBe(0);
    await page.fill('[data-testid="search"]', 'ajmer');
    await page.locator('[data-testid="search-results"]', { hasText: 'ajmer' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[role="option"]').count()).toBe(0);
  });
});

describe('words and times in the chosen language', () => {
  test('the admin-password hint appears only after a refused sign-in as admin, never for a lead', async () => {
    const page = await board.open({ viewport: PHONE });
    const hint = page.locator('[data-testid="first-admin-hint"]');
    expect(await hint.count()).toBe(0);
    await board.signIn(page, { username: LEAD.username, password: 'not-the-password' });
    await page.locator('[data-testid="sign-in"] [role="alert"]').waitFor({ timeout: WAIT_MS });
    expect(await hint.count()).toBe(0);
    await board.signIn(page, { username: 'admin', password: 'not-the-password' });
    await hint.waitFor({ timeout: WAIT_MS });
    expect(await hint.textContent()).toMatch(/admin password/);
    await page.click('[data-testid="lang-hi"]');
    await page.locator('[data-testid="first-admin-hint"]', { hasText: 'पासवर्ड' }).waitFor({ timeout: WAIT_MS });
    // The refusal itself follows the language too.
    expect(await page.locator('[data-testid="sign-in"] [role="alert"]').textContent()).toBe('उपयोगकर्ता नाम या पासवर्ड ग़लत है।');
    await screenshot(page, 'sign-in-hint-hindi');
    await board.signIn(page, LEAD);
    await page.locator('[data-testid="unit-page"][data-unit="JPR"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('body').textContent()).not.toMatch(/admin का पासवर्ड|admin password/);
  });

  test("the two time zones are named apart: India's and the viewer's own by place", async () => {
    const page = await openAs(ADMIN, { viewport: DESKTOP, timezoneId: 'Europe/London' });
    const options = () => page.locator('[data-testid="zone"] option').allTextContents();
    const [ist, own] = await options();
    expect(ist).toBe('India time (IST)');
    expect(own).toMatch(/^My zone: London \(GMT(\+1)?\)$/);
    await page.click('[data-testid="lang-hi"]');
    await page.locator('[data-testid="zone"] option', { hasText: 'भारतीय समय (IST)' }).waitFor({ state: 'attached', timeout: WAIT_MS });
    expect((await options())[1]).toMatch(/^मेरा समय क्षेत्र: London/);
    await screenshot(page, 'zones-hindi');
    await page.click('[data-testid="lang-en"]');
    // A browser in India under the older id has nothing to choose between.
    const calcutta = await openAs(ADMIN, { viewport: DESKTOP, timezoneId: 'Asia/Calcutta' });
    const reported = await calcutta.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(['Asia/Calcutta', 'Asia/Kolkata']).toContain(reported);
    expect(await calcutta.locator('[data-testid="zone"]').count()).toBe(0);
  });
});
