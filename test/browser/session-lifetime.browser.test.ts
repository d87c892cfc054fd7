/**
 * A board outlives its first token in real time: the server issues one-minute tokens
 * (AUTH_TOKEN_TTL_MINUTES=1), the board renews half way through and hands the new token to its live
 * socket, so at the first token's expiry nothing drops — the socket stays live and counts keep arriving.
 * In Debian's Chromium against the real all-in-one server; no clock is moved. Screenshot:
 * test-results/session-lifetime.png.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { SessionAnswer } from '../../common/contracts/access.ts';
import { messageMaker, startBoardUnderTest, waitForNumber, type BoardUnderTest } from '../support/board-browser.ts';
import { waitFor } from '../support/wait.ts';

const INGEST_TOKEN = 'session-lifetime-token';
const ADMIN = { username: 'admin', password: 'session-lifetime-admin' };
const WAIT_MS = 30_000;
const message = messageMaker('9197');

let board: BoardUnderTest;

beforeAll(async () => {
  board = await startBoardUnderTest({ admin: ADMIN, ingestToken: INGEST_TOKEN, waitMs: WAIT_MS, env: { AUTH_TOKEN_TTL_MINUTES: '1', AUTH_SESSION_IDLE_HOURS: '1' } });
});

afterAll(async () => {
  await board?.stop();
});

afterEach(() => {
  expect(board.pageErrors.splice(0)).toEqual([]);
});

async function post(count: number): Promise<void> {
  const answer = await board.api('/v1/events', { method: 'POST', token: INGEST_TOKEN, body: Array.from({ length: count }, () => message('wa:lifetime')) });
  expect(answer.status).toBe(202);
}

test('the board renews its one-minute token and its live socket never drops at the old expiry', async () => {
  const page = await board.openAs(ADMIN);
  const first = (await page.evaluate(() => JSON.parse(sessionStorage.getItem('grouppulse.session') ?? 'null'))) as SessionAnswer;
  // Every state the connection badge shows from here on.
  await page.evaluate(() => {
    const badge = document.querySelector('[data-testid="connection"]')!;
    const seen: string[] = [];
    (window as unknown as { connectionStates: string[] }).connectionStates = seen;
    new MutationObserver(() => seen.push(badge.getAttribute('data-state') ?? '')).observe(badge, { attributes: true, attributeFilter: ['data-state'] });
  });

  await post(2);
  await waitForNumber(page, '[data-testid="total-messages"] .count', '=', 2);
  // Past the first token's expiry by the server's clock (and the page's: nothing is faked here).
  const renewed = await waitFor(
    async () => {
      const now = (await page.evaluate(() => JSON.parse(sessionStorage.getItem('grouppulse.session') ?? 'null'))) as SessionAnswer | null;
      return now && now.token !== first.token && Date.now() > Date.parse(first.expiresAt) + 5_000 ? now : undefined;
    },
    "the first token's expiry, renewed",
    120_000,
  );
  expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
  expect((await board.api('/api/v1/auth/me', { token: first.token })).body.code).toBe('token-expired');

  // The socket that signed in with the first token still delivers.
  await post(3);
  await waitForNumber(page, '[data-testid="total-messages"] .count', '=', 5);
  expect(await page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates)).toEqual([]);
  expect(await page.locator('[data-testid="sign-in"]').count()).toBe(0);
  await board.screenshot(page, 'session-lifetime');
}, 180_000);
