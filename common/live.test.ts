import { describe, expect, it } from 'vitest';
import { mergeRows, type CountsRow } from './live.ts';

const row = (division: string, category: string, messages: number, joins = 0): CountsRow => ({ division, category, messages, media: 0, forwarded: 0, joins, leaves: 0 });

describe('mergeRows', () => {
  it('adds rows up per cell, cells in the order they first appear, without changing the rows given', () => {
    const first = row('jaipur', 'youth', 2);
    const merged = mergeRows([first, row('ajmer', 'youth', 1), row('jaipur', 'youth', 5, 1), row('jaipur', 'women', 3)]);
    expect(merged).toEqual([row('jaipur', 'youth', 7, 1), row('ajmer', 'youth', 1), row('jaipur', 'women', 3)]);
    expect(first.messages).toBe(2);
    expect(mergeRows([])).toEqual([]);
  });
});
