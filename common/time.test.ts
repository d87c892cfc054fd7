import { describe, expect, it } from 'vitest';
import { assertTimeZone, createDayOf, dayBounds, dayOf, DAY_MS, HOUR_MS, localDayStart, localMinutes, MINUTE_MS, wallClockToEpochMs, zoneOffsetMs } from './time.ts';

describe('time', () => {
  it('has the units in ms', () => {
    expect([MINUTE_MS, HOUR_MS, DAY_MS]).toEqual([60_000, 3_600_000, 86_400_000]);
  });

  it('bounds an IST day as UTC instants', () => {
    const { start, end } = dayBounds('2026-11-22', 'Asia/Kolkata');
    expect(new Date(start).toISOString()).toBe('2026-11-21T18:30:00.000Z');
    expect(new Date(end).toISOString()).toBe('2026-11-22T18:30:00.000Z');
    expect(dayOf(start, 'Asia/Kolkata')).toBe('2026-11-22');
    expect(dayOf(start - 1, 'Asia/Kolkata')).toBe('2026-11-21');
    expect(dayOf(end - 1, 'Asia/Kolkata')).toBe('2026-11-22');
  });

  it('handles a zone with daylight saving', () => {
    const { start, end } = dayBounds('2026-03-29', 'Europe/Berlin');
    expect((end - start) / HOUR_MS).toBe(23);
    expect(dayBounds('2026-12-31', 'Europe/Berlin').end).toBe(Date.parse('2026-12-31T23:00:00Z'));
  });

  it('turns a wall-clock time into the instant, across clock changes', () => {
    expect(wallClockToEpochMs({ year: 2026, month: 7, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/London')).toBe(Date.parse('2026-07-01T11:00:00Z'));
    expect(wallClockToEpochMs({ year: 2026, month: 1, day: 1, hour: 12, minute: 0, second: 0 }, 'Europe/London')).toBe(Date.parse('2026-01-01T12:00:00Z'));
    expect(wallClockToEpochMs({ year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, 'Asia/Kolkata')).toBe(Date.parse('2025-12-31T18:30:00Z'));
    // 01:30 happens twice in London on 2026-10-25: either instant will do.
    expect([Date.parse('2026-10-25T00:30:00Z'), Date.parse('2026-10-25T01:30:00Z')]).toContain(wallClockToEpochMs({ year: 2026, month: 10, day: 25, hour: 1, minute: 30, second: 0 }, 'Europe/London'));
  });

  it('reads offsets, local midnight and minutes since it', () => {
    const at = Date.parse('2026-11-22T20:10:30Z'); // 01:40:30 IST on the 23rd
    expect(zoneOffsetMs(at, 'Asia/Kolkata')).toBe(5.5 * HOUR_MS);
    expect(localDayStart(at, 'Asia/Kolkata')).toBe(Date.parse('2026-11-22T18:30:00Z'));
    expect(localMinutes(at, 'Asia/Kolkata')).toBe(100);
    expect(localMinutes(at, 'UTC')).toBe(20 * 60 + 10);
  });

  it('gives the same day cached per minute as uncached', () => {
    const cached = createDayOf('Asia/Kolkata');
    for (const at of [Date.parse('2026-11-22T18:29:59.999Z'), Date.parse('2026-11-22T18:30:00Z'), Date.parse('2026-11-22T18:30:00Z') + 59_999]) {
      expect(cached(at)).toBe(dayOf(at, 'Asia/Kolkata'));
    }
  });

  it('refuses an unknown zone', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(() => assertTimeZone('Asia/Kolkata')).not.toThrow();
  });
});
