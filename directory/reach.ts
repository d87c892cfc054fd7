/**
 * Message reach reads (table reach_first_seen, migration 0140): one row per (fingerprint, group) and month
 * with the group's first sighting of the message, sorted by fingerprint. Every read names its messages (the
 * list takes candidates from reach_forwarded) and reads the table FINAL, which folds a group's rows (parts not
 * merged yet, or two months) into one with min(first_at): a replay or a copy never counts twice, and each row
 * is one group. Every count takes the sightings within FOLLOW_MS (24 h) of the message's first (`since` when a
 * read covers several messages, FOLLOWED for one). Reads are cut to divisions (undefined = all). The shaping is
 * pure, in reach-math.ts.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { REACH_ID_LENGTH, REACH_MARKS_MINUTES } from '../common/contracts/reach.ts';
import { DAY_MS, MINUTE_MS } from '../common/time.ts';
import type { DivisionReachRow } from './reach-math.ts';

/** A message's first sighting. */
export interface ReachFirst {
  fingerprint: string;
  /** Epoch ms. */
  firstAt: number;
  group: string;
  unit: string;
  division: string;
}

/** How far after its first sighting a message's spread is followed: the last mark (24 h). */
export const FOLLOW_MS = REACH_MARKS_MINUTES[REACH_MARKS_MINUTES.length - 1]! * MINUTE_MS;

/** The UTC days holding rows of messages first seen in [from, to): the day before (a first sighting just before `from` is found) to `to` + 24 h. */
export function daysFor(fromMs: number, toMs: number): { dayFrom: string; dayTo: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { dayFrom: day(fromMs - DAY_MS), dayTo: day(toMs + FOLLOW_MS) };
}

/**
 * FINAL folds rows by the sort key (fingerprint, group) across partitions too (the default, said here so a
 * server profile cannot turn it off): a group seen at the end of one month and the start of the next is one
 * row. Merging parts that are already sorted costs a fraction of grouping by (fingerprint, group).
 */
const ONE_ROW_PER_GROUP = { do_not_merge_across_partitions_select_final: 0 } as const;

const SCOPE = `({all:Bool} OR division IN {divisions:Array(String)})`;

/** A sighting of one message within FOLLOW_MS of its first: what every count of reach takes. */
const FOLLOWED = `toUnixTimestamp64Milli(first_at) <= {followedUntil:Int64}`;

function followParams(message: ReachFirst) {
  return { ...daysFor(message.firstAt, message.firstAt + 1), followedUntil: message.firstAt + FOLLOW_MS };
}

function scopeParams(divisions: readonly string[] | undefined) {
  return { all: divisions === undefined, divisions: divisions ?? [] };
}

interface FirstRow {
  fingerprint: string;
  first: string;
  origin: string;
  origin_unit: string;
  origin_division: string;
}

const toFirst = (r: FirstRow): ReachFirst => ({ fingerprint: r.fingerprint, firstAt: Number(r.first), group: r.origin, unit: r.origin_unit, division: r.origin_division });

/** Rows of reach_forwarded read for the list's candidates: many times what a list shows. */
export const CANDIDATE_ROWS = 500;

/**
 * The candidates for the list of messages first seen in [from, to), with their first sighting (anywhere, any
 * day). Candidates are the (day, fingerprint) rows of reach_forwarded with the most copies sent down (forwarded,
 * or pasted into a booth group after being seen above booth, 0170; small): the top rows of the merged table, not
 * a grouping of every fingerprint, so a message whose copies span two UTC days ranks by its bigger day.
 */
export async function readReachCandidates(client: ClickHouseClient, options: { fromMs: number; toMs: number }): Promise<ReachFirst[]> {
  const result = await client.query({
    query: `
      SELECT fingerprint, toString(toUnixTimestamp64Milli(min(first_at))) AS first,
             argMin(group_id, first_at) AS origin, argMin(unit, first_at) AS origin_unit, argMin(division, first_at) AS origin_division
      FROM reach_first_seen
      WHERE fingerprint IN (
        SELECT fingerprint FROM reach_forwarded FINAL WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date}
        ORDER BY copies DESC, fingerprint LIMIT {rows:UInt32})
      GROUP BY fingerprint
      HAVING toInt64(first) >= {from:Int64} AND toInt64(first) < {to:Int64}`,
    query_params: { ...daysFor(options.fromMs, options.toMs), from: options.fromMs, to: options.toMs, rows: CANDIDATE_ROWS },
    format: 'JSONEachRow',
  });
  return (await result.json<FirstRow>()).map(toFirst);
}

/** A listed message: its first sighting, the groups it reached in scope, and its reach per division. */
export interface ReachListed {
  message: ReachFirst;
  groups: number;
  divisions: (DivisionReachRow & { reachedByDeadline: number })[];
}

/**
 * The list: messages first seen in [from, to) and sent down (`sentDown`: first seen above booth, judged by the
 * directory) that reached at least two groups in scope, the widest spread first (then the earliest, then by
 * fingerprint), at most `limit`. Their groups are counted exactly, per division, in one read of their rows.
 */
export async function readReachList(
  client: ClickHouseClient,
  options: { fromMs: number; toMs: number; divisions?: readonly string[]; limit: number; leafLevel: string; sentDown: (message: ReachFirst) => boolean },
): Promise<ReachListed[]> {
  const messages = (await readReachCandidates(client, options)).filter(options.sentDown);
  const rows = await readDivisionReach(client, messages, { divisions: options.divisions, leafLevel: options.leafLevel });
  return messages
    .map((message) => {
      const divisions = rows.get(message.fingerprint) ?? [];
      return { message, divisions, groups: divisions.reduce((n, r) => n + r.groups, 0) };
    })
    .filter((listed) => listed.groups >= 2)
    .sort((a, b) => b.groups - a.groups || a.message.firstAt - b.message.firstAt || (a.message.fingerprint < b.message.fingerprint ? -1 : 1))
    .slice(0, options.limit);
}

/** The first sighting of each of `fingerprints` (those seen at all). */
export async function readReachFirsts(client: ClickHouseClient, fingerprints: readonly string[]): Promise<ReachFirst[]> {
  if (fingerprints.length === 0) return [];
  const result = await client.query({
    query: `
      SELECT fingerprint, toString(toUnixTimestamp64Milli(min(first_at))) AS first,
             argMin(group_id, first_at) AS origin, argMin(unit, first_at) AS origin_unit, argMin(division, first_at) AS origin_division
      FROM reach_first_seen WHERE fingerprint IN {fps:Array(String)}
      GROUP BY fingerprint`,
    query_params: { fps: fingerprints },
    format: 'JSONEachRow',
  });
  return (await result.json<FirstRow>()).map(toFirst);
}

/** The message whose fingerprint starts with `id` (REACH_ID_LENGTH hex digits), with its first sighting; undefined when none. */
export async function findReach(client: ClickHouseClient, id: string): Promise<ReachFirst | undefined> {
  if (id.length !== REACH_ID_LENGTH) return undefined;
  const result = await client.query({
    query: `
      SELECT fingerprint, toString(toUnixTimestamp64Milli(min(first_at))) AS first,
             argMin(group_id, first_at) AS origin, argMin(unit, first_at) AS origin_unit, argMin(division, first_at) AS origin_division
      FROM reach_first_seen WHERE startsWith(fingerprint, {id:String})
      GROUP BY fingerprint ORDER BY first LIMIT 1`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const row = (await result.json<FirstRow>())[0];
  return row && toFirst(row);
}

/**
 * Per message and division: groups and units reached, booth groups and booths reached, booth groups
 * reached by each of REACH_MARKS_MINUTES and (when `deadlineMinutes` names one for the message) by its
 * deadline. A booth group is a group whose unit (when the event was placed) is on `leafLevel`.
 */
export async function readDivisionReach(
  client: ClickHouseClient,
  messages: readonly ReachFirst[],
  options: { divisions?: readonly string[]; leafLevel: string; deadlineMinutes?: ReadonlyMap<string, number> },
): Promise<Map<string, (DivisionReachRow & { reachedByDeadline: number })[]>> {
  const out = new Map<string, (DivisionReachRow & { reachedByDeadline: number })[]>();
  if (messages.length === 0) return out;
  const firsts = messages.map((m) => m.firstAt);
  const marks = REACH_MARKS_MINUTES.map((m, i) => `countIf(booth AND since <= {mark${i}:Int64}) AS at${i}`).join(', ');
  const result = await client.query({
    query: `
      SELECT fingerprint, division, count() AS groups, uniqExact(unit) AS units,
             countIf(booth) AS booth_groups, uniqExactIf(unit, booth) AS booths, ${marks},
             countIf(booth AND since <= transform(fingerprint, {fps:Array(String)}, {deadlines:Array(Int64)}, toInt64(-1))) AS by_deadline
      FROM (
        SELECT fingerprint, division, unit,
               toUnixTimestamp64Milli(first_at) - transform(fingerprint, {fps:Array(String)}, {firsts:Array(Int64)}, toInt64(0)) AS since,
               unit IN (SELECT unit_id FROM directory_units FINAL WHERE deleted = 0 AND level = {leaf:String}) AS booth
        FROM reach_first_seen FINAL
        WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date} AND fingerprint IN {fps:Array(String)} AND ${SCOPE}
      )
      WHERE since <= {follow:Int64}
      GROUP BY fingerprint, division`,
    query_params: {
      ...daysFor(Math.min(...firsts), Math.max(...firsts) + 1),
      fps: messages.map((m) => m.fingerprint),
      firsts,
      deadlines: messages.map((m) => (options.deadlineMinutes?.get(m.fingerprint) ?? -1) * MINUTE_MS),
      leaf: options.leafLevel,
      follow: FOLLOW_MS,
      ...Object.fromEntries(REACH_MARKS_MINUTES.map((m, i) => [`mark${i}`, m * MINUTE_MS])),
      ...scopeParams(options.divisions),
    },
    clickhouse_settings: ONE_ROW_PER_GROUP,
    format: 'JSONEachRow',
  });
  type Row = Record<string, string | number>;
  for (const r of await result.json<Row>()) {
    const fingerprint = String(r.fingerprint);
    let list = out.get(fingerprint);
    if (!list) out.set(fingerprint, (list = []));
    list.push({
      division: String(r.division),
      groups: Number(r.groups),
      units: Number(r.units),
      boothGroups: Number(r.booth_groups),
      booths: Number(r.booths),
      reachedAt: REACH_MARKS_MINUTES.map((_, i) => Number(r[`at${i}`])),
      reachedByDeadline: Number(r.by_deadline),
    });
  }
  return out;
}

/**
 * One message's first arrival and groups per level of the tree (the level of the group's unit, as the directory
 * has it now; units it no longer has are left out), within scope. Folded here, not per unit in the api: a
 * central message reaches tens of thousands of units.
 */
export async function readReachByLevel(client: ClickHouseClient, message: ReachFirst, divisions?: readonly string[]): Promise<{ level: string; firstAt: number; groups: number }[]> {
  const result = await client.query({
    query: `
      SELECT u.level AS level, toString(toUnixTimestamp64Milli(min(r.first_at))) AS first, count() AS groups
      FROM (
        SELECT unit, first_at FROM reach_first_seen FINAL
        WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date} AND fingerprint = {fp:String} AND ${SCOPE} AND ${FOLLOWED}
      ) AS r
      INNER JOIN (SELECT unit_id, level FROM directory_units FINAL WHERE deleted = 0) AS u ON u.unit_id = r.unit
      GROUP BY level`,
    query_params: { ...followParams(message), fp: message.fingerprint, ...scopeParams(divisions) },
    clickhouse_settings: ONE_ROW_PER_GROUP,
    format: 'JSONEachRow',
  });
  return (await result.json<{ level: string; first: string; groups: number | string }>()).map((r) => ({ level: r.level, firstAt: Number(r.first), groups: Number(r.groups) }));
}

/** The groups of one division that had the message. */
export async function readReachedGroups(client: ClickHouseClient, message: ReachFirst, division: string): Promise<Set<string>> {
  const result = await client.query({
    query: `
      SELECT DISTINCT group_id FROM reach_first_seen
      WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date} AND fingerprint = {fp:String} AND division = {division:String} AND ${FOLLOWED}`,
    query_params: { ...followParams(message), fp: message.fingerprint, division },
    format: 'JSONEachRow',
  });
  return new Set((await result.json<{ group_id: string }>()).map((r) => r.group_id));
}

/** A message marked important (reach_marks, newest row per fingerprint, not removed). */
export interface ReachMark {
  fingerprint: string;
  share: number;
  withinMinutes: number;
  markedBy: string;
  markedAt: number;
}

/** The marks in force, of `fingerprints` (undefined = all). */
export async function readReachMarks(client: ClickHouseClient, fingerprints?: readonly string[]): Promise<Map<string, ReachMark>> {
  const result = await client.query({
    query: `
      SELECT fingerprint, target_share, within_minutes, marked_by, toString(toUnixTimestamp64Milli(marked_at)) AS marked_at
      FROM reach_marks FINAL
      WHERE removed = 0 AND ({every:Bool} OR fingerprint IN {fps:Array(String)})`,
    query_params: { every: fingerprints === undefined, fps: fingerprints ?? [] },
    format: 'JSONEachRow',
  });
  type Row = { fingerprint: string; target_share: number; within_minutes: number; marked_by: string; marked_at: string };
  return new Map((await result.json<Row>()).map((r) => [r.fingerprint, { fingerprint: r.fingerprint, share: Number(r.target_share), withinMinutes: Number(r.within_minutes), markedBy: r.marked_by, markedAt: Number(r.marked_at) }]));
}

/** Mark a message important (or, with `target` null, take the mark away); `version` orders the rows (common/store/row-version.ts). */
export async function writeReachMark(client: ClickHouseClient, mark: { fingerprint: string; target: { share: number; withinMinutes: number } | null; by: string; at: number; version: number }): Promise<void> {
  const { fingerprint, target, by, at, version } = mark;
  await client.insert({
    table: 'reach_marks',
    values: [{ fingerprint, target_share: target?.share ?? 0, within_minutes: target?.withinMinutes ?? 0, marked_by: by, marked_at: at, removed: target ? 0 : 1, version }],
    format: 'JSONEachRow',
  });
}
