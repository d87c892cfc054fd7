/**
 * One unit's drill-down as the board shows it: the unit with its children and own groups, coverage
 * and its quiet groups, longest silent first (GET /api/v1/board/unit), and its time series over the
 * chosen range (GET /api/v1/board/series). The unit's numbers refresh every 30 s; the chart when the
 * range changes or, for a range ending now, every minute.
 */
import type { SeriesAnswer, SeriesPoint, UnitAnswer, UnitCounts } from '../../../../common/contracts/board.ts';
import { HOUR_MS, MINUTE_MS } from '../../../../common/time.ts';
import { apiFetch, noError, query, type Bearer } from '../api.ts';

export type { UnitAnswer, UnitCounts };

/** A preset range ending now, or a fixed one chosen by the viewer. */
export type Range = { kind: 'last'; hours: number } | { kind: 'fixed'; from: number; to: number };

/** "last:24" or "fixed:<from>-<to>": names a range (the chart card carries it as data-series). */
export function rangeKey(range: Range): string {
  return range.kind === 'last' ? `last:${range.hours}` : `fixed:${range.from}-${range.to}`;
}

export function rangeBounds(range: Range, now = Date.now()): { from: number; to: number } {
  if (range.kind === 'fixed') return { from: range.from, to: range.to };
  const to = Math.ceil(now / MINUTE_MS) * MINUTE_MS;
  return { from: to - range.hours * HOUR_MS, to };
}

export class UnitView {
  answer = $state<UnitAnswer | null>(null);
  /** Why the last unit read failed ('' when it did not), said in the viewer's language when read. */
  get error(): string {
    return this.#error();
  }
  #error = $state<() => string>(noError);
  series = $state<SeriesAnswer | null>(null);
  /** When the shown series was read (its last bucket is partial when it ends after this). */
  seriesReadAt = $state(0);
  /** Why the last series read failed ('' when it did not), said in the viewer's language when read. */
  get seriesError(): string {
    return this.#seriesError();
  }
  #seriesError = $state<() => string>(noError);
  /** Which range the shown series is for (`rangeKey`); only the answer to the latest request is shown. */
  seriesFor = $state('');
  #seriesAsked = '';

  #bearer: Bearer;
  readonly unit: string;

  constructor(bearer: Bearer, unit: string) {
    this.#bearer = bearer;
    this.unit = unit;
  }

  async loadUnit(): Promise<void> {
    const outcome = await apiFetch<UnitAnswer>(this.#bearer, `/api/v1/board/unit${query({ unit: this.unit || undefined })}`);
    if (!outcome.ok) {
      this.#error = outcome.say;
      return;
    }
    this.#error = noError;
    this.answer = outcome.data;
  }

  async loadSeries(range: Range): Promise<void> {
    const { from, to } = rangeBounds(range);
    const key = rangeKey(range);
    this.#seriesAsked = key;
    const outcome = await apiFetch<SeriesAnswer>(
      this.#bearer,
      `/api/v1/board/series${query({ unit: this.unit || undefined, from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`,
    );
    if (key !== this.#seriesAsked) return; // a later range was chosen while this one loaded
    if (!outcome.ok) {
      this.#seriesError = outcome.say;
      return;
    }
    this.#seriesError = noError;
    this.series = outcome.data;
    this.seriesReadAt = Date.now();
    this.seriesFor = key;
  }
}
