/**
 * Time, one rule each: the units in ms, and the wall clock of an IANA time zone — the board's "day",
 * local midnight, minutes since it, and a zone's wall-clock time back to an instant. Intl knows the
 * zones' offsets and their history; nothing here keeps a table of its own.
 */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A wall-clock reading: what a clock in some zone shows (months and days from 1). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone, kept: making one costs far more than using it. Throws RangeError for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws RangeError for a zone Intl does not know: call once up front to check a configured or given zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The wall clock of `timeZone` at an instant. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (+05:30 for IST). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const wall = wallClockAt(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instant / SECOND_MS) * SECOND_MS;
}

/** The instant a wall-clock time in `timeZone` names; an hour the clock goes through twice maps to one of its two instants. */
export function wallClockToEpochMs(wall: WallClock, timeZone: string): number {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const first = guess - zoneOffsetMs(guess, timeZone);
  const second = guess - zoneOffsetMs(first, timeZone);
  return Math.min(first, second);
}

/** The day (`YYYY-MM-DD`) an instant falls on in a time zone: the board's "today", a delta's bucket. */
export function dayOf(instant: number, timeZone: string): string {
  return new Date(instant + zoneOffsetMs(instant, timeZone)).toISOString().slice(0, 10);
}

/** dayOf for one zone, cached per minute: for work per row (a batch's live delta). */
export function createDayOf(timeZone: string): (instant: number) => string {
  const cache = new Map<number, string>();
  return function dayOfCached(instant) {
    const minute = Math.floor(instant / MINUTE_MS);
    let day = cache.get(minute);
    if (day === undefined) {
      day = dayOf(minute * MINUTE_MS, timeZone);
      if (cache.size > 10_000) cache.clear();
      cache.set(minute, day);
    }
    return day;
  };
}

/** [start, end) of a `YYYY-MM-DD` day in a time zone, as instants (23 or 25 hours on a clock-change day). */
export function dayBounds(day: string, timeZone: string): { start: number; end: number } {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const midnight = (d: number) => wallClockToEpochMs({ year, month, day: d, hour: 0, minute: 0, second: 0 }, timeZone);
  return { start: midnight(date), end: midnight(date + 1) };
}

/** The instant of local midnight, in a time zone, of the day an instant falls on. */
export function localDayStart(instant: number, timeZone: string): number {
  return dayBounds(dayOf(instant, timeZone), timeZone).start;
}

/** Minutes since local midnight (0–1439) of an instant in a time zone: for windows such as 22:00–07:00. */
export function localMinutes(instant: number, timeZone: string): number {
  const wall = wallClockAt(instant, timeZone);
  return wall.hour * 60 + wall.minute;
}
