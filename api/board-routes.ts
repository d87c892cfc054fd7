/**
 * The board's read endpoints under /api/v1/board (docs/openapi.yaml): sparkline trends per
 * division × category, a unit's drill-down with coverage and its own groups, a unit's time series
 * over a chosen range, and search by unit or group name. Every route needs a signed-in user and is
 * cut to their scope: a lead reads only units at or under their divisions (api/auth/roles.ts).
 */
import express, { type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { isoInstant } from './params.ts';
import { describeZodError } from '../common/events.ts';
import { readGroupActivity, readGroupMembers, readLastMessages, readReach, type GroupActivity } from '../directory/activity.ts';
import { readGroupTitles } from '../directory/group-titles.ts';
import { computeCoverage } from '../directory/coverage.ts';
import { createCoverageLayouts } from '../directory/coverage-layouts.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import { readDrillDown } from '../directory/drilldown-read.ts';
import { findQuietGroups } from '../directory/drilldown.ts';
import type { GroupPaths } from '../directory/group-paths.ts';
import type { LiveDirectory } from '../directory/live-directory.ts';
import { createReadCache } from '../directory/read-cache.ts';
import { userLocals, type RequireUser } from './auth/require-user.ts';
import { scopeAllows, type Scope } from './auth/roles.ts';
import { readGroupsOfUnit, readMessagesBetween, readSeries, readTrends, searchGroups, type SeriesSource } from './board-reads.ts';

export interface BoardRouterDeps {
  client: ClickHouseClient;
  directory: LiveDirectory | undefined;
  /** The directory's group paths kept in ClickHouse, for drill-down in the engine; unset = joined in memory. */
  groupPaths?: GroupPaths;
  requireUser: RequireUser;
  now?: () => number;
  /** How long per-group reads are shared between viewers; default 5 s. */
  readCacheMs?: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** A chart never gets more points than this. */
const MAX_POINTS = 2000;
const MAX_RANGE_DAYS = 92;
/** Quiet groups listed with a unit's drill-down (the longest silent). */
const QUIET_LISTED = 200;

const trendsSchema = z.object({
  hours: z.coerce.number({ invalid_type_error: 'hours must be a number' }).int('hours must be whole').min(1, 'hours must be 1 to 48').max(48, 'hours must be 1 to 48').default(12),
});

const unitSchema = z.object({
  unit: z.string().max(256).default(''),
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
});

const seriesSchema = unitSchema.extend({
  step: z.coerce.number({ invalid_type_error: 'step must be a number of seconds' }).int().min(60, 'step must be at least 60 seconds').max(7 * 86_400, 'step must be at most 7 days').optional(),
});

const searchSchema = z.object({
  q: z.string().trim().min(2, 'q must have at least 2 characters').max(100, 'q must have at most 100 characters'),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

/** Natural order for names: "Booth 2" before "Booth 10", case and accents aside. */
const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** A step that gives a readable chart for the range: minutes for a couple of hours, days for months. */
export function autoStep(rangeMs: number): number {
  if (rangeMs <= 3 * HOUR_MS) return 60;
  if (rangeMs <= 12 * HOUR_MS) return 300;
  if (rangeMs <= 2 * DAY_MS) return 900;
  if (rangeMs <= 8 * DAY_MS) return 3600;
  return 86_400;
}

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: message });
}

/** The divisions the scope reads as a filter (undefined = all). */
function scopeDivisions(scope: Scope): string[] | undefined {
  return scope.kind === 'all' ? undefined : scope.divisions;
}

/** Whether the user may read a unit ('' = the whole organisation, only for read-all roles). */
function mayRead(scope: Scope, index: DirectoryIndex, unit: string): boolean {
  if (unit === '') return scope.kind === 'all';
  const node = index.units.get(unit);
  return !!node && scopeAllows(scope, node.division);
}

/** Is `unit` above the division level (or the division itself)? Then its series comes from whole divisions. */
function divisionsCovering(index: DirectoryIndex, unit: string): string[] | undefined {
  if (unit === '') return undefined;
  const node = index.units.get(unit)!;
  const levels = index.settings.levels;
  if (levels.indexOf(node.unit.level) > levels.indexOf(index.settings.divisionLevel)) return undefined;
  if (node.unit.level === index.settings.divisionLevel) return [unit];
  const divisions = new Set<string>();
  for (const other of index.units.values()) if (other.path.includes(unit) && other.unit.level === index.settings.divisionLevel) divisions.add(other.unit.id);
  return [...divisions];
}

export function createBoardRouter(deps: BoardRouterDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const cacheMs = deps.readCacheMs ?? 5000;
  const cache = createReadCache(cacheMs);
  const layouts = createCoverageLayouts();
  const roundUp = (ms: number) => (cacheMs > 0 ? Math.ceil(ms / cacheMs) * cacheMs : ms);
  const anyUser = deps.requireUser();

  /** The directory, or a 503 answered. */
  function indexOr503(res: Response): DirectoryIndex | undefined {
    if (!deps.directory) {
      res.status(503).json({ error: 'the group directory is not loaded in this process' });
      return undefined;
    }
    return deps.directory.index;
  }

  /**
   * The steps every per-unit route starts with: parse the query, take the directory and check the
   * user may read the unit. Undefined once a 400, 503, 404 or 403 has been answered.
   */
  function resolveUnit<S extends z.ZodType<{ unit: string }, z.ZodTypeDef, unknown>>(schema: S, req: express.Request, res: Response): { query: z.output<S>; index: DirectoryIndex } | undefined {
    const parsed = schema.safeParse(req.query);
    if (!parsed.success) {
      badRequest(res, describeZodError(parsed.error));
      return undefined;
    }
    const index = indexOr503(res);
    if (!index || !readable(res, index, parsed.data.unit)) return undefined;
    return { query: parsed.data, index };
  }

  /** Each group's last message in the last 30 days, shared by viewers for the cache's span. */
  function lastMessagesAt(at: number): Promise<Map<string, number>> {
    return cache.get(`last:${at}`, () => readLastMessages(deps.client, new Date(at - 30 * DAY_MS)));
  }

  /** Whether the signed-in user may read `unit`; else a 404 (no such unit) or 403 answered. */
  function readable(res: Response, index: DirectoryIndex, unit: string): boolean {
    if (unit && !index.units.has(unit)) {
      res.status(404).json({ error: `no unit "${unit}"` });
      return false;
    }
    if (!mayRead(userLocals(res).scope, index, unit)) {
      res.status(403).json({ error: unit ? `you may not read unit "${unit}"` : 'you may read only your divisions; ask for one with ?unit=<division id>' });
      return false;
    }
    return true;
  }

  router.get('/api/v1/board/trends', anyUser, async function getTrends(req, res) {
    const parsed = trendsSchema.safeParse(req.query);
    if (!parsed.success) return badRequest(res, describeZodError(parsed.error));
    const divisions = scopeDivisions(userLocals(res).scope);
    const to = Math.ceil(now() / HOUR_MS) * HOUR_MS;
    const from = to - parsed.data.hours * HOUR_MS;
    // Messages per minute just now: the last complete minute and the current one so far (rollup_minute
    // is per minute), over the 60-120 s they span; the board counts from there on by itself.
    const at = now();
    const recentFrom = Math.floor(at / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    const [rows, recentMessages] = await Promise.all([
      cache.get(`trends:${from}:${to}:${divisions?.join(',') ?? '*'}`, () => readTrends(deps.client, new Date(from), new Date(to), 3600, divisions)),
      readMessagesBetween(deps.client, new Date(recentFrom), new Date(recentFrom + 2 * MINUTE_MS), divisions),
    ]);
    const perMinute = (recentMessages * MINUTE_MS) / Math.max(MINUTE_MS, at - recentFrom);
    const buckets = Array.from({ length: parsed.data.hours }, (_, i) => from / 1000 + i * 3600);
    const cells = new Map<string, { division: string; category: string; messages: number[] }>();
    for (const row of rows) {
      const key = `${row.division}\u0000${row.category}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { division: row.division, category: row.category, messages: buckets.map(() => 0) }));
      const slot = buckets.indexOf(row.t);
      if (slot >= 0) cell.messages[slot]! += row.messages;
    }
    const index = deps.directory?.index;
    const names: Record<string, string> = {};
    for (const cell of cells.values()) names[cell.division] = index?.units.get(cell.division)?.unit.name ?? cell.division;
    if (index) {
      for (const node of index.units.values()) {
        if (node.unit.level === index.settings.divisionLevel && (!divisions || divisions.includes(node.unit.id))) names[node.unit.id] = node.unit.name;
      }
    }
    res.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepSeconds: 3600, buckets, perMinute, names, cells: [...cells.values()] });
  });

  router.get('/api/v1/board/unit', anyUser, async function getUnit(req, res) {
    const resolved = resolveUnit(unitSchema, req, res);
    if (!resolved) return;
    const { query, index } = resolved;
    const { unit } = query;
    const to = query.to ?? new Date(roundUp(now()));
    const from = new Date(Math.floor((query.from ?? new Date(to.getTime() - DAY_MS)).getTime() / HOUR_MS) * HOUR_MS);
    if (from >= to) return badRequest(res, 'from must be before to');
    const at = roundUp(now());
    const node = unit ? index.units.get(unit) : undefined;
    const [drill, lastMessage, reach, ownGroups] = await Promise.all([
      readDrillDown({ client: deps.client, directory: deps.directory!, groupPaths: deps.groupPaths, cache }, unit, from, to).then((d) => d!),
      lastMessagesAt(at),
      cache.get(`reach:${unit}`, () => readReach(deps.client, unit, node ? node.path.length : 0)),
      unit ? readGroupsOfUnit(deps.client, unit, 500) : Promise.resolve([]),
    ]);
    // The unit's own groups (at most 500): their numbers alone.
    const ownIds = ownGroups.map((g) => g.id);
    const [activity, members] = ownIds.length
      ? await Promise.all([readGroupActivity(deps.client, from, to, ownIds), readGroupMembers(deps.client, ownIds)])
      : [new Map<string, GroupActivity>(), new Map<string, number>()];
    const categories = index.settings.categories;
    const expected = categories.includes('booth-voters') ? ['booth-voters'] : categories;
    const coverage = computeCoverage(index, unit, lastMessage, reach, expected, at, layouts.get(deps.directory!, unit, expected))!;
    const groups = ownGroups.map((g) => {
      const seen = activity.get(g.id);
      const last = lastMessage.get(g.id);
      return {
        ...g,
        messages: seen?.messages ?? 0,
        members: members.get(g.id) ?? 0,
        lastMessageAt: last !== undefined ? new Date(last).toISOString() : null,
      };
    });
    const path = (node?.path ?? []).map((id) => ({ id, name: index.units.get(id)?.unit.name ?? id, level: index.units.get(id)?.unit.level ?? '' }));
    const quietSince = now() - DAY_MS;
    const quiet = findQuietGroups(index, unit, lastMessage, quietSince, QUIET_LISTED)!;
    // Titles are not held in memory (100k+ groups): read for the few listed.
    const titles = await readGroupTitles(deps.client, quiet.longest.map((g) => g.id));
    res.json({
      from: from.toISOString(),
      to: to.toISOString(),
      unit: drill.unit ? { ...drill.unit, division: node!.division, leaf: index.isLeaf(unit) } : null,
      path,
      total: drill.total,
      children: drill.children,
      coverage: { expected: coverage.expected, leafLevel: coverage.leafLevel, total: coverage.total, children: coverage.children },
      groups,
      quiet: {
        since: new Date(quietSince).toISOString(),
        total: quiet.quietGroups,
        groups: quiet.longest.map((g) => ({
          ...g,
          title: titles.get(g.id) ?? '',
          unitName: index.units.get(g.unit)?.unit.name ?? g.unit,
          lastMessageAt: g.lastMessageAt === null ? null : new Date(g.lastMessageAt).toISOString(),
        })),
      },
    });
  });

  /** Only the quiet-groups figure of the board's headline: cheap to poll (one shared read of last messages). */
  router.get('/api/v1/board/quiet', anyUser, async function getQuiet(req, res) {
    const resolved = resolveUnit(unitSchema.pick({ unit: true }), req, res);
    if (!resolved) return;
    const { index } = resolved;
    const { unit } = resolved.query;
    const lastMessage = await lastMessagesAt(roundUp(now()));
    const since = now() - DAY_MS;
    const { groups, quietGroups } = findQuietGroups(index, unit, lastMessage, since)!;
    res.json({ unit, since: new Date(since).toISOString(), groups, quietGroups });
  });

  router.get('/api/v1/board/series', anyUser, async function getSeries(req, res) {
    const resolved = resolveUnit(seriesSchema, req, res);
    if (!resolved) return;
    const { query, index } = resolved;
    const { unit } = query;
    const { scope } = userLocals(res);
    const to = query.to ?? new Date(Math.ceil(now() / MINUTE_MS) * MINUTE_MS);
    const from = query.from ?? new Date(to.getTime() - DAY_MS);
    const range = to.getTime() - from.getTime();
    if (range <= 0) return badRequest(res, 'from must be before to');
    if (range > MAX_RANGE_DAYS * DAY_MS) return badRequest(res, `the range may be at most ${MAX_RANGE_DAYS} days`);
    const step = query.step ?? autoStep(range);
    if (range / (step * 1000) > MAX_POINTS) return badRequest(res, `step ${step} s gives more than ${MAX_POINTS} points over this range; choose a larger step`);
    const covering = divisionsCovering(index, unit);
    const source: SeriesSource =
      unit === '' || covering
        ? { kind: 'divisions', divisions: covering ?? scopeDivisions(scope) }
        : { kind: 'unit', division: index.units.get(unit)!.division, unit };
    const points = await readSeries(deps.client, source, from, to, step);
    res.json({ unit, from: from.toISOString(), to: to.toISOString(), stepSeconds: step, points });
  });

  router.get('/api/v1/board/search', anyUser, async function search(req, res) {
    const parsed = searchSchema.safeParse(req.query);
    if (!parsed.success) return badRequest(res, describeZodError(parsed.error));
    const index = indexOr503(res);
    if (!index) return;
    const { scope } = userLocals(res);
    const { q, limit } = parsed.data;
    const needle = q.toLocaleLowerCase();
    // Every match, then the first `limit` in natural order (names then ids).
    const matches = [];
    for (const node of index.units.values()) {
      if (!scopeAllows(scope, node.division)) continue;
      if (node.unit.name.toLocaleLowerCase().includes(needle) || node.unit.id.toLocaleLowerCase().includes(needle)) {
        matches.push({ id: node.unit.id, name: node.unit.name, level: node.unit.level, division: node.division });
      }
    }
    const units = matches.sort((a, b) => naturalOrder.compare(a.name, b.name) || naturalOrder.compare(a.id, b.id)).slice(0, limit);
    // Read a few more than asked: some may fall outside a lead's scope.
    const found = await searchGroups(deps.client, q, scope.kind === 'all' ? limit : limit * 5);
    const groups = found
      .map((g) => ({ ...g, division: index.groups.get(g.id)?.division ?? '' }))
      .filter((g) => scopeAllows(scope, g.division))
      .slice(0, limit)
      .map((g) => ({ ...g, unitName: index.units.get(g.unit)?.unit.name ?? g.unit }));
    res.json({ q, units, groups });
  });

  return router;
}
