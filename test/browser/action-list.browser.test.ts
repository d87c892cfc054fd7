/**
 * The lead's action list in Debian's Chromium against the real all-in-one server: on the lead's division page
 * the quiet groups come first, gathered by booth under the units down to it, each booth with its pramukh and
 * the district's in-charge to call or message on WhatsApp, a group with its own admin; the page has no
 * scrolling box inside it. A lead on a phone in Hindi, the central team on a desktop in English. Everything
 * goes in through the real APIs (directory with contacts, users, events). Screenshots: test-results/action-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { messageMaker, SCREENSHOTS, startBoardUnderTest, type BoardUnderTest } from '../support/board-browser.ts';
import { importOrg } from '../support/org-fixture.ts';

const INGEST_TOKEN = 'action-list-test-token';
const ADMIN = { username: 'admin', password: 'action-list-admin-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const message = messageMaker('9197');

let board: BoardUnderTest;

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS });
  const admin = ((await board.api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  await importOrg(board.url, admin);
  const created = await board.api('/api/v1/admin/users', { method: 'POST', token: admin, body: { ...LEAD, roles: ['lead'], units: ['JPR'] } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // wa:g1 and wa:g4 speak; in Jaipur wa:g2 (Booth 101) and wa:g3 (Booth 102) last spoke 50 h ago: quiet by every
  // category's threshold (a group that never spoke would still be in its grace period).
  const longAgo = Date.now() - 50 * 3_600_000;
  const posted = await board.api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: [message('wa:g1'), message('wa:g4'), message('wa:g2', longAgo), message('wa:g3', longAgo)] });
  expect(posted.status).toBe(202);
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});


/** Each booth of the list: its path, the people on it (name and both links), its groups with their own people. */
async function blocks(page: Page) {
  return page.locator('[data-testid="quiet-groups"] [data-action-unit]').evaluateAll((items) =>
    items.map((item) => {
      const people = (root: Element) =>
        [...root.querySelectorAll(':scope > .contacts > [data-contact]')].map((c) => [c.querySelector('strong')!.textContent, ...[...c.querySelectorAll('a')].map((a) => a.getAttribute('href'))]);
      return {
        unit: item.getAttribute('data-action-unit'),
        path: item.querySelector('.path')!.textContent!.replace(/\s+/g, ' ').trim(),
        people: people(item),
        groups: [...item.querySelectorAll('[data-quiet]')].map((g) => [g.getAttribute('data-quiet'), ...people(g).flat()]),
      };
    }),
  );
}

/** Elements that scroll inside the page (a list that traps the thumb): none. */
async function innerScrollers(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('main *')]
      .filter((el) => {
        const style = getComputedStyle(el);
        return /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  );
}

describe('the lead\'s action list', () => {
  test('phone, Hindi: the lead\'s home starts with the quiet groups by booth and who to call', async () => {
    const page = await board.openAs(LEAD, { hindi: true, viewport: PHONE });
    await page.locator('[data-testid="quiet-groups"] [data-action-unit="B102"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#action-list-title').textContent()).toMatch(/^क्या करना है: शांत समूह \(2\)/);
    expect(await blocks(page)).toEqual([
      {
        unit: 'B101',
        path: 'Jaipur City › Booth 101 Sanganer',
        people: [
          ['Sunita Devi', 'tel:+919829012345', 'https://wa.me/919829012345'],
          ['Mohan Lal', 'tel:+919414055555', 'https://wa.me/919414055555'],
        ],
        groups: [['wa:g2']],
      },
      {
        unit: 'B102',
        path: 'Jaipur City › Booth 102 Malviya Nagar',
        people: [['Mohan Lal', 'tel:+919414055555', 'https://wa.me/919414055555']],
        groups: [['wa:g3', 'Ramesh Kumar', 'tel:+919829011111', 'https://wa.me/919829011111']],
      },
    ]);
    // Roles and buttons in Hindi; the booth pramukh's role by its Hindi name.
    const first = page.locator('[data-action-unit="B101"] [data-contact]').first();
    expect((await first.textContent())!.replace(/\s+/g, ' ')).toMatch(/Sunita Devi · बूथ प्रमुख\s*फ़ोन करें\s*WhatsApp/);
    // First on the page: above the numbers, within the first screen.
    const top = async (selector: string) => (await page.locator(selector).boundingBox())!.y;
    expect(await top('[data-testid="quiet-groups"]')).toBeLessThan(await top('[data-testid="unit-metrics"]'));
    // Then the lead's alerts, still above the numbers (not a phone's screens further down).
    expect(await top('[data-testid="alerts-feed"]')).toBeGreaterThan(await top('[data-testid="quiet-groups"]'));
    expect(await top('[data-testid="alerts-feed"]')).toBeLessThan(await top('[data-testid="unit-metrics"]'));
    expect(await top('[data-action-unit="B101"]')).toBeLessThan(PHONE.height);
    expect(await innerScrollers(page)).toEqual([]);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    await board.screenshot(page, 'action-phone-hi');
    await page.locator('[data-testid="quiet-groups"]').screenshot({ path: `${SCREENSHOTS}/action-phone-hi-list.png` });
  });

  test('desktop, English: the central team sees the same list on a division, each booth linking to its page', async () => {
    const page = await board.openAs(ADMIN);
    await page.goto(`${board.url}/#/unit/JPR`);
    await page.locator('[data-testid="quiet-groups"] [data-action-unit="B101"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#action-list-title').textContent()).toMatch(/^What needs doing: quiet groups \(2\)/);
    // The central team's alerts stay beside the charts: the numbers come first for them.
    const top = async (selector: string) => (await page.locator(selector).boundingBox())!.y;
    expect(await top('[data-testid="alerts-feed"]')).toBeGreaterThan(await top('[data-testid="unit-metrics"]'));
    const call = page.locator('[data-action-unit="B101"] [data-contact="+919829012345"] a').first();
    expect(await call.textContent()).toBe('Call');
    expect(await call.getAttribute('aria-label')).toBe('Call Sunita Devi');
    expect(await innerScrollers(page)).toEqual([]);
    await board.screenshot(page, 'action-desktop-en');
    await page.locator('[data-action-unit="B102"] a.path').click();
    await page.locator('[data-testid="unit-title"]').filter({ hasText: 'Booth 102 Malviya Nagar' }).waitFor({ timeout: WAIT_MS });
    expect(await blocks(page)).toEqual([
      { unit: 'B102', path: 'Booth 102 Malviya Nagar', people: [['Mohan Lal', 'tel:+919414055555', 'https://wa.me/919414055555']], groups: [['wa:g3', 'Ramesh Kumar', 'tel:+919829011111', 'https://wa.me/919829011111']] },
    ]);
  });
});
