import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../web/src/lib/state/rate-window.ts';

const T0 = Date.parse('2026-11-29T10:00:30Z');
const s = (seconds: number) => T0 + seconds * 1000;

describe("the board's messages per minute", () => {
  it('counts what arrives after the first snapshot, however soon after it', () => {
    const rate = new RateWindow();
    expect(rate.started).toBe(false);
    expect(rate.rateAt(s(0))).toBe(0);
    rate.record(500, s(0)); // the snapshot: today's total so far
    rate.record(503, s(0.01)); // a delta applied in the same instant
    rate.record(1_503, s(2));
    expect(rate.started).toBe(true);
    expect(rate.rateAt(s(2))).toBe(1_003);
  });

  it('slides: what arrived more than a minute ago drops out, across minute boundaries', () => {
    const rate = new RateWindow();
    rate.record(0, s(0));
    rate.record(10, s(20));
    rate.record(30, s(50));
    expect(rate.rateAt(s(59))).toBe(30);
    expect(rate.knownAt(s(59))).toBe(false); // no seed: known once a whole minute was watched
    expect(rate.knownAt(s(60))).toBe(true);
    expect(rate.rateAt(s(70))).toBe(30); // window (10 s, 70 s]: the total at 10 s was 0
    expect(rate.rateAt(s(80))).toBe(20); // window (20 s, 80 s]: the total at 20 s was 10
    expect(rate.rateAt(s(111))).toBe(0);
    rate.record(31, s(112));
    expect(rate.rateAt(s(112))).toBe(1);
  });

  it("fills the minute it has not watched yet with the server's average, taken once", () => {
    const rate = new RateWindow();
    expect(rate.knownAt(s(0))).toBe(false);
    rate.record(1_000, s(0));
    expect(rate.knownAt(s(0))).toBe(false); // not watched a minute, no seed yet
    rate.seed(120);
    expect(rate.knownAt(s(0))).toBe(true);
    expect(rate.rateAt(s(0))).toBe(120);
    rate.record(1_030, s(15));
    expect(rate.rateAt(s(15))).toBe(30 + 90);
    rate.seed(500); // a later read covers minutes the board watched: ignored
    expect(rate.rateAt(s(45))).toBe(30 + 30);
    expect(rate.rateAt(s(60))).toBe(30);
  });

  it('a lower total the same day is a corrected overcount: the rate drops by it', () => {
    const rate = new RateWindow();
    rate.record(100, s(0), '2026-11-29');
    rate.record(150, s(10), '2026-11-29'); // +50 live, 10 of them counted twice
    expect(rate.rateAt(s(10))).toBe(50);
    rate.record(140, s(12), '2026-11-29'); // the snapshot's exact total
    expect(rate.rateAt(s(12))).toBe(40);
    rate.record(90, s(13), '2026-11-29'); // never below nothing
    expect(rate.rateAt(s(13))).toBe(0);
  });

  it('a new day shifts the window, so the rate goes on across midnight', () => {
    const rate = new RateWindow();
    rate.record(50_000, s(0), '2026-11-29');
    rate.record(50_040, s(20), '2026-11-29');
    rate.record(3, s(30), '2026-11-30'); // midnight: the new day's total
    rate.record(8, s(35), '2026-11-30');
    expect(rate.rateAt(s(35))).toBe(45); // 40 before midnight, 5 after the new day's first total
  });
});
