/**
 * The alert inbox, one definition of quiet and the rules admin in Debian's Chromium against the real
 * all-in-one server (in-process bus, embedded ClickHouse, the detector ticking every second). A hundred
 * groups that never spoke are imported with a grace period of seconds, so the real detector fires a
 * hundred-odd alerts and escalates them to the state within seconds. Phone and desktop, English and Hindi;
 * screenshots go to /tmp/shots-23b/. Polls with deadlines; never sleeps a fixed time.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { messageMaker, startBoardUnderTest, waitForNumber, wholePageScreenshot, type ApiAnswer, type BoardUnderTest, type Credentials, SCREENSHOTS } from '../support/board-browser.ts';
import { importOrg } from '../support/org-fixture.ts';
import { waitFor } from '../support/wait.ts';

const SHOTS = path.join(SCREENSHOTS, 'inbox');
const ADMIN = { username: 'admin', password: 'inbox-admin-password' };
const INGEST_TOKEN = 'inbox-test-token';
const LEAD_AJM = { username: 'lead.ajmer', password: 'lead-ajmer-password' };
const LEAD_STATE = { username: 'lead.state', password: 'lead-state-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
/** A few seconds of grace for never-spoken groups, escalation after 3 s, no mute window. */
const RULES = { inactivity: { newGraceHours: 0.001 }, routing: { escalateAfterMinutes: 0.05 }, muteWindows: [] };

let board: BoardUnderTest;
let adminToken: string;
let rulesFile: string;

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

async function tokenOf(user: Credentials): Promise<string> {
  return ((await api('/api/v1/auth/sign-in', { method: 'POST', body: user })).body as { token: string }).token;
}

async function openCount(token: string, query = ''): Promise<number> {
  return (await api(`/api/v1/alerts?state=open&limit=1${query}`, { token })).body.total as number;
}

/** The whole page, and what the screen shows with `focus` (default the inbox) scrolled into view. */
async function shot(page: Page, name: string, focus = '[data-testid="alerts-feed"]'): Promise<void> {
  await wholePageScreenshot(page, path.join(SHOTS, `${name}.png`));
  const target = page.locator(focus).first();
  if ((await target.count()) > 0) await target.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: path.join(SHOTS, `${name}-view.png`) });
}

const indian = (n: number) => n.toLocaleString('en-IN');

async function noSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

/** Nothing in the inbox scrolls by itself: the page does (a thumb on a phone is never trapped in a list). */
async function noScrollInside(page: Page): Promise<void> {
  const traps = await page.locator('[data-testid="alerts-feed"]').evaluate((feed) =>
    [feed, ...feed.querySelectorAll('*')]
      .filter((el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight)
      .map((el) => el.tagName),
  );
  expect(traps).toEqual([]);
}

async function inHindi(page: Page): Promise<void> {
  await page.click('[data-testid="lang-hi"]');
  await page.locator('[data-testid="total-messages"]', { hasText: 'आज के संदेश' }).waitFor({ timeout: WAIT_MS });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  rulesFile = path.join(mkdtempSync(path.join(tmpdir(), 'grouppulse-inbox-rules-')), 'rules.json');
  writeFileSync(rulesFile, JSON.stringify(RULES));
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS, env: { ALERT_TICK_MS: '1000', ALERT_RULES_FILE: rulesFile } });
  adminToken = await tokenOf(ADMIN);
  await importOrg(board.url, adminToken);
  // A hundred groups that never spoke: 40 on Booth 101, 30 on Booth 102 (Jaipur), 30 on Booth 201 (Ajmer).
  const groups = [
    ...Array.from({ length: 40 }, (_, i) => ({ id: `wa:s${i}`, unit: 'B101', category: 'booth-voters', title: `Sanganer ward ${i + 1}` })),
    ...Array.from({ length: 30 }, (_, i) => ({ id: `wa:m${i}`, unit: 'B102', category: 'youth', title: `Malviya yuva ${i + 1}` })),
    ...Array.from({ length: 30 }, (_, i) => ({ id: `wa:k${i}`, unit: 'B201', category: 'women', title: `Kishangarh mahila ${i + 1}` })),
  ];
  const imported = await api('/api/v1/directory/groups', { method: 'POST', token: adminToken, body: { groups } });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  for (const [user, unit] of [[LEAD_AJM, 'AJM'], [LEAD_STATE, 'RJ']] as const) {
    const created = await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...user, roles: ['lead'], units: [unit] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  // Every group is quiet once its grace is over: at least 105 group alerts, all escalated to the state.
  await waitFor(async () => {
    const { body } = await api('/api/v1/alerts?state=unresolved&rule=group-inactive&limit=500', { token: adminToken });
    const alerts = (body.alerts as { escalatedAt: number | null }[] | undefined) ?? [];
    return alerts.length >= 105 && alerts.every((a) => a.escalatedAt !== null) ? true : undefined;
  }, '105 group alerts, escalated', 90_000);
}, 180_000);

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe('the alert inbox', () => {
  test('desktop, English: true totals, pages, grouping by unit, escalation, unit links, bulk acknowledge and snooze', async () => {
    const page = await board.openAs(ADMIN, { viewport: DESKTOP });
    const total = await openCount(adminToken);
    expect(total).toBeGreaterThan(100);
    // The heading and the tile say the server's total, not the length of a page.
    await page.locator('[data-testid="alerts-total"]', { hasText: `(${indian(total)})` }).waitFor({ timeout: WAIT_MS });
    await waitForNumber(page, '[data-testid="total-openAlerts"] .count', '=', total, WAIT_MS);
    await page.locator('[data-testid="alerts-feed"] [data-testid="alert"]').nth(9).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="alerts-feed"] [data-testid="alert"]').count()).toBe(10);
    expect(await page.locator('[data-testid="page-range"]').textContent()).toBe(`1–10 of ${indian(total)}`);
    await page.click('[data-testid="next"]');
    await page.locator('[data-testid="page-range"]', { hasText: `11–20 of ${indian(total)}` }).waitFor({ timeout: WAIT_MS });
    // Escalation shows on the alert: to whom, when; each alert links to its unit's page.
    // A group's alert (the state's own unit-dark alert, in the same tick, has no unit above to escalate to).
    const first = page.locator('[data-testid="alerts-feed"] [data-testid="alert"][data-subject^="wa:"]').first();
    expect(await first.locator('[data-testid="escalated"]').textContent()).toMatch(/Escalated to Rajasthan on .+: lead\.state/);
    expect(await first.locator('[data-testid="alert-unit"]').getAttribute('href')).toMatch(/^#\/unit\/(B101|B102|B201|JPR|AJM|JPR-D1)$/);
    await page.click('[data-testid="prev"]');

    // Grouped by division, the way Alertmanager groups: "Jaipur: 70 groups quiet · …".
    await page.selectOption('[data-testid="group-by"]', 'division');
    const jaipur = page.locator('[data-testid="alert-group"][data-key="JPR"]');
    await jaipur.waitFor({ timeout: WAIT_MS });
    expect(await jaipur.textContent()).toMatch(/^Jaipur: 7\d groups quiet/);
    await shot(page, 'desktop-en-grouped');
    await jaipur.click();
    const jaipurTotal = await openCount(adminToken, '&unit=JPR');
    await page.locator('[data-testid="alerts-total"]', { hasText: `(${indian(jaipurTotal)})` }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="alerts-feed"]').textContent()).toContain('Only Jaipur');

    // One request acknowledges the page: the open count and the tile fall by 10, Acknowledged shows them apart.
    await page.check('[data-testid="select-all"]');
    await page.click('[data-testid="ack-selected"]');
    await page.locator('[data-testid="bulk-outcome"]', { hasText: '10 acknowledged.' }).waitFor({ timeout: WAIT_MS });
    await waitForNumber(page, '[data-testid="total-openAlerts"] .count', '=', total - 10, WAIT_MS);
    await waitForNumber(page, '[data-testid="state-acknowledged"] .n', '=', 10, WAIT_MS);
    expect(await openCount(adminToken)).toBe(total - 10);

    // Snooze two for an hour: out of the open list, under Snoozed with until and by whom.
    const boxes = page.locator('[data-testid="alerts-feed"] [data-testid="select"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.selectOption('[data-testid="snooze-for"]', '1');
    await page.click('[data-testid="snooze-selected"]');
    await page.locator('[data-testid="bulk-outcome"]', { hasText: '2 snoozed.' }).waitFor({ timeout: WAIT_MS });
    await waitForNumber(page, '[data-testid="total-openAlerts"] .count', '=', total - 12, WAIT_MS);
    await page.click('[data-testid="state-snoozed"]');
    await page.locator('[data-testid="alerts-feed"] [data-testid="alert"][data-state="snoozed"]').nth(1).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="alerts-feed"] [data-testid="snoozed"]').first().textContent()).toMatch(/Snoozed until .+ by admin/);
    await noSidewaysScroll(page);
    await shot(page, 'desktop-en-snoozed');
    await page.click('[data-testid="state-open"]');
    await shot(page, 'desktop-en-inbox');
    // The rest of Jaipur's open alerts in one go (not only the page).
    const jaipurOpen = await openCount(adminToken, '&unit=JPR');
    expect(jaipurOpen).toBe(jaipurTotal - 12);
    await page.click('[data-testid="ack-all"]');
    await page.locator('[data-testid="bulk-outcome"]', { hasText: `${indian(jaipurOpen)} acknowledged.` }).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="alerts-feed"]', { hasText: 'No open alerts.' }).waitFor({ timeout: WAIT_MS });
    await page.click('[data-testid="all-units"]');
    await page.locator('[data-testid="alerts-total"]', { hasText: `(${indian(total - 12 - jaipurOpen)})` }).waitFor({ timeout: WAIT_MS });
  });

  test('phone, Hindi: a division lead sees only their division, acknowledges two at once; the page scrolls, not the list', async () => {
    const page = await board.openAs(LEAD_AJM, { viewport: PHONE });
    await page.locator('[data-testid="unit-page"][data-unit="AJM"]').waitFor({ timeout: WAIT_MS });
    await inHindi(page);
    const token = await tokenOf(LEAD_AJM);
    const total = await openCount(token);
    expect(total).toBeGreaterThanOrEqual(30);
    await page.locator('[data-testid="alerts-total"]', { hasText: `(${indian(total)})` }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="state-open"]').textContent()).toMatch(/खुले/);
    expect(await page.locator('[data-testid="alerts-feed"]').textContent()).not.toMatch(/Jaipur|जयपुर|Sanganer/);
    await waitForNumber(page, '[data-testid="total-openAlerts"] .count', '=', total, WAIT_MS);
    await noSidewaysScroll(page);
    await noScrollInside(page);
    const boxes = page.locator('[data-testid="alerts-feed"] [data-testid="select"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.click('[data-testid="ack-selected"]');
    await page.locator('[data-testid="bulk-outcome"]', { hasText: '2 स्वीकार किए गए।' }).waitFor({ timeout: WAIT_MS });
    await waitForNumber(page, '[data-testid="total-openAlerts"] .count', '=', total - 2, WAIT_MS);
    // The quiet list names its threshold in Hindi.
    expect(await page.locator('[data-testid="quiet-meaning"]').textContent()).toMatch(/^शांत: .+ से कोई संदेश नहीं$/);
    await shot(page, 'phone-hi-lead-ajmer');
  });

  test('phone, English: the state lead, escalation target, sees the totals of everything below it', async () => {
    // Three messages today in Jaipur and one in Ajmer: the state's headline counts them (it read 0 when a
    // lead's scope stopped at their own unit, above every division's rows).
    const message = messageMaker('9197');
    const posted = await api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: [message('wa:g1'), message('wa:g1'), message('wa:g3'), message('wa:g4')] });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    // Those groups spoke: their alerts resolve at the detector's next tick (then the counts hold still).
    await waitFor(async () => {
      const { body } = await api('/api/v1/alerts?state=unresolved&rule=group-inactive&limit=500', { token: adminToken });
      const subjects = new Set(((body.alerts as { subject: string }[] | undefined) ?? []).map((a) => a.subject));
      return ['wa:g1', 'wa:g3', 'wa:g4'].every((g) => !subjects.has(g)) ? true : undefined;
    }, 'the alerts of the groups that spoke resolved', WAIT_MS);
    const page = await board.openAs(LEAD_STATE, { viewport: PHONE });
    await page.locator('[data-testid="unit-page"][data-unit="RJ"]').waitFor({ timeout: WAIT_MS });
    await waitForNumber(page, '[data-testid="total-messages"] .count', '=', 4, WAIT_MS);
    await waitForNumber(page, '[data-testid="total-activeGroups"] .count', '=', 3, WAIT_MS);
    const token = await tokenOf(LEAD_STATE);
    const total = await openCount(token);
    expect(total).toBe(await openCount(adminToken));
    await waitForNumber(page, '[data-testid="total-openAlerts"] .count', '=', total, WAIT_MS);
    // 105 groups, all quiet but the three that spoke today.
    await waitForNumber(page, '[data-testid="total-quietGroups"] .count', '=', 102, WAIT_MS);
    await page.locator('[data-testid="alerts-feed"] [data-testid="escalated"]').first().waitFor({ timeout: WAIT_MS });
    await noSidewaysScroll(page);
    await noScrollInside(page);
    // The quiet list shows 20, more on asking; it has no scroll area of its own either.
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet]').count()).toBe(20);
    await page.click('[data-testid="quiet-more"]');
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet]').count()).toBe(40);
    await shot(page, 'phone-en-state-lead-tiles', '[data-testid="total-quietGroups"]');
    await shot(page, 'phone-en-state-lead');
  });

  test('a booth page: each quiet group with its threshold, and its own groups marked quiet the same way', async () => {
    const page = await board.openAs(ADMIN, { viewport: DESKTOP });
    await page.goto(`${board.url}/#/unit/B102`);
    await page.locator('[data-testid="quiet-groups"] [data-quiet="wa:m0"]').waitFor({ timeout: WAIT_MS });
    // Youth has no threshold of its own: the default, 2 days; never spoke.
    expect(await page.locator('[data-testid="quiet-groups"] [data-quiet="wa:m0"] [data-testid="quiet-threshold"]').textContent()).toBe('quiet: no message in 2 days');
    while ((await page.locator('[data-testid="quiet-more"]').count()) > 0) await page.click('[data-testid="quiet-more"]');
    const quietHere = await page.locator('[data-testid="groups"] tr[data-group]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-group'), r.getAttribute('data-quiet-here')]));
    const listed = new Set(await page.locator('[data-testid="quiet-groups"] [data-quiet]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-quiet'))));
    // Never both quiet and not: the own groups' marks agree with the quiet list.
    for (const [id, quiet] of quietHere) expect(quiet === 'true', id!).toBe(listed.has(id!));
    expect(await page.locator('[data-testid="groups"] tr[data-group="wa:m0"] [data-testid="quiet-badge"]').getAttribute('title')).toBe('quiet: no message in 2 days');
    await shot(page, 'desktop-en-booth', '[data-testid="quiet-groups"]');
  });
});

describe('the admin screen', () => {
  test('desktop, English: sees where the rules come from, refuses bad rules by name, saves and goes back to the file; users', async () => {
    const page = await board.openAs(ADMIN, { viewport: DESKTOP });
    await page.click('[data-testid="nav-admin"]');
    const origin = page.locator('[data-testid="rules-origin"]');
    await origin.waitFor({ timeout: WAIT_MS });
    expect(await origin.textContent()).toContain(`In effect: the rules file ${rulesFile}.`);
    expect(await page.locator('[data-testid="rules-quiet"]').textContent()).toMatch(/Office bearers: no message in 24 h.*Any other group: no message in 2 days/);

    await page.fill('[data-testid="rules-text"]', '{"inactivity": ');
    await page.click('[data-testid="rules-save"]');
    await page.locator('[data-testid="rules-error"]', { hasText: 'The rules are not valid JSON' }).waitFor({ timeout: WAIT_MS });
    await page.fill('[data-testid="rules-text"]', '{"inactivity": {"defaultHours": -1}}');
    await page.click('[data-testid="rules-save"]');
    await page.locator('[data-testid="rules-error"]', { hasText: 'inactivity.defaultHours' }).waitFor({ timeout: WAIT_MS });
    await page.fill('[data-testid="rules-text"]', JSON.stringify({ ...RULES, inactivity: { ...RULES.inactivity, defaultHours: 0.25 } }, null, 2));
    await page.click('[data-testid="rules-save"]');
    await page.locator('[data-testid="rules-saved"]').waitFor({ timeout: WAIT_MS });
    expect(await origin.textContent()).toMatch(/In effect: saved here by admin on .+ The rules file .+ is set aside meanwhile\./);
    expect(await page.locator('[data-testid="rules-quiet"]').textContent()).toContain('Any other group: no message in 15 min');
    expect(await page.locator('[data-testid="rules-quiet"]').textContent()).not.toContain('Office bearers');
    await shot(page, 'desktop-en-admin-rules', '[data-testid="admin-rules"]');
    await page.click('[data-testid="rules-revert"]');
    await origin.filter({ hasText: 'In effect: the rules file' }).waitFor({ timeout: WAIT_MS });

    // Users: a lead needs a unit the directory has; a new user gets a password shown once; disable keeps them listed.
    const form = page.locator('[data-testid="new-user"]');
    await form.locator('input[name="username"]').fill('lead.new');
    await form.locator('input[name="units"]').fill('NOPE');
    await page.click('[data-testid="create-user"]');
    await page.locator('[data-testid="admin-error"]', { hasText: 'no unit "NOPE"' }).waitFor({ timeout: WAIT_MS });
    await form.locator('input[name="units"]').fill('AJM');
    await page.click('[data-testid="create-user"]');
    await page.locator('[data-testid="user-created"]', { hasText: 'Password for lead.new, shown only now:' }).waitFor({ timeout: WAIT_MS });
    const row = page.locator('[data-testid="user"][data-username="lead.new"]');
    await row.locator('[data-testid="disable"]').click();
    await page.locator('[data-testid="user"][data-username="lead.new"][data-disabled="true"]').waitFor({ timeout: WAIT_MS });
    expect(await row.textContent()).toMatch(/disabled.*Roles: Lead · AJM/);
    // Roles and units change on the page, on the same rules as a new user's.
    await row.locator('[data-testid="edit-user"]').click();
    const edit = row.locator('[data-testid="user-edit"]');
    await edit.locator('input[name="units"]').fill('AJM, NOPE');
    await edit.locator('[data-testid="save-user"]').click();
    await page.locator('[data-testid="admin-error"]', { hasText: 'no unit "NOPE"' }).waitFor({ timeout: WAIT_MS });
    await edit.locator('input[value="analyst"]').check();
    await edit.locator('input[name="units"]').fill('AJM');
    await edit.locator('[data-testid="save-user"]').click();
    await edit.waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await row.textContent()).toMatch(/Roles: Lead, Analyst · AJM/);
    await noSidewaysScroll(page);
    await shot(page, 'desktop-en-admin', '[data-testid="users"]');
  });

  test('phone, Hindi: the rules and users read in Hindi and fit the screen', async () => {
    const page = await board.openAs(ADMIN, { viewport: PHONE });
    await inHindi(page);
    await page.click('[data-testid="nav-admin"]');
    await page.locator('[data-testid="rules-origin"]', { hasText: 'लागू: नियम-फ़ाइल' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="rules-quiet"]').textContent()).toContain('बाकी हर समूह: 2 दिन से कोई संदेश नहीं');
    await noSidewaysScroll(page);
    await shot(page, 'phone-hi-admin', '[data-testid="admin-rules"]');
  });
});
