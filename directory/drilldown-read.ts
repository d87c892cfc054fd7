/**
 * A unit's drill-down as the api answers it: summed per child unit in the engine when the copy of
 * the directory version's group paths is complete (directory/group-paths.ts), else — right after a
 * directory change, while that copy is written, or with no copy kept — joined in memory from
 * per-group reads. Both give the same numbers.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { readGroupActivity, readGroupMembers, readUnitActivity } from './activity.ts';
import { assembleDrillDown, drillDown, type DrillDown } from './drilldown.ts';
import type { GroupPaths } from './group-paths.ts';
import type { LiveDirectory } from './live-directory.ts';
import type { ReadCache } from './read-cache.ts';

export interface DrillDownReads {
  client: ClickHouseClient;
  /** The directory and the version it holds. */
  directory: Pick<LiveDirectory, 'index' | 'version'>;
  /** Unset: always join in memory. */
  groupPaths?: GroupPaths;
  /** Shares reads between viewers asking for the same window. */
  cache: ReadCache;
}

/** undefined when the unit is unknown. `unitId` '' = the top of the tree. */
export async function readDrillDown(reads: DrillDownReads, unitId: string, from: Date, to: Date): Promise<DrillDown | undefined> {
  const { client, directory, cache } = reads;
  const index = directory.index;
  const node = unitId ? index.units.get(unitId) : undefined;
  if (unitId && !node) return undefined;
  const version = directory.version;
  if (reads.groupPaths?.isReady(version, index)) {
    const byChild = await cache.get(`unit-activity:${version}:${unitId}:${from.getTime()}:${to.getTime()}`, () =>
      readUnitActivity(client, version, unitId, node ? node.path.length : 0, from, to),
    );
    return assembleDrillDown(index, unitId, byChild);
  }
  const [activity, members] = await Promise.all([
    cache.get(`activity:${from.getTime()}:${to.getTime()}`, () => readGroupActivity(client, from, to)),
    cache.get('members', () => readGroupMembers(client)),
  ]);
  return drillDown(index, unitId, activity, members);
}
