/**
 * The Reach page in Debian's Chromium against the real all-in-one server: the board's small tree with a state
 * group and a Jaipur group, one central message forwarded down to three booth groups over two hours yesterday
 * (posted with a fingerprint through /v1/events; the page is shown that day, so the hour of the run does not matter). A Jaipur lead on a phone in Hindi sees Jaipur only and the booth
 * group it missed; an admin on a desktop in English sees both divisions and marks it important.
 * Screenshots: test-results/reach-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DAY_MS, MINUTE_MS, wallClockAt, wallClockToEpochMs } from '../../common/time.ts';
import { startBoardUnderTest, type BoardUnderTest, type Credentials } from '../support/board-browser.ts';
import { importOrg } from '../support/org-fixture.ts';
import { waitFor } from '../support/wait.ts';

const INGEST_TOKEN = 'reach-test-token';
const ADMIN = { username: 'admin', password: 'reach-admin-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let board: BoardUnderTest;
let adminToken: string;
/** The day the message was sent down (YYYY-MM-DD, India time): yesterday. */
let DAY: string;

async function noSidewaysScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
}

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS });
  adminToken = ((await board.api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  await importOrg(board.url, adminToken);
  const extra = await board.api('/api/v1/directory/groups?mode=merge', { method: 'POST', token: adminToken, body: { groups: [
    { id: 'wa:state', unit: 'RJ', category: 'office-bearers', title: 'Rajasthan core team' },
    { id: 'wa:jpr', unit: 'JPR', category: 'office-bearers', title: 'Jaipur office-bearers' },
  ] } });
  expect(extra.status, JSON.stringify(extra.body)).toBe(200);
  const created = await board.api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...LEAD, roles: ['lead'], units: ['JPR'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);

  // Sent down yesterday (India time) from 10:00: wholly past at any hour of the run (the page is shown that day).
  const yesterday = new Date(wallClockToEpochMs({ ...wallClockAt(Date.now(), 'Asia/Kolkata'), hour: 12, minute: 0, second: 0 }, 'Asia/Kolkata') - DAY_MS);
  DAY = yesterday.toISOString().slice(0, 10);
  const t0 = wallClockToEpochMs({ ...wallClockAt(yesterday.getTime(), 'Asia/Kolkata'), hour: 10, minute: 0, second: 0 }, 'Asia/Kolkata');
  const at = (minutes: number) => new Date(t0 + minutes * MINUTE_MS).toISOString();
  const hop = (id: string, group: string, minutes: number) => ({ type: 'message', id, group, at: at(minutes), sender: `91980000${id.length}${minutes}`, kind: 'text', forwarded: minutes > 0, fingerprint: 'rally-call' });
  const posted = await board.api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: [
    hop('r-1', 'wa:state', 0), hop('r-2', 'wa:jpr', 4), hop('r-3', 'wa:g1', 12), hop('r-4', 'wa:g3', 50), hop('r-5', 'wa:g4', 130),
  ] });
  expect(posted.status, JSON.stringify(posted.body)).toBe(202);
  await waitFor(async () => {
    const { body } = await board.api(`/api/v1/board/reach?day=${DAY}`, { token: adminToken });
    return (body.messages as { groups: number }[] | undefined)?.[0]?.groups === 5 ? true : undefined;
  }, 'the message in five groups', WAIT_MS);
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

async function openInHindi(user: Credentials): Promise<Page> {
  const page = await board.open({ viewport: PHONE });
  await page.click('[data-testid="lang-hi"]');
  await board.signIn(page, user);
  await page.locator('[data-testid="nav-reach"]').waitFor({ timeout: WAIT_MS });
  return page;
}

describe('the Reach page', () => {
  test('a Jaipur lead on a phone, in Hindi: Jaipur only, and the booth group it missed', async () => {
    const page = await openInHindi(LEAD);
    await page.click('[data-testid="nav-reach"]');
    await page.fill('[data-testid="reach-day"]', DAY);
    const card = page.locator('[data-testid="reach-message"]');
    await card.waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="nav-reach"]').textContent()).toBe('पहुँच');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('Rajasthan core team');
    expect(text).toContain('कितने समूहों तक पहुँचा: 3 · बूथ: 2');
    const rows = card.locator('[data-testid="reach-divisions"] tbody tr');
    expect(await rows.count()).toBe(1);
    // Jaipur: 3 booth groups; 1 by 15 min, 2 by 1 h.
    expect((await rows.first().locator('td').allTextContents()).map((s) => s.trim())).toEqual(['3', '33 %', '67 %', '67 %', '67 %']);
    await noSidewaysScroll(page);
    await board.screenshot(page, 'reach-lead-phone-hi-list');

    await card.locator('[data-testid="reach-open"]').click();
    await page.locator('[data-testid="reach-levels"]').waitFor({ timeout: WAIT_MS });
    expect((await page.locator('[data-testid="reach-levels"] li').allTextContents()).map((s) => s.trim())).toEqual([
      'संभाग · 4 मि बाद · समूह: 1',
      'बूथ · 12 मि बाद · समूह: 2',
    ]);
    expect(await page.locator('[data-testid="reach-missing"] li').allTextContents()).toEqual(['Sanganer yuva · Booth 101 Sanganer']);
    expect(await page.locator('[data-testid="reach-mark"]').count()).toBe(0);
    await noSidewaysScroll(page);
    await board.screenshot(page, 'reach-lead-phone-hi-detail');
  });

  test('an admin on a desktop, in English: both divisions, and marks the message important', async () => {
    const page = await board.openAs(ADMIN, { viewport: DESKTOP });
    await page.click('[data-testid="nav-reach"]');
    await page.fill('[data-testid="reach-day"]', DAY);
    const card = page.locator('[data-testid="reach-message"]');
    await card.waitFor({ timeout: WAIT_MS });
    expect(await card.textContent()).toContain('Groups reached: 5 · booths: 3');
    expect(await card.locator('[data-testid="reach-divisions"] tbody th').allTextContents()).toEqual(['Ajmer', 'Jaipur']);
    await board.screenshot(page, 'reach-admin-desktop-en-list');

    await card.locator('[data-testid="reach-open"]').click();
    await page.locator('[data-testid="reach-mark"]').waitFor({ timeout: WAIT_MS });
    await page.fill('[data-testid="reach-share"]', '60');
    await page.fill('[data-testid="reach-within"]', '6');
    await page.click('[data-testid="reach-mark"]');
    await page.locator('[data-testid="reach-important"]', { hasText: 'Important: 60 % of booth groups within 6 h' }).waitFor({ timeout: WAIT_MS });
    expect((await page.locator('[data-testid="reach-levels"] li').allTextContents()).map((s) => s.trim())).toEqual([
      'State · first seen · groups: 1', 'Division · after 4 min · groups: 1', 'Booth · after 12 min · groups: 3',
    ]);
    await page.selectOption('[data-testid="reach-division"]', 'AJM');
    await page.locator('[data-testid="reach-missing"] li', { hasText: 'Kishangarh mahila' }).waitFor({ timeout: WAIT_MS });
    await board.screenshot(page, 'reach-admin-desktop-en-detail');
  });
});
