/** How the board writes numbers, days and times: Indian digit grouping, the board's time zone. */

const countFormat = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });

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

/** The zone's short name ("IST" for Asia/Kolkata), or the zone id when Intl has no short name. */
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

/** "2026-11-22" → "Sun, 22 Nov 2026" (a calendar day: formatted at UTC noon so no zone shifts it). */
export function formatDay(day: string, locale = 'en-IN'): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return dateFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(
    new Date(Date.UTC(y, m - 1, d, 12)),
  );
}

/** A clock time in the board's zone: "3:04:05 pm". */
export function formatTime(at: Date, timeZone: string): string {
  try {
    return dateFormat('en-IN', { timeZone, hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(at);
  } catch {
    return at.toLocaleTimeString('en-IN');
  }
}

/** An id such as "unassigned" or "booth_voters" as a label: "Unassigned", "Booth voters". */
export function labelOf(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}

/** A moment as date and time in `timeZone`: "22 Nov, 3:04 pm". */
export function formatDateTime(at: Date | number, timeZone: string, locale = 'en-IN'): string {
  try {
    return dateFormat(locale, { timeZone, day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(at);
  } catch {
    return new Date(at).toISOString();
  }
}

/** A `datetime-local` input value ("2026-11-22T15:04") for a moment in `timeZone`. */
export function toLocalInput(at: number, timeZone: string): string {
  const parts = dateFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The moment a `datetime-local` value names in `timeZone` (NaN when it is not a valid value). */
export function fromLocalInput(value: string, timeZone: string): number {
  const asUtc = Date.parse(`${value}:00Z`);
  if (Number.isNaN(asUtc)) return NaN;
  // The zone's offset at that moment (one correction step; exact outside DST switches, and IST has none).
  const shown = Date.parse(`${toLocalInput(asUtc, timeZone)}:00Z`);
  return asUtc - (shown - asUtc);
}
