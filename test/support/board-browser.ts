/**
 * What the board's browser tests share: the real all-in-one server (in-process bus, embedded
 * ClickHouse) with the board built once per run (build-board.ts), Debian's Chromium through playwright-core, signing in
 * through the board's own form, and screenshots in test-results/.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { ALL_ROLES, startServices, type RunningServices } from '../../runtime/services.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'test-results');

export interface Credentials {
  username: string;
  password: string;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** Choose Hindi on the sign-in page before signing in (openAs). */
  hindi?: boolean;
  timezoneId?: string;
  /** Where to open (default `/`), and what to wait for there (default the sign-in form). */
  path?: string;
  ready?: string;
}

/** A call of the deployment's HTTP API: its status and JSON body ({} when there is none). */
export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface BoardUnderTest {
  services: RunningServices;
  url: string;
  /** Call the API: `token` as the bearer, `body` sent as JSON. */
  api(pathname: string, init?: { method?: string; token?: string; body?: unknown }): Promise<ApiAnswer>;
  /** Uncaught errors of every page opened so far (tests take them with splice and expect none). */
  pageErrors: string[];
  /** A new browser context on the board's sign-in form. */
  open(options?: OpenOptions): Promise<Page>;
  /** Sign in through the form (wrong credentials leave the form up). */
  signIn(page: Page, user: Credentials): Promise<void>;
  /** A new browser context signed in as `user` through the sign-in form, once the board says it is live. */
  openAs(user: Credentials, options?: OpenOptions): Promise<Page>;
  /** test-results/<name>.png, the whole page. */
  screenshot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A screenshot of the whole page as a viewer scrolling through it sees it: the viewport is made as tall as
 * the page for a moment, because the board does not render parts far off screen (`content-visibility:
 * auto`) and a full-page screenshot alone would show them empty.
 */
export async function wholePageScreenshot(page: Page, file: string): Promise<void> {
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (viewport && height > viewport.height) {
    await page.setViewportSize({ width: viewport.width, height });
    // Two frames (one to find what is now on screen, one to render it), then time for any transition on it to end.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: file, fullPage: true });
  if (viewport) await page.setViewportSize(viewport);
}

/** A maker of text messages: ids unique to this run, a new sender each (`senderPrefix`: their first digits). */
export function messageMaker(senderPrefix: string): (group: string, at?: number) => Record<string, string> {
  const run = randomUUID().slice(0, 8);
  let next = 0;
  return function message(group, at = Date.now()) {
    next += 1;
    return { type: 'message', id: `${run}:m${next}`, group, at: new Date(at).toISOString(), sender: `${senderPrefix}${String(next).padStart(8, '0')}`, kind: 'text' };
  };
}

/** A number as the board writes it, Indian grouping ("12,34,567") → 1234567; NaN for anything else. */
export function shownNumber(text: string | null | undefined): number {
  const trimmed = (text ?? '').trim();
  return /^\d{1,3}$|^\d{1,2}(,\d\d)*,\d{3}$/.test(trimmed) ? Number(trimmed.replaceAll(',', '')) : NaN;
}

/** The number shown by the first element matching `selector` (its `.count` text), once it is there. */
export async function numberIn(page: Page, selector: string, timeout = 30_000): Promise<number> {
  await page.locator(selector).first().waitFor({ timeout });
  return shownNumber(await page.locator(selector).first().textContent());
}

/** Wait until the first element matching `selector` shows exactly `n` (`'='`) or at least `n` (`'>='`). */
export async function waitForNumber(page: Page, selector: string, compare: '=' | '>=', n: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([sel, how, want]) => {
      const shown = Number(document.querySelector(sel)?.textContent?.trim().replaceAll(',', '') || NaN);
      return how === '=' ? shown === want : shown >= want;
    },
    [selector, compare, n] as const,
    { timeout },
  );
}

/** Start the server with `env` on top of the test defaults (the board is built once per run: build-board.ts), launch Chromium. */
export async function startBoardUnderTest(options: { admin: Credentials; ingestToken: string; env?: Record<string, string>; waitMs: number }): Promise<BoardUnderTest> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'grouppulse-board-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    INGEST_TOKEN: options.ingestToken,
    ADMIN_PASSWORD: options.admin.password,
    LOG_LEVEL: 'silent',
    AUTH_SIGNIN_MAX_ATTEMPTS: '1000',
    // The board's tests run on the in-process bus and the embedded engine, whatever the shell has set.
    KAFKA_BROKERS: '',
    CLICKHOUSE_URL: '',
    ...options.env,
  });
  const services = await startServices(config, ALL_ROLES, createLogger('silent'));
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const board: BoardUnderTest = {
    services,
    url: services.url,
    pageErrors,
    async api(pathname, init = {}) {
      const response = await fetch(`${services.url}${pathname}`, {
        method: init.method ?? 'GET',
        headers: { ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}), ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    },
    async open(open = {}) {
      const context = await browser.newContext({
        viewport: open.viewport ?? { width: 1440, height: 900 },
        colorScheme: 'dark',
        timezoneId: open.timezoneId ?? 'Asia/Kolkata',
        acceptDownloads: true,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${services.url}${open.path ?? '/'}`);
      await page.locator(open.ready ?? '[data-testid="sign-in"]').waitFor({ timeout: options.waitMs });
      return page;
    },
    async signIn(page, user) {
      await page.fill('input[name="username"]', user.username);
      await page.fill('input[name="password"]', user.password);
      await page.click('button[type="submit"]');
    },
    async openAs(user, open = {}) {
      const page = await board.open(open);
      if (open.hindi) await page.click('[data-testid="lang-hi"]');
      await board.signIn(page, user);
      await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: options.waitMs });
      return page;
    },
    async screenshot(page, name) {
      await wholePageScreenshot(page, path.join(SCREENSHOTS, `${name}.png`));
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await services.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return board;
}
