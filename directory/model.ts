/**
 * The organisation model: levels and categories configured per deployment, units forming a tree,
 * and groups hanging off any unit. Plain data and pure helpers; storage lives in repository.ts.
 */
import { z } from 'zod';

/** The category set a deployment starts with (configurable through the settings import). */
export const DEFAULT_CATEGORIES = [
  'office-bearers', 'booth-voters', 'youth', 'farmers', 'students', 'women', 'traders', 'professionals',
] as const;

/** The levels a deployment starts with, top first (configurable). */
export const DEFAULT_LEVELS = ['state', 'division', 'district', 'assembly', 'mandal', 'booth'] as const;

export interface DirectorySettings {
  /** Level names, top of the tree first. */
  levels: string[];
  /** The level whose unit is stamped as `division` on every event (the rollup key). */
  divisionLevel: string;
  categories: string[];
}

export interface Unit {
  id: string;
  name: string;
  level: string;
  /** '' for a root unit. */
  parent: string;
  /** Voters the unit counts (its electoral roll), when the directory was told; else the sum of its children's. */
  voters?: number;
}

export interface GroupEntry {
  id: string;
  unit: string;
  category: string;
  title: string;
  platform: string;
  /** People this group should reach; undefined when not set. */
  targetSize?: number;
}

/** A person to call about a unit (its pramukh, in-charge) or about one group (its admin). */
export interface Contact {
  id: string;
  /** The unit the person answers for; '' when the contact is a group's. */
  unit: string;
  /** The group the person answers for; '' when the contact is a unit's. */
  group: string;
  person: string;
  role: string;
  /** E.164. */
  phone: string;
}

/** A representative whose public account is watched: followers weighed against the voters of their unit. */
export interface Representative {
  id: string;
  person: string;
  /** minister, MP, MLA, district president… (free text, kept as imported). */
  role: string;
  unit: string;
  platform: string;
  /** The public account id on the platform (what collectors send as `account`). */
  account: string;
}

const name = z.string().trim().min(1).max(64).regex(/^[\w .:-]+$/, 'letters, digits, space, _ . : - only');

export const settingsInputSchema = z
  .object({
    levels: z.array(name).min(1, 'at least one level').max(16),
    divisionLevel: name.optional(),
    categories: z.array(name).min(1, 'at least one category').max(64).optional(),
  })
  .superRefine((s, ctx) => {
    if (new Set(s.levels).size !== s.levels.length) ctx.addIssue({ code: 'custom', path: ['levels'], message: 'level names must be distinct' });
    if (s.divisionLevel && !s.levels.includes(s.divisionLevel)) {
      ctx.addIssue({ code: 'custom', path: ['divisionLevel'], message: `divisionLevel "${s.divisionLevel}" is not one of the levels (${s.levels.join(', ')})` });
    }
    if (s.categories && new Set(s.categories).size !== s.categories.length) ctx.addIssue({ code: 'custom', path: ['categories'], message: 'category names must be distinct' });
  });
export type SettingsInput = z.infer<typeof settingsInputSchema>;

/** Default division: the level named `division`, else the second level, else the only one. */
export function defaultDivisionLevel(levels: string[]): string {
  if (levels.includes('division')) return 'division';
  return levels[1] ?? levels[0]!;
}

export function resolveSettings(input: SettingsInput, previous?: DirectorySettings): DirectorySettings {
  return {
    levels: input.levels,
    divisionLevel: input.divisionLevel ?? defaultDivisionLevel(input.levels),
    categories: input.categories ?? previous?.categories ?? [...DEFAULT_CATEGORIES],
  };
}

export const DEFAULT_SETTINGS: DirectorySettings = resolveSettings({ levels: [...DEFAULT_LEVELS] });

/** Ids from the root down to `unitId` (inclusive); [] if unknown. Assumes a validated (acyclic) tree. */
export function pathOf(units: ReadonlyMap<string, Unit>, unitId: string): string[] {
  const path: string[] = [];
  let current = units.get(unitId);
  while (current) {
    path.push(current.id);
    current = current.parent ? units.get(current.parent) : undefined;
    if (path.length > 64) break;
  }
  return path.reverse();
}
