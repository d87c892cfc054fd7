import { describe, expect, it } from 'vitest';
import { axisWidth, leftOverhang, niceCeiling, partialBuckets, pointTime, splitPartial, timeRange, valueRange, WHOLE_NUMBER_INCRS } from '../../web/src/lib/components/chart-scales.ts';

const IST = 'Asia/Kolkata';
const HINDI = 'hi-IN-u-nu-latn';

describe("the board's chart scales", () => {
  it('starts every value axis at zero and ends it on a round number at or above the data', () => {
    expect(valueRange(3_200, 87_000)).toEqual([0, 100_000]);
    expect(valueRange(0, 80_000)).toEqual([0, 80_000]);
    expect(valueRange(95, 100)).toEqual([0, 100]);
    expect(valueRange(0, 3)).toEqual([0, 3]);
    expect(valueRange(0.2, 0.7)).toEqual([0, 0.8]);
    expect(valueRange(-12, 40)).toEqual([-12, 40]);
    expect(valueRange(0, 0)).toEqual([0, 1]);
    expect(valueRange(null, null)).toEqual([0, 1]);
    expect([1.2, 1.5, 2.5, 6, 8, 10].map(niceCeiling)).toEqual([1.2, 1.5, 2.5, 6, 8, 10]);
    expect(niceCeiling(300_000.0000001)).toBe(300_000);
  });

  it('ticks whole numbers only for counts', () => {
    expect(WHOLE_NUMBER_INCRS.slice(0, 8)).toEqual([1, 2, 5, 10, 20, 25, 50, 100]);
    expect(WHOLE_NUMBER_INCRS.every(Number.isInteger)).toBe(true);
  });

  it('gives a single point half a day either side, never years', () => {
    const t = Date.parse('2026-06-12T10:00:00Z') / 1000;
    // What uPlot asks for a single point: a span of 86 400 000 s.
    expect(timeRange([t], t, t + 86_400_000)).toEqual([t - 43_200, t + 43_200]);
    expect(timeRange([t, t], t, t)).toEqual([t - 43_200, t + 43_200]);
    expect(timeRange([t, t + 1800, t + 3600], t, t + 3600)).toEqual([t, t + 3600]);
    expect(timeRange([t, t + 1800, t + 3600], t + 600, t + 1200)).toEqual([t + 600, t + 1200]);
  });

  it('makes an axis as wide as its widest label line, plus tick, gap and air', () => {
    const measure = (text: string) => text.length * 7;
    expect(axisWidth(['0', '50,000', '1,00,000'], measure, 6, 5)).toBe(8 * 7 + 6 + 5 + 4);
    expect(axisWidth(['3 pm\n12 Jun'], measure, 6, 5)).toBe(6 * 7 + 15);
    expect(axisWidth([], measure, 6, 5)).toBe(15);
  });

  it("leaves room left of the plot for half the time axis's first label, its widest line", () => {
    const measure = (text: string) => text.length * 7;
    expect(leftOverhang('10:30 pm\n7 Dec', measure)).toBe(Math.ceil((8 * 7) / 2 + 2));
    expect(leftOverhang(undefined, measure)).toBe(0);
    expect(leftOverhang('', measure)).toBe(0);
  });

  it('marks the buckets the range cuts and the one still filling as partial', () => {
    const step = 900;
    const start = Date.parse('2026-06-12T10:00:00Z') / 1000;
    const t = [0, 1, 2, 3].map((i) => start + i * step);
    const from = (start + 300) * 1000; // the range begins 5 min into the first bucket
    const to = (start + 4 * step) * 1000;
    // Now is 5 min into the last bucket.
    expect(partialBuckets(t, step, from, to, (start + 3 * step + 300) * 1000)).toEqual([true, false, false, true]);
    // A range wholly in the past, on bucket bounds: nothing partial.
    expect(partialBuckets(t, step, start * 1000, to, to + 86_400_000)).toEqual([false, false, false, false]);
    // A range that ends inside a bucket cuts it.
    expect(partialBuckets(t, step, start * 1000, to - 60_000, to + 86_400_000)).toEqual([false, false, false, true]);
  });

  it('splits a series so the dashed partial part carries on from the solid one', () => {
    expect(splitPartial([5, 6, 7, 2], [false, false, false, true])).toEqual({ complete: [5, 6, 7, null], partial: [null, null, 7, 2] });
    expect(splitPartial([1, 6, 7, 2], [true, false, false, true])).toEqual({ complete: [null, 6, 7, null], partial: [1, 6, 7, 2] });
    expect(splitPartial([1, 2], [false, false])).toEqual({ complete: [1, 2], partial: [null, null] });
  });

  it('says when a point is: its bucket, day before month, in the language chosen', () => {
    const t = Date.parse('2026-06-12T09:30:00Z') / 1000; // 3 pm IST
    expect(pointTime(t, 900, false, IST, 'en-IN')).toMatch(/^12 Jun, 3:00\s?–\s?3:15\s?pm$/);
    expect(pointTime(t, 900, false, IST, HINDI)).toMatch(/^12 जून, दोपहर 3:00\s?–\s?3:15$/);
    expect(pointTime(t, 3600, false, 'UTC', 'en-IN')).toMatch(/^12 Jun, 9:30\s?–\s?10:30\s?am$/);
    expect(pointTime(t, undefined, false, IST, 'en-IN')).toMatch(/^12 Jun, 3:00\s?pm$/);
    expect(pointTime(Date.parse('2026-06-11T18:30:00Z') / 1000, 86_400, false, IST, 'en-IN')).toMatch(/^Fri, 12 Jun,? 2026$/);
    expect(pointTime(Date.parse('2026-06-11T18:30:00Z') / 1000, undefined, true, IST, HINDI)).toMatch(/^शुक्र, 12 जून 2026$/);
    expect(pointTime(Date.parse('2026-06-11T18:30:00Z') / 1000, 7 * 86_400, false, IST, 'en-IN')).toMatch(/^12\s?–\s?18 Jun$/);
  });
});
