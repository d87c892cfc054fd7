import { describe, expect, it } from 'vitest';
import { formatCount, formatDay, formatTime, zoneName } from '../../web/src/lib/format.ts';

describe("the board's numbers and times", () => {
  it('groups digits the Indian way: thousand, lakh, crore', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1_000)).toBe('1,000');
    expect(formatCount(1_00_000)).toBe('1,00,000');
    expect(formatCount(12_34_567)).toBe('12,34,567');
    expect(formatCount(5_16_00_000)).toBe('5,16,00,000');
    expect(formatCount(1_00_00_00_000)).toBe('1,00,00,00,000');
  });

  it('writes times in the zone asked for, IST by its short name', () => {
    const at = new Date('2026-11-22T10:15:05Z');
    expect(formatTime(at, 'Asia/Kolkata')).toMatch(/^3:45:05\s?pm$/i);
    expect(formatTime(at, 'UTC')).toMatch(/^10:15:05\s?am$/i);
    expect(zoneName('Asia/Kolkata', at)).toBe('IST');
    expect(formatDay('2026-11-22')).toMatch(/^Sun, 22 Nov,? 2026$/);
    expect(formatDay('2026-11-22', 'hi-IN-u-nu-latn')).toMatch(/^रवि.*22.*2026$/);
  });
});
