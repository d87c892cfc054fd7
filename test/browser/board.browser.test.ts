/**
 * The live board in Debian's Chromium against the real all-in-one server (in-process bus,
 * embedded ClickHouse): sign in, see posted events arrive without a reload, come back from
 * offline with the server's snapshot, and fit a phone screen. Screenshots go to
 * test-results/board-*.png. Polls for conditions with deadlines; never sleeps a fixed time.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SOCKET_EVENTS, type CountsDelta, type CountsSnapshot } from '../../common/live.ts';
import { numberIn, shownNumber, startBoardUnderTest, waitForNumber, type BoardUnderTest } from '../support/board-browser.ts';

const INGEST_TOKEN = 'board-test-token';
const ADMIN = { username: 'admin', password: 'board-test-password' };
/** Until the group directory knows a group, everything rolls up here. */
const CELL = { division: 'unassigned', category: 'unassigned' };
const WAIT_MS = 20_000;

let board: BoardUnderTest;
const run = randomUUID().slice(0, 8);
let nextId = 0;

type Counted = 'messages' | 'media' | 'forwarded' | 'joins' | 'leaves' | 'activeGroups';

function message(group: string, extra: Record<string, unknown> = {}) {
  return { type: 'message', id: `${run}:m${nextId++}`, group, at: new Date().toISOString(), sender: `9198000${String(nextId).padStart(5, '0')}`, kind: 'text', ...extra };
}

function memberEvent(type: 'member_joined' | 'member_left', group: string) {
  return { type, id: `${run}:e${nextId++}`, group, at: new Date().toISOString(), member: '919811111111' };
}

async function postEvents(events: object[]): Promise<void> {
  const response = await fetch(`${board.url}/v1/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${INGEST_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(events),
  });
  const body = (await response.json()) as { accepted: number; rejected: unknown[] };
  expect(response.status, JSON.stringify(body)).toBe(202);
  expect(body).toMatchObject({ accepted: events.length, rejected: [] });
}

function cellSelector(metric: Counted): string {
  return `td[data-division="${CELL.division}"][data-category="${CELL.category}"][data-metric="${metric}"] .count`;
}

/** Wait (polling in the page) until the grid cell shows `value`, written with Indian digit grouping. */
async function waitForCell(page: Page, metric: Counted, value: number): Promise<void> {
  const text = value.toLocaleString('en-IN');
  try {
    await page.waitForFunction(
      ([selector, expected]) => document.querySelector(selector)?.textContent?.trim() === expected,
      [cellSelector(metric), text] as const,
      { timeout: WAIT_MS },
    );
  } catch (error) {
    const shown = await page.locator(cellSelector(metric)).textContent().catch(() => null);
    throw new Error(`the ${metric} cell never showed ${text} (it shows ${shown ?? 'nothing'}): ${(error as Error).message}`);
  }
}

/** Wait until the test cell's division says it is (or is not) on screen (DivisionSection's `data-on-screen`). */
async function waitForOnScreen(page: Page, onScreen: boolean): Promise<void> {
  await page.locator(`.division-table[data-on-screen="${onScreen}"]:has(tbody[data-division="${CELL.division}"])`).waitFor({ timeout: WAIT_MS });
}

async function waitForConnection(page: Page, state: 'live' | 'offline' | 'reconnecting'): Promise<void> {
  await page.locator(`[data-testid="connection"][data-state="${state}"]`).waitFor({ timeout: WAIT_MS });
}

/** Signed in as the admin, in a browser whose own zone is UTC (the board's default is IST all the same). */
function openBoard(viewport: { width: number; height: number }): Promise<Page> {
  return board.openAs(ADMIN, { viewport, timezoneId: 'UTC' });
}

async function signInToken(): Promise<string> {
  const response = await fetch(`${board.url}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** A socket of our own, to know when the api's live counts hold a number (then any snapshot has it). */
async function watchMessages(token: string): Promise<{ reached: (n: number) => Promise<void>; close: () => void }> {
  const socket: Socket = connectSocket(board.url, { auth: { token }, transports: ['websocket'] });
  let messages = -1;
  const waiters: { n: number; resolve: () => void }[] = [];
  const settle = () => {
    for (const waiter of waiters.filter((w) => w.n === messages)) waiter.resolve();
  };
  socket.on(SOCKET_EVENTS.snapshot, (snapshot: CountsSnapshot) => {
    messages = snapshot.rows.find((r) => r.division === CELL.division && r.category === CELL.category)?.messages ?? 0;
    settle();
  });
  socket.on(SOCKET_EVENTS.delta, (delta: CountsDelta) => {
    if (messages < 0) return;
    messages += delta.rows.find((r) => r.division === CELL.division && r.category === CELL.category)?.messages ?? 0;
    settle();
  });
  return {
    reached: (n) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the api's live counts never reached ${n} messages (at ${messages})`)), WAIT_MS);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
        settle();
      }),
    close: () => socket.close(),
  };
}

function screenshot(page: Page, name: string): Promise<void> {
  return board.screenshot(page, `board-${name}`);
}

beforeAll(async () => {
  // Snapshots every 2 s (not 10): the distinct counts the tests wait for come only with them.
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS, env: { LIVE_RESYNC_MS: '2000' } });
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

describe('live board', () => {
  test('signs in through the form: a wrong password is refused with a reason, the right one opens the board', async () => {
    const page = await board.open({ viewport: { width: 1280, height: 800 } });
    await screenshot(page, 'sign-in');
    await board.signIn(page, { username: ADMIN.username, password: 'not-the-password' });
    const notice = page.locator('[data-testid="sign-in"] [role="alert"]');
    await notice.waitFor({ timeout: WAIT_MS });
    expect(await notice.textContent()).toMatch(/password|sign in|credentials/i);
    await screenshot(page, 'sign-in-refused');
    await board.signIn(page, ADMIN);
    await waitForConnection(page, 'live');
    expect(await page.locator('[data-testid="sign-in"]').count()).toBe(0);
  });

  test('shows posted events live, without a reload', async () => {
    const page = await openBoard({ width: 1280, height: 800 });
    const day = await page.locator('[data-testid="day"]').textContent();
    expect(day).toMatch(/IST/);
    await page.evaluate(() => Object.assign(window, { boardTestMarker: true }));

    await postEvents([
      message('wa:g1'),
      message('wa:g1', { kind: 'image' }),
      message('wa:g2', { forwarded: true }),
      memberEvent('member_joined', 'wa:g1'),
      memberEvent('member_left', 'wa:g2'),
    ]);
    await waitForCell(page, 'messages', 3);
    await waitForCell(page, 'media', 1);
    await waitForCell(page, 'forwarded', 1);
    await waitForCell(page, 'joins', 1);
    await waitForCell(page, 'leaves', 1);
    // Distinct counts come with the next snapshot (every 2 s here).
    await waitForCell(page, 'activeGroups', 2);
    expect(await page.locator('[data-testid="total-messages"] .count').textContent()).toBe('3');
    await screenshot(page, 'desktop');

    // A second round, a thousand at once: the same page moves on (no reload) to 1,003.
    await postEvents(Array.from({ length: 1_000 }, (_, i) => message(`wa:bulk${i % 20}`)));
    await waitForCell(page, 'messages', 1_003);
    expect(await page.locator('[data-testid="total-messages"] .count').textContent()).toBe('1,003');
    // Messages per minute: the thousand just sent, plus the first three while they are still within
    // the last minute; nothing from before the page opened (a fresh store: the server's seed is 0).
    await waitForNumber(page, '[data-testid="total-perMinute"] .count', '>=', 1_000, WAIT_MS);
    expect(await numberIn(page, '[data-testid="total-perMinute"] .count')).toBeLessThanOrEqual(1_003);
    expect(await page.evaluate(() => 'boardTestMarker' in window)).toBe(true);
    // Every number on the board is written the Indian way (Intl en-IN: a lakh reads 1,00,000).
    const shown = await page.locator('.count').allTextContents();
    expect(shown.length).toBeGreaterThan(10);
    for (const text of shown) expect(Number.isNaN(shownNumber(text)), text).toBe(false);
    await screenshot(page, 'desktop-more');
  });

  test('goes offline, and after reconnecting shows the snapshot with what it missed', async () => {
    const page = await openBoard({ width: 1280, height: 800 });
    const before = 1_003;
    await waitForCell(page, 'messages', before);

    await page.context().setOffline(true);
    await waitForConnection(page, 'offline');
    const watcher = await watchMessages(await signInToken());
    try {
      await postEvents([message('wa:g1'), message('wa:g3')]);
      // The api holds the new numbers; the offline board does not.
      await watcher.reached(before + 2);
    } finally {
      watcher.close();
    }
    expect(await page.locator(cellSelector('messages')).textContent()).toBe(before.toLocaleString('en-IN'));
    await screenshot(page, 'offline');

    await page.context().setOffline(false);
    await waitForConnection(page, 'live');
    // The snapshot that comes with the reconnect replaced the stale number at once (no delta is
    // due: nothing new was posted), exactly: the api's counts hold each batch once, in the snapshot
    // its watermark names or in a delta after it (api/live/live-counts.ts).
    expect(await numberIn(page, cellSelector('messages'))).toBe(before + 2);
    await screenshot(page, 'reconnected');
  });

  test("writes times in IST by default, in the viewer's own zone when chosen, and remembers it", async () => {
    const page = await openBoard({ width: 1280, height: 800 });
    const today = page.locator('[data-testid="day"]');
    expect(await today.textContent()).toMatch(/IST/);
    expect(await page.locator('.updated').textContent()).toMatch(/IST/);
    await page.selectOption('[data-testid="zone"]', 'local');
    await page.locator('[data-testid="day"]', { hasText: 'UTC' }).waitFor({ timeout: WAIT_MS });
    expect(await page.locator('.updated').textContent()).toMatch(/UTC/);
    await page.reload();
    await waitForConnection(page, 'live');
    await page.locator('[data-testid="day"]', { hasText: 'UTC' }).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'viewer-zone');
    await page.selectOption('[data-testid="zone"]', 'ist');
    await page.locator('[data-testid="day"]', { hasText: 'IST' }).waitFor({ timeout: WAIT_MS });
  });

  test('fits a phone screen without sideways scrolling', async () => {
    const page = await openBoard({ width: 390, height: 844 });
    await waitForCell(page, 'messages', 1_005);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    const grid = await page.locator('[data-testid="counts-grid"]').boundingBox();
    expect(grid).not.toBeNull();
    expect(grid!.x).toBeGreaterThanOrEqual(0);
    expect(grid!.x + grid!.width).toBeLessThanOrEqual(390);
    await expect(page.locator(cellSelector('messages')).isVisible()).resolves.toBe(true);
    await screenshot(page, 'phone');

    // On a phone each number is a one-line box of its own (so a change lays out that number alone): the widest
    // a division's day can be at field scale (99 lakh) fits a card's box, and 99 crore fits a headline tile.
    const overflowing = await page.evaluate(() => {
      const wide = (selector: string, text: string) =>
        [...document.querySelectorAll(selector)].filter((box) => {
          const number = box.firstElementChild!;
          const was = number.textContent;
          number.textContent = text;
          const over = box.scrollWidth > box.clientWidth + 1;
          number.textContent = was;
          return over;
        }).length;
      return { cards: wide('[data-testid="counts-grid"] .count', '99,99,999'), tiles: wide('[data-testid^="total-"] .count', '99,99,99,999') };
    });
    expect(overflowing).toEqual({ cards: 0, tiles: 0 });

    // A division folds to its subtotals and opens again.
    const division = page.locator(`tbody[data-division="${CELL.division}"] button[aria-expanded]`);
    await division.click();
    await page.locator(cellSelector('messages')).waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await page.locator(`tbody[data-division="${CELL.division}"] td[data-division-total="messages"] .count`).textContent()).toBe('1,005');
    await division.click();
    await waitForCell(page, 'messages', 1_005);
  });

  test('a division off screen keeps its numbers until it scrolls into view, then shows the current ones', async () => {
    // A short window: the headline numbers at the top, the grid below the fold.
    await postEvents([message('wa:g1')]); // the grid has a row whatever ran before
    const page = await openBoard({ width: 1280, height: 230 });
    const offScreen = page.locator(`.division-table:has(tbody[data-division="${CELL.division}"])`);
    await offScreen.waitFor({ timeout: WAIT_MS });
    await page.evaluate(() => window.scrollTo(0, 0)); // signing in may leave the page scrolled
    await waitForOnScreen(page, false);
    expect((await offScreen.boundingBox())!.y).toBeGreaterThanOrEqual(230);
    const total = '[data-testid="total-messages"] .count';
    expect((await page.locator(total).boundingBox())!.y).toBeLessThan(230);
    const before = await numberIn(page, cellSelector('messages'));
    const totalBefore = await numberIn(page, total);

    await postEvents([message('wa:g1'), message('wa:g2')]);
    // The headline (on screen) moves; the cell below the fold is not written meanwhile.
    await waitForNumber(page, total, '=', totalBefore + 2, WAIT_MS);
    expect(await numberIn(page, cellSelector('messages'))).toBe(before);

    await offScreen.scrollIntoViewIfNeeded();
    await waitForCell(page, 'messages', before + 2);
    await waitForOnScreen(page, true);
    await screenshot(page, 'scrolled-into-view');

    // Off screen again; the focus moving into it (no scrolling) brings it up to date as well.
    await page.evaluate(() => window.scrollTo(0, 0));
    await waitForOnScreen(page, false);
    await postEvents([message('wa:g1')]);
    await waitForNumber(page, total, '=', totalBefore + 3, WAIT_MS);
    expect(await numberIn(page, cellSelector('messages'))).toBe(before + 2);
    await page.locator(`tbody[data-division="${CELL.division}"] button[aria-expanded]`).evaluate((button: HTMLElement) => button.focus({ preventScroll: true }));
    await waitForCell(page, 'messages', before + 3);
  });
});
