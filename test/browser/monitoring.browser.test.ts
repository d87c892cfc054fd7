/**
 * The monitoring board in Debian's Chromium against the real all-in-one server (in-process bus,
 * embedded ClickHouse, alerts detector ticking every second). Everything the tests need goes in
 * through the real APIs: the organisation tree through the directory API, users through the admin
 * API (as the admin), events through /v1/events (two groups spoke 50 h ago, so group-inactive alerts fire).
 * Screenshots go to test-results/monitoring-*.png. Polls with deadlines; never sleeps a fixed time.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { messageMaker, numberIn, shownNumber, startBoardUnderTest, waitForNumber, type ApiAnswer, type BoardUnderTest, type Credentials, type OpenOptions } from '../support/board-browser.ts';
import { importOrg } from '../support/org-fixture.ts';
import { waitFor } from '../support/wait.ts';

const INGEST_TOKEN = 'monitoring-test-token';
const ADMIN = { username: 'admin', password: 'monitoring-admin-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const ANALYST = { username: 'analyst.one', password: 'analyst-one-password' };
const WAIT_MS = 30_000;
const HOUR = 3_600_000;

let board: BoardUnderTest;
let adminToken: string;
const message = messageMaker('9198');

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

async function postEvents(events: object[]): Promise<void> {
  const { status, body } = await api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: events });
  expect(status, JSON.stringify(body)).toBe(202);
  expect(body).toMatchObject({ accepted: events.length, rejected: [] });
}

function openAs(user: Credentials, viewport?: OpenOptions['viewport']): Promise<Page> {
  return board.openAs(user, { viewport });
}

function screenshot(page: Page, name: string): Promise<void> {
  return board.screenshot(page, `monitoring-${name}`);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

/** The table `testid` is no wider than the box it sits in (nothing to scroll sideways inside the card). */
async function fitsItsCard(page: Page, testid: string): Promise<void> {
  const widths = await page.locator(`[data-testid="${testid}"]`).evaluate((table) => ({ table: table.scrollWidth, box: table.parentElement!.clientWidth, scroll: table.parentElement!.scrollWidth }));
  expect(widths.table, JSON.stringify(widths)).toBeLessThanOrEqual(widths.box);
  expect(widths.scroll, JSON.stringify(widths)).toBeLessThanOrEqual(widths.box);
}

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS, env: { ALERT_TICK_MS: '1000', LIVE_RESYNC_MS: '2000' } });
  adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  await importOrg(board.url, adminToken);

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
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe('monitoring board', () => {
  test('central board: totals, named divisions with trends, ranking and alerts; numbers move live', async () => {
    const page = await openAs(ADMIN);
    await page.locator('tbody[data-division="JPR"] button[aria-expanded]').filter({ hasText: 'Jaipur' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alert"]').first().waitFor({ timeout: WAIT_MS });
    // The trends are in (a flat line of no messages has no height, so "attached", not "visible").
    await page.locator('tbody[data-division="JPR"] svg polyline').first().waitFor({ state: 'attached', timeout: WAIT_MS });
    await page.waitForFunction(() => document.querySelector('[data-testid="total-openAlerts"] .count') !== null, undefined, { timeout: WAIT_MS });
    expect(await page.locator('[data-testid="rank-most"] li').first().textContent()).toMatch(/Jaipur/);
    // Quiet by the alert rules: wa:g3 and wa:g5 (50 h ago; booth-voters and women are quiet after 48 h). wa:g2
    // never spoke but joined just now: new, in its grace period, not quiet.
    expect(await numberIn(page, '[data-testid="total-quietGroups"] .count')).toBe(2);
    expect(await page.locator('[data-testid="hint-quietGroups"]').textContent()).toBe('quiet: no message in 24 h – 2 days');
    const before = await numberIn(page, '[data-testid="total-messages"] .count');
    expect(before).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'central');

    await postEvents(Array.from({ length: 25 }, () => message('wa:g1')));
    await waitForNumber(page, '[data-testid="total-messages"] .count', '=', before + 25, WAIT_MS);
    // Messages per minute moves with them: the 25 just sent, plus at most the 3 sent before the page
    // opened (they reach the tile only through the server's rate of the minute or two before it opened).
    await waitForNumber(page, '[data-testid="total-perMinute"] .count', '>=', 25, WAIT_MS);
    expect(await numberIn(page, '[data-testid="total-perMinute"] .count')).toBeLessThanOrEqual(28);
    expect(await page.locator('[data-testid="total-messages"] .count').textContent()).toBe((before + 25).toLocaleString('en-IN'));
    await screenshot(page, 'central-live');

    // The ranking follows live: Ajmer (wa:g4) overtakes Jaipur. Its lines stay in place and their names,
    // links and numbers change, so each line must be rewritten whole.
    const jaipurMessages = await numberIn(page, '[data-testid="rank-most"] li:first-child .n');
    await postEvents(Array.from({ length: jaipurMessages + 5 }, () => message('wa:g4')));
    await page.locator('[data-testid="rank-most"] li').first().filter({ hasText: 'Ajmer' }).waitFor({ timeout: WAIT_MS });
    const lines = (list: string) => page.locator(`[data-testid="rank-${list}"] li`).evaluateAll((items) => items.map((li) => `${li.querySelector('a')!.getAttribute('href')} ${li.textContent!.replace(/\s+/g, ' ').trim()}`));
    expect(await lines('most')).toEqual([`#/unit/AJM Ajmer ${(jaipurMessages + 6).toLocaleString('en-IN')}`, `#/unit/JPR Jaipur ${jaipurMessages.toLocaleString('en-IN')}`]);
    expect(await lines('least')).toEqual([`#/unit/JPR Jaipur ${jaipurMessages.toLocaleString('en-IN')}`]);
  });

  test('drills down from a division to a booth and its groups, charts a range, finds units by name', async () => {
    const page = await openAs(ADMIN);
    await page.locator('tbody[data-division="JPR"] [data-testid="open-division"]').click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Jaipur' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="chart"] canvas').first().waitFor({ timeout: WAIT_MS });
    // Quiet by the alert rules, longest silent first, each with its threshold: wa:g3 spoke 50 h ago (booth voters:
    // 48 h); wa:g2 never spoke but is new (its grace period), so not quiet.
    await page.locator('[data-testid="quiet-groups"] [data-quiet="wa:g3"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-quiet')))).toEqual(['wa:g3']);
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet="wa:g3"] .silent').textContent()).toBe('2 days');
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet="wa:g3"] [data-testid="quiet-threshold"]').textContent()).toBe('quiet: no message in 2 days');
    expect(await page.locator('[data-testid="quiet-meaning"]').textContent()).toBe('quiet: no message in 24 h – 2 days');
    // Each quiet group by its directory title (its id on hover), under its booth, with its category.
    expect(await page.locator('[data-testid="quiet-groups"] [data-action-unit="B102"]').textContent()).toMatch(/Booth 102 Malviya Nagar.*Malviya Nagar voters\s*2 days\s*Booth voters/s);
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet] .group-title').evaluateAll((cells) => cells.map((c) => [c.textContent, c.getAttribute('title')]))).toEqual([
      ['Malviya Nagar voters', 'wa:g3'],
    ]);
    expect(await page.locator('[data-testid="unit-metrics"] [data-metric="inactiveGroups"] .value').textContent()).toBe('2');
    await screenshot(page, 'division');

    await page.locator('[data-testid="children"] a', { hasText: 'Jaipur City' }).click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Jaipur City' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="children"] a', { hasText: 'Booth 101 Sanganer' }).click();
    await page.locator('[data-testid="groups"] tr[data-group="wa:g1"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="groups"] tr[data-group="wa:g2"]').textContent()).toMatch(/never/);
    expect(await page.locator('[data-testid="coverage"]').textContent()).toMatch(/Booths\s*1/);
    // Another range: 7 days, drawn again.
    await page.getByRole('button', { name: '7 days' }).click();
    await page.locator('[data-series="last:168"] [data-testid="chart"] canvas').first().waitFor({ timeout: WAIT_MS });
    // Booth 101's groups: wa:g1 spoke, wa:g2 is new; neither is quiet, and no list says otherwise.
    await page.locator('[data-testid="quiet-groups"]', { hasText: 'No quiet groups.' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="groups"] [data-testid="quiet-badge"]').count()).toBe(0);
    expect(page.url()).toMatch(/#\/unit\/B101$/);
    await screenshot(page, 'booth');

    await page.fill('[data-testid="search"]', 'kishan');
    await page.locator('[data-testid="search-results"] [role="option"]', { hasText: 'Booth 201 Kishangarh' }).first().click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Booth 201 Kishangarh' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="groups"] tr[data-group="wa:g5"]').waitFor({ timeout: WAIT_MS });
  });

  test("a unit's page lists the alerts of that unit and the units below it, not the rest of its division's", async () => {
    const page = await openAs(ADMIN);
    // wa:g3 (Booth 102) is quiet and alerting; Booth 101, in the same division, has no alert of its own.
    await page.goto(`${board.url}/#/unit/B102`);
    // The alert names the group by its directory title.
    await page.locator('[data-testid="alerts-feed"] [data-testid="alert"][data-subject="wa:g3"]', { hasText: 'Malviya Nagar voters' }).waitFor({ timeout: WAIT_MS });
    await page.goto(`${board.url}/#/unit/B101`);
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Booth 101' }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alerts-feed"]', { hasText: 'No open alerts.' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="alerts-feed"] [data-testid="alert"]').count()).toBe(0);
    await screenshot(page, 'booth-alerts');
    // The district above both booths lists Booth 102's alert; the division's page lists it too.
    for (const unit of ['JPR-D1', 'JPR']) {
      await page.goto(`${board.url}/#/unit/${unit}`);
      await page.locator(`[data-testid="unit-page"][data-unit="${unit}"] [data-testid="alerts-feed"] [data-testid="alert"][data-subject="wa:g3"]`).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('[data-testid="alerts-feed"] [data-testid="alert"][data-subject="wa:g5"]').count()).toBe(0);
      expect(await page.locator('[data-testid="alerts-feed"]').textContent()).not.toMatch(/wa:g5|Kishangarh/);
    }
  });

  test('acknowledges an alert from the feed', async () => {
    const page = await openAs(ADMIN);
    const firing = page.locator('[data-testid="alerts-feed"] [data-testid="alert"][data-state="firing"]').first();
    await firing.waitFor({ timeout: WAIT_MS });
    const id = await firing.getAttribute('data-alert-id');
    await firing.locator('[data-testid="ack"]').click();
    // Acknowledged is not open: it leaves the open list and shows under Acknowledged.
    await page.locator('[data-testid="bulk-outcome"]', { hasText: '1 acknowledged.' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator(`[data-testid="alerts-feed"] [data-alert-id="${id}"]`).count()).toBe(0);
    await page.click('[data-testid="alerts-feed"] [data-testid="state-acknowledged"]');
    await page.locator(`[data-alert-id="${id}"][data-state="acknowledged"]`).waitFor({ timeout: WAIT_MS });
    expect(await page.locator(`[data-alert-id="${id}"]`).textContent()).toMatch(/Acknowledged by admin/);
    const stored = await api(`/api/v1/alerts/${id}`, { token: adminToken });
    expect((stored.body.alert as { state: string }).state).toBe('acknowledged');
  });

  test('admins see events set aside as dead letters with the latest reason; other roles do not', async () => {
    const services = board.services;
    // A record on the bus that is no event (another producer wrote it): the processor sets it aside.
    await services.bus.produce('events', [{ key: 'wa:g1', value: '{"not": "an event"}' }]);
    await waitFor(async () => (((await api('/api/v1/admin/dead-letters', { token: adminToken })).body.total as number) >= 1 ? true : undefined), 'a dead letter', WAIT_MS);
    const page = await openAs(ADMIN);
    const line = page.locator('[data-testid="dead-letters"]');
    await line.waitFor({ timeout: WAIT_MS });
    expect(await line.textContent()).toMatch(/Events set aside \(dead letters\): 1\..*Latest: not a bus event/);
    await screenshot(page, 'dead-letters');
    const analyst = await openAs(ANALYST);
    await analyst.locator('[data-testid="alerts-feed"]').waitFor({ timeout: WAIT_MS });
    expect(await analyst.locator('[data-testid="dead-letters"]').count()).toBe(0);
    expect((await api('/api/v1/admin/dead-letters', { token: ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ANALYST })).body as { token: string }).token })).status).toBe(403);
  });

  test('switches to Hindi and remembers it after a reload', async () => {
    const page = await openAs(ADMIN);
    await page.click('[data-testid="lang-hi"]');
    await page.locator('[data-testid="total-messages"]', { hasText: 'आज के संदेश' }).waitFor({ timeout: WAIT_MS });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('hi-IN');
    await page.reload();
    await page.locator('[data-testid="connection"][data-state="live"]', { hasText: 'लाइव' }).waitFor({ timeout: WAIT_MS });
    await page.locator('tbody[data-division="JPR"] svg').first().waitFor({ timeout: WAIT_MS });
    // Category names in Hindi too; the day written in Hindi with Latin digits.
    expect(await page.locator('tbody[data-division="JPR"] tr.cell-row th').first().textContent()).toBe('बूथ मतदाता');
    expect(await page.locator('[data-testid="day"]').textContent()).toMatch(/\d{4}/);
    // Alerts are written in Hindi too, from their kind and fields (the server's sentence is English).
    await page.locator('[data-testid="alerts-feed"] [data-testid="alert"] .message', { hasText: 'मौन' }).first().waitFor({ timeout: WAIT_MS });
    const sentences = await page.locator('[data-testid="alerts-feed"] [data-testid="alert"] .message').allTextContents();
    expect(sentences.length).toBeGreaterThan(0);
    for (const sentence of sentences) expect(sentence).not.toMatch(/silent|dark|messages|threshold|source/i);
    await screenshot(page, 'hindi');
    // Numbers keep the Indian grouping in Hindi too.
    const shown = await page.locator('.count').allTextContents();
    expect(shown.length).toBeGreaterThan(5);
    for (const text of shown) expect(Number.isNaN(shownNumber(text)), text).toBe(false);
    await page.click('[data-testid="lang-en"]');
    await page.locator('[data-testid="total-messages"]', { hasText: 'Messages today' }).waitFor({ timeout: WAIT_MS });
  });

  test('a lead on a phone lands on their division, sees only it, and acknowledges its alert', async () => {
    const page = await openAs(LEAD, { width: 390, height: 844 });
    await page.locator('[data-testid="unit-page"][data-unit="JPR"]').waitFor({ timeout: WAIT_MS });
    expect(page.url()).toMatch(/#\/unit\/JPR$/);
    // The inbox has read its counts (its open list may be empty: the admin's test may have acknowledged Jaipur's alerts).
    await page.locator('[data-testid="alerts-feed"] [data-testid="state-acknowledged"]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="chart"] canvas').first().waitFor({ timeout: WAIT_MS });
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('Jaipur');
    expect(text).not.toMatch(/Ajmer|Kishangarh|AJM/);
    expect(await page.locator('[data-testid="nav-sql"]').count()).toBe(0);
    await noSidewaysScroll(page);
    // The "Below Jaipur" table fits the phone's width too, without scrolling inside its card.
    await page.locator('[data-testid="children"] tr[data-child]').first().waitFor({ timeout: WAIT_MS });
    await fitsItsCard(page, 'children');
    await screenshot(page, 'lead-phone');
    // Outdoors: the high-contrast light theme, remembered like the language.
    await page.click('[data-testid="sunlight"]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('sunlight');
    await page.locator('[data-testid="chart"] canvas').first().waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'lead-phone-sunlight');

    // Searching for another division's booth finds nothing; the other division's page is refused.
    await page.fill('[data-testid="search"]', 'kishan');
    await page.locator('[data-testid="search-results"]', { hasText: 'kishan' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="search-results"] [role="option"]').count()).toBe(0);
    await page.fill('[data-testid="search"]', '');

    const firing = page.locator('[data-testid="alert"][data-state="firing"]').first();
    if ((await firing.count()) > 0) {
      const id = await firing.getAttribute('data-alert-id');
      await firing.locator('[data-testid="ack"]').click();
      await page.locator('[data-testid="bulk-outcome"]').waitFor({ timeout: WAIT_MS });
      await page.click('[data-testid="state-acknowledged"]');
      await page.locator(`[data-alert-id="${id}"][data-state="acknowledged"]`).waitFor({ timeout: WAIT_MS });
      expect(await page.locator(`[data-alert-id="${id}"]`).textContent()).toMatch(/lead\.jaipur/);
    } else {
      // The admin's test acknowledged Jaipur's only alert already: it shows under Acknowledged.
      await page.click('[data-testid="state-acknowledged"]');
      await page.locator('[data-testid="alert"][data-state="acknowledged"]').first().waitFor({ timeout: WAIT_MS });
    }
    const every = await page.locator('[data-testid="alert"]').evaluateAll((items) => items.length);
    expect(every).toBeGreaterThan(0);

    // A booth's own groups fit as well.
    await page.goto(`${board.url}/#/unit/B101`);
    await page.locator('[data-testid="groups"] tr[data-group="wa:g1"]').waitFor({ timeout: WAIT_MS });
    await fitsItsCard(page, 'groups');
    await noSidewaysScroll(page);
    await screenshot(page, 'lead-phone-booth');

    await page.goto(`${board.url}/#/unit/AJM`);
    await page.locator('[data-testid="unit-page"] [role="alert"]', { hasText: 'This is outside what you may see or do.' }).waitFor({ timeout: WAIT_MS });
  });

  test('the central board fits a phone screen', async () => {
    const page = await openAs(ADMIN, { width: 390, height: 844 });
    await page.locator('tbody[data-division="JPR"]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alert"]').first().waitFor({ timeout: WAIT_MS });
    await noSidewaysScroll(page);
    await screenshot(page, 'central-phone');
  });

  test('on a phone a live update lays out only the numbers that changed, never the whole page', async () => {
    const page = await openAs(ADMIN, { width: 390, height: 844 });
    await page.locator('tbody[data-division="JPR"]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="rank-most"] li').first().waitFor({ timeout: WAIT_MS });
    // A first update settles what the page does once (its first flash, its layers); the second is measured.
    const first = await numberIn(page, '[data-testid="total-messages"] .count');
    await postEvents([message('wa:g1'), message('wa:g4')]);
    await waitForNumber(page, '[data-testid="total-messages"] .count', '=', first + 2, WAIT_MS);
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1500)));
    const before = await numberIn(page, '[data-testid="total-messages"] .count');
    const browser = page.context().browser()!;
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    // Layouts the page had pending when tracing began (a busy machine's late frames) are not the update's:
    // only those after this mark count.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.evaluate(() => console.timeStamp('live-update'));
    // Both divisions move: the headline, both division cards and the ranking change.
    await postEvents([message('wa:g1'), message('wa:g4')]);
    await waitForNumber(page, '[data-testid="total-messages"] .count', '=', before + 2, WAIT_MS);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as {
      traceEvents: { name: string; ph: string; ts: number; args?: { data?: { message?: string }; beginData?: { frame?: string }; endData?: { layoutRoots?: { nodeName: string }[] } } }[];
    };
    const mark = trace.traceEvents.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === 'live-update');
    expect(mark).toBeDefined();
    // This page's layouts (the trace has every open page's), each by its roots: the relayout boundaries it started from, or the whole document.
    const cdp = await page.context().newCDPSession(page);
    const frame = ((await cdp.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } }).frameTree.frame.id;
    await cdp.detach();
    const layouts = trace.traceEvents.filter((e) => e.name === 'Layout' && e.ph === 'X' && e.args?.beginData?.frame === frame && e.ts > mark!.ts);
    const roots = layouts.flatMap((e) => (e.args?.endData?.layoutRoots ?? []).map((root) => root.nodeName));
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.filter((name) => name === '#document'), roots.join(', ')).toEqual([]);
  });

  test('at laptop widths the grid keeps its division names readable', async () => {
    for (const width of [1040, 1200, 1440]) {
      const page = await openAs(ADMIN, { width, height: 800 });
      await page.locator('tbody[data-division="JPR"]').waitFor({ timeout: WAIT_MS });
      // The name column takes what the fixed number columns leave: it must not shrink to nothing.
      const nameWidth = await page.locator('tbody[data-division="JPR"] tr').first().locator('th, td').first().evaluate((cell) => cell.getBoundingClientRect().width);
      expect(nameWidth, `name column at ${width} px`).toBeGreaterThan(150);
      if (width === 1040) await screenshot(page, 'central-1040');
      await page.close();
    }
  });

  test('keyboard: a skip link first, every control reachable by Tab with a visible focus ring', async () => {
    const page = await openAs(ADMIN);
    // Opened afresh (still signed in), so Tab starts from the top of the page, not from the sign-in form.
    await page.reload();
    await page.locator('[data-testid="alerts-feed"] [data-testid="alert"]').first().waitFor({ timeout: WAIT_MS });
    const stops: { label: string; testid: string; ring: boolean }[] = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return {
          label: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40),
          testid: el.dataset.testid ?? '',
          ring: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        };
      });
      if (!stop || (stops.length > 0 && stop.label === stops[0]!.label && stop.testid === stops[0]!.testid)) break;
      stops.push(stop);
      if (stop.testid === 'ack' && stops.filter((s) => s.testid === 'ack').length === 1) await screenshot(page, 'keyboard-focus');
    }
    expect(stops[0]!.label).toBe('Skip to content');
    expect(stops.filter((s) => !s.ring)).toEqual([]);
    const ids = stops.map((s) => s.testid);
    for (const id of ['lang-hi', 'sunlight', 'nav-sql', 'search', 'open-division', 'ack']) expect(ids, id).toContain(id);
    expect(stops.some((s) => /Jaipur/.test(s.label))).toBe(true);

    // Enter follows the focused link: the first division's drill-down.
    await page.locator('tbody[data-division="AJM"] [data-testid="open-division"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Ajmer' }).waitFor({ timeout: WAIT_MS });
  });

  test('an analyst runs SQL: table, chart, CSV, and a clear error', async () => {
    const page = await openAs(ANALYST);
    await page.click('[data-testid="nav-sql"]');
    await page.fill('[data-testid="sql-input"]', "SELECT division, sum(messages) AS messages FROM rollup_minute WHERE division IN ('JPR', 'AJM') GROUP BY division ORDER BY division");
    await page.click('[data-testid="sql-run"]');
    await page.locator('[data-testid="sql-table"] tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sql-table"] tbody tr').first().textContent()).toMatch(/AJM/);
    await screenshot(page, 'sql-table');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="sql-csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('division,messages');
    expect(csv).toMatch(/^AJM,\d+\r$/m);
    await page.click('[data-testid="sql-chart"]');
    await page.locator('[data-testid="sql-result"] [data-testid="chart"] canvas').first().waitFor({ timeout: WAIT_MS });
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
