/**
 * How the board writes numbers, days and times: Indian digit grouping, day before month, the board's
 * time zone; in Hindi the time of day in Hindi words (सुबह, दोपहर, शाम, रात) rather than "am/pm".
 */

const countFormat = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const numberFormat = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 2 });
/** Zones that are India's time under another name (Asia/Calcutta is the older id some systems still report). */
const INDIA_ZONES = new Set(['Asia/Kolkata', 'Asia/Calcutta']);

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One Intl.DateTimeFormat per locale and options, kept (making one costs far more than using it; the board formats on every update). */
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

/** 1234567 → "12,34,567". */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** 1234567.891 → "12,34,567.89": any number, up to two decimals. */
export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** Is `timeZone` India's time (IST)? */
export function isIndiaZone(timeZone: string): boolean {
  return INDIA_ZONES.has(timeZone);
}

/** The zone's short name ("IST" for India's, "GMT+1" where Intl has no abbreviation), or the zone id when Intl knows none. */
export function zoneName(timeZone: string, at: Date = new Date()): string {
  try {
    const part = dateFormat('en-IN', { timeZone, timeZoneName: 'short' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}

/** The place a zone id names: "Europe/London" → "London", "America/Argentina/Buenos_Aires" → "Buenos Aires". */
export function zonePlace(timeZone: string): string {
  return (timeZone.split('/').pop() ?? timeZone).replaceAll('_', ' ');
}

/** Hindi writes the time of day as a word before the hour ("दोपहर 3:04"); other languages keep their own. */
function clockOptions(locale: string): Intl.DateTimeFormatOptions {
  return locale.startsWith('hi') ? { hour: 'numeric', dayPeriod: 'short' } : { hour: 'numeric' };
}

/** "2026-11-22" → "Sun, 22 Nov 2026" (a calendar day: formatted at UTC noon so no zone shifts it). */
export function formatDay(day: string, locale = 'en-IN'): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return dateFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(
    new Date(Date.UTC(y, m - 1, d, 12)),
  );
}

/** A clock time in the board's zone: "3:04:05 pm", in Hindi "दोपहर 3:04:05". */
export function formatTime(at: Date, timeZone: string, locale = 'en-IN'): string {
  try {
    return dateFormat(locale, { timeZone, ...clockOptions(locale), minute: '2-digit', second: '2-digit' }).format(at);
  } catch {
    return at.toLocaleTimeString('en-IN');
  }
}

/** An id such as "unassigned" or "booth_voters" as a label: "Unassigned", "Booth voters". */
export function labelOf(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}

/** A moment as date and time in `timeZone`: "22 Nov, 3:04 pm", in Hindi "22 नव॰, दोपहर 3:04". */
export function formatDateTime(at: Date | number, timeZone: string, locale = 'en-IN'): string {
  try {
    return dateFormat(locale, { timeZone, day: 'numeric', month: 'short', ...clockOptions(locale), minute: '2-digit' }).format(at);
  } catch {
    return new Date(at).toISOString();
  }
}

/**
 * A span of time as one short text, the shared parts written once: "12 Jun, 3:00 – 3:15 pm",
 * "12–13 Jun" (`days`: calendar days, no clock).
 */
export function formatSpan(from: Date | number, to: Date | number, timeZone: string, locale = 'en-IN', days = false): string {
  const options: Intl.DateTimeFormatOptions = days ? { timeZone, day: 'numeric', month: 'short' } : { timeZone, day: 'numeric', month: 'short', ...clockOptions(locale), minute: '2-digit' };
  try {
    return dateFormat(locale, options).formatRange(from, to);
  } catch {
    return `${new Date(from).toISOString()} – ${new Date(to).toISOString()}`;
  }
}

/**
 * A chart's time-axis labels, each tick written only as finely as the ticks are apart (`incrSeconds`):
 * the time of day for ticks within a day, with the date under the first tick of each day
 * ("3 pm\n12 Jun"); the day and month for daily ticks; month and year beyond. Indian order, in `locale`.
 */
export function timeTickLabels(ticks: readonly number[], incrSeconds: number, timeZone: string, locale = 'en-IN'): string[] {
  const DAY = 86_400;
  const dayOf = (t: number) => formatCalendarDay(t * 1000, timeZone);
  const dayLabel = (t: number) => dateFormat(locale, { timeZone, day: 'numeric', month: 'short' }).format(t * 1000);
  if (incrSeconds >= 365 * DAY) return ticks.map((t) => dateFormat(locale, { timeZone, year: 'numeric' }).format(t * 1000));
  if (incrSeconds >= 28 * DAY) return ticks.map((t) => dateFormat(locale, { timeZone, month: 'short', year: 'numeric' }).format(t * 1000));
  if (incrSeconds >= DAY) return ticks.map(dayLabel);
  const clock: Intl.DateTimeFormatOptions = incrSeconds % 3600 === 0 ? clockOptions(locale) : { ...clockOptions(locale), minute: '2-digit' };
  return ticks.map((t, i) => {
    const time = dateFormat(locale, { timeZone, ...clock }).format(t * 1000);
    return i === 0 || dayOf(t) !== dayOf(ticks[i - 1]!) ? `${time}\n${dayLabel(t)}` : time;
  });
}

/** The calendar day ("2026-11-22") a moment falls on in `timeZone`. */
export function formatCalendarDay(at: number, timeZone: string): string {
  return toLocalInput(at, timeZone).slice(0, 10);
}

/** A `datetime-local` input value ("2026-11-22T15:04") for a moment in `timeZone`. */
export function toLocalInput(at: number, timeZone: string): string {
  const parts = dateFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The moment a `datetime-local` value names in `timeZone` (NaN when it is not a valid value). */
export function fromLocalInput(value: string, timeZone: string): number {
  return fromWallTime(`${value}:00`, timeZone);
}

/**
 * The moment a wall-clock time ("2026-11-22T15:04:05", fractions of a second allowed) names in
 * `timeZone`; NaN when it is not one.
 */
export function fromWallTime(wallTime: string, timeZone: string): number {
  const asUtc = Date.parse(`${wallTime}Z`);
  if (Number.isNaN(asUtc)) return NaN;
  // The zone's offset at that moment (one correction step; exact outside DST switches, and IST has none).
  const wholeMinute = Math.floor(asUtc / 60_000) * 60_000;
  const shown = Date.parse(`${toLocalInput(wholeMinute, timeZone)}:00Z`);
  return asUtc - (shown - wholeMinute);
}
