/**
 * The arithmetic behind the board's charts, kept apart from uPlot so it can be tested: value axes
 * that start at zero and end on a round number, a time axis that never balloons around a single
 * point, axis widths that fit their widest label, which buckets of a series are not complete yet, and
 * how a point's time reads.
 */
import { formatCalendarDay, formatDateTime, formatDay, formatSpan } from '../format.ts';

/** Round tops for a value axis: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten. */
const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest round number (NICE) at or above `n` (> 0). */
export function niceCeiling(n: number): number {
  const power = 10 ** Math.floor(Math.log10(n));
  // Round the mantissa a little so 3 × 10^k does not come out as 3.0000000000000004 and jump to 4.
  const mantissa = Math.round((n / power) * 1e9) / 1e9;
  return NICE.find((step) => step >= mantissa)! * power;
}

/**
 * A value axis from zero (bars and counts read from their baseline) to a round number at or above
 * the data: [0, 1] when every value is 0 or there is none; below zero only when the data go there.
 */
export function valueRange(min: number | null, max: number | null): [number, number] {
  const top = max !== null && max > 0 ? niceCeiling(max) : 0;
  const bottom = min !== null && min < 0 ? -niceCeiling(-min) : 0;
  return top === bottom ? [0, 1] : [bottom, top];
}

/** Tick steps for whole numbers (counts): no ticks at 0.5 of a message. */
export const WHOLE_NUMBER_INCRS: number[] = Array.from({ length: 13 }, (_, k) => [1, 2, 2.5, 5].map((m) => m * 10 ** k))
  .flat()
  .filter(Number.isInteger);

const HALF_DAY = 43_200;

/**
 * The time axis's range: what uPlot asks for (`min` to `max`: the data's, or a zoom), except around
 * a single time (epoch seconds), which gets half a day either side. (uPlot alone widens a single point
 * by 86 400 of its own time units; in seconds that is 1000 days, and one row of a query spanned years.)
 */
export function timeRange(times: readonly number[], min: number, max: number): [number, number] {
  const first = times[0];
  return first !== undefined && first === times[times.length - 1] ? [first - HALF_DAY, first + HALF_DAY] : [min, max];
}

/**
 * How wide an axis must be for its labels to show whole: the widest line of any label (as `measure`
 * gives it, in CSS pixels) plus the tick, the gap and a little air. A label may have several lines.
 */
export function axisWidth(labels: readonly string[], measure: (text: string) => number, tickSize: number, gap: number): number {
  let widest = 0;
  for (const label of labels) for (const line of label.split('\n')) widest = Math.max(widest, measure(line));
  return Math.ceil(widest + tickSize + gap + 4);
}

/**
 * How much of a time axis's first label reaches left of the plot: it is centred on its tick, which may sit on
 * the plot's left edge, so half its widest line (and a little air). The value axis there is at least this
 * wide, or "10:30 pm" would read "0:30 pm".
 */
export function leftOverhang(firstLabel: string | undefined, measure: (text: string) => number): number {
  if (!firstLabel) return 0;
  return Math.ceil(Math.max(...firstLabel.split('\n').map(measure)) / 2 + 2);
}

/**
 * Which buckets of a series are not complete: those that began before the range did (`from`, they
 * count only part of their time), and those that end after what has happened so far (the range's
 * end or now, whichever is earlier). `t` is each bucket's start in epoch seconds; times in ms.
 */
export function partialBuckets(t: readonly number[], stepSeconds: number, from: number, to: number, now: number): boolean[] {
  const end = Math.min(to, now);
  return t.map((start) => start * 1000 < from || (start + stepSeconds) * 1000 > end);
}

/**
 * A series split for drawing: `complete` holds the values of complete buckets (null elsewhere);
 * `partial` the values of partial buckets joined to their complete neighbours, so a dashed line can
 * carry on from the solid one (null elsewhere).
 */
export function splitPartial(values: readonly (number | null)[], partial: readonly boolean[]): { complete: (number | null)[]; partial: (number | null)[] } {
  const complete = values.map((v, i) => (partial[i] ? null : v));
  const joined = values.map((v, i) => (partial[i] || partial[i - 1] || partial[i + 1] ? v : null));
  return { complete, partial: joined };
}

const DAY_SECONDS = 86_400;

/**
 * When a point of a time chart is, as its readout says it: the bucket it stands for when the step is
 * known ("12 Jun, 3:00 – 3:15 pm", a day: "12 Jun", several days: "12–18 Jun"), else the moment
 * itself, or just the day for calendar days (`days`).
 */
export function pointTime(t: number, stepSeconds: number | undefined, days: boolean, timeZone: string, locale: string): string {
  if (days) return formatDay(formatCalendarDay(t * 1000, timeZone), locale);
  if (stepSeconds === undefined) return formatDateTime(t * 1000, timeZone, locale);
  if (stepSeconds === DAY_SECONDS) return formatDay(formatCalendarDay(t * 1000, timeZone), locale);
  if (stepSeconds > DAY_SECONDS) return formatSpan(t * 1000, (t + stepSeconds - 1) * 1000, timeZone, locale, true);
  return formatSpan(t * 1000, (t + stepSeconds) * 1000, timeZone, locale);
}
