import { describe, expect, it } from 'vitest';
import { dayBounds, dayOf } from './day.ts';

describe('board day', () => {
  it('bounds an IST day as UTC instants', () => {
    const { start, end } = dayBounds('2026-11-22', 'Asia/Kolkata');
    expect(new Date(start).toISOString()).toBe('2026-11-21T18:30:00.000Z');
    expect(new Date(end).toISOString()).toBe('2026-11-22T18:30:00.000Z');
    expect(dayOf(start, 'Asia/Kolkata')).toBe('2026-11-22');
    expect(dayOf(end - 1, 'Asia/Kolkata')).toBe('2026-11-22');
  });
  it('handles a zone with daylight saving', () => {
    const { start, end } = dayBounds('2026-03-29', 'Europe/Berlin');
    expect((end - start) / 3_600_000).toBe(23);
  });
});
