/**
 * The directory held in memory: the unit tree with each unit's path from the root, and each group's
 * placement. Built for the per-event `place` call and for memory at 1 M groups: a group holds only a
 * reference to a Placement shared by every group of the same unit and category, and that Placement
 * holds its unit's path array (one array per unit, never copied per group). The placements of a unit
 * hang off its node (a short list, one per category in use there) rather than off a map keyed by
 * unit and category: at 1 M groups that map held ~960k key strings (~100 MB). Pure, no I/O.
 */
import { UNASSIGNED_PLACEMENT, type Placement } from '../processor/directory.ts';
import { DEFAULT_SETTINGS, type DirectorySettings, type Unit } from './model.ts';
import type { GroupRow } from './repository.ts';

export interface UnitNode {
  unit: Unit;
  /** Unit ids from the root down to this unit (shared by every placement of the unit). */
  path: readonly string[];
  /** Division stamped on events of groups under this unit. */
  division: string;
  /** Placements of the groups on this unit, one per category in use (built on demand). */
  placements?: Placement[];
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

export function createDirectoryIndex(): DirectoryIndex {
  let settings = DEFAULT_SETTINGS;
  let units = new Map<string, UnitNode>();
  let children = new Map<string, string[]>();
  const groups = new Map<string, Placement>();
  const targets = new Map<string, number>();
  let leafLevel = settings.levels[settings.levels.length - 1];

  function placementFor(unitId: string, category: string): Placement | undefined {
    const node = units.get(unitId);
    if (!node) return undefined;
    const list = node.placements ?? [];
    for (const placement of list) if (placement.category === category) return placement;
    const placement = Object.freeze({ division: node.division, category, unitPath: node.path as string[] });
    // concat allocates the exact length; push or spread leave room for more (~180 B an array, × 500k units).
    node.placements = list.concat(placement);
    return placement;
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
    groups,
    targets,

    place(groupId) {
      return groups.get(groupId) ?? UNASSIGNED_PLACEMENT;
    },

    setTree(nextSettings, tree) {
      settings = nextSettings;
      leafLevel = settings.levels[settings.levels.length - 1];
      const nodes = new Map<string, UnitNode>();
      const kids = new Map<string, string[]>();
      // Paths are built parent-first and shared: a child's path is its parent's plus itself.
      const pathOf = (id: string, depth: number): readonly string[] => {
        const done = nodes.get(id);
        if (done) return done.path;
        const unit = tree.get(id)!;
        const parentPath = unit.parent && tree.has(unit.parent) && depth < 64 ? pathOf(unit.parent, depth + 1) : [];
        // concat: exact length (a spread leaves room for more, ~100 B a unit at 500k units).
        const path = Object.freeze(parentPath.concat(id));
        nodes.set(id, { unit, path, division: '', placements: undefined });
        return path;
      };
      for (const id of tree.keys()) pathOf(id, 0);
      for (const node of nodes.values()) {
        node.division = divisionOf(node.path, tree, settings);
        const parent = node.unit.parent && tree.has(node.unit.parent) ? node.unit.parent : '';
        let list = kids.get(parent);
        if (!list) kids.set(parent, (list = []));
        list.push(node.unit.id);
      }
      units = nodes;
      children = kids;
      for (const [groupId, old] of groups) {
        const unitId = old.unitPath[old.unitPath.length - 1];
        const placement = unitId === undefined ? undefined : placementFor(unitId, old.category);
        if (placement) groups.set(groupId, placement);
        else groups.delete(groupId);
      }
    },

    applyGroups(rows) {
      for (const row of rows) {
        const placement = row.deleted ? undefined : placementFor(row.unit, row.category);
        if (!placement) {
          groups.delete(row.id);
          targets.delete(row.id);
          continue;
        }
        groups.set(row.id, placement);
        if (row.targetSize !== null) targets.set(row.id, row.targetSize);
        else targets.delete(row.id);
      }
    },

    isLeaf(unitId) {
      return units.get(unitId)?.unit.level === leafLevel;
    },
  };
}
