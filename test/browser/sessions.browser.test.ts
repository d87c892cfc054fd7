/**
 * Sessions that last, in Debian's Chromium against the real all-in-one server: the board renews its token
 * before it expires and after the computer slept (the page's clock is moved on; the server's is real), an
 * admin's sign-out everywhere drops a lead's board to the sign-in form with the reason in Hindi, and a wall
 * display signs in from the address an admin copied, stays read-only, survives a reload and shows why
 * once revoked. Screenshots go to test-results/sessions-*.png.
 */
import type { Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DisplayCreated, SessionAnswer } from '../../common/contracts/access.ts';
import { startBoardUnderTest, type ApiAnswer, type BoardUnderTest } from '../support/board-browser.ts';
import { importOrg } from '../support/org-fixture.ts';
import { waitFor } from '../support/wait.ts';

const INGEST_TOKEN = 'sessions-test-token';
const ADMIN = { username: 'admin', password: 'sessions-admin-password' };
const MONITOR = { username: 'monitor.one', password: 'monitor-one-password' };
const LEAD = { username: 'lead.jaipur', password: 'lead-jaipur-password' };
const WAIT_MS = 30_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const WALL = { width: 1920, height: 1080 };

let board: BoardUnderTest;
let adminToken: string;

function api(pathname: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiAnswer> {
  return board.api(pathname, init);
}

/** What the board keeps in the tab's sessionStorage. */
function storedSession(page: Page): Promise<SessionAnswer | null> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('grouppulse.session') ?? 'null') as SessionAnswer | null);
}

/** Waits (polling from here: the page's own timers are fake) until the board holds a token other than `before`. */
async function renewedFrom(page: Page, before: SessionAnswer): Promise<SessionAnswer> {
  return waitFor(async () => {
    const now = await storedSession(page);
    return now && now.token !== before.token ? now : undefined;
  }, 'a renewed token', WAIT_MS);
}

const live = '[data-testid="connection"][data-state="live"]';

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS });
  adminToken = ((await api('/api/v1/auth/sign-in', { method: 'POST', body: ADMIN })).body as { token: string }).token;
  await importOrg(board.url, adminToken);
  for (const [user, roles, units] of [[MONITOR, ['monitor'], []], [LEAD, ['lead'], ['JPR']]] as const) {
    const created = await api('/api/v1/admin/users', { method: 'POST', token: adminToken, body: { ...user, roles, units } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  const posted = await api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: [{ type: 'message', id: 's1', group: 'wa:g1', at: new Date().toISOString(), sender: '919800000001', kind: 'text' }] });
  expect(posted.status).toBe(202);
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe('sessions that last', () => {
  test('desktop: the board renews before the token expires and after a sleep, and stays live', async () => {
    const page = await board.openAs(MONITOR, { viewport: DESKTOP });
    // The page's clock from here on is ours to move; the reload restores the session from the tab.
    await page.clock.install();
    await page.reload();
    await page.locator(live).waitFor({ timeout: WAIT_MS });
    const first = (await storedSession(page))!;
    expect(first.refreshToken).toBeTruthy();

    // 58½ minutes on: within two minutes of the hour's expiry.
    await page.clock.fastForward('58:30');
    const second = await renewedFrom(page, first);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await api('/api/v1/auth/me', { token: second.token })).status).toBe(200);

    // Three hours asleep: the token is long expired by the page's clock when it wakes.
    await page.clock.fastForward('03:00:00');
    const third = await renewedFrom(page, second);
    expect(third.refreshToken).not.toBe(second.refreshToken);
    await page.locator(live).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('[data-testid="sign-in"]').count()).toBe(0);
    await board.screenshot(page, 'sessions-desktop-renewed');

    // A used-up refresh token coming back ends the session: the board's next renewal is refused and says so.
    expect((await api('/api/v1/auth/renew', { method: 'POST', body: { refreshToken: first.refreshToken } })).body.code).toBe('session-ended');
    // The page's clock runs hours ahead of the server's here, so its renewal times say little; a reload
    // (the board resumes from the tab and renews at once) makes the next renewal certain.
    await page.reload();
    await page.locator('[data-testid="sign-in"] [role="alert"]', { hasText: 'Your session has ended' }).waitFor({ timeout: WAIT_MS });
    expect(await storedSession(page)).toBeNull();
    await board.screenshot(page, 'sessions-desktop-ended');
  });

  test("phone, Hindi: an admin's sign-out everywhere drops the lead's board to the sign-in form, saying why in Hindi", async () => {
    const page = await board.openAs(LEAD, { viewport: PHONE });
    await page.click('[data-testid="lang-hi"]');
    await page.locator(live, { hasText: 'लाइव' }).waitFor({ timeout: WAIT_MS });
    expect((await api(`/api/v1/admin/users/${LEAD.username}/sign-out-everywhere`, { method: 'POST', token: adminToken })).status).toBe(204);
    const notice = page.locator('[data-testid="sign-in"] [role="alert"]');
    await notice.waitFor({ timeout: WAIT_MS });
    expect(await notice.textContent()).toBe('आपका सत्र समाप्त हो गया (साइन आउट, पासवर्ड बदलने या admin के कारण)। कृपया फिर से साइन इन करें।');
    await board.screenshot(page, 'sessions-phone-hi-signed-out-everywhere');
    // Signing in again works.
    await board.signIn(page, LEAD);
    await page.locator(live).waitFor({ timeout: WAIT_MS });
  });

  test('a wall display opens from the address the admin copied, reads its unit only, never writes, and shows why once revoked', async () => {
    const created = await api('/api/v1/admin/displays', { method: 'POST', token: adminToken, body: { label: 'Jaipur hall', unit: 'JPR' } });
    expect(created.status).toBe(201);
    const display = created.body as unknown as DisplayCreated;
    const page = await board.open({ viewport: WALL, path: display.url.slice(board.url.length), ready: live });

    // The token left the address bar; the display keeps it for a reboot.
    expect(await page.evaluate(() => location.hash)).not.toContain(display.token);
    expect(await page.evaluate(() => localStorage.getItem('grouppulse.display'))).toBe(display.token);
    await page.locator('[data-testid="display-name"]', { hasText: 'Jaipur hall' }).waitFor({ timeout: WAIT_MS });
    expect(await page.evaluate(() => location.hash)).toBe('#/unit/JPR');
    // Read-only: no sign-out, no SQL console, nothing to acknowledge.
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await page.locator('[data-testid="nav-sql"]').count()).toBe(0);
    // (The inbox's "Acknowledged" filter is there to read; nothing acknowledges, snoozes or selects.)
    expect(await page.getByRole('button', { name: /^acknowledge(?!d)/i }).count()).toBe(0);
    expect(await page.locator('[data-testid="alerts-feed"] :is([data-testid="select"], [data-testid="select-all"], [data-testid="snooze-selected"], [data-testid="ack-all"])').count()).toBe(0);
    await board.screenshot(page, 'sessions-wall-display');

    // One read of the reloaded page is held until the display has been told: it reaches the server after the
    // revoke and is refused, and that late refusal must not replace the reason on screen. Held only once the
    // new document is there: a read of the page before the reload would be cut off by it.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reloaded = false;
    let held: Request | undefined;
    page.once('framenavigated', () => (reloaded = true));
    await page.route('**/api/v1/alerts?*', async (route) => {
      if (!reloaded || held) return route.continue();
      held = route.request();
      await released;
      await route.continue();
    });
    const lateAnswer = page.waitForEvent('requestfinished', { predicate: (request) => request === held, timeout: WAIT_MS });
    await page.reload();
    await page.locator(live).waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid="display-name"]').waitFor({ timeout: WAIT_MS });

    expect((await api(`/api/v1/admin/displays/${display.display.id}`, { method: 'DELETE', token: adminToken })).status).toBe(204);
    const revoked = page.locator('[data-testid="sign-in"] [role="alert"]', { hasText: 'This display’s address no longer works' });
    await revoked.waitFor({ timeout: WAIT_MS });
    release();
    expect((await (await lateAnswer).response())?.status()).toBe(401);
    // The whole answer is in; the board reads it in its next tasks: a frame and a task later it has.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    expect(await revoked.count()).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('grouppulse.display'))).toBeNull();
    await board.screenshot(page, 'sessions-wall-display-revoked');
  });

  test("the admin page: make a display and open its address, revoke it there, sign a monitor out everywhere", async () => {
    const adminPage = await board.openAs(ADMIN, { viewport: DESKTOP });
    await adminPage.click('[data-testid="nav-admin"]');
    await adminPage.fill('input[name="label"]', 'Central lobby');
    await adminPage.click('[data-testid="admin-page"] button[type="submit"]');
    const url = await adminPage.locator('[data-testid="display-url"]').inputValue();
    expect(url).toMatch(new RegExp(`^${board.url}/#display=[\\w-]{16}\\.[\\w-]{43}$`));
    const monitor = await board.openAs(MONITOR, { viewport: DESKTOP });
    await board.screenshot(adminPage, 'sessions-admin-desktop');

    // The whole board on the display, read-only.
    const wall = await board.open({ viewport: WALL, path: url.slice(board.url.length), ready: live });
    await wall.locator('[data-testid="display-name"]', { hasText: 'Central lobby' }).waitFor({ timeout: WAIT_MS });
    expect(await wall.evaluate(() => location.hash)).toBe('#/');

    await adminPage.locator('[data-testid="display"]', { hasText: 'Central lobby' }).getByRole('button', { name: 'Revoke' }).click();
    await adminPage.locator('[data-testid="display"]', { hasText: 'Central lobby' }).waitFor({ state: 'detached', timeout: WAIT_MS });
    await wall.locator('[data-testid="sign-in"] [role="alert"]', { hasText: 'This display’s address no longer works' }).waitFor({ timeout: WAIT_MS });

    await adminPage.locator(`[data-testid="user"][data-username="${MONITOR.username}"]`).getByRole('button', { name: 'Sign out everywhere' }).click();
    await adminPage.locator('[data-testid="signed-out"]', { hasText: MONITOR.username }).waitFor({ timeout: WAIT_MS });
    await monitor.locator('[data-testid="sign-in"] [role="alert"]', { hasText: 'Your session has ended' }).waitFor({ timeout: WAIT_MS });
    // The admin's own board is untouched.
    await adminPage.locator(live).waitFor({ timeout: WAIT_MS });
  });

  test('the admin page on a phone, in Hindi, fits the screen', async () => {
    const page = await board.openAs(ADMIN, { viewport: PHONE });
    await page.click('[data-testid="lang-hi"]');
    await page.click('[data-testid="nav-admin"]');
    await page.locator('[data-testid="admin-page"] h2', { hasText: 'दीवार डिस्प्ले' }).waitFor({ timeout: WAIT_MS });
    await page.fill('input[name="label"]', 'फ़ोन जाँच');
    await page.click('[data-testid="admin-page"] button[type="submit"]');
    await page.locator('[data-testid="display-url"]').waitFor({ timeout: WAIT_MS });
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    await board.screenshot(page, 'sessions-admin-phone-hi');
  });
});
