/**
 * What the central board reads besides the live socket, refreshed every `refreshMs`: hourly
 * trends per division × category (sparklines, division names, the server's recent messages per
 * minute) and the organisation's (or a lead's division's) quiet groups by the alert rules
 * (GET /api/v1/board/quiet: one count, not the whole drill-down).
 */
import type { QuietAnswer, QuietRulesSummary, TrendsAnswer } from '../../../../common/contracts/board.ts';
import { apiFetch, noError, type Bearer } from '../api.ts';
import { RateWindow } from './rate-window.ts';

export class BoardData {
  names = $state<Record<string, string>>({});
  trends = $state<Map<string, number[]>>(new Map());
  /** Messages per minute over the last complete minute and the current one, as the server last read it (MessageRate takes only the first). */
  perMinute = $state<number | null>(null);
  quietGroups = $state<number | null>(null);
  /** What quiet means, by the alert rules the count was made with. */
  quietRules = $state<QuietRulesSummary | null>(null);
  /** Why the last read failed ('' when it did not), said in the viewer's language when read. */
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);

  #bearer: Bearer;
  #scopeUnit: string;

  /** `scopeUnit`: '' for the whole organisation, else the division a lead watches. */
  constructor(bearer: Bearer, scopeUnit: string) {
    this.#bearer = bearer;
    this.#scopeUnit = scopeUnit;
  }

  trendOf(division: string, category?: string): number[] {
    return this.trends.get(category === undefined ? division : `${division}\u0000${category}`) ?? [];
  }

  nameOf = (division: string): string => this.names[division] ?? division;

  async refresh(): Promise<void> {
    const [trends, quiet] = await Promise.all([
      apiFetch<TrendsAnswer>(this.#bearer, '/api/v1/board/trends?hours=12'),
      apiFetch<QuietAnswer>(this.#bearer, `/api/v1/board/quiet${this.#scopeUnit ? `?unit=${encodeURIComponent(this.#scopeUnit)}` : ''}`),
    ]);
    if (trends.ok) {
      const map = new Map<string, number[]>();
      for (const cell of trends.data.cells) {
        map.set(`${cell.division}\u0000${cell.category}`, cell.messages);
        const sum = map.get(cell.division) ?? cell.messages.map(() => 0);
        map.set(cell.division, sum.map((v, i) => v + (cell.messages[i] ?? 0)));
      }
      this.trends = map;
      this.names = trends.data.names;
      this.perMinute = trends.data.perMinute;
    }
    if (quiet.ok) {
      this.quietGroups = quiet.data.quietGroups;
      this.quietRules = quiet.data.rules;
    }
    this.#error = !trends.ok ? trends.say : !quiet.ok && quiet.status !== 503 ? quiet.say : noError;
  }

  /** Refresh now and every `refreshMs`; returns the stop function. */
  poll(refreshMs = 30_000): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), refreshMs);
    return () => clearInterval(timer);
  }
}

/** How often MessageRate looks whether it should re-read, and after how long without a change it does. */
const TICK_MS = 250;
const QUIET_SHOW_MS = 1250;

/**
 * Messages per minute, live, for the headline tile: a RateWindow fed with today's message total at
 * every snapshot and delta (LiveCounts.watchMessages), and re-read when nothing arrived for a while so
 * the window slides. `value` is null until it stands on something (RateWindow.knownAt).
 */
export class MessageRate {
  value = $state<number | null>(null);
  readonly #window = new RateWindow();
  /** When the value was last worked out (viewer's clock). */
  #shownAt = 0;

  /** Today's total as it changes, and its day; `at` is the viewer's clock (the window is measured on one clock). */
  record(total: number, day: string, at = Date.now()): void {
    this.#window.record(total, at, day);
    this.#show(at);
  }

  /** The server's rate of the minute or two before the board opened (only the first counts). */
  seed(perMinute: number): void {
    this.#window.seed(perMinute);
    this.#show(Date.now());
  }

  /**
   * Re-read when nothing was shown for a little over a second, so the window slides even when nothing arrives.
   * While totals arrive every second they show the rate themselves: a tick of its own would change the number
   * again between two updates, and each change is a frame to draw (the page's other numbers change with the
   * updates). Returns the stop function.
   */
  tick(): () => void {
    const timer = setInterval(() => {
      if (Date.now() - this.#shownAt >= QUIET_SHOW_MS) this.#show(Date.now());
    }, TICK_MS);
    return () => clearInterval(timer);
  }

  #show(at: number): void {
    this.#shownAt = at;
    this.value = this.#window.knownAt(at) ? this.#window.rateAt(at) : null;
  }
}

/** The headline numbers; null = not known yet (the board shows a dash). */
export interface HeadlineTotals {
  perMinute: number | null;
  messages: number | null;
  activeGroups: number | null;
  activeMembers: number | null;
  quietGroups: number | null;
  openAlerts: number | null;
}
