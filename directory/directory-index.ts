/**
 * The directory held in memory: the unit tree with each unit's path from the root, and each group's
 * placement. Built for the per-event `place` call and for memory at 1 M groups: groups are slots
 * of an IdTable (ids packed, no string per id) with their unit, category and target in typed
 * arrays; a Placement is made on each lookup from the unit's node (its path array is shared, one
 * per unit, never copied) — a short-lived object instead of one kept per unit and category.
 * Pure, no I/O.
 */
import { UNASSIGNED_PLACEMENT, type Placement } from '../common/placement.ts';
import { grown, IdTable } from './id-table.ts';
import { DEFAULT_SETTINGS, type DirectorySettings, type Unit } from './model.ts';
import type { GroupRow } from './repository.ts';

export interface UnitNode {
  unit: Unit;
  /** Unit ids from the root down to this unit (shared by every placement of the unit). */
  path: readonly string[];
  /** Division stamped on events of groups under this unit. */
  division: string;
}

export interface DirectoryIndex {
  readonly settings: DirectorySettings;
  readonly units: ReadonlyMap<string, UnitNode>;
  /** Child unit ids per unit id ('' = the roots). */
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Placement per group id. */
  readonly groups: ReadonlyMap<string, Placement>;
  /** Target sizes, only for groups that have one. */
  readonly targets: ReadonlyMap<string, number>;
  place(groupId: string): Placement;
  /** Replace settings and tree; every group is placed again on its unit's new path. */
  setTree(settings: DirectorySettings, units: ReadonlyMap<string, Unit>): void;
  /** Apply changed group rows (newest row per group). */
  applyGroups(rows: GroupRow[]): void;
  /** Is this a leaf unit (on the deepest configured level, e.g. a booth)? */
  isLeaf(unitId: string): boolean;
}

function divisionOf(path: readonly string[], units: ReadonlyMap<string, Unit>, settings: DirectorySettings): string {
  const divisionIndex = settings.levels.indexOf(settings.divisionLevel);
  let above: string | undefined;
  for (const id of path) {
    const level = settings.levels.indexOf(units.get(id)?.level ?? '');
    if (level === divisionIndex) return id;
    if (level < divisionIndex) above = id;
  }
  // A group above the division level (or on a branch that skips it) rolls up under its nearest unit above.
  return above ?? path[0] ?? UNASSIGNED_PLACEMENT.division;
}


/** A unit's node with its position in the node list (what a group slot refers to). */
interface IndexedNode extends UnitNode {
  readonly at: number;
}

/** A read-only Map over the live group slots: lookups and iteration, values made on demand. */
function slotMap<V>(table: IdTable, size: () => number, valueOf: (slot: number) => V | undefined): ReadonlyMap<string, V> {
  /** A plain iterator rather than a generator: iteration over 1 M groups is on the drill-down's path. */
  function entries(): MapIterator<[string, V]> {
    let slot = 0;
    const iterator: MapIterator<[string, V]> = {
      next() {
        while (slot < table.slots) {
          const at = slot++;
          if (!table.isLive(at)) continue;
          const value = valueOf(at);
          if (value !== undefined) return { done: false, value: [table.idOf(at), value] };
        }
        return { done: true, value: undefined };
      },
      [Symbol.iterator]: () => iterator,
    } as MapIterator<[string, V]>;
    return iterator;
  }
  const view: ReadonlyMap<string, V> = {
    get size() {
      return size();
    },
    get(key) {
      const slot = table.find(key);
      return slot < 0 ? undefined : valueOf(slot);
    },
    has(key) {
      return view.get(key) !== undefined;
    },
    forEach(callback, thisArg) {
      for (const [key, value] of entries()) callback.call(thisArg, value, key, view);
    },
    entries,
    *keys(): MapIterator<string> {
      for (const [key] of entries()) yield key;
      return undefined;
    },
    *values(): MapIterator<V> {
      for (const [, value] of entries()) yield value;
      return undefined;
    },
    [Symbol.iterator]: entries,
  };
  return view;
}

export function createDirectoryIndex(): DirectoryIndex {
  let settings = DEFAULT_SETTINGS;
  let units = new Map<string, IndexedNode>();
  let nodes: IndexedNode[] = [];
  let children = new Map<string, string[]>();
  let leafLevel = settings.levels[settings.levels.length - 1];
  const table = new IdTable();
  // Per group slot: its unit (index into nodes), category (index into categoryNames), target (NaN = none).
  let unitOf = new Int32Array(1024);
  let categoryOf = new Uint16Array(1024);
  let targetOf = new Float64Array(1024).fill(NaN);
  let targetCount = 0;
  const categoryNames: string[] = [];
  const categoryIndex = new Map<string, number>();

  function categoryNumber(category: string): number {
    let number = categoryIndex.get(category);
    if (number === undefined) {
      number = categoryNames.push(category) - 1;
      categoryIndex.set(category, number);
    }
    return number;
  }

  function placementOf(slot: number): Placement {
    const node = nodes[unitOf[slot]!]!;
    return { division: node.division, category: categoryNames[categoryOf[slot]!]!, unitPath: node.path as string[] };
  }

  function targetAt(slot: number): number | undefined {
    const target = targetOf[slot]!;
    return Number.isNaN(target) ? undefined : target;
  }

  function setTarget(slot: number, target: number): void {
    if (Number.isNaN(targetOf[slot]!) !== Number.isNaN(target)) targetCount += Number.isNaN(target) ? -1 : 1;
    targetOf[slot] = target;
  }

  function removeGroup(groupId: string): void {
    const slot = table.remove(groupId);
    if (slot >= 0) setTarget(slot, NaN);
  }

  /** After removals: drop dead slots and move the per-slot arrays along. */
  function compact(): void {
    const moved = table.compact();
    if (!moved) return;
    const units = new Int32Array(unitOf.length);
    const categories = new Uint16Array(categoryOf.length);
    const targets = new Float64Array(targetOf.length).fill(NaN);
    for (let slot = 0; slot < moved.length; slot++) {
      const to = moved[slot]!;
      if (to < 0) continue;
      units[to] = unitOf[slot]!;
      categories[to] = categoryOf[slot]!;
      targets[to] = targetOf[slot]!;
    }
    unitOf = units;
    categoryOf = categories;
    targetOf = targets;
  }

  return {
    get settings() {
      return settings;
    },
    get units() {
      return units;
    },
    get children() {
      return children;
    },
    groups: slotMap(table, () => table.size, placementOf),
    targets: slotMap(table, () => targetCount, targetAt),

    place(groupId) {
      const slot = table.find(groupId);
      return slot < 0 ? UNASSIGNED_PLACEMENT : placementOf(slot);
    },

    setTree(nextSettings, tree) {
      settings = nextSettings;
      leafLevel = settings.levels[settings.levels.length - 1];
      const byId = new Map<string, IndexedNode>();
      const list: IndexedNode[] = [];
      const kids = new Map<string, string[]>();
      // Paths are built parent-first and shared: a child's path is its parent's plus itself.
      const pathOf = (id: string, depth: number): readonly string[] => {
        const done = byId.get(id);
        if (done) return done.path;
        const unit = tree.get(id)!;
        const parentPath = unit.parent && tree.has(unit.parent) && depth < 64 ? pathOf(unit.parent, depth + 1) : [];
        // concat: exact length (a spread leaves room for more, ~100 B a unit at 500k units).
        const path = Object.freeze(parentPath.concat(id));
        const node = { unit, path, division: '', at: list.length };
        list.push(node);
        byId.set(id, node);
        return path;
      };
      for (const id of tree.keys()) pathOf(id, 0);
      for (const node of list) {
        node.division = divisionOf(node.path, tree, settings);
        const parent = node.unit.parent && tree.has(node.unit.parent) ? node.unit.parent : '';
        let siblings = kids.get(parent);
        if (!siblings) kids.set(parent, (siblings = []));
        siblings.push(node.unit.id);
      }
      // Every group moves to its unit's new node; groups whose unit is gone are forgotten.
      for (let slot = 0; slot < table.slots; slot++) {
        if (!table.isLive(slot)) continue;
        const node = byId.get(nodes[unitOf[slot]!]!.unit.id);
        if (node) unitOf[slot] = node.at;
        else removeGroup(table.idOf(slot));
      }
      units = byId;
      nodes = list;
      children = kids;
      compact();
    },

    applyGroups(rows) {
      for (const row of rows) {
        const node = row.deleted ? undefined : units.get(row.unit);
        if (!node) {
          removeGroup(row.id);
          continue;
        }
        const slot = table.add(row.id);
        if (slot >= unitOf.length) {
          unitOf = grown(unitOf, slot + 1);
          categoryOf = grown(categoryOf, slot + 1);
          targetOf = grown(targetOf, slot + 1, NaN);
        }
        unitOf[slot] = node.at;
        categoryOf[slot] = categoryNumber(row.category);
        setTarget(slot, row.targetSize ?? NaN);
      }
      compact();
    },

    isLeaf(unitId) {
      return units.get(unitId)?.unit.level === leafLevel;
    },
  };
}
