import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.ts';

describe('id table', () => {
  it('gives each id one slot, in order, across sealed pages', () => {
    const table = new IdTable();
    const ids = Array.from({ length: 10_000 }, (_, i) => `wa:sim${i}@g.us`);
    ids.forEach((id, i) => expect(table.add(id)).toBe(i));
    expect(table.add('wa:sim42@g.us')).toBe(42);
    expect(table.size).toBe(10_000);
    for (const [i, id] of ids.entries()) {
      expect(table.find(id)).toBe(i);
      expect(table.idOf(i)).toBe(id);
    }
    expect(table.find('wa:sim10000@g.us')).toBe(-1);
    expect(table.find('wa:sim1@g.u')).toBe(-1);
  });

  it('tells apart ids that are prefixes of each other or share a hash bucket', () => {
    const table = new IdTable();
    for (const id of ['a', 'ab', 'abc', '', 'b', 'ba']) table.add(id);
    expect(['a', 'ab', 'abc', '', 'b', 'ba', 'abcd'].map((id) => table.find(id))).toEqual([0, 1, 2, 3, 4, 5, -1]);
  });

  it('keeps ids beyond Latin-1 exact', () => {
    const table = new IdTable();
    const ids = ['tg:-100123', 'wa:समूह-1', 'wa:groupe-é', 'wa:😀', 'wa:plain'];
    for (let round = 0; round < 1000; round++) for (const id of ids) table.add(`${id}-${round}`);
    expect(table.find('wa:समूह-1-999')).toBe(1000 * 5 - 4);
    expect(table.idOf(1000 * 5 - 2)).toBe('wa:😀-999');
  });

  it('forgets removed ids, adds them back in a new slot and compacts when half are dead', () => {
    const table = new IdTable();
    for (let i = 0; i < 5000; i++) table.add(`g${i}`);
    expect(table.remove('g7')).toBe(7);
    expect(table.remove('g7')).toBe(-1);
    expect(table.find('g7')).toBe(-1);
    expect(table.isLive(7)).toBe(false);
    expect(table.add('g7')).toBe(5000);
    expect(table.compact()).toBeUndefined();
    for (let i = 0; i <= 3000; i++) if (i !== 7) table.remove(`g${i}`);
    const moved = table.compact();
    expect(moved?.[0]).toBe(-1);
    expect(moved?.[3001]).toBe(0);
    expect(moved?.[5000]).toBe(1999);
    expect(table.slots).toBe(2000);
    expect(table.size).toBe(2000);
    expect(table.find('g3001')).toBe(0);
    expect(table.find('g7')).toBe(1999);
    expect(table.idOf(1998)).toBe('g4999');
    expect(table.find('g3000')).toBe(-1);
  });

  it('stays findable through many removals and re-adds (removed buckets are reused on rehash)', () => {
    const table = new IdTable();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 1000; i++) table.add(`g${i}`);
      for (let i = 0; i < 1000; i += 2) table.remove(`g${i}`);
    }
    expect(table.size).toBe(500);
    for (let i = 0; i < 1000; i++) expect(table.find(`g${i}`) >= 0).toBe(i % 2 === 1);
  });
});
