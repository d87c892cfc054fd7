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
 * Messages per minute, live: how far today's message total (kept by snapshots and deltas alike)
 * moved in the last 60 s, sampled every second. Until the board has watched a full minute, the
 * server's recent average stands in for the part it has not seen. A total that falls (a new day)
 * starts the window again.
 */
export class MessageRate {
  value = $state(0);
  #samples: { at: number; total: number }[] = [];
  readonly #startedAt = Date.now();
  #total: () => number | null;
  #seed: () => number | null;

  constructor(total: () => number | null, seed: () => number | null) {
    this.#total = total;
    this.#seed = seed;
  }

  sample(at = Date.now()): void {
    const total = this.#total();
    if (total === null) return;
    const last = this.#samples.at(-1);
    if (last && total < last.total) {
      // A lower total is a correction (a snapshot replacing a slight overcount) or a new day: shift
      // the window down by the drop, so the rate keeps measuring movement instead of starting over.
      const drop = last.total - total;
      for (const sample of this.#samples) sample.total -= drop;
    }
    this.#samples.push({ at, total });
    while (this.#samples.length > 1 && at - this.#samples[1]!.at >= 60_000) this.#samples.shift();
    const oldest = this.#samples[0]!;
    const watched = Math.min(1, (at - this.#startedAt) / 60_000);
    this.value = Math.round(total - oldest.total + (1 - watched) * (this.#seed() ?? 0));
  }

  /** Sample every second, so the window slides even when nothing arrives. */
  tick(): () => void {
    const timer = setInterval(() => this.sample(), 1000);
    return () => clearInterval(timer);
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
