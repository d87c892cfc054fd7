import { describe, expect, it } from 'vitest';
import { daySplit } from './day-split.ts';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('daySplit', () => {
  it('reads whole days from the day table and the partial days around them from the finer one', () => {
    const split = daySplit(Date.parse('2026-11-01T10:00:00Z'), Date.parse('2026-11-05T07:30:00Z'));
    expect(split).toEqual({ from: at('2026-11-01T10:00:00Z'), to: at('2026-11-05T07:30:00Z'), dayFrom: at('2026-11-02T00:00:00Z'), dayTo: at('2026-11-05T00:00:00Z') });
  });

  it('keeps a range already on midnights whole in the day table', () => {
    const split = daySplit(Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-03T00:00:00Z'));
    expect([split.dayFrom, split.dayTo]).toEqual([split.from, split.to]);
  });

  it('sends a range without a whole day to the finer table alone', () => {
    for (const [from, to] of [['2026-11-01T10:00:00Z', '2026-11-02T09:00:00Z'], ['2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z']] as const) {
      const split = daySplit(Date.parse(from), Date.parse(to));
      expect(split.dayFrom).toBe(split.to);
      expect(split.dayTo).toBe(split.to);
    }
  });
});
