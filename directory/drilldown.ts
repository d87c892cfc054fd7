/**
 * Drill-down: a unit → its children, each with groups, active and inactive groups, messages, joins,
 * leaves and current members (latest snapshots), over a window. Pure: from sums per child unit
 * (summed in the engine, directory/activity.ts#readUnitActivity), or joining per-group numbers with
 * the in-memory directory in one pass over the groups.
 */
import type { DrillDown, UnitCounts, UnitSums } from '../common/contracts/board.ts';
import type { GroupActivity } from './activity.ts';
import type { DirectoryIndex } from './directory-index.ts';

const SUM_KEYS = ['groups', 'activeGroups', 'inactiveGroups', 'messages', 'media', 'forwarded', 'joins', 'leaves', 'members'] as const satisfies readonly (keyof UnitSums)[];

function zeroSums(): UnitSums {
  return { groups: 0, activeGroups: 0, inactiveGroups: 0, messages: 0, media: 0, forwarded: 0, joins: 0, leaves: 0, members: 0 };
}

function add(target: UnitSums, seen: GroupActivity | undefined, size: number): void {
  target.groups += 1;
  target.members += size;
  if (seen && seen.messages > 0) target.activeGroups += 1;
  else target.inactiveGroups += 1;
  if (seen) {
    target.messages += seen.messages;
    target.media += seen.media;
    target.forwarded += seen.forwarded;
    target.joins += seen.joins;
    target.leaves += seen.leaves;
  }
}

function addSums(target: UnitSums, more: UnitSums): void {
  for (const key of SUM_KEYS) target[key] += more[key];
}

/**
 * The drill-down of a unit from its sums per child unit (key '' = groups placed on the unit itself),
 * however they were summed (in memory by `drillDown`, or in the engine by readUnitActivity): names
 * and levels from the directory, a zero row for each child without groups, the total over all.
 * undefined when the unit is unknown. `unitId` '' = the top of the tree.
 */
export function assembleDrillDown(index: DirectoryIndex, unitId: string, byChild: ReadonlyMap<string, UnitSums>): DrillDown | undefined {
  const node = unitId ? index.units.get(unitId) : undefined;
  if (unitId && !node) return undefined;
  const total: UnitCounts = { id: unitId, name: node?.unit.name ?? 'all', level: node?.unit.level ?? '', ...zeroSums() };
  const rows = new Map<string, UnitCounts>();
  for (const childId of index.children.get(unitId) ?? []) {
    const child = index.units.get(childId)!;
    rows.set(childId, { id: childId, name: child.unit.name, level: child.unit.level, ...zeroSums() });
  }
  for (const [childId, sums] of byChild) {
    let row = rows.get(childId);
    if (!row) {
      const child = childId ? index.units.get(childId) : undefined;
      const name = childId ? (child?.unit.name ?? childId) : '(groups on this unit)';
      rows.set(childId, (row = { id: childId, name, level: childId ? (child?.unit.level ?? '') : (node?.unit.level ?? ''), ...zeroSums() }));
    }
    addSums(row, sums);
    addSums(total, sums);
  }
  return {
    unit: node ? { id: node.unit.id, name: node.unit.name, level: node.unit.level, path: [...node.path] } : null,
    total,
    children: [...rows.values()].sort((a, b) => (a.id === '' ? 1 : b.id === '' ? -1 : a.name.localeCompare(b.name))),
  };
}

/** The drill-down joined in memory: one pass over the directory's groups with per-group numbers. */
export function drillDown(
  index: DirectoryIndex,
  unitId: string,
  activity: ReadonlyMap<string, GroupActivity>,
  members: ReadonlyMap<string, number>,
): DrillDown | undefined {
  const node = unitId ? index.units.get(unitId) : undefined;
  if (unitId && !node) return undefined;
  const depth = node ? node.path.length : 0;
  const byChild = new Map<string, UnitSums>();
  for (const [groupId, placement] of index.groups) {
    const path = placement.unitPath;
    if (depth > 0 && path[depth - 1] !== unitId) continue;
    const childId = path[depth] ?? '';
    let sums = byChild.get(childId);
    if (!sums) byChild.set(childId, (sums = zeroSums()));
    add(sums, activity.get(groupId), members.get(groupId) ?? 0);
  }
  return assembleDrillDown(index, unitId, byChild);
}

export interface QuietGroups {
  /** Groups placed at or under the unit. */
  groups: number;
  /** Of them, the quiet ones. */
  quietGroups: number;
  /** The longest silent first (never spoken before those that spoke, then oldest last message), at most `limit`. */
  longest: { id: string; unit: string; category: string; lastMessageAt: number | null }[];
}

/** Whether a group is quiet, given its placement and last message (the api passes alerts/quiet.ts's definition). */
export type QuietTest = (groupId: string, placement: { unitPath: readonly string[]; category: string }, lastMessageAt: number | undefined) => boolean;

/**
 * Groups at or under `unitId` ('' = all) and which of them are quiet by `isQuiet` (the api passes
 * alerts/quiet.ts's definition; `lastMessage`: epoch ms of each group's last message). One pass over the directory.
 */
export function findQuietGroups(index: DirectoryIndex, unitId: string, lastMessage: ReadonlyMap<string, number>, isQuiet: QuietTest, limit = 0): QuietGroups | undefined {
  const node = unitId ? index.units.get(unitId) : undefined;
  if (unitId && !node) return undefined;
  const depth = node ? node.path.length : 0;
  let groups = 0;
  const found: { id: string; placement: { unitPath: readonly string[]; category: string }; last: number | null }[] = [];
  let quietGroups = 0;
  for (const [groupId, placement] of index.groups) {
    if (depth > 0 && placement.unitPath[depth - 1] !== unitId) continue;
    groups += 1;
    const last = lastMessage.get(groupId);
    if (!isQuiet(groupId, placement, last)) continue;
    quietGroups += 1;
    if (limit > 0) found.push({ id: groupId, placement, last: last ?? null });
  }
  found.sort((a, b) => (a.last ?? -Infinity) - (b.last ?? -Infinity) || a.id.localeCompare(b.id));
  return {
    groups,
    quietGroups,
    longest: found.slice(0, limit).map((q) => ({ id: q.id, unit: q.placement.unitPath.at(-1) ?? '', category: q.placement.category, lastMessageAt: q.last })),
  };
}
