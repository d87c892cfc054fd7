/**
 * Coverage per unit and per child: leaf units (booths) with at least one group, with a group active
 * in the last 24 h and 7 days, booths missing an expected category, and people reached (distinct,
 * from readReach) against the sum of the groups' target sizes where set. Pure.
 */
import type { DirectoryIndex } from './directory-index.ts';

export interface Coverage {
  id: string;
  name: string;
  level: string;
  booths: number;
  boothsWithGroup: number;
  boothsActive24h: number;
  boothsActive7d: number;
  /** Booths lacking at least one expected category. */
  boothsMissingExpected: number;
  /** Per expected category: booths without a group of it. */
  missingByCategory: Record<string, number>;
  groups: number;
  /** Distinct people present in the unit's groups (one person in several groups counts once). */
  reached: number;
  /** Sum of target sizes of the unit's groups that have one; null when none does. */
  target: number | null;
}

export interface CoverageReport {
  asOf: string;
  expected: string[];
  leafLevel: string;
  total: Coverage;
  children: Coverage[];
}

/**
 * Booth state in flat arrays, not an object and a Set per booth (that made this pass allocation-bound
 * at 50k+ booths): booth n's activity in `active[n]` (bits below) and whether it has a group of
 * expected category i in `present[n * expected + i]`.
 */
const ACTIVE_24H = 1;
const ACTIVE_7D = 2;

const DAY_MS = 86_400_000;

export function computeCoverage(
  index: DirectoryIndex,
  unitId: string,
  lastMessage: ReadonlyMap<string, number>,
  reach: { total: number; byChild: ReadonlyMap<string, number> },
  expected: string[],
  now: number,
): CoverageReport | undefined {
  const node = unitId ? index.units.get(unitId) : undefined;
  if (unitId && !node) return undefined;
  const depth = node ? node.path.length : 0;
  const leafLevel = index.settings.levels[index.settings.levels.length - 1]!;

  // Per booth under the unit: the expected categories present and whether a group spoke lately.
  const categoryIndex = new Map<string, number>();
  expected.forEach((c, i) => categoryIndex.has(c) || categoryIndex.set(c, i));
  const boothIndex = new Map<string, number>();
  const active: number[] = [];
  const present: number[] = [];
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
      boothIndex.set(leaf, (n = active.length));
      active.push(0);
      for (let i = 0; i < expected.length; i++) present.push(0);
    }
    const category = categoryIndex.get(placement.category);
    if (category !== undefined) present[n * expected.length + category] = 1;
    const last = lastMessage.get(groupId);
    if (last !== undefined && last >= now - 7 * DAY_MS) active[n]! |= last >= now - DAY_MS ? ACTIVE_24H | ACTIVE_7D : ACTIVE_7D;
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

  // Every leaf under the unit counts, with or without groups.
  const addBooth = (target: Coverage, n: number | undefined) => {
    target.booths += 1;
    if (n !== undefined) {
      target.boothsWithGroup += 1;
      if (active[n]! & ACTIVE_24H) target.boothsActive24h += 1;
      if (active[n]! & ACTIVE_7D) target.boothsActive7d += 1;
    }
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
    const row = rows.get(path[depth] ?? leafId);
    if (row) addBooth(row, booth);
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
  total.reached = reach.total;
  for (const [childId, people] of reach.byChild) {
    const row = rows.get(childId);
    if (row) row.reached = people;
  }
  return {
    asOf: new Date(now).toISOString(),
    expected,
    leafLevel,
    total,
    children: [...rows.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}
