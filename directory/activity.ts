/**
 * Reads for drill-down and coverage, per group (joined with the in-memory directory by the caller):
 * activity in a window from rollup_group_hour, the latest snapshot sizes from group_members, the
 * last message time from group_last_message, and distinct people reached per child unit.
 */
import type { ClickHouseClient } from '@clickhouse/client';

export interface GroupActivity {
  messages: number;
  media: number;
  forwarded: number;
  joins: number;
  leaves: number;
}

/** Hour-aligned window [from, to): the per-group rollup is hourly. */
export async function readGroupActivity(client: ClickHouseClient, from: Date, to: Date): Promise<Map<string, GroupActivity>> {
  const result = await client.query({
    query: `SELECT group_id, sum(messages), sum(media), sum(forwarded), sum(joins), sum(leaves)
            FROM rollup_group_hour
            WHERE hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < {to:DateTime64(3, 'UTC')}
            GROUP BY group_id`,
    query_params: { from: from.getTime() / 1000, to: to.getTime() / 1000 },
    format: 'JSONCompactEachRow',
  });
  const out = new Map<string, GroupActivity>();
  for await (const chunk of result.stream<[string, string, string, string, string, string]>()) {
    for (const row of chunk) {
      const [id, messages, media, forwarded, joins, leaves] = row.json();
      out.set(id, { messages: Number(messages), media: Number(media), forwarded: Number(forwarded), joins: Number(joins), leaves: Number(leaves) });
    }
  }
  return out;
}

async function readPairs(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<Map<string, number>> {
  const result = await client.query({ query, query_params: params, format: 'JSONCompactEachRow' });
  const out = new Map<string, number>();
  for await (const chunk of result.stream<[string, string | number]>()) {
    for (const row of chunk) {
      const [id, value] = row.json();
      out.set(id, Number(value));
    }
  }
  return out;
}

/** Members per group from its latest snapshot. */
export function readGroupMembers(client: ClickHouseClient): Promise<Map<string, number>> {
  return readPairs(client, 'SELECT group_id, argMax(members, at) FROM group_members GROUP BY group_id');
}

/** Epoch ms of each group's last message, for groups with one since `since`. */
export function readLastMessages(client: ClickHouseClient, since: Date): Promise<Map<string, number>> {
  return readPairs(
    client,
    `SELECT group_id, toUnixTimestamp64Milli(max(last_at)) FROM group_last_message GROUP BY group_id
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
  const filter = depth === 0 ? '' : 'AND has(unit_path, {unit:String})';
  const result = await client.query({
    query: `SELECT if(length(unit_path) > {depth:UInt32}, unit_path[{depth:UInt32} + 1], '') AS child, uniq(person) AS people
            FROM group_people FINAL WHERE present = 1 ${filter} GROUP BY child WITH TOTALS`,
    query_params: { unit: unitId, depth },
    format: 'JSON',
  });
  const body = await result.json<{ child: string; people: string | number }>();
  const byChild = new Map(body.data.map((r) => [r.child, Number(r.people)]));
  const totals = (body as unknown as { totals?: { people: string | number } }).totals;
  return { total: Number(totals?.people ?? 0), byChild };
}
