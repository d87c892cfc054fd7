import { describe, expect, it } from 'vitest';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import { resolveSettings, type Unit } from '../directory/model.ts';
import { reachMissedFrom } from './reach-missed.ts';

const units: Unit[] = [
  { id: 's', name: 'State', level: 'state', parent: '' },
  { id: 'd1', name: 'Jaipur', level: 'division', parent: 's' },
  { id: 'd2', name: 'Ajmer', level: 'division', parent: 's' },
  { id: 'b1', name: 'B1', level: 'booth', parent: 'd1' },
  { id: 'b2', name: 'B2', level: 'booth', parent: 'd2' },
];
const index = createDirectoryIndex();
index.setTree(resolveSettings({ levels: ['state', 'division', 'booth'], categories: ['youth'] }), new Map(units.map((u) => [u.id, u])));
// Jaipur: 5 booth groups, Ajmer: 2, plus a division group that is no booth group.
index.applyGroups([
  ...[1, 2, 3, 4, 5].map((i) => ({ id: `j${i}`, unit: 'b1', category: 'youth', deleted: false, targetSize: null })),
  ...[1, 2].map((i) => ({ id: `a${i}`, unit: 'b2', category: 'youth', deleted: false, targetSize: null })),
  { id: 'jd', unit: 'd1', category: 'youth', deleted: false, targetSize: null },
]);

const T0 = Date.UTC(2026, 11, 5, 4, 30);
const HOUR = 3_600_000;
const message = { fingerprint: 'abcdef0123456789ffff', firstAt: T0, group: 'gs', unit: 's', division: 's' };
const mark = { fingerprint: message.fingerprint, share: 0.6, withinMinutes: 360, markedBy: 'admin', markedAt: T0 };

describe('reach-missed', () => {
  it('fires per division that had less than the target by the deadline, not before the deadline', () => {
    const divisions = [{ division: 'd1', boothGroups: 2, reachedByDeadline: 2 }, { division: 'd2', boothGroups: 2, reachedByDeadline: 2 }];
    expect(reachMissedFrom(index, [{ message, mark, divisions }], T0 + 6 * HOUR - 1)).toEqual([]);
    const fired = reachMissedFrom(index, [{ message, mark, divisions }], T0 + 6 * HOUR);
    expect(fired).toEqual([expect.objectContaining({
      rule: 'reach-missed', subjectKind: 'unit', subject: 'd1/abcdef0123456789', division: 'd1', unit: 'd1', unitPath: ['s', 'd1'], since: T0 + 6 * HOUR,
      message: 'important message abcdef0123456789 reached 40 % of the booth groups of Jaipur within 6 h (target 60 %)',
      details: expect.objectContaining({ share: 0.4, target: 0.6, boothGroups: 5, reached: 2 }),
    })]);
  });

  it('a division never reached fires too; one that caught up late, or a day past the deadline, does not', () => {
    expect(reachMissedFrom(index, [{ message, mark, divisions: [] }], T0 + 7 * HOUR).map((c) => c.subject)).toEqual(['d1/abcdef0123456789', 'd2/abcdef0123456789']);
    const caughtUp = [{ division: 'd1', boothGroups: 3, reachedByDeadline: 1 }, { division: 'd2', boothGroups: 2, reachedByDeadline: 2 }];
    expect(reachMissedFrom(index, [{ message, mark, divisions: caughtUp }], T0 + 7 * HOUR)).toEqual([]);
    expect(reachMissedFrom(index, [{ message, mark, divisions: [] }], T0 + 30 * HOUR)).toEqual([]);
  });
});
