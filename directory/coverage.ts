/**
 * Coverage per unit and per child: leaf units (booths) with at least one group, with a group active
 * in the last 24 h and 7 days, booths missing an expected category, and people reached (distinct,
 * from readReach) against the sum of the groups' target sizes where set. Pure.
 */
import type { Coverage, CoverageReport } from '../common/contracts/board.ts';
import type { DirectoryIndex } from './directory-index.ts';
import type { DirectorySettings } from './model.ts';
import { DAY_MS } from '../common/time.ts';

/** The categories every booth should have when a request names none: booth voters where the deployment has them, else all. */
export function expectedCategories(settings: Pick<DirectorySettings, 'categories'>): string[] {
  return settings.categories.includes('booth-voters') ? ['booth-voters'] : settings.categories;
}

const ACTIVE_24H = 1;
const ACTIVE_7D = 2;

/**
 * What coverage takes from the directory alone, for one unit and list of expected categories: every
 * count but activity and reach, and which booth each group under the unit sits on. It changes only
 * with the directory, so a caller may keep it per directory version; each request then runs only the
 * activity pass (one lookup per group) in computeCoverage.
 */
export interface CoverageLayout {
  unitId: string;
  expected: string[];
  leafLevel: string;
  /** The report's rows with activity and reach at zero. */
  total: Coverage;
  children: Coverage[];
  /** Groups under the unit placed on a booth, and that booth's number. */
  groupIds: string[];
  groupBooth: Int32Array;
  /** Per booth number: the index of its child row in `children`, or -1. */
  boothRow: Int32Array;
}

/** undefined when the unit is unknown. */
export function coverageLayout(index: DirectoryIndex, unitId: string, expected: string[]): CoverageLayout | undefined {
  const node = unitId ? index.units.get(unitId) : undefined;
  if (unitId && !node) return undefined;
  const depth = node ? node.path.length : 0;
  const leafLevel = index.settings.levels[index.settings.levels.length - 1]!;

  // Per booth under the unit (numbered in order met): the expected categories present, in a flat
  // array (an object and a Set per booth made this pass allocation-bound at 50k+ booths).
  const categoryIndex = new Map<string, number>();
  expected.forEach((c, i) => categoryIndex.has(c) || categoryIndex.set(c, i));
  const boothIndex = new Map<string, number>();
  const boothLeaf: string[] = [];
  const present: number[] = [];
  const groupIds: string[] = [];
  const groupBooth: number[] = [];
  const groupsPerChild = new Map<string, number>();
  const targetPerChild = new Map<string, number>();
  const leaves = new Map<string, boolean>();
  for (const [groupId, placement] of index.groups) {
    const path = placement.unitPath;
    if (depth > 0 && path[depth - 1] !== unitId) continue;
    const child = path[depth] ?? '';
    groupsPerChild.set(child, (groupsPerChild.get(child) ?? 0) + 1);
    const target = index.targets.get(groupId);
    if (target !== undefined) targetPerChild.set(child, (targetPerChild.get(child) ?? 0) + target);
    const leaf = path[path.length - 1]!;
    let isLeaf = leaves.get(leaf);
    if (isLeaf === undefined) leaves.set(leaf, (isLeaf = index.isLeaf(leaf)));
    if (!isLeaf) continue;
    let n = boothIndex.get(leaf);
    if (n === undefined) {
      boothIndex.set(leaf, (n = boothLeaf.length));
      boothLeaf.push(leaf);
      for (let i = 0; i < expected.length; i++) present.push(0);
    }
    const category = categoryIndex.get(placement.category);
    if (category !== undefined) present[n * expected.length + category] = 1;
    groupIds.push(groupId);
    groupBooth.push(n);
  }

  const empty = (id: string, name: string, level: string): Coverage => ({
    id, name, level, booths: 0, boothsWithGroup: 0, boothsActive24h: 0, boothsActive7d: 0, boothsMissingExpected: 0,
    missingByCategory: Object.fromEntries(expected.map((c) => [c, 0])), groups: 0, reached: 0, target: null,
  });
  const total = empty(unitId, node?.unit.name ?? 'all', node?.unit.level ?? '');
  const rows = new Map<string, Coverage>();
  for (const childId of index.children.get(unitId) ?? []) {
    const child = index.units.get(childId)!;
    rows.set(childId, empty(childId, child.unit.name, child.unit.level));
  }
  const children = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  const rowIndex = new Map(children.map((row, i) => [row.id, i]));

  // Every leaf under the unit counts, with or without groups.
  const boothRow = new Int32Array(boothLeaf.length).fill(-1);
  const addBooth = (target: Coverage, n: number | undefined) => {
    target.booths += 1;
    if (n !== undefined) target.boothsWithGroup += 1;
    let missingAny = false;
    for (let i = 0; i < expected.length; i++) {
      if (n !== undefined && present[n * expected.length + categoryIndex.get(expected[i]!)!]) continue;
      target.missingByCategory[expected[i]!]! += 1;
      missingAny = true;
    }
    if (missingAny) target.boothsMissingExpected += 1;
  };
  for (const [leafId, leafNode] of index.units) {
    if (leafNode.unit.level !== leafLevel) continue;
    const path = leafNode.path;
    if (depth > 0 && path[depth - 1] !== unitId) continue;
    const booth = boothIndex.get(leafId);
    addBooth(total, booth);
    const row = rowIndex.get(path[depth] ?? leafId);
    if (row === undefined) continue;
    addBooth(children[row]!, booth);
    if (booth !== undefined) boothRow[booth] = row;
  }

  for (const [childId, count] of groupsPerChild) {
    total.groups += count;
    const row = rows.get(childId);
    if (row) row.groups = count;
  }
  for (const [childId, sum] of targetPerChild) {
    total.target = (total.target ?? 0) + sum;
    const row = rows.get(childId);
    if (row) row.target = sum;
  }
  return { unitId, expected, leafLevel, total, children, groupIds, groupBooth: Int32Array.from(groupBooth), boothRow };
}

/**
 * Coverage of a unit: the directory's part from `layout` (built here when not given), booths active
 * in the last 24 h and 7 days from each group's last message (epoch ms), and people reached.
 */
export function computeCoverage(
  index: DirectoryIndex,
  unitId: string,
  lastMessage: ReadonlyMap<string, number>,
  reach: { total: number; byChild: ReadonlyMap<string, number> },
  expected: string[],
  now: number,
  layout: CoverageLayout | undefined = coverageLayout(index, unitId, expected),
): CoverageReport | undefined {
  if (!layout) return undefined;
  const active = new Uint8Array(layout.boothRow.length);
  for (let i = 0; i < layout.groupIds.length; i++) {
    const last = lastMessage.get(layout.groupIds[i]!);
    if (last !== undefined && last >= now - 7 * DAY_MS) active[layout.groupBooth[i]!]! |= last >= now - DAY_MS ? ACTIVE_24H | ACTIVE_7D : ACTIVE_7D;
  }
  const copy = (row: Coverage): Coverage => ({ ...row, missingByCategory: { ...row.missingByCategory } });
  const total = copy(layout.total);
  const children = layout.children.map(copy);
  for (let n = 0; n < active.length; n++) {
    if (!active[n]) continue;
    const row = layout.boothRow[n]! >= 0 ? children[layout.boothRow[n]!] : undefined;
    if (active[n]! & ACTIVE_24H) {
      total.boothsActive24h += 1;
      if (row) row.boothsActive24h += 1;
    }
    total.boothsActive7d += 1;
    if (row) row.boothsActive7d += 1;
  }
  total.reached = reach.total;
  for (const row of children) row.reached = reach.byChild.get(row.id) ?? 0;
  return { asOf: new Date(now).toISOString(), expected: layout.expected, leafLevel: layout.leafLevel, total, children };
}
