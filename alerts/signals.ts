/**
 * What the detector and the quiet-groups API read to judge activity, all from ClickHouse (so any
 * process, after any restart, judges from the same stored truth): last and first message per group,
 * who feeds each group, each source's last heartbeat or traffic, when a group entered the directory, and hourly
 * message counts for the drop rule — joined with the in-memory directory into `Signals`.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { readLastMessages } from '../directory/activity.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { GroupSignal, Signals, UnitInfo } from './evaluate.ts';
import type { AlertRules } from './rules.ts';
import { HOUR_MS } from '../common/time.ts';


async function readPairs<T extends string | number>(client: ClickHouseClient, query: string, params: Record<string, unknown>, convert: (v: string | number) => T): Promise<Map<string, T>> {
  const result = await client.query({ query, query_params: params, format: 'JSONCompactEachRow' });
  const out = new Map<string, T>();
  for await (const chunk of result.stream<[string, string | number]>()) {
    for (const row of chunk) {
      const [key, value] = row.json();
      out.set(key, convert(value));
    }
  }
  return out;
}

/**
 * Each source's last sign of life: its last heartbeat (POST /v1/heartbeat) or its last event, whichever
 * is later. Revoked sources are left out: they are gone on purpose, not down.
 */
export function readSourceLastSeen(client: ClickHouseClient): Promise<Map<string, number>> {
  return readPairs(
    client,
    `SELECT source, toUnixTimestamp64Milli(max(at))
     FROM (SELECT source, last_at AS at FROM source_last_seen UNION ALL SELECT source, beat_at AS at FROM source_heartbeats)
     WHERE source NOT IN (SELECT name FROM sources FINAL WHERE revoked_at IS NOT NULL)
     GROUP BY source`,
    {},
    Number,
  );
}

export function readGroupSources(client: ClickHouseClient): Promise<Map<string, string>> {
  return readPairs(client, 'SELECT group_id, argMax(source, at) FROM group_source GROUP BY group_id', {}, String);
}

export function readFirstMessages(client: ClickHouseClient): Promise<Map<string, number>> {
  return readPairs(client, 'SELECT group_id, toUnixTimestamp64Milli(min(first_at)) FROM group_first_message GROUP BY group_id', {}, Number);
}

/** When each group first entered the directory: its first row's version (epoch µs) in ms. */
export function readGroupAddedAt(client: ClickHouseClient): Promise<Map<string, number>> {
  return readPairs(client, 'SELECT group_id, intDiv(min(version), 1000) FROM directory_groups GROUP BY group_id', {}, Number);
}

/**
 * Messages per group in the recent window and in the baseline period before it, hour-aligned
 * (the rollup is hourly): recent = [hour(now) - window, hour(now)), baseline = the days before.
 */
export async function readWindows(client: ClickHouseClient, rules: AlertRules, now: number): Promise<Map<string, { recent: number; baseline: number }>> {
  const end = Math.floor(now / HOUR_MS) * HOUR_MS;
  const split = end - rules.sharpDrop.windowHours * HOUR_MS;
  const start = split - rules.sharpDrop.baselineDays * 24 * HOUR_MS;
  const result = await client.query({
    query: `SELECT group_id, sumIf(messages, hour >= {split:DateTime('UTC')}), sumIf(messages, hour < {split:DateTime('UTC')})
            FROM rollup_group_hour
            WHERE hour >= {start:DateTime('UTC')} AND hour < {end:DateTime('UTC')}
            GROUP BY group_id`,
    query_params: { start: start / 1000, split: split / 1000, end: end / 1000 },
    format: 'JSONCompactEachRow',
  });
  const out = new Map<string, { recent: number; baseline: number }>();
  for await (const chunk of result.stream<[string, string, string]>()) {
    for (const row of chunk) {
      const [id, recent, baseline] = row.json();
      out.set(id, { recent: Number(recent), baseline: Number(baseline) });
    }
  }
  return out;
}

export function unitsOf(index: DirectoryIndex): Map<string, UnitInfo> {
  const units = new Map<string, UnitInfo>();
  for (const [id, node] of index.units) units.set(id, { id, name: node.unit.name, level: node.unit.level, parent: node.unit.parent, division: node.division });
  return units;
}

export interface SignalReads {
  lastMessages: Map<string, number>;
  firstMessages: Map<string, number>;
  addedAt: Map<string, number>;
  groupSources: Map<string, string>;
  sources: Map<string, number>;
  windows: Map<string, { recent: number; baseline: number }>;
}

export async function readSignals(client: ClickHouseClient, rules: AlertRules, now: number, withWindows = true): Promise<SignalReads> {
  const [lastMessages, firstMessages, addedAt, groupSources, sources, windows] = await Promise.all([
    readLastMessages(client, new Date('2000-01-01T00:00:00Z')),
    readFirstMessages(client),
    readGroupAddedAt(client),
    readGroupSources(client),
    readSourceLastSeen(client),
    withWindows ? readWindows(client, rules, now) : Promise.resolve(new Map<string, { recent: number; baseline: number }>()),
  ]);
  return { lastMessages, firstMessages, addedAt, groupSources, sources, windows };
}

/** Directory groups joined with what was read; groups the directory does not know are not judged (no lead owns them). */
export function buildSignals(index: DirectoryIndex, reads: SignalReads, now: number, onlyDivisions?: ReadonlySet<string>): Signals {
  const groups: GroupSignal[] = [];
  for (const [id, placement] of index.groups) {
    if (onlyDivisions && !onlyDivisions.has(placement.division)) continue;
    const unit = placement.unitPath[placement.unitPath.length - 1] ?? '';
    const window = reads.windows.get(id);
    groups.push({
      id,
      unit,
      unitPath: placement.unitPath,
      division: placement.division,
      category: placement.category,
      level: index.units.get(unit)?.unit.level ?? '',
      addedAt: reads.addedAt.get(id),
      firstMessageAt: reads.firstMessages.get(id),
      lastMessageAt: reads.lastMessages.get(id),
      source: reads.groupSources.get(id),
      recent: window?.recent,
      baseline: window?.baseline,
    });
  }
  return { now, groups, units: unitsOf(index), sources: reads.sources };
}
