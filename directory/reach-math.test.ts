import { describe, expect, it } from 'vitest';
import { divisionShares, firstArrivalByLevel, missingBoothGroups, share, targetMissed } from './reach-math.ts';

const T0 = Date.UTC(2026, 11, 5, 4, 30);
const MIN = 60_000;

describe('reach math', () => {
  it('shares round to 4 decimals; 0 of 0 is 0', () => {
    expect(share(1, 3)).toBe(0.3333);
    expect(share(2, 3)).toBe(0.6667);
    expect(share(0, 0)).toBe(0);
  });

  it('lists every division the reader sees, a division never reached at 0, by name', () => {
    const rows = [{ division: 'JPR', groups: 3, units: 3, boothGroups: 2, booths: 2, reachedAt: [1, 2, 2, 2] }];
    const totals = new Map([['JPR', 3], ['AJM', 2]]);
    const names: Record<string, string> = { JPR: 'Jaipur', AJM: 'Ajmer', KOTA: 'Kota' };
    expect(divisionShares(rows, ['JPR', 'AJM', 'KOTA'], totals, (id) => names[id]!)).toEqual([
      { division: 'AJM', name: 'Ajmer', boothGroups: 2, reachedAt: [0, 0, 0, 0], shares: [0, 0, 0, 0], groups: 0 },
      { division: 'JPR', name: 'Jaipur', boothGroups: 3, reachedAt: [1, 2, 2, 2], shares: [0.3333, 0.6667, 0.6667, 0.6667], groups: 3 },
      { division: 'KOTA', name: 'Kota', boothGroups: 0, reachedAt: [0, 0, 0, 0], shares: [0, 0, 0, 0], groups: 0 },
    ]);
  });

  it('orders levels top first, in minutes after the origin, leaving out levels the tree does not have', () => {
    const byLevel = [
      { level: 'booth', firstAt: T0 + 30 * MIN, groups: 3 },
      { level: 'state', firstAt: T0, groups: 1 },
      { level: 'mandal', firstAt: T0 + 20 * MIN, groups: 1 },
      { level: 'ward', firstAt: T0 + MIN, groups: 5 },
    ];
    expect(firstArrivalByLevel(byLevel, ['state', 'division', 'mandal', 'booth'], T0)).toEqual([
      { level: 'state', firstAt: new Date(T0).toISOString(), minutes: 0, groups: 1 },
      { level: 'mandal', firstAt: new Date(T0 + 20 * MIN).toISOString(), minutes: 20, groups: 1 },
      { level: 'booth', firstAt: new Date(T0 + 30 * MIN).toISOString(), minutes: 30, groups: 3 },
    ]);
  });

  it('pages the booth groups never reached in natural order of unit name', () => {
    const booths = [
      { id: 'g10', unit: 'B10' }, { id: 'g2', unit: 'B2' }, { id: 'g1', unit: 'B1' }, { id: 'g2b', unit: 'B2' },
    ];
    const name = (u: string) => `Booth ${u.slice(1)}`;
    expect(missingBoothGroups(booths, new Set(['g1']), name, 1, 2)).toEqual({
      total: 3,
      groups: [{ id: 'g2', unit: 'B2', unitName: 'Booth 2' }, { id: 'g2b', unit: 'B2', unitName: 'Booth 2' }],
    });
    expect(missingBoothGroups(booths, new Set(['g1']), name, 2, 2).groups).toEqual([{ id: 'g10', unit: 'B10', unitName: 'Booth 10' }]);
  });

  it('judges a target only after its deadline, on the booth groups reached by then', () => {
    const target = { share: 0.6, withinMinutes: 360 };
    expect(targetMissed(target, T0, T0 + 359 * MIN, 0, 10)).toBeUndefined();
    expect(targetMissed(target, T0, T0 + 360 * MIN, 5, 10)).toBe(0.5);
    expect(targetMissed(target, T0, T0 + 360 * MIN, 6, 10)).toBeUndefined();
    expect(targetMissed(target, T0, T0 + 999 * MIN, 0, 0)).toBeUndefined();
  });
});
