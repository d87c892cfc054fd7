import { describe, expect, it } from 'vitest';
import { formatCount, formatDateTime, formatDay, formatNumber, formatTime, fromWallTime, isIndiaZone, timeTickLabels, zoneName, zonePlace } from '../../web/src/lib/format.ts';

const HINDI = 'hi-IN-u-nu-latn';

describe("the board's numbers and times", () => {
  it('groups digits the Indian way: thousand, lakh, crore', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1_000)).toBe('1,000');
    expect(formatCount(1_00_000)).toBe('1,00,000');
    expect(formatCount(12_34_567)).toBe('12,34,567');
    expect(formatCount(5_16_00_000)).toBe('5,16,00,000');
    expect(formatCount(1_00_00_00_000)).toBe('1,00,00,00,000');
    expect(formatNumber(123456.789)).toBe('1,23,456.79');
    expect(formatNumber(0.5)).toBe('0.5');
  });

  it('writes times in the zone asked for, IST by its short name', () => {
    const at = new Date('2026-11-22T10:15:05Z');
    expect(formatTime(at, 'Asia/Kolkata')).toMatch(/^3:45:05\s?pm$/i);
    expect(formatTime(at, 'UTC')).toMatch(/^10:15:05\s?am$/i);
    expect(zoneName('Asia/Kolkata', at)).toBe('IST');
    expect(formatDay('2026-11-22')).toMatch(/^Sun, 22 Nov,? 2026$/);
    expect(formatDay('2026-11-22', HINDI)).toMatch(/^रवि.*22.*2026$/);
  });

  it('writes the time of day in Hindi words in Hindi, never am/pm', () => {
    const afternoon = new Date('2026-06-12T09:34:05Z'); // 3:04 pm IST
    const morning = new Date('2026-06-12T03:34:05Z'); // 9:04 am IST
    expect(formatTime(afternoon, 'Asia/Kolkata', HINDI)).toBe('दोपहर 3:04:05');
    expect(formatTime(morning, 'Asia/Kolkata', HINDI)).toBe('सुबह 9:04:05');
    expect(formatDateTime(afternoon, 'Asia/Kolkata', HINDI)).toBe('12 जून, दोपहर 3:04');
    expect(formatDateTime(afternoon, 'Asia/Kolkata', 'en-IN')).toMatch(/^12 Jun, 3:04\s?pm$/);
    for (const text of [formatTime(afternoon, 'Asia/Kolkata', HINDI), formatDateTime(morning, 'Asia/Kolkata', HINDI)]) expect(text).not.toMatch(/am|pm/i);
  });

  it('knows India’s time by either of its ids; names zones by short name and place', () => {
    const summer = new Date('2026-06-12T09:34:05Z');
    expect(zoneName('Asia/Calcutta', summer)).toBe('IST');
    expect(zoneName('Europe/Dublin', summer)).toBe('GMT+1');
    expect(zoneName('Asia/Jerusalem', summer)).not.toBe('IST');
    expect(zoneName('UTC', summer)).toBe('UTC');
    expect([isIndiaZone('Asia/Kolkata'), isIndiaZone('Asia/Calcutta'), isIndiaZone('Asia/Colombo')]).toEqual([true, true, false]);
    expect(zonePlace('America/Argentina/Buenos_Aires')).toBe('Buenos Aires');
    expect(zonePlace('UTC')).toBe('UTC');
  });

  it('reads a wall-clock time in a zone, seconds and fractions kept', () => {
    expect(fromWallTime('2026-06-12T15:30:00', 'Asia/Kolkata')).toBe(Date.parse('2026-06-12T10:00:00Z'));
    expect(fromWallTime('2026-06-12T15:30:07.250', 'Asia/Kolkata')).toBe(Date.parse('2026-06-12T10:00:07.250Z'));
    expect(fromWallTime('2026-06-12T10:00:00', 'UTC')).toBe(Date.parse('2026-06-12T10:00:00Z'));
    expect(fromWallTime('2026-06-12T11:00:00', 'Europe/London')).toBe(Date.parse('2026-06-12T10:00:00Z'));
    expect(fromWallTime('not a time', 'UTC')).toBeNaN();
  });

  it("labels a chart's time axis day before month, the date under the first tick of each day", () => {
    const hour = (iso: string) => Date.parse(iso) / 1000;
    // Every 6 h from 6 pm IST on 11 June.
    const ticks = ['2026-06-11T12:30:00Z', '2026-06-11T18:30:00Z', '2026-06-12T00:30:00Z'].map(hour);
    expect(timeTickLabels(ticks, 6 * 3600, 'Asia/Kolkata')).toEqual(['6 pm\n11 Jun', '12 am\n12 Jun', '6 am']);
    expect(timeTickLabels(ticks, 6 * 3600, 'Asia/Kolkata', HINDI)).toEqual(['शाम 6\n11 जून', 'रात 12\n12 जून', 'सुबह 6']);
    expect(timeTickLabels([hour('2026-06-12T09:45:00Z')], 900, 'Asia/Kolkata')).toEqual(['3:15 pm\n12 Jun']);
    const days = ['2026-06-11T18:30:00Z', '2026-06-12T18:30:00Z'].map(hour);
    expect(timeTickLabels(days, 86_400, 'Asia/Kolkata')).toEqual(['12 Jun', '13 Jun']);
    expect(timeTickLabels(days, 86_400, 'Asia/Kolkata', HINDI)).toEqual(['12 जून', '13 जून']);
    expect(timeTickLabels([hour('2026-12-01T00:00:00Z')], 30 * 86_400, 'UTC')).toEqual(['Dec 2026']);
    // Never the US order "12/6/26".
    for (const label of timeTickLabels(days, 86_400, 'Asia/Kolkata')) expect(label).not.toMatch(/\d+\/\d+/);
  });
});
