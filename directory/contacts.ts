/**
 * The people to call about a group: its own contacts first, then those of its unit and of the units above
 * it, nearest first, up to its division (the scope a lead reads; a booth's page still names the mandal's
 * in-charge). Read from
 * directory_contacts when shown, for the few groups listed; running directories do not hold contacts.
 * Scoping is the caller's: it passes only groups and units the viewer may read.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { ContactCard } from '../common/contracts/board.ts';
import { chunkKeys } from '../common/store/query-params.ts';
import type { DirectoryIndex } from './directory-index.ts';

/** Contacts given with one group: enough to reach someone, few enough for a phone's row. */
const PER_GROUP = 3;

export interface ContactRow {
  unit_id: string;
  group_id: string;
  person: string;
  role: string;
  phone: string;
}

/** The contacts of these units (or groups), by person. */
export async function readContactRows(client: ClickHouseClient, column: 'unit_id' | 'group_id', ids: readonly string[]): Promise<ContactRow[]> {
  const rows: ContactRow[] = [];
  for (const chunk of chunkKeys([...new Set(ids)])) {
    const result = await client.query({
      query: `SELECT unit_id, group_id, person, role, phone FROM directory_contacts FINAL
              WHERE deleted = 0 AND ${column} IN {ids:Array(String)} ORDER BY person, contact_id`,
      query_params: { ids: chunk },
      format: 'JSONEachRow',
    });
    rows.push(...(await result.json<ContactRow>()));
  }
  return rows;
}

function card(row: ContactRow): ContactCard {
  return { person: row.person, role: row.role, phone: row.phone, unit: row.unit_id, group: row.group_id };
}

/** Units from the group's own up to its division (inclusive), nearest first. */
function unitsUp(unitPath: readonly string[], division: string): string[] {
  return unitPath.slice(Math.max(0, unitPath.indexOf(division))).reverse();
}

/** Who to call about each group, at most three per group, its own contacts before its units'. */
export async function readInCharge(client: ClickHouseClient, index: Pick<DirectoryIndex, 'groups'>, groupIds: readonly string[]): Promise<Map<string, ContactCard[]>> {
  const paths = new Map(groupIds.map((id) => {
    const placement = index.groups.get(id);
    return [id, placement ? unitsUp(placement.unitPath, placement.division) : []];
  }));
  const [byGroup, byUnit] = await Promise.all([
    readContactRows(client, 'group_id', groupIds),
    readContactRows(client, 'unit_id', [...paths.values()].flat()),
  ]);
  const ofGroup = groupBy(byGroup, (r) => r.group_id);
  const ofUnit = groupBy(byUnit, (r) => r.unit_id);
  const answer = new Map<string, ContactCard[]>();
  for (const [id, units] of paths) {
    const rows = [...(ofGroup.get(id) ?? []), ...units.flatMap((unit) => ofUnit.get(unit) ?? [])];
    answer.set(id, rows.slice(0, PER_GROUP).map(card));
  }
  return answer;
}

/** Every contact of `unit` and of the units and groups below it ('' = all), units' first, by person. */
export async function readContactsUnder(client: ClickHouseClient, index: Pick<DirectoryIndex, 'units' | 'groups'>, unit: string): Promise<ContactCard[]> {
  const units: string[] = [];
  for (const [id, node] of index.units) if (!unit || node.path.includes(unit)) units.push(id);
  const groups: string[] = [];
  for (const [id, placement] of index.groups) if (!unit || placement.unitPath.includes(unit)) groups.push(id);
  const [ofUnits, ofGroups] = await Promise.all([readContactRows(client, 'unit_id', units), readContactRows(client, 'group_id', groups)]);
  return [...ofUnits, ...ofGroups].map(card);
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}
