/**
 * Scenario "board": the central board in Debian's Chromium (playwright-core) while the server holds
 * a 100,000-group organisation (the simulator's field scale, imported through the directory API)
 * and the simulator plays live traffic through the ingest API at the evening peak's rate (whatever the
 * clock says). Measured in the page over a window of live updates, on a desktop viewport and on a phone
 * viewport (390×844, the CPU slowed 4× as on a mid-range phone): long tasks (PerformanceObserver
 * 'longtask'), frame times (requestAnimationFrame deltas), main-thread time (Chrome's TaskDuration) per
 * screen update (the board applies the deltas received at most once a second), DOM changes, DOM nodes,
 * JS heap. Then a second window of the same length with the page left alone: no frame probe, whose
 * requestAnimationFrame loop makes the page draw on every vsync (as while scrolling, not as when watched).
 * Baseline in the same run: the same page, same viewport, signed in on an empty directory with no
 * traffic (idle), with the frame probe and left alone. Screenshots: test-results/bench-board-{desktop,phone}.png.
 * After the first live windows, a shorter traced one (no frame probe) says what the long tasks are made of (bench/support/long-tasks.ts);
 * the traces are kept as test-results/bench-board-trace-<viewport>-<build>.json (DevTools' Performance panel opens them).
 * A/B in the same run: BENCH_BOARD_BEFORE=<a built web/dist> serves that build to the page (same server,
 * same traffic, through a front of its own: bench/support/board-front.ts) in turns with the current one,
 * two windows each, and reports both.
 * Last, "replayed" (only these with --replayed-only): the traffic stopped, each build and viewport gets a recorded minute of the peak's live counts
 * from a front of its own (the same input for all, and the page alone on the box): one window with the frame
 * probe, one without.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { io as connectSocket } from 'socket.io-client';
import { SOCKET_EVENTS } from '../common/live.ts';
import { wholePageScreenshot } from '../test/support/board-browser.ts';
import { createLogger } from '../common/logger.ts';
import { ALL_ROLES, startServices } from '../runtime/services.ts';
import { simulate } from '../simulator/simulate.ts';
import { DAILY_CURVE } from '../simulator/stream.ts';
import { startBoardFront, type RecordedEvent, type Recording } from './support/board-front.ts';
import { BENCH_ADMIN_PASSWORD, BENCH_TOKEN, benchConfig, pollUntil, ROOT, scenarioOptions, tempDir, uniquePrefix } from './support/harness.ts';
import { longTasksLine, summarizeLongTasks, type LongTaskSummary } from './support/long-tasks.ts';
import { percentile, report, type Figure } from './support/report.ts';

const options = scenarioOptions();
const seconds = options.seconds ?? (options.quick ? 15 : 60);
const scale = options.quick ? 0.1 : options.scale;
/** Messages per simulated second at scale 1 (the simulator's default), played in real time. */
const rate = 300;
/** Traffic as at the day's busiest IST hour whatever the clock says, so runs at any time of day compare. */
const peakHour = DAILY_CURVE.indexOf(Math.max(...DAILY_CURVE));
const FRAME_MS = 1000 / 60;
/** Seconds of the traced window after each live measurement (tracing slows the page: kept out of the figures). */
const traceSeconds = Math.min(20, seconds);
/** The replayed window is traced longer: past one of the board's 30 s refreshes of trends, quiet groups and alerts. */
const replayTraceSeconds = Math.min(35, seconds);
/** A build of the board to compare with, served to the page in place of web/dist (A/B on the same minutes). */
const beforeDist = process.env.BENCH_BOARD_BEFORE ? path.resolve(process.env.BENCH_BOARD_BEFORE) : null;
if (beforeDist && !existsSync(path.join(beforeDist, 'index.html'))) throw new Error(`BENCH_BOARD_BEFORE=${beforeDist} has no index.html (a web/dist build)`);
type Build = 'before' | 'current';

execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
const config = benchConfig({ prefix: uniquePrefix('board'), dataDir: tempDir('board'), env: { ALERT_TICK_MS: '60000' } });
const services = await startServices(config, ALL_ROLES, createLogger('error'));
const beforeFront = beforeDist ? await startBoardFront(beforeDist, services.url) : null;
const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const admin = { username: 'admin', password: BENCH_ADMIN_PASSWORD };

const VIEWPORTS: Record<'desktop' | 'phone', { context: BrowserContextOptions; cpuSlowdown: number }> = {
  desktop: { context: { viewport: { width: 1440, height: 900 } }, cpuSlowdown: 1 },
  phone: { context: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }, cpuSlowdown: 4 },
};

/**
 * Collectors installed before the board's own code: long tasks, DOM changes, the board's update measure, and
 * the gap between animation frames. The frame probe (a requestAnimationFrame loop) runs only while asked for:
 * it makes the page draw a frame on every vsync, which a board left alone does not do (on the phone at 4× that
 * was ~400 ms of main-thread time a second, measured in a trace), so long tasks are also counted without it.
 * Long animation frames (the Long Animation Frames API) say what each long stretch was made of in every window,
 * not only in the traced ones: its scripts (the longest one named) and its rendering.
 */
const COLLECT = `
  window.__bench = { longTasks: [], longFrames: [], frames: [], last: 0, mutations: 0, updateMs: [], probing: false };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (e.name === ${JSON.stringify('grouppulse:live-update')}) window.__bench.updateMs.push(e.duration); }).observe({ type: 'measure' });
  new MutationObserver((records) => { window.__bench.mutations += records.length; }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const end = e.startTime + e.duration;
      const scripts = e.scripts.map((s) => ({ what: [s.invoker || s.invokerType, s.sourceFunctionName].filter(Boolean).join(' '), ms: s.duration })).sort((a, b) => b.ms - a.ms);
      window.__bench.longFrames.push({ ms: e.duration, scriptMs: scripts.reduce((n, s) => n + s.ms, 0), renderMs: e.renderStart ? end - e.renderStart : 0, styleLayoutMs: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0, longestScript: scripts[0]?.what ?? '' });
    }
  }).observe({ type: 'long-animation-frame' });
  const frame = (t) => {
    if (!window.__bench.probing) return;
    if (window.__bench.last) window.__bench.frames.push(t - window.__bench.last);
    window.__bench.last = t;
    requestAnimationFrame(frame);
  };
  window.__bench.probeFrames = (on) => {
    const was = window.__bench.probing;
    window.__bench.probing = on;
    window.__bench.last = 0;
    if (on && !was) requestAnimationFrame(frame);
  };
`;

/** A long animation frame (over 50 ms) as COLLECT keeps it: its length and its parts, ms. */
interface LongFrame {
  ms: number;
  /** Its scripts (callbacks, event handlers, promise reactions), together. */
  scriptMs: number;
  /** From the start of its rendering (frame callbacks, style, layout, …) to its end. */
  renderMs: number;
  /** The part of the rendering from style and layout on. */
  styleLayoutMs: number;
  /** What ran the longest script, e.g. "TimerHandler:setTimeout" or "Window.requestAnimationFrame". */
  longestScript: string;
}

/** What COLLECT keeps in the page (window.__bench). */
interface Collected {
  longTasks: number[];
  longFrames: LongFrame[];
  frames: number[];
  mutations: number;
  updateMs: number[];
  probeFrames: (on: boolean) => void;
}

interface Measured {
  longTasks: number[];
  longFrames: LongFrame[];
  frames: number[];
  /** Chrome's main-thread task time over the window, ms, and the parts of it in script, style and layout. */
  taskMs: number;
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
  /** DOM changes (MutationObserver records) over the window. */
  mutations: number;
  /** The board's own measure of each live update it applied (state change + DOM update), ms, sorted. */
  updateMs: number[];
  nodes: number;
  heapBytes: number;
  /** counts:delta broadcasts in the window (the page receives each). */
  updates: number;
  seconds: number;
}

/** `origin`: the server, or a front serving another build (or replaying the live counts: bench/support/board-front.ts). */
async function openBoard(viewport: keyof typeof VIEWPORTS, origin: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext({ ...VIEWPORTS[viewport].context, colorScheme: 'dark', timezoneId: 'Asia/Kolkata' });
  await context.addInitScript(COLLECT);
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.fill('input[name="username"]', admin.username);
  await page.fill('input[name="password"]', admin.password);
  await page.click('button[type="submit"]');
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 60_000 });
  return { page, close: () => context.close() };
}

async function signInToken(): Promise<string> {
  const response = await fetch(`${services.url}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  return ((await response.json()) as { token: string }).token;
}

/**
 * Count the live deltas the api broadcasts, on a socket of our own; `record` keeps the live counts it gets
 * for `ms` from its next snapshot on (what a page that connected then would have got), for the replay.
 */
async function watchUpdates(): Promise<{ count: () => number; record: (ms: number) => Promise<Recording>; close: () => void }> {
  const socket = connectSocket(services.url, { auth: { token: await signInToken() }, transports: ['websocket'] });
  let updates = 0;
  socket.on(SOCKET_EVENTS.delta, () => updates++);
  const record = (ms: number) =>
    new Promise<Recording>((resolve) => {
      const events: RecordedEvent[] = [];
      let start: number | null = null;
      const keep = (name: string) => (payload: unknown) => {
        const now = performance.now();
        if (start === null && name !== SOCKET_EVENTS.snapshot) return;
        start ??= now;
        if (now - start >= ms) {
          socket.off(SOCKET_EVENTS.snapshot, onSnapshot).off(SOCKET_EVENTS.delta, onDelta);
          return resolve({ events, durationMs: ms });
        }
        events.push({ at: now - start, name, payload });
      };
      const onSnapshot = keep(SOCKET_EVENTS.snapshot);
      const onDelta = keep(SOCKET_EVENTS.delta);
      socket.on(SOCKET_EVENTS.snapshot, onSnapshot).on(SOCKET_EVENTS.delta, onDelta);
    });
  return { count: () => updates, record, close: () => socket.close() };
}

/** A window of `seconds`; with `probeFrames` the frame probe runs through it (frame times), else the page is left alone. */
async function measure(page: Page, viewport: keyof typeof VIEWPORTS, updates: () => number, probeFrames: boolean): Promise<Measured> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: VIEWPORTS[viewport].cpuSlowdown });
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
  await page.evaluate((probe) => {
    const bench = (window as unknown as { __bench: Collected }).__bench;
    bench.probeFrames(probe);
    bench.longTasks.length = 0;
    bench.longFrames.length = 0;
    bench.frames.length = 0;
    bench.mutations = 0;
    bench.updateMs.length = 0;
  }, probeFrames);
  const before = await metrics();
  const updatesBefore = updates();
  const started = performance.now();
  await page.waitForTimeout(seconds * 1000);
  const after = await metrics();
  const elapsed = (performance.now() - started) / 1000;
  const collected = await page.evaluate(() => {
    const bench = (window as unknown as { __bench: Collected }).__bench;
    bench.probeFrames(false);
    return { longTasks: bench.longTasks, longFrames: bench.longFrames, frames: bench.frames, mutations: bench.mutations, updateMs: bench.updateMs };
  });
  const spent = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) * 1000;
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await cdp.detach();
  return {
    longTasks: [...collected.longTasks],
    longFrames: [...collected.longFrames],
    frames: [...collected.frames].sort((a, b) => a - b),
    taskMs: spent('TaskDuration'),
    scriptMs: spent('ScriptDuration'),
    styleMs: spent('RecalcStyleDuration'),
    layoutMs: spent('LayoutDuration'),
    mutations: collected.mutations,
    updateMs: [...collected.updateMs].sort((a, b) => a - b),
    nodes: after.Nodes ?? 0,
    heapBytes: after.JSHeapUsedSize ?? 0,
    updates: updates() - updatesBefore,
    seconds: elapsed,
  };
}

/** The long animation frames of a window in a line: how many, their mean parts, and what ran their longest scripts. */
function longFramesLine(frames: readonly LongFrame[]): string {
  if (frames.length === 0) return 'no long animation frames';
  const mean = (part: (f: LongFrame) => number) => (frames.reduce((n, f) => n + part(f), 0) / frames.length).toFixed(0);
  const byScript = new Map<string, number>();
  for (const f of frames) byScript.set(f.longestScript || '(no script)', (byScript.get(f.longestScript || '(no script)') ?? 0) + 1);
  const scripts = [...byScript].sort((a, b) => b[1] - a[1]).map(([what, n]) => `${what} ×${n}`);
  return `${frames.length} long animation frame(s) (${frames.map((f) => Math.round(f.ms)).sort((a, b) => b - a).slice(0, 5).join(', ')} ms${frames.length > 5 ? ', …' : ''}); mean script ${mean((f) => f.scriptMs)} ms, rendering ${mean((f) => f.renderMs)} ms (style and layout on ${mean((f) => f.styleLayoutMs)} ms); longest script by ${scripts.join(', ')}`;
}

const longestTask = (m: Measured) => (m.longTasks.length > 0 ? Math.max(...m.longTasks) : 0);
/** The main thread's task time as a share of the window. */
const busyPercent = (m: Measured) => (m.taskMs / m.seconds / 1000) * 100;

function figuresOf(viewport: string, live: Measured, idle: Measured): Figure[] {
  const p99 = percentile(live.frames, 99);
  /** Screen updates: the board puts the deltas received on screen at most once a second (each measured in the page). */
  const shown = live.updateMs.length;
  /** Main-thread time of one kind per screen update, beyond what the idle page spends in the same time. */
  const perUpdate = (kind: 'taskMs' | 'scriptMs' | 'styleMs' | 'layoutMs') =>
    shown > 0 ? (Math.max(0, live[kind] / live.seconds - idle[kind] / idle.seconds) * live.seconds) / shown : NaN;
  const task = perUpdate('taskMs');
  const slow = (m: Measured) => (m.frames.length === 0 ? NaN : (m.frames.filter((f) => f > 2 * FRAME_MS).length / m.frames.length) * 100);
  return [
    { name: `${viewport}: live deltas received`, value: live.updates / live.seconds, unit: '/s', better: 'higher' },
    { name: `${viewport}: screen updates`, value: shown / live.seconds, unit: '/s', better: 'higher', target: { text: 'every second (≥ 0.9 /s)', met: shown / live.seconds >= 0.9 } },
    { name: `${viewport}: screen update in the page (state + DOM) p50`, value: percentile(live.updateMs, 50), unit: 'ms', better: 'lower', limit: { name: 'one frame', value: FRAME_MS } },
    { name: `${viewport}: screen update in the page (state + DOM) p99`, value: percentile(live.updateMs, 99), unit: 'ms', better: 'lower', limit: { name: 'one frame', value: FRAME_MS }, target: { text: '< 1 frame', met: percentile(live.updateMs, 99) < FRAME_MS } },
    { name: `${viewport}: main-thread time per screen update`, value: task, unit: 'ms', better: 'lower', limit: { name: 'one frame', value: FRAME_MS } },
    { name: `${viewport}: … of it script / style / layout`, value: perUpdate('scriptMs'), unit: `ms / ${perUpdate('styleMs').toFixed(1)} ms / ${perUpdate('layoutMs').toFixed(1)} ms`, better: 'lower' },
    { name: `${viewport}: DOM changes per screen update`, value: shown > 0 ? live.mutations / shown : NaN, unit: '', better: 'lower' },
    { name: `${viewport}: main thread busy`, value: busyPercent(live), unit: '%', better: 'lower', limit: { name: 'idle', value: busyPercent(idle) } },
    { name: `${viewport}: long tasks (> 50 ms)`, value: live.longTasks.length, unit: '', better: 'lower', limit: { name: 'idle', value: idle.longTasks.length }, target: { text: 'none', met: live.longTasks.length === 0 } },
    { name: `${viewport}: longest task`, value: longestTask(live), unit: 'ms', better: 'lower', limit: { name: 'idle', value: longestTask(idle) } },
    { name: `${viewport}: frame time p50`, value: percentile(live.frames, 50), unit: 'ms', better: 'lower', limit: { name: 'idle', value: percentile(idle.frames, 50) } },
    { name: `${viewport}: frame time p99`, value: p99, unit: 'ms', better: 'lower', limit: { name: 'idle', value: percentile(idle.frames, 99) }, target: { text: '≤ 2 frames (33.3 ms)', met: p99 <= 2 * FRAME_MS + 0.5 } },
    { name: `${viewport}: frames over 2 frame times`, value: slow(live), unit: '%', better: 'lower', limit: { name: 'idle', value: slow(idle) } },
    { name: `${viewport}: DOM nodes`, value: live.nodes, unit: '', better: 'lower', limit: { name: 'idle', value: idle.nodes } },
    { name: `${viewport}: JS heap used`, value: live.heapBytes / 2 ** 20, unit: 'MiB', better: 'lower', limit: { name: 'idle', value: idle.heapBytes / 2 ** 20 } },
  ];
}

/** The page left alone (no frame probe): what a viewer's board does between their own scrolls. */
function aloneFiguresOf(viewport: string, measured: Measured, idle: Measured): Figure[] {
  const name = `${viewport}, no frame probe`;
  return [
    { name: `${name}: long tasks (> 50 ms)`, value: measured.longTasks.length, unit: '', better: 'lower', limit: { name: 'idle', value: idle.longTasks.length }, target: { text: 'none', met: measured.longTasks.length === 0 } },
    { name: `${name}: longest task`, value: longestTask(measured), unit: 'ms', better: 'lower', limit: { name: 'idle', value: longestTask(idle) } },
    { name: `${name}: main thread busy`, value: busyPercent(measured), unit: '%', better: 'lower', limit: { name: 'idle', value: busyPercent(idle) } },
    { name: `${name}: screen update in the page (state + DOM) p99`, value: percentile(measured.updateMs, 99), unit: 'ms', better: 'lower', limit: { name: 'one frame', value: FRAME_MS } },
  ];
}

const updates = await watchUpdates();
const idle: Record<string, Measured> = {};
/** The idle page left alone too: the baseline of the "no frame probe" figures. */
const idleAlone: Record<string, Measured> = {};
for (const viewport of ['desktop', 'phone'] as const) {
  const board = await openBoard(viewport, services.url);
  await board.page.locator('[data-testid="counts-grid"]').waitFor();
  console.log(`measuring ${viewport}, idle (empty directory, no traffic), ${seconds} s`);
  idle[viewport] = await measure(board.page, viewport, updates.count, true);
  console.log(`measuring ${viewport}, idle, no frame probe, ${seconds} s`);
  idleAlone[viewport] = await measure(board.page, viewport, updates.count, false);
  await board.close();
}

const abort = new AbortController();
let imported = false;
const simulation = simulate({
  url: services.url,
  token: BENCH_TOKEN,
  importToken: await signInToken(),
  scale,
  speed: 1,
  durationSeconds: Infinity,
  rate,
  atHour: peakHour,
  burstsPerHour: 1,
  seed: 7,
  import: true,
  signal: abort.signal,
  print: (line) => {
    if (line.startsWith('imported') && line.includes('groups')) imported = true;
    console.log(`  simulator: ${line}`);
  },
});
simulation.catch((error: Error) => console.error(`simulator failed: ${error.message}`));
await pollUntil('the directory import', () => (imported ? true : undefined), 600_000, 500);
// Traffic reaches the board: wait until live deltas flow.
const flowing = updates.count();
await pollUntil('live deltas', () => (updates.count() > flowing + 5 ? true : undefined), 300_000, 500);
// A minute of what the board gets at the peak, replayed to every build afterwards (with the traffic stopped).
const recording = updates.record(seconds * 1000);

/** Two measurements of the same build as one (their windows back to back). */
function merged(a: Measured, b: Measured): Measured {
  const sum = (k: 'taskMs' | 'scriptMs' | 'styleMs' | 'layoutMs' | 'mutations' | 'updates' | 'seconds') => a[k] + b[k];
  return {
    longTasks: [...a.longTasks, ...b.longTasks],
    longFrames: [...a.longFrames, ...b.longFrames],
    frames: [...a.frames, ...b.frames].sort((x, y) => x - y),
    updateMs: [...a.updateMs, ...b.updateMs].sort((x, y) => x - y),
    taskMs: sum('taskMs'),
    scriptMs: sum('scriptMs'),
    styleMs: sum('styleMs'),
    layoutMs: sum('layoutMs'),
    mutations: sum('mutations'),
    updates: sum('updates'),
    seconds: sum('seconds'),
    nodes: b.nodes,
    heapBytes: b.heapBytes,
  };
}

/** A traced window (CPU slowed as measured): what the long tasks in it are made of, and the main thread's CPU time. */
async function traceLongTasks(page: Page, viewport: keyof typeof VIEWPORTS, file: string, traced: { seconds: number; probeFrames: boolean }): Promise<LongTaskSummary> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: VIEWPORTS[viewport].cpuSlowdown });
  await page.evaluate((probe) => (window as unknown as { __bench: Collected }).__bench.probeFrames(probe), traced.probeFrames);
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
  await page.waitForTimeout(traced.seconds * 1000);
  const raw = await browser.stopTracing();
  await page.evaluate(() => (window as unknown as { __bench: Collected }).__bench.probeFrames(false));
  writeFileSync(file, raw); // open in Chrome DevTools' Performance panel to look closer
  const trace = JSON.parse(raw.toString('utf8'));
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await cdp.detach();
  return summarizeLongTasks(trace);
}

const builds: Build[] = beforeDist ? ['before', 'current'] : ['current'];
const live: Record<string, Measured> = {};
/** The same, with the page left alone (no frame probe). */
const alone: Record<string, Measured> = {};
const attribution: string[] = [];
/** Main-thread CPU time per second in each traced window (thread time: not stretched when the box is loaded). */
const tracedCpu: Record<string, number> = {};
mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
for (const viewport of options.replayedOnly ? [] : (['desktop', 'phone'] as const)) {
  // With a build to compare, each build gets two windows in turns (before, current, before, current), so both see the same minutes.
  for (let round = 0; round < (beforeDist ? 2 : 1); round++) {
    for (const build of builds) {
      const key = `${viewport}${beforeDist ? ` (${build})` : ''}`;
      const board = await openBoard(viewport, build === 'before' && beforeFront ? beforeFront.url : services.url);
      await board.page.locator('tbody[data-division] svg polyline, tbody[data-division] canvas').first().waitFor({ timeout: 60_000 });
      console.log(`measuring ${key}, live, ${seconds} s`);
      const measured = await measure(board.page, viewport, updates.count, true);
      live[key] = live[key] ? merged(live[key], measured) : measured;
      console.log(`measuring ${key}, live, no frame probe, ${seconds} s`);
      const left = await measure(board.page, viewport, updates.count, false);
      alone[key] = alone[key] ? merged(alone[key], left) : left;
      if (round === 0) {
        console.log(`tracing ${key} (no frame probe), ${traceSeconds} s`);
        const traced = await traceLongTasks(board.page, viewport, path.join(ROOT, 'test-results', `bench-board-trace-${viewport}-${build}.json`), { seconds: traceSeconds, probeFrames: false });
        tracedCpu[key] = traced.cpuMsPerSecond;
        attribution.push(`${key}, traced ${traceSeconds} s after the measured window: ${longTasksLine(traced)}`);
      }
      await wholePageScreenshot(board.page, path.join(ROOT, 'test-results', `bench-board-${viewport}${build === 'before' ? '-before' : ''}.png`));
      await board.close();
    }
  }
}

const recorded = await recording;
abort.abort();
const summary = await simulation.catch(() => null);
updates.close();

/**
 * Replayed: the traffic stopped and the server idle, each build gets the same recorded minute of live counts
 * from a front of its own (bench/support/board-front.ts), so what is measured is the page itself, on the
 * same input, without the server, simulator and broker competing with it for the 2 cores.
 */
await new Promise((resolve) => setTimeout(resolve, 10_000)); // the processor and api finish the last batches
const replayed: Record<string, Measured> = {};
const replayedAlone: Record<string, Measured> = {};
for (const viewport of ['desktop', 'phone'] as const) {
  for (let round = 0; round < (beforeDist ? 2 : 1); round++) {
    for (const build of builds) {
      const key = `${viewport} replayed${beforeDist ? ` (${build})` : ''}`;
      const front = await startBoardFront(build === 'before' && beforeDist ? beforeDist : path.join(ROOT, 'web', 'dist'), services.url, { replay: recorded });
      const board = await openBoard(viewport, front.url);
      await board.page.locator('tbody[data-division] svg polyline, tbody[data-division] canvas').first().waitFor({ timeout: 60_000 });
      const sentDeltas = () => front.sent(SOCKET_EVENTS.delta);
      console.log(`measuring ${key}, ${seconds} s`);
      const measured = await measure(board.page, viewport, sentDeltas, true);
      replayed[key] = replayed[key] ? merged(replayed[key], measured) : measured;
      console.log(`measuring ${key}, no frame probe, ${seconds} s`);
      const left = await measure(board.page, viewport, sentDeltas, false);
      replayedAlone[key] = replayedAlone[key] ? merged(replayedAlone[key], left) : left;
      if (round === 0) {
        // With the probe this time: the page alone has its long tasks, if any, while it draws every frame.
        console.log(`tracing ${key} (with the frame probe), ${replayTraceSeconds} s`);
        const traced = await traceLongTasks(board.page, viewport, path.join(ROOT, 'test-results', `bench-board-trace-${viewport}-replayed-${build}.json`), { seconds: replayTraceSeconds, probeFrames: true });
        tracedCpu[key] = traced.cpuMsPerSecond;
        attribution.push(`${key}, traced ${replayTraceSeconds} s with the frame probe: ${longTasksLine(traced)}`);
      }
      await board.close();
      await front.close();
    }
  }
}

await browser.close();
await beforeFront?.close();
await services.stop();

const windows: [Record<string, Measured>, string][] = [
  [live, 'with the frame probe'],
  [alone, 'left alone'],
  [replayed, 'with the frame probe'],
  [replayedAlone, 'left alone'],
];
const longFrameLines = windows.flatMap(([record, mode]) => Object.entries(record).map(([key, m]) => `${key}, ${mode}: ${longFramesLine(m.longFrames)}`));

const figuresOfAll = (measured: Record<string, Measured>, left: Record<string, Measured>): Figure[] =>
  Object.entries(measured).flatMap(([key, m]) => [
    ...figuresOf(key, m, idle[key.split(' ')[0]!]!),
    ...aloneFiguresOf(key, left[key]!, idleAlone[key.split(' ')[0]!]!),
    ...(key in tracedCpu ? [{ name: `${key}: main-thread CPU time (traced window)`, value: tracedCpu[key]!, unit: 'ms/s', better: 'lower' as const }] : []),
  ]);

report({
  scenario: 'board (the central board in Chromium, 100,000 groups, live traffic)',
  setup: {
    groups: summary?.org.groups ?? 0,
    units: summary?.org.units ?? 0,
    'traffic (simulator, real time)': `${Math.round(rate * scale * DAILY_CURVE[peakHour]!)} messages/s (the evening peak, ${peakHour}:00 IST, whatever the clock)`,
    'messages sent during the run': summary?.sent.messages ?? 0,
    'window per measurement': `${seconds} s`,
    phone: '390×844 @3×, CPU slowed 4×',
    browser: '/usr/bin/chromium, headless',
  },
  figures: [...figuresOfAll(live, alone), ...figuresOfAll(replayed, replayedAlone)],
  notes: [
    'Screen update: the board applies the deltas received since the last one, at most once a second; "screen update in the page" is its own user-timing measure of that, from the first state change to the end of the DOM update it caused (web/src/lib/state/live-counts.svelte.ts, UPDATE_MEASURE).',
    'Main-thread time per screen update = (live task time − idle task time) / screen updates: everything the page does more than when idle (script, style, layout, paint, GC), in the live windows on a box where the server, the simulator and Chromium share 2 cores (in the replayed ones Chromium has it to itself).',
    'Frame times are requestAnimationFrame gaps in headless Chromium; long tasks from PerformanceObserver("longtask").',
    '"no frame probe": a second window of the same length right after, without the requestAnimationFrame loop (which makes the page draw a frame on every vsync, as it does while scrolled but not when left alone); the traced live window is without it, the traced replayed one with it.',
    `"replayed": after the live windows, with the traffic stopped, the page gets a recorded minute of the live counts at the peak (${recorded.events.length} snapshots and deltas, as the api sent them to a board) from a front of its own, over and over: the same input for every build and viewport, with no server, simulator or broker at work on the box.`,
    ...(beforeDist ? [`"(before)": the build in ${beforeDist}, served to the page in turns with the current build (two windows each, same server and traffic).`] : []),
    'Long tasks by what they are made of (self time of the trace events inside tasks ≥ 50 ms; FunctionCall/TimerFire/EventDispatch are script, UpdateLayoutTree is style):',
    ...attribution,
    'Long animation frames (> 50 ms) in each measured window, from the page (Long Animation Frames API): a frame\'s scripts and its rendering; what is left of its length is waiting or work outside scripts (parsing, GC):',
    ...longFrameLines,
  ],
});
process.exit(0);
