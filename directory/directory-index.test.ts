import { describe, expect, it } from 'vitest';
import { createDirectoryIndex } from './directory-index.ts';
import { resolveSettings, type Unit } from './model.ts';
import type { GroupRow } from './repository.ts';

const settings = resolveSettings({ levels: ['state', 'division', 'booth'], categories: ['youth', 'women'] });
const tree = (list: Unit[]) => new Map(list.map((u) => [u.id, u]));
const units: Unit[] = [
  { id: 's', name: 'S', level: 'state', parent: '' },
  { id: 'd1', name: 'D1', level: 'division', parent: 's' },
  { id: 'd2', name: 'D2', level: 'division', parent: 's' },
  { id: 'b1', name: 'B1', level: 'booth', parent: 'd1' },
  { id: 'b2', name: 'B2', level: 'booth', parent: 'd2' },
];
const row = (id: string, unit: string, category = 'youth', targetSize: number | null = null): GroupRow => ({ id, unit, category, deleted: false, targetSize });
const removal = (id: string): GroupRow => ({ id, unit: '', category: '', deleted: true, targetSize: null });

function indexWith(rows: GroupRow[]) {
  const index = createDirectoryIndex();
  index.setTree(settings, tree(units));
  index.applyGroups(rows);
  return index;
}

describe('directory index: groups and targets as maps', () => {
  it('lists, counts and looks up groups in the order they came', () => {
    const index = indexWith([row('g1', 'b1', 'youth', 100), row('g2', 'b2', 'women'), row('g3', 'd1')]);
    expect(index.groups.size).toBe(3);
    expect([...index.groups.keys()]).toEqual(['g1', 'g2', 'g3']);
    expect([...index.groups]).toEqual([
      ['g1', { division: 'd1', category: 'youth', unitPath: ['s', 'd1', 'b1'] }],
      ['g2', { division: 'd2', category: 'women', unitPath: ['s', 'd2', 'b2'] }],
      ['g3', { division: 'd1', category: 'youth', unitPath: ['s', 'd1'] }],
    ]);
    expect(index.groups.get('g2')?.unitPath).toBe(index.units.get('b2')!.path);
    expect(index.groups.has('g3')).toBe(true);
    expect(index.groups.get('nope')).toBeUndefined();
    expect(index.targets.size).toBe(1);
    expect([...index.targets]).toEqual([['g1', 100]]);
    expect(index.targets.get('g2')).toBeUndefined();
  });

  it('moves a group to its newest unit, category and target, and forgets removed groups', () => {
    const index = indexWith([row('g1', 'b1', 'youth', 100), row('g2', 'b2', 'women', 5)]);
    index.applyGroups([row('g1', 'b2', 'women', null), removal('g2'), row('g9', 'unknown-unit')]);
    expect(index.place('g1')).toEqual({ division: 'd2', category: 'women', unitPath: ['s', 'd2', 'b2'] });
    expect(index.place('g2').division).toBe('unassigned');
    expect(index.place('g9').division).toBe('unassigned');
    expect(index.groups.size).toBe(1);
    expect(index.targets.size).toBe(0);
    index.applyGroups([row('g2', 'b1', 'youth', 7)]);
    expect([...index.groups.keys()]).toEqual(['g1', 'g2']);
    expect(index.targets.get('g2')).toBe(7);
  });

  it('forgets the groups of a removed unit when the tree changes', () => {
    const index = indexWith([row('g1', 'b1', 'youth', 3), row('g2', 'b2')]);
    index.setTree(settings, tree(units.filter((u) => u.id !== 'b1')));
    expect(index.groups.size).toBe(1);
    expect(index.targets.size).toBe(0);
    expect(index.place('g1').division).toBe('unassigned');
    expect(index.place('g2')).toEqual({ division: 'd2', category: 'youth', unitPath: ['s', 'd2', 'b2'] });
  });

  it('keeps every placement right after most groups are removed (the table compacts)', () => {
    const many = Array.from({ length: 5000 }, (_, i) => row(`g${i}`, i % 2 ? 'b1' : 'b2', i % 3 ? 'youth' : 'women', i % 5 ? null : i));
    const index = indexWith(many);
    index.applyGroups(many.filter((_, i) => i % 4 !== 0).map((r) => removal(r.id)));
    expect(index.groups.size).toBe(1250);
    expect(index.targets.size).toBe(many.filter((r, i) => i % 4 === 0 && r.targetSize !== null).length);
    for (const [i, r] of many.entries()) {
      const expected = i % 4 === 0 ? { division: r.unit === 'b1' ? 'd1' : 'd2', category: r.category, unitPath: ['s', r.unit === 'b1' ? 'd1' : 'd2', r.unit] } : undefined;
      expect(index.groups.get(r.id)).toEqual(expected);
      expect(index.targets.get(r.id)).toBe(i % 4 === 0 && r.targetSize !== null ? r.targetSize : undefined);
    }
    expect([...index.groups.keys()].slice(0, 3)).toEqual(['g0', 'g4', 'g8']);
  });
});
