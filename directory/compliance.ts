/**
 * Group compliance under a unit, from the directory and what the groups' events say:
 * - every booth (leaf unit) has a group of each required category;
 * - every booth has a pramukh among the directory's contacts, and the pramukh is in one of the booth's groups
 *   (present in `group_people`: joined or spoke, not left since);
 * - every group an admin rule covers has the rule's person (the contact of that role on the unit of that level
 *   above it) among the admins its latest snapshot named (`events.admin_ids`).
 * Contacts' numbers meet the events' people only as pseudonyms: `personKey` is the door's keyed hash of a number.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AdminRule, BoothShortfall, ComplianceAnswer, ComplianceCounts, GroupShortfall, PramukhState } from '../common/contracts/compliance.ts';
import { chunkKeys } from '../common/store/query-params.ts';
import { readContactRows, type ContactRow } from './contacts.ts';
import type { DirectoryIndex } from './directory-index.ts';

export interface ComplianceRules {
  /** Categories every booth should have a group of. */
  categories: string[];
  pramukhRole: string;
  admins: AdminRule[];
}

/** The counts and lists of an answer (the route adds the unit, the time and the rules). */
export type ComplianceReport = Pick<ComplianceAnswer, 'total' | 'children' | 'booths' | 'boothsTotal' | 'groups' | 'groupsTotal'>;

type Index = Pick<DirectoryIndex, 'units' | 'groups' | 'children' | 'isLeaf'>;

/** Booths per query: their groups and pramukhs' keys fit a server's query parameters many times over. */
const BOOTHS_PER_READ = 300;

function counts(id: string, name: string): ComplianceCounts {
  return { id, name, booths: 0, missingGroups: 0, noPramukh: 0, pramukhAbsent: 0, ruledGroups: 0, adminMissing: 0 };
}

export async function readCompliance(
  client: ClickHouseClient,
  index: Index,
  unit: string,
  rules: ComplianceRules,
  personKey: (phone: string) => string,
  limit: number,
): Promise<ComplianceReport> {
  const depth = unit ? index.units.get(unit)!.path.length : 0;
  const nameOf = (id: string) => index.units.get(id)?.unit.name ?? id;
  const total = counts(unit, unit ? nameOf(unit) : '');
  const children = new Map<string, ComplianceCounts>();
  const childOf = (path: readonly string[]) => {
    const id = path[depth] ?? unit;
    let child = children.get(id);
    if (!child) children.set(id, (child = counts(id, nameOf(id))));
    return child;
  };

  // The booths under the unit, and the groups on each.
  const booths: string[] = [];
  for (const [id, node] of index.units) if ((!unit || node.path.includes(unit)) && index.isLeaf(id)) booths.push(id);
  // Tree order, by name, numbers in order (Booth 2 before Booth 10).
  const pathName = (id: string) => index.units.get(id)!.path.map(nameOf).join('\u0000');
  booths.sort((a, b) => pathName(a).localeCompare(pathName(b), 'en', { numeric: true }));
  const groupsOf = new Map<string, { id: string; category: string }[]>(booths.map((b) => [b, []]));
  const ruled: { id: string; category: string; path: readonly string[]; rules: AdminRule[] }[] = [];
  for (const [id, placement] of index.groups) {
    if (unit && !placement.unitPath.includes(unit)) continue;
    groupsOf.get(placement.unitPath[placement.unitPath.length - 1] ?? '')?.push({ id, category: placement.category });
    const applying = rules.admins.filter((r) => r.categories.includes(placement.category));
    if (applying.length > 0) ruled.push({ id, category: placement.category, path: placement.unitPath, rules: applying });
  }

  const [pramukhs, present] = await readPramukhs(client, booths, groupsOf, rules.pramukhRole, personKey);
  const shortBooths: BoothShortfall[] = [];
  for (const booth of booths) {
    const path = index.units.get(booth)!.path;
    const missing = rules.categories.filter((c) => !groupsOf.get(booth)!.some((g) => g.category === c));
    const pramukh = pramukhs.get(booth);
    const state: PramukhState = !pramukh ? 'none' : present.has(booth) ? 'present' : 'absent';
    for (const tally of [total, childOf(path)]) {
      tally.booths += 1;
      if (missing.length > 0) tally.missingGroups += 1;
      if (state === 'none') tally.noPramukh += 1;
      if (state === 'absent') tally.pramukhAbsent += 1;
    }
    if (missing.length > 0 || state !== 'present') {
      shortBooths.push({ id: booth, name: nameOf(booth), path: path.slice(depth).map((id) => ({ id, name: nameOf(id) })), missing, pramukh: state, pramukhName: pramukh?.person ?? '' });
    }
  }

  const shortGroups = await checkAdmins(client, index, ruled, personKey);
  for (const group of ruled) {
    const short = shortGroups.get(group.id);
    for (const tally of [total, childOf(group.path)]) {
      tally.ruledGroups += 1;
      if (short) tally.adminMissing += 1;
    }
  }
  const groupList = [...shortGroups.values()];
  return {
    total,
    children: [...children.values()].filter((c) => c.id !== unit),
    booths: shortBooths.slice(0, limit),
    boothsTotal: shortBooths.length,
    groups: groupList.slice(0, limit),
    groupsTotal: groupList.length,
  };
}

/** Each booth's pramukh (the first contact of the role), and the booths where one is in a booth group. */
async function readPramukhs(
  client: ClickHouseClient,
  booths: readonly string[],
  groupsOf: ReadonlyMap<string, { id: string }[]>,
  role: string,
  personKey: (phone: string) => string,
): Promise<[Map<string, ContactRow>, Set<string>]> {
  const pramukhs = new Map<string, ContactRow>();
  const keysOf = new Map<string, Set<string>>();
  for (const row of await readContactRows(client, 'unit_id', booths)) {
    if (row.role !== role) continue;
    if (!pramukhs.has(row.unit_id)) pramukhs.set(row.unit_id, row);
    const keys = keysOf.get(row.unit_id) ?? new Set<string>();
    keysOf.set(row.unit_id, keys.add(personKey(row.phone)));
  }
  const boothOfGroup = new Map<string, string>();
  for (const [booth, groups] of groupsOf) for (const g of groups) boothOfGroup.set(g.id, booth);
  const present = new Set<string>();
  const withPramukh = [...keysOf.keys()];
  for (let i = 0; i < withPramukh.length; i += BOOTHS_PER_READ) {
    const part = withPramukh.slice(i, i + BOOTHS_PER_READ);
    const groups = part.flatMap((b) => (groupsOf.get(b) ?? []).map((g) => g.id));
    const people = part.flatMap((b) => [...keysOf.get(b)!]);
    if (groups.length === 0) continue;
    for (const chunk of chunkKeys(groups)) {
      const result = await client.query({
        query: `SELECT group_id, person FROM group_people FINAL
                WHERE group_id IN {groups:Array(String)} AND person IN {people:Array(String)} AND present = 1`,
        query_params: { groups: chunk, people },
        format: 'JSONEachRow',
      });
      for (const row of await result.json<{ group_id: string; person: string }>()) {
        const booth = boothOfGroup.get(row.group_id)!;
        if (keysOf.get(booth)?.has(row.person)) present.add(booth);
      }
    }
  }
  return [pramukhs, present];
}

/** The ruled groups whose required admins are not all among the admins of their latest snapshot that named any. */
async function checkAdmins(
  client: ClickHouseClient,
  index: Index,
  ruled: readonly { id: string; category: string; path: readonly string[]; rules: AdminRule[] }[],
  personKey: (phone: string) => string,
): Promise<Map<string, GroupShortfall>> {
  const short = new Map<string, GroupShortfall>();
  if (ruled.length === 0) return short;
  // The unit of each rule's level on each group's path, and the contacts of the rule's role there.
  const unitAt = (path: readonly string[], level: string) => path.find((id) => index.units.get(id)?.unit.level === level);
  const units = new Set<string>();
  for (const group of ruled) for (const rule of group.rules) {
    const at = unitAt(group.path, rule.level);
    if (at) units.add(at);
  }
  const contacts = await readContactRows(client, 'unit_id', [...units]);
  const admins = new Map<string, Set<string>>();
  for (const chunk of chunkKeys(ruled.map((g) => g.id))) {
    const result = await client.query({
      query: `SELECT group_id, argMax(admin_ids, at) AS admins FROM events
              WHERE type = 'group_snapshot' AND notEmpty(admin_ids) AND group_id IN {ids:Array(String)} GROUP BY group_id`,
      query_params: { ids: chunk },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{ group_id: string; admins: string[] }>()) admins.set(row.group_id, new Set(row.admins));
  }
  for (const group of ruled) {
    const named = admins.get(group.id);
    const missing: { person: string; role: string }[] = [];
    for (const rule of group.rules) {
      const at = unitAt(group.path, rule.level);
      const required = contacts.filter((c) => c.unit_id === at && c.role === rule.role);
      if (required.length === 0) missing.push({ person: '', role: rule.role });
      else if (!required.some((c) => named?.has(personKey(c.phone)))) missing.push(...required.map((c) => ({ person: c.person, role: c.role })));
    }
    if (missing.length === 0) continue;
    const unitId = group.path[group.path.length - 1] ?? '';
    short.set(group.id, { id: group.id, title: '', unit: unitId, unitName: index.units.get(unitId)?.unit.name ?? unitId, category: group.category, missingAdmins: missing, noSnapshot: !named });
  }
  return short;
}
