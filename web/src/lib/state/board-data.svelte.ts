/**
 * What the central board reads besides the live socket, refreshed every `refreshMs`: hourly
 * trends per division × category (sparklines, division names, the opening messages-per-minute)
 * and the organisation's (or a lead's division's) quiet groups over the last 24 h.
 */
import { apiFetch } from '../api.ts';

export interface TrendCell {
  division: string;
  category: string;
  messages: number[];
}

interface TrendsAnswer {
  buckets: number[];
  perMinute: number;
  names: Record<string, string>;
  cells: TrendCell[];
}

export class BoardData {
  names = $state<Record<string, string>>({});
  trends = $state<Map<string, number[]>>(new Map());
  /** Average messages per minute over the last five minutes, as the server last read it. */
  perMinute = $state<number | null>(null);
  quietGroups = $state<number | null>(null);
  error = $state('');

  #token: string;
  #scopeUnit: string;

  /** `scopeUnit`: '' for the whole organisation, else the division a lead watches. */
  constructor(token: string, scopeUnit: string) {
    this.#token = token;
    this.#scopeUnit = scopeUnit;
  }

  trendOf(division: string, category?: string): number[] {
    return this.trends.get(category === undefined ? division : `${division}\u0000${category}`) ?? [];
  }

  nameOf = (division: string): string => this.names[division] ?? division;

  async refresh(): Promise<void> {
    const [trends, unit] = await Promise.all([
      apiFetch<TrendsAnswer>(this.#token, '/api/v1/board/trends?hours=12'),
      apiFetch<{ total: { inactiveGroups: number } }>(this.#token, `/api/v1/board/unit${this.#scopeUnit ? `?unit=${encodeURIComponent(this.#scopeUnit)}` : ''}`),
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
    if (unit.ok) this.quietGroups = unit.data.total.inactiveGroups;
    this.error = !trends.ok ? trends.error : !unit.ok && unit.status !== 503 ? unit.error : '';
  }

  /** Refresh now and every `refreshMs`; returns the stop function. */
  poll(refreshMs = 30_000): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), refreshMs);
    return () => clearInterval(timer);
  }
}

/**
 * Messages per minute, live: the deltas of the last 60 s summed. Until the board has watched a
 * full minute, the server's recent average stands in for the part it has not seen.
 */
export class MessageRate {
  value = $state(0);
  #events: { at: number; messages: number }[] = [];
  #startedAt = Date.now();
  #seed: () => number | null;

  constructor(seed: () => number | null) {
    this.#seed = seed;
  }

  add(messages: number, at = Date.now()): void {
    if (messages > 0) this.#events.push({ at, messages });
    this.#recompute(at);
  }

  /** Recompute every second, so the window slides even when nothing arrives. */
  tick(): () => void {
    const timer = setInterval(() => this.#recompute(Date.now()), 1000);
    return () => clearInterval(timer);
  }

  #recompute(at: number): void {
    this.#events = this.#events.filter((e) => at - e.at < 60_000);
    const seen = this.#events.reduce((sum, e) => sum + e.messages, 0);
    const watched = Math.min(1, (at - this.#startedAt) / 60_000);
    const seed = this.#seed() ?? 0;
    this.value = Math.round(seen + (1 - watched) * seed);
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
