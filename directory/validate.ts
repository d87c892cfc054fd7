/**
 * Validation of unit, group and contact imports. All-or-nothing: the caller applies nothing unless the
 * result is ok, and a refused import lists every problem with its line. Pure.
 */
import type { Contact, DirectorySettings, GroupEntry, Representative, Unit } from './model.ts';
import type { ImportRecord, Problem } from './parse.ts';

export type ImportMode = 'merge' | 'replace';

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

const MAX_ID = 256;

export interface UnitChanges {
  /** Units to write (new or changed). */
  upserts: Unit[];
  /** Unit ids to remove (replace mode: known before, absent from the file). */
  removals: string[];
  /** The tree after the import. */
  tree: Map<string, Unit>;
}

function byLine(a: Problem, b: Problem): number {
  return a.line - b.line;
}

/**
 * Units: id, name, level, parent, optional voters. `existing` is the tree now; `merge` upserts the file into it,
 * `replace` makes the file the whole tree. `groupUnits` (units groups hang off) must survive.
 */
export function validateUnits(
  records: ImportRecord[],
  settings: DirectorySettings,
  existing: ReadonlyMap<string, Unit>,
  mode: ImportMode,
  groupUnits: ReadonlySet<string> = new Set(),
): Validated<UnitChanges> {
  const problems: Problem[] = [];
  const levelIndex = new Map(settings.levels.map((level, i) => [level, i]));
  const lineOf = new Map<string, number>();
  const incoming: Unit[] = [];

  for (const { line, fields } of records) {
    const unit: Unit = { id: fields.id ?? '', name: fields.name ?? '', level: fields.level ?? '', parent: fields.parent ?? '' };
    const voters = fields.voters ?? '';
    if (voters !== '') {
      unit.voters = Number(voters);
      if (!Number.isInteger(unit.voters) || unit.voters < 0 || unit.voters > 4_000_000_000) problems.push({ line, problem: `voters "${voters}" must be a whole number ≥ 0` });
    }
    if (!unit.id) {
      problems.push({ line, problem: 'id is empty' });
      continue;
    }
    if (unit.id.length > MAX_ID) problems.push({ line, problem: `id is longer than ${MAX_ID} characters` });
    const first = lineOf.get(unit.id);
    if (first !== undefined) {
      problems.push({ line, problem: `duplicate id "${unit.id}" (first on line ${first})` });
      continue;
    }
    lineOf.set(unit.id, line);
    if (!unit.name) problems.push({ line, problem: `name of "${unit.id}" is empty` });
    if (!levelIndex.has(unit.level)) problems.push({ line, problem: `unknown level "${unit.level}" (levels: ${settings.levels.join(' > ')})` });
    incoming.push(unit);
  }

  const tree = new Map<string, Unit>(mode === 'merge' ? existing : []);
  for (const unit of incoming) tree.set(unit.id, unit);

  for (const unit of incoming) {
    const line = lineOf.get(unit.id)!;
    if (unit.parent && !tree.has(unit.parent)) problems.push({ line, problem: `unknown parent "${unit.parent}" of "${unit.id}"` });
  }

  // Cycles first: a unit on a cycle is reported as such, not as a level problem.
  const onCycle = new Set<string>();
  const settled = new Set<string>();
  for (const start of tree.keys()) {
    const trail: string[] = [];
    const inTrail = new Set<string>();
    let id: string | undefined = start;
    while (id && !settled.has(id) && tree.has(id)) {
      if (inTrail.has(id)) {
        const cycle = trail.slice(trail.indexOf(id));
        for (const member of cycle) {
          if (onCycle.has(member)) continue;
          onCycle.add(member);
          problems.push({ line: lineOf.get(member) ?? 0, problem: `cycle: ${[...cycle.slice(cycle.indexOf(member)), ...cycle.slice(0, cycle.indexOf(member)), member].join(' → ')}` });
        }
        break;
      }
      trail.push(id);
      inTrail.add(id);
      id = tree.get(id)!.parent || undefined;
    }
    for (const member of trail) settled.add(member);
  }

  // Level order over the whole resulting tree: a root sits on the first level, a child below its parent.
  for (const unit of tree.values()) {
    if (onCycle.has(unit.id)) continue;
    const own = levelIndex.get(unit.level);
    if (own === undefined) {
      if (!lineOf.has(unit.id)) problems.push({ line: 0, problem: `existing unit "${unit.id}" has level "${unit.level}", which is no longer configured` });
      continue;
    }
    const line = lineOf.get(unit.id) ?? 0;
    const where = lineOf.has(unit.id) ? '' : 'existing unit ';
    if (!unit.parent) {
      if (own !== 0) problems.push({ line, problem: `level out of order: ${where}"${unit.id}" (${unit.level}) has no parent, but only a ${settings.levels[0]} can be a root` });
      continue;
    }
    const parent = tree.get(unit.parent);
    const parentLevel = parent ? levelIndex.get(parent.level) : undefined;
    if (parent && parentLevel !== undefined && parentLevel >= own) {
      problems.push({ line, problem: `level out of order: ${where}"${unit.id}" (${unit.level}) cannot sit under "${parent.id}" (${parent.level})` });
    }
  }

  const removals: string[] = [];
  if (mode === 'replace') {
    for (const id of existing.keys()) {
      if (tree.has(id)) continue;
      removals.push(id);
      if (groupUnits.has(id)) problems.push({ line: 0, problem: `unit "${id}" would be removed, but groups hang off it: move or remove those groups first` });
    }
  }

  if (problems.length > 0) return { ok: false, problems: problems.sort(byLine) };
  const upserts = incoming.filter((u) => {
    const before = existing.get(u.id);
    return !before || before.name !== u.name || before.level !== u.level || before.parent !== u.parent || before.voters !== u.voters;
  });
  return { ok: true, value: { upserts, removals, tree } };
}

export function platformOf(groupId: string): string {
  if (groupId.startsWith('wa:')) return 'whatsapp';
  if (groupId.startsWith('tg:')) return 'telegram';
  return 'other';
}

/** Groups: id, unit, category, optional title, platform, target_size. */
export function validateGroups(
  records: ImportRecord[],
  settings: DirectorySettings,
  units: ReadonlyMap<string, Unit>,
): Validated<GroupEntry[]> {
  const problems: Problem[] = [];
  const categories = new Set(settings.categories);
  const lineOf = new Map<string, number>();
  const groups: GroupEntry[] = [];
  for (const { line, fields } of records) {
    const id = fields.id ?? '';
    if (!id) {
      problems.push({ line, problem: 'id is empty' });
      continue;
    }
    if (id.length > MAX_ID) problems.push({ line, problem: `id is longer than ${MAX_ID} characters` });
    const first = lineOf.get(id);
    if (first !== undefined) {
      problems.push({ line, problem: `duplicate id "${id}" (first on line ${first})` });
      continue;
    }
    lineOf.set(id, line);
    const unit = fields.unit ?? '';
    const category = fields.category ?? '';
    if (!units.has(unit)) problems.push({ line, problem: unit ? `unknown unit "${unit}" for group "${id}"` : `unit of "${id}" is empty` });
    if (!categories.has(category)) problems.push({ line, problem: `unknown category "${category}" (categories: ${settings.categories.join(', ')})` });
    let targetSize: number | undefined;
    const target = fields.target_size ?? '';
    if (target !== '') {
      targetSize = Number(target);
      if (!Number.isInteger(targetSize) || targetSize < 0 || targetSize > 4_000_000_000) {
        problems.push({ line, problem: `target_size "${target}" must be a whole number ≥ 0` });
      }
    }
    const title = fields.title ?? '';
    if (title.length > 512) problems.push({ line, problem: 'title is longer than 512 characters' });
    groups.push({ id, unit, category, title, platform: fields.platform || platformOf(id), targetSize });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort(byLine) };
  return { ok: true, value: groups };
}

/**
 * Contacts: person, phone, and exactly one of unit or group (either known to the directory); optional role
 * and id. The id defaults to what the contact is for and the number, so importing a file again updates
 * in place. Numbers are brought to E.164 (common/phone.ts), a number nobody could call is refused.
 */
export function validateContacts(
  records: ImportRecord[],
  units: ReadonlyMap<string, Unit>,
  groupIds: ReadonlySet<string>,
  phoneOf: (text: string) => string | undefined,
): Validated<Contact[]> {
  const problems: Problem[] = [];
  const lineOf = new Map<string, number>();
  const contacts: Contact[] = [];
  for (const { line, fields } of records) {
    const unit = fields.unit ?? '';
    const group = fields.group ?? '';
    const person = fields.person ?? '';
    const role = fields.role ?? '';
    const phone = phoneOf(fields.phone ?? '');
    if (unit && group) problems.push({ line, problem: 'give unit or group, not both: a contact answers for one unit or one group' });
    else if (!unit && !group) problems.push({ line, problem: 'unit and group are both empty: say which unit or group the contact answers for' });
    else if (unit && !units.has(unit)) problems.push({ line, problem: `unknown unit "${unit}"` });
    else if (group && !groupIds.has(group)) problems.push({ line, problem: `unknown group "${group}" (import it with the groups first)` });
    if (!person) problems.push({ line, problem: 'person is empty' });
    if (person.length > 128) problems.push({ line, problem: 'person is longer than 128 characters' });
    if (role.length > 64) problems.push({ line, problem: 'role is longer than 64 characters' });
    // The number is not repeated back: answers and logs never hold a contact's number.
    if (!phone) problems.push({ line, problem: 'phone is not a valid number (write it with its country code, e.g. +91 98123 45678, or as a number of the default country)' });
    const id = fields.id || `${group ? `group:${group}` : `unit:${unit}`}:${phone ?? ''}`;
    if (id.length > MAX_ID) problems.push({ line, problem: `id is longer than ${MAX_ID} characters` });
    const first = lineOf.get(id);
    if (first !== undefined) {
      problems.push({ line, problem: fields.id ? `duplicate id "${id}" (first on line ${first})` : `the same number for the same ${group ? 'group' : 'unit'} again (first on line ${first})` });
      continue;
    }
    lineOf.set(id, line);
    if (phone) contacts.push({ id, unit: group ? '' : unit, group, person, role, phone });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort(byLine) };
  return { ok: true, value: contacts };
}

/**
 * Representatives: person, role, unit (known to the directory), platform and public account; optional id,
 * by default the platform and account (one account is one representative's).
 */
export function validateRepresentatives(records: ImportRecord[], units: ReadonlyMap<string, Unit>): Validated<Representative[]> {
  const problems: Problem[] = [];
  const lineOf = new Map<string, number>();
  const representatives: Representative[] = [];
  for (const { line, fields } of records) {
    const [person, role, unit, platform, account] = [fields.person ?? '', fields.role ?? '', fields.unit ?? '', (fields.platform ?? '').toLowerCase(), fields.account ?? ''];
    for (const [column, value, max] of [['person', person, 128], ['role', role, 64], ['platform', platform, 32], ['account', account, MAX_ID]] as const) {
      if (!value) problems.push({ line, problem: `${column} is empty` });
      else if (value.length > max) problems.push({ line, problem: `${column} is longer than ${max} characters` });
    }
    if (!units.has(unit)) problems.push({ line, problem: unit ? `unknown unit "${unit}"` : 'unit is empty: say which unit the representative answers for' });
    const id = fields.id || `${platform}:${account}`;
    const first = lineOf.get(id);
    if (first !== undefined) {
      problems.push({ line, problem: fields.id ? `duplicate id "${id}" (first on line ${first})` : `the account ${platform}:${account} again (first on line ${first})` });
      continue;
    }
    lineOf.set(id, line);
    representatives.push({ id, person, role, unit, platform, account });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort(byLine) };
  return { ok: true, value: representatives };
}
