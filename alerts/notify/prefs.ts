/**
 * A user's notification preferences and the times they imply (pure): whether an instant falls in their
 * quiet hours and when those end, and when their next daily digest is due — all in their time zone.
 */
import { assertTimeZone, dayOf, localDayStart, localMinutes, MINUTE_MS, wallClockAt, wallClockToEpochMs } from '../../common/time.ts';
import { NOTIFY_CHANNELS, type NotifyChannel, type NotifyPrefs, type QuietHours } from '../../common/contracts/notify.ts';

export { NOTIFY_CHANNELS, NOTIFY_LANGUAGES, RULE_MODES, USE_CHANNELS, type UseChannels, type NotifyChannel, type NotifyLanguage, type NotifyPrefs, type QuietHours, type RuleMode } from '../../common/contracts/notify.ts';

export const DEFAULT_NOTIFY_TIME_ZONE = 'Asia/Kolkata';

export const DEFAULT_PREFS: NotifyPrefs = { language: 'en', timeZone: DEFAULT_NOTIFY_TIME_ZONE, quietHours: null, ruleModes: {}, order: [...NOTIFY_CHANNELS], useChannels: 'all' };

/** "07:30" → 450; undefined when not a 24-hour HH:MM time. */
export function minutesOf(time: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function isTimeZone(zone: string): boolean {
  try {
    assertTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

/** An order naming each channel once: the given ones first, the others after in the default order. */
export function completeOrder(order: readonly NotifyChannel[]): NotifyChannel[] {
  const first = [...new Set(order)];
  return [...first, ...NOTIFY_CHANNELS.filter((c) => !first.includes(c))];
}

/** Is `at` inside the quiet window (which may wrap midnight: 22:00–07:00)? */
export function inQuietHours(at: number, timeZone: string, quiet: QuietHours | null): boolean {
  if (!quiet) return false;
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === undefined || to === undefined || from === to) return false;
  const now = localMinutes(at, timeZone);
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** The next instant after `at` when the local clock shows `minutes` past midnight. */
export function nextLocalTime(at: number, timeZone: string, minutes: number): number {
  const today = localDayStart(at, timeZone);
  for (let day = 0; day < 3; day++) {
    const wall = wallClockAt(today + day * 26 * 60 * MINUTE_MS, timeZone);
    const candidate = wallClockToEpochMs({ year: wall.year, month: wall.month, day: wall.day, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0 }, timeZone);
    if (candidate > at) return candidate;
  }
  throw new Error('no next local time');
}

/** When the quiet window `at` is in ends (call only inside one). */
export function quietHoursEnd(at: number, timeZone: string, quiet: QuietHours): number {
  return nextLocalTime(at, timeZone, minutesOf(quiet.to) ?? 0);
}

/** The next daily digest at `hour`:00 local time after `at`, and its local day (one digest per day). */
export function nextDigest(at: number, timeZone: string, hour: number): { dueAt: number; day: string } {
  const dueAt = nextLocalTime(at, timeZone, hour * 60);
  return { dueAt, day: dayOf(dueAt, timeZone) };
}
