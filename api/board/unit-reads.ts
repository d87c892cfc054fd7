/**
 * A unit's reads — drill-down, coverage, each group's last message — for the board's pages
 * (/api/v1/board/unit, /quiet) and the directory API (/api/v1/directory/drilldown, /coverage): one
 * path, and one cache shared by every viewer of either.
 *
 * The drill-down is summed per child unit in the engine when the copy of the directory version's
 * group paths is complete (directory/group-paths.ts), else — right after a directory change, while that
 * copy is written, or with no copy kept — joined in memory from per-group reads. Both give the same
 * numbers (unit-reads.integration.test.ts).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { CoverageReport, DrillDown } from '../../common/contracts/board.ts';
import { DAY_MS, HOUR_MS } from '../../common/time.ts';
import { readGroupActivity, readGroupMembers, readLastMessages, readReach, readUnitActivity } from '../../directory/activity.ts';
import { computeCoverage } from '../../directory/coverage.ts';
import { createCoverageLayouts } from '../../directory/coverage-layouts.ts';
import { assembleDrillDown, drillDown } from '../../directory/drilldown.ts';
import type { GroupPaths } from '../../directory/group-paths.ts';
import type { LiveDirectory } from '../../directory/live-directory.ts';
import { createReadCache, type ReadCache } from './read-cache.ts';
import { readGroupAddedAt } from '../../alerts/signals.ts';

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

/** How far back each group's last message is read: quiet lists go back this far, coverage needs 7 days. */
const LAST_MESSAGE_DAYS = 30;

export interface UnitReads {
  /** `ms` rounded up to the cache's span, so viewers of "until now" share one read. */
  roundUp(ms: number): number;
  /** The window a unit's numbers cover: `to` (default now, rounded up), `from` (default a day before) down to its hour. */
  window(from: Date | undefined, to: Date | undefined): { from: Date; to: Date };
  drillDown(unitId: string, from: Date, to: Date): Promise<DrillDown | undefined>;
  /** Each group's last message (epoch ms) in the 30 days before `at` (rounded by the caller). */
  lastMessages(at: number): Promise<Map<string, number>>;
  /** When each group entered the directory (epoch ms), as of `at` (rounded by the caller): the never-spoken grace period counts from it. */
  addedAt(at: number): Promise<Map<string, number>>;
  /** Booth coverage of a unit as of `at`; undefined when the unit is unknown. */
  coverage(unitId: string, expected: string[], at: number): Promise<CoverageReport | undefined>;
}

export interface UnitReadsDeps {
  client: ClickHouseClient;
  directory: LiveDirectory;
  /** The directory's group paths kept in ClickHouse, for drill-down in the engine; unset = joined in memory. */
  groupPaths?: GroupPaths;
  /** How long reads are shared between viewers; default 5 s. */
  cacheMs?: number;
  now?: () => number;
}

export function createUnitReads(deps: UnitReadsDeps): UnitReads {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 5000;
  const cache = createReadCache(cacheMs);
  const layouts = createCoverageLayouts();
  const roundUp = (ms: number) => (cacheMs > 0 ? Math.ceil(ms / cacheMs) * cacheMs : ms);
  const lastMessages = (at: number) => cache.get(`last:${at}`, () => readLastMessages(deps.client, new Date(at - LAST_MESSAGE_DAYS * DAY_MS)));

  return {
    roundUp,
    window(from, to) {
      const end = to ?? new Date(roundUp(now()));
      const start = new Date(Math.floor((from ?? new Date(end.getTime() - DAY_MS)).getTime() / HOUR_MS) * HOUR_MS);
      return { from: start, to: end };
    },
    drillDown: (unitId, from, to) => readDrillDown({ client: deps.client, directory: deps.directory, groupPaths: deps.groupPaths, cache }, unitId, from, to),
    lastMessages,
    addedAt: (at) => cache.get(`added:${at}`, () => readGroupAddedAt(deps.client)),
    async coverage(unitId, expected, at) {
      const index = deps.directory.index;
      const node = unitId ? index.units.get(unitId) : undefined;
      if (unitId && !node) return undefined;
      const [lastMessage, reach] = await Promise.all([
        lastMessages(at),
        cache.get(`reach:${unitId}`, () => readReach(deps.client, unitId, node ? node.path.length : 0)),
      ]);
      return computeCoverage(index, unitId, lastMessage, reach, expected, at, layouts.get(deps.directory, unitId, expected));
    },
  };
}
