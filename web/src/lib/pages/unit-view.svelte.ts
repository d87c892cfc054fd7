/**
 * One unit's drill-down as the board shows it: the unit with its children and own groups, coverage
 * (GET /api/v1/board/unit), its time series over the chosen range (GET /api/v1/board/series), and
 * its division's quiet groups (GET /api/v1/alerts/quiet-groups). The unit's numbers refresh every
 * 30 s; the chart when the range changes or, for a range ending now, every minute.
 */
import { apiFetch, query } from '../api.ts';

export interface UnitCounts {
  id: string;
  name: string;
  level: string;
  groups: number;
  activeGroups: number;
  inactiveGroups: number;
  messages: number;
  media: number;
  forwarded: number;
  joins: number;
  leaves: number;
  members: number;
}

export interface Coverage {
  id: string;
  name: string;
  booths: number;
  boothsWithGroup: number;
  boothsActive24h: number;
  boothsActive7d: number;
  boothsMissingExpected: number;
  reached: number;
  target: number | null;
}

export interface UnitAnswer {
  from: string;
  to: string;
  unit: { id: string; name: string; level: string; division: string; leaf: boolean } | null;
  path: { id: string; name: string; level: string }[];
  total: UnitCounts;
  children: UnitCounts[];
  coverage: { expected: string[]; leafLevel: string; total: Coverage; children: Coverage[] };
  groups: { id: string; title: string; category: string; messages: number; members: number; lastMessageAt: string | null }[];
}

export interface SeriesPoint {
  t: number;
  messages: number;
  activeGroups: number;
  activeMembers: number;
  joins: number;
  leaves: number;
}

export interface QuietGroup {
  group: string;
  unit: string;
  category: string;
  state: string;
  silentForHours: number | null;
  lastMessageAt: string | null;
}

/** A preset range ending now, or a fixed one chosen by the viewer. */
export type Range = { kind: 'last'; hours: number } | { kind: 'fixed'; from: number; to: number };

export function rangeBounds(range: Range, now = Date.now()): { from: number; to: number } {
  if (range.kind === 'fixed') return { from: range.from, to: range.to };
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: to - range.hours * 3_600_000, to };
}

export class UnitView {
  answer = $state<UnitAnswer | null>(null);
  error = $state('');
  series = $state<SeriesPoint[] | null>(null);
  seriesError = $state('');
  quiet = $state<QuietGroup[] | null>(null);
  quietTotal = $state(0);

  #token: string;
  readonly unit: string;

  constructor(token: string, unit: string) {
    this.#token = token;
    this.unit = unit;
  }

  async loadUnit(): Promise<void> {
    const outcome = await apiFetch<UnitAnswer>(this.#token, `/api/v1/board/unit${query({ unit: this.unit || undefined })}`);
    if (!outcome.ok) {
      this.error = outcome.error;
      return;
    }
    this.error = '';
    this.answer = outcome.data;
    const division = outcome.data.unit?.division;
    if (division) await this.loadQuiet(division);
  }

  async loadQuiet(division: string): Promise<void> {
    const outcome = await apiFetch<{ total: number; groups: QuietGroup[] }>(this.#token, `/api/v1/alerts/quiet-groups${query({ division, limit: 200 })}`);
    if (outcome.ok) {
      this.quiet = outcome.data.groups;
      this.quietTotal = outcome.data.total;
    } else {
      this.quiet = [];
    }
  }

  async loadSeries(range: Range): Promise<void> {
    const { from, to } = rangeBounds(range);
    const outcome = await apiFetch<{ points: SeriesPoint[] }>(
      this.#token,
      `/api/v1/board/series${query({ unit: this.unit || undefined, from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`,
    );
    if (!outcome.ok) {
      this.seriesError = outcome.error;
      return;
    }
    this.seriesError = '';
    this.series = outcome.data.points;
  }
}
