/**
 * Message reach reads (table reach_first_seen, migration 0140): one row per (fingerprint, group) and month
 * with the group's first sighting of the message, sorted by fingerprint. Every read names its messages (the
 * list takes candidates from reach_forwarded), folds rows with min(first_at) and counts each group once, so a
 * replay or a copy never counts twice. Reads are cut to divisions (undefined = all). The shaping is pure, in
 * reach-math.ts.
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

/** Groupings by (fingerprint[, group]) follow the table's sort key: aggregated as the rows stream, not hashed. */
const IN_KEY_ORDER = { optimize_aggregation_in_order: 1 } as const;

const SCOPE = `({all:Bool} OR division IN {divisions:Array(String)})`;

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

/** Fingerprints per candidate read for the list: the most forwarded copies, a few times what is listed. */
export const CANDIDATES_READ = 250;

/**
 * Messages first seen in [from, to) that reached at least two groups of the reader's divisions, the widest
 * spread first: their first sighting (anywhere) and the groups reached in scope. Candidates are the fingerprints
 * with the most copies sent down on those days (reach_forwarded: forwarded, or pasted into a booth group after
 * being seen above booth, 0170; small); their groups are then counted exactly.
 */
export async function readTopReach(client: ClickHouseClient, options: { fromMs: number; toMs: number; divisions?: readonly string[]; limit: number }): Promise<(ReachFirst & { groups: number })[]> {
  const days = daysFor(options.fromMs, options.toMs);
  const result = await client.query({
    query: `
      SELECT fingerprint, toString(toUnixTimestamp64Milli(min(first_at))) AS first,
             argMin(group_id, first_at) AS origin, argMin(unit, first_at) AS origin_unit, argMin(division, first_at) AS origin_division,
             uniqExactIf(group_id, ${SCOPE}) AS groups
      FROM reach_first_seen
      WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date}
        AND fingerprint IN (
          SELECT fingerprint FROM reach_forwarded WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date}
          GROUP BY fingerprint ORDER BY sum(copies) DESC, fingerprint LIMIT {candidates:UInt32})
      GROUP BY fingerprint
      HAVING toInt64(first) >= {from:Int64} AND toInt64(first) < {to:Int64} AND groups >= 2
      ORDER BY groups DESC, first, fingerprint
      LIMIT {limit:UInt32}`,
    query_params: { ...days, from: options.fromMs, to: options.toMs, limit: options.limit, candidates: Math.max(CANDIDATES_READ, options.limit), ...scopeParams(options.divisions) },
    clickhouse_settings: IN_KEY_ORDER,
    format: 'JSONEachRow',
  });
  return (await result.json<FirstRow & { groups: number | string }>()).map((r) => ({ ...toFirst(r), groups: Number(r.groups) }));
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
      SELECT fingerprint, group_division AS division, count() AS groups, uniqExact(unit_id) AS units,
             countIf(booth) AS booth_groups, uniqExactIf(unit_id, booth) AS booths, ${marks},
             countIf(booth AND since <= transform(fingerprint, {fps:Array(String)}, {deadlines:Array(Int64)}, toInt64(-1))) AS by_deadline
      FROM (
        SELECT fingerprint, group_id, any(division) AS group_division, any(unit) AS unit_id,
               toUnixTimestamp64Milli(min(first_at)) - transform(fingerprint, {fps:Array(String)}, {firsts:Array(Int64)}, toInt64(0)) AS since,
               unit_id IN (SELECT unit_id FROM directory_units FINAL WHERE deleted = 0 AND level = {leaf:String}) AS booth
        FROM reach_first_seen
        WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date} AND fingerprint IN {fps:Array(String)} AND ${SCOPE}
        GROUP BY fingerprint, group_id
      )
      GROUP BY fingerprint, group_division`,
    query_params: {
      ...daysFor(Math.min(...firsts), Math.max(...firsts) + 1),
      fps: messages.map((m) => m.fingerprint),
      firsts,
      deadlines: messages.map((m) => (options.deadlineMinutes?.get(m.fingerprint) ?? -1) * MINUTE_MS),
      leaf: options.leafLevel,
      ...Object.fromEntries(REACH_MARKS_MINUTES.map((m, i) => [`mark${i}`, m * MINUTE_MS])),
      ...scopeParams(options.divisions),
    },
    clickhouse_settings: IN_KEY_ORDER,
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

/** One message's first sighting per unit reached (for first arrival per level), within scope. */
export async function readReachByUnit(client: ClickHouseClient, message: ReachFirst, divisions?: readonly string[]): Promise<{ unit: string; firstAt: number; groups: number }[]> {
  const result = await client.query({
    query: `
      SELECT unit_id AS unit, toString(min(first)) AS first_at, count() AS groups
      FROM (
        SELECT group_id, any(unit) AS unit_id, toUnixTimestamp64Milli(min(first_at)) AS first
        FROM reach_first_seen
        WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date} AND fingerprint = {fp:String} AND ${SCOPE}
        GROUP BY group_id
      )
      GROUP BY unit_id`,
    query_params: { ...daysFor(message.firstAt, message.firstAt + 1), fp: message.fingerprint, ...scopeParams(divisions) },
    clickhouse_settings: IN_KEY_ORDER,
    format: 'JSONEachRow',
  });
  return (await result.json<{ unit: string; first_at: string; groups: number | string }>()).map((r) => ({ unit: r.unit, firstAt: Number(r.first_at), groups: Number(r.groups) }));
}

/** The groups of one division that had the message. */
export async function readReachedGroups(client: ClickHouseClient, message: ReachFirst, division: string): Promise<Set<string>> {
  const result = await client.query({
    query: `
      SELECT DISTINCT group_id FROM reach_first_seen
      WHERE day BETWEEN {dayFrom:Date} AND {dayTo:Date} AND fingerprint = {fp:String} AND division = {division:String}`,
    query_params: { ...daysFor(message.firstAt, message.firstAt + 1), fp: message.fingerprint, division },
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
