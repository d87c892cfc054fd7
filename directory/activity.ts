/**
 * Reads for drill-down and coverage, per group (joined with the in-memory directory by the caller):
 * activity in a window from rollup_group_day (whole UTC days) and rollup_group_hour (the partial days
 * at the ends), the latest snapshot sizes from group_members, the last message time from
 * group_last_message; and, summed in the engine, the drill-down per child unit (over the directory's
 * group paths) and distinct people reached per child unit (group_people).
 * Per-group reads return up to one row per group (100k and more), so they come back as columns
 * (common/store/read-columns.ts), counts cast to Float64 to arrive as JSON numbers (exact below 2^53).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DAY_PART, daySplit, finePart } from '../common/store/day-split.ts';
import { chunkKeys } from '../common/store/query-params.ts';
import { readColumns } from '../common/store/read-columns.ts';
import type { UnitSums } from '../common/contracts/board.ts';
import { HOUR_MS } from '../common/time.ts';

export interface GroupActivity {
  messages: number;
  media: number;
  forwarded: number;
  joins: number;
  leaves: number;
}

const ACTIVITY_COLUMNS = 'group_id, messages, media, forwarded, joins, leaves';

/** Per-group activity rows of [from, to): whole days from the per-day rollup, the partial days from the per-hour one. */
function activityRows(groupFilter = ''): string {
  return `SELECT ${ACTIVITY_COLUMNS} FROM rollup_group_day WHERE ${DAY_PART} ${groupFilter}
          UNION ALL
          SELECT ${ACTIVITY_COLUMNS} FROM rollup_group_hour WHERE ${finePart('hour')} ${groupFilter}`;
}

/** The day split of an hour-aligned window (from rounded down to its hour). */
function hourWindow(from: Date, to: Date) {
  return daySplit(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS, to.getTime());
}

/**
 * Hour-aligned window [from, to): whole days from the per-day rollup, the rest from the per-hour one. Every
 * group, or only `groupIds` (in chunks that each fit a server's query parameter limit).
 */
export async function readGroupActivity(client: ClickHouseClient, from: Date, to: Date, groupIds?: string[]): Promise<Map<string, GroupActivity>> {
  const out = new Map<string, GroupActivity>();
  for (const ids of groupIds ? chunkKeys(groupIds) : [undefined]) {
    const c = await readColumns<{ id: string[]; messages: number[]; media: number[]; forwarded: number[]; joins: number[]; leaves: number[] }>(
      client,
      `SELECT group_id AS id, toFloat64(sum(messages)) AS messages, toFloat64(sum(media)) AS media, toFloat64(sum(forwarded)) AS forwarded,
              toFloat64(sum(joins)) AS joins, toFloat64(sum(leaves)) AS leaves
       FROM (${activityRows(ids ? 'AND group_id IN {ids:Array(String)}' : '')})
       GROUP BY group_id`,
      { ...hourWindow(from, to), ids: ids ?? [] },
    );
    for (let i = 0; i < c.id.length; i++) {
      out.set(c.id[i]!, { messages: c.messages[i]!, media: c.media[i]!, forwarded: c.forwarded[i]!, joins: c.joins[i]!, leaves: c.leaves[i]! });
    }
  }
  return out;
}

/**
 * Drill-down sums per child unit one level below `unitId` ('' = the top; key '' = groups placed on
 * the unit itself), summed in the engine over the directory version's copy of group paths
 * (directory/group-paths.ts; the caller checks it is complete): activity in the hour-aligned window
 * [from, to) as readGroupActivity reads it, members from each group's latest snapshot. Groups the
 * directory does not hold are left out, as in the in-memory join. `depth` = path length of unitId.
 */
export async function readUnitActivity(client: ClickHouseClient, version: number, unitId: string, depth: number, from: Date, to: Date): Promise<Map<string, UnitSums>> {
  const paths = `SELECT group_id, unit_path FROM directory_group_paths FINAL
                 WHERE version = {version:UInt64} ${depth > 0 ? 'AND unit_path[{depth:UInt32}] = {unit:String}' : ''}`;
  // Below the top, only the unit's groups are summed (the set is built once per IN).
  const ofUnit = depth > 0 ? `AND group_id IN (SELECT group_id FROM (${paths}))` : '';
  const c = await readColumns<Record<'child', string[]> & Record<keyof UnitSums, number[]>>(
    client,
    `SELECT if(length(p.unit_path) > {depth:UInt32}, p.unit_path[{depth:UInt32} + 1], '') AS child,
            toFloat64(count()) AS groups, toFloat64(countIf(a.messages > 0)) AS activeGroups, toFloat64(countIf(a.messages = 0)) AS inactiveGroups,
            toFloat64(sum(a.messages)) AS messages, toFloat64(sum(a.media)) AS media, toFloat64(sum(a.forwarded)) AS forwarded,
            toFloat64(sum(a.joins)) AS joins, toFloat64(sum(a.leaves)) AS leaves, toFloat64(sum(m.members)) AS members
     FROM (${paths}) AS p
     LEFT JOIN (
       SELECT group_id, sum(messages) AS messages, sum(media) AS media, sum(forwarded) AS forwarded, sum(joins) AS joins, sum(leaves) AS leaves
       FROM (${activityRows(ofUnit)}) GROUP BY group_id
     ) AS a ON a.group_id = p.group_id
     LEFT JOIN (SELECT group_id, argMax(members, at) AS members FROM group_members WHERE 1 ${ofUnit} GROUP BY group_id) AS m ON m.group_id = p.group_id
     GROUP BY child`,
    { ...hourWindow(from, to), version, unit: unitId, depth },
  );
  const out = new Map<string, UnitSums>();
  for (let i = 0; i < c.child.length; i++) {
    out.set(c.child[i]!, {
      groups: c.groups[i]!, activeGroups: c.activeGroups[i]!, inactiveGroups: c.inactiveGroups[i]!, messages: c.messages[i]!, media: c.media[i]!,
      forwarded: c.forwarded[i]!, joins: c.joins[i]!, leaves: c.leaves[i]!, members: c.members[i]!,
    });
  }
  return out;
}

async function readPairs(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<Map<string, number>> {
  const c = await readColumns<{ id: string[]; value: number[] }>(client, query, params);
  const out = new Map<string, number>();
  for (let i = 0; i < c.id.length; i++) out.set(c.id[i]!, c.value[i]!);
  return out;
}

/** Members per group from its latest snapshot: every group, or only `groupIds` (in chunks, as readGroupActivity). */
export async function readGroupMembers(client: ClickHouseClient, groupIds?: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const ids of groupIds ? chunkKeys(groupIds) : [undefined]) {
    const members = await readPairs(
      client,
      `SELECT group_id AS id, toFloat64(argMax(members, at)) AS value FROM group_members ${ids ? 'WHERE group_id IN {ids:Array(String)}' : ''} GROUP BY group_id`,
      { ids: ids ?? [] },
    );
    for (const [id, n] of members) out.set(id, n);
  }
  return out;
}

/** Epoch ms of each group's last message, for groups with one since `since`. */
export function readLastMessages(client: ClickHouseClient, since: Date): Promise<Map<string, number>> {
  return readPairs(
    client,
    `SELECT group_id AS id, toFloat64(toUnixTimestamp64Milli(max(last_at))) AS value FROM group_last_message GROUP BY group_id
     HAVING max(last_at) >= {since:DateTime64(3, 'UTC')}`,
    { since: since.getTime() / 1000 },
  );
}

/**
 * Distinct people present (last event per group and person was a join or a message) in groups
 * under `unitId`, per child unit one level below it (key '' = groups directly on the unit).
 * Counted once per person however many groups they sit in. `depth` = path length of unitId (0 = all).
 */
export async function readReach(client: ClickHouseClient, unitId: string, depth: number): Promise<{ total: number; byChild: Map<string, number> }> {
  // FINAL keeps the latest row per (group, person) before the filter: 10-20× faster here than argMax per pair.
  // The total is the grouping set () — not WITH TOTALS, whose JSON the embedded engine garbles on an empty result.
  const result = await client.query({
    query: `SELECT if(length(unit_path) > {depth:UInt32}, unit_path[{depth:UInt32} + 1], '') AS child, uniq(person) AS people, grouping(child) AS whole
            FROM group_people FINAL WHERE present = 1 ${depth === 0 ? '' : 'AND has(unit_path, {unit:String})'}
            GROUP BY GROUPING SETS ((child), ())`,
    query_params: { unit: unitId, depth },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ child: string; people: string | number; whole: number }>();
  const byChild = new Map(rows.filter((r) => Number(r.whole) === 0).map((r) => [r.child, Number(r.people)]));
  const total = rows.find((r) => Number(r.whole) !== 0);
  return { total: Number(total?.people ?? 0), byChild };
}
