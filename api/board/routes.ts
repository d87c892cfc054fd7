/**
 * The board's read endpoints under /api/v1/board (docs/openapi.yaml): sparkline trends per
 * division × category, a unit's page (drill-down, coverage, its own groups, quiet groups), the
 * quiet-groups count, a unit's time series over a chosen range, and search by unit or group name.
 * Every route needs a signed-in user and is cut to their scope: a lead reads only units at or under
 * their divisions (directory/scope.ts). Answers are typed by common/contracts/board.ts.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import type { z } from 'zod';
import { scopeAllows, type Scope } from '../../common/contracts/access.ts';
import {
  searchQuerySchema, seriesQuerySchema, trendsQuerySchema, unitQuerySchema,
  type QuietAnswer, type QuietRulesSummary, type SearchAnswer, type SeriesAnswer, type TrendCell, type TrendsAnswer, type UnitAnswer,
} from '../../common/contracts/board.ts';
import { complianceQuerySchema, type AdminRule, type ComplianceAnswer } from '../../common/contracts/compliance.ts';
import { representativesQuerySchema, type RepresentativesAnswer } from '../../common/contracts/representatives.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../common/time.ts';
import { readGroupActivity, readGroupMembers, type GroupActivity } from '../../directory/activity.ts';
import { expectedCategories } from '../../directory/coverage.ts';
import type { DirectoryIndex } from '../../directory/directory-index.ts';
import { readCompliance } from '../../directory/compliance.ts';
import { readInCharge } from '../../directory/contacts.ts';
import { findQuietGroups, type QuietTest } from '../../directory/drilldown.ts';
import { quietness, quietThresholdMs } from '../../alerts/quiet.ts';
import { DEFAULT_ALERT_RULES, type AlertRules } from '../../alerts/rules.ts';
import { readGroupTitles } from '../../directory/group-titles.ts';
import { readAccountActivity, scoreRepresentatives, scoreUnits } from '../../directory/representatives.ts';
import { createDirectoryRepository } from '../../directory/repository.ts';
import type { LiveDirectory } from '../../directory/live-directory.ts';
import { mayReadUnit } from '../../directory/scope.ts';
import { userLocals, type RequireUser } from '../access/require-user.ts';
import { createReadCache } from './read-cache.ts';
import { readGroupsOfUnit, readMessagesBetween, readSeries, readTrends, searchGroups, type SeriesSource } from './reads.ts';
import type { UnitReads } from './unit-reads.ts';
import { answerError, answerInvalid } from '../errors.ts';

export interface BoardRouterDeps {
  client: ClickHouseClient;
  directory: LiveDirectory;
  /** A unit's drill-down, coverage and last messages, shared with the directory API. */
  unitReads: UnitReads;
  requireUser: RequireUser;
  /** The alert rules in effect: their `inactivity` is what quiet means (alerts/quiet.ts); default the built-in rules. */
  rules?: () => Promise<AlertRules>;
  now?: () => number;
  /** How long trends are shared between viewers; default 5 s. */
  readCacheMs?: number;
  /** Representatives' scorecards: the target share of voters as followers, and the zone their posting days are counted in. */
  representatives?: { target: number; timeZone: string };
  /** Group compliance: the pramukh's role, the admin rules, and the door's keyed hash of a phone number (to find contacts among the people of events). */
  compliance?: { pramukhRole: string; admins: AdminRule[]; personKey: (phone: string) => string };
}

/** A chart never gets more points than this. */
const MAX_POINTS = 2000;
const MAX_RANGE_DAYS = 92;
/** Quiet groups listed with a unit's drill-down (the longest silent). */
const QUIET_LISTED = 200;
/** A unit's own groups listed with its page. */
const OWN_GROUPS_LISTED = 500;

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


/** The divisions the scope reads as a filter (undefined = all). */
function scopeDivisions(scope: Scope): string[] | undefined {
  return scope.kind === 'all' ? undefined : scope.divisions;
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
  const { unitReads } = deps;
  const trendsCache = createReadCache(deps.readCacheMs ?? 5000);
  const representativesCache = createReadCache(deps.readCacheMs ?? 5000);
  const complianceCache = createReadCache(deps.readCacheMs ?? 5000);
  const directoryRepository = createDirectoryRepository(deps.client);
  const anyUser = deps.requireUser();
  const rulesNow = deps.rules ?? (() => Promise.resolve(DEFAULT_ALERT_RULES));

  /**
   * Quiet by the one definition (alerts/quiet.ts), as of `at`: the test for findQuietGroups, each
   * group's threshold in hours, and the rules summarised for the answer.
   */
  async function quietJudge(index: DirectoryIndex, at: number) {
    const [rules, addedAt] = await Promise.all([rulesNow(), unitReads.addedAt(at)]);
    const { inactivity } = rules;
    const levelOf = (path: readonly string[]) => index.units.get(path.at(-1) ?? '')?.unit.level ?? '';
    const test: QuietTest = (id, placement, last) =>
      quietness(inactivity, { category: placement.category, level: levelOf(placement.unitPath), lastMessageAt: last, addedAt: addedAt.get(id) }, at).quiet;
    const thresholdHours = (placement: { unitPath: readonly string[]; category: string }) => quietThresholdMs(inactivity, placement.category, levelOf(placement.unitPath)) / HOUR_MS;
    const summary: QuietRulesSummary = { defaultHours: inactivity.defaultHours, byCategory: inactivity.byCategory, byLevel: inactivity.byLevel, newGraceHours: inactivity.newGraceHours };
    return { test, thresholdHours, summary };
  }

  /**
   * The steps every per-unit route starts with: parse the query and check the unit exists (404) and
   * the user may read it (403). Undefined once a 400, 404 or 403 has been answered.
   */
  function resolveUnit<S extends z.ZodType<{ unit: string }, z.ZodTypeDef, unknown>>(schema: S, req: Request, res: Response): { query: z.output<S>; index: DirectoryIndex } | undefined {
    const parsed = schema.safeParse(req.query);
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return undefined;
    }
    const index = deps.directory.index;
    const { unit } = parsed.data;
    if (unit && !index.units.has(unit)) {
      answerError(res, 404, 'not-found', `no unit "${unit}"`);
      return undefined;
    }
    if (!mayReadUnit(userLocals(res).scope, index, unit)) {
      answerError(res, 403, 'forbidden', unit ? `you may not read unit "${unit}"` : 'you may read only your divisions; ask for one with ?unit=<division id>');
      return undefined;
    }
    return { query: parsed.data, index };
  }

  router.get('/api/v1/board/trends', anyUser, async function getTrends(req, res) {
    const parsed = trendsQuerySchema.safeParse(req.query);
    if (!parsed.success) return answerInvalid(res, parsed.error);
    const divisions = scopeDivisions(userLocals(res).scope);
    const to = Math.ceil(now() / HOUR_MS) * HOUR_MS;
    const from = to - parsed.data.hours * HOUR_MS;
    // Messages per minute just now: the last complete minute and the current one so far (rollup_minute
    // is per minute), over the 60-120 s they span; the board counts from there on by itself.
    const at = now();
    const recentFrom = Math.floor(at / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    const [rows, recentMessages] = await Promise.all([
      trendsCache.get(`trends:${from}:${to}:${divisions?.join(',') ?? '*'}`, () => readTrends(deps.client, new Date(from), new Date(to), 3600, divisions)),
      readMessagesBetween(deps.client, new Date(recentFrom), new Date(recentFrom + 2 * MINUTE_MS), divisions),
    ]);
    const perMinute = (recentMessages * MINUTE_MS) / Math.max(MINUTE_MS, at - recentFrom);
    const buckets = Array.from({ length: parsed.data.hours }, (_, i) => from / 1000 + i * 3600);
    const cells = new Map<string, TrendCell>();
    for (const row of rows) {
      const key = `${row.division}\u0000${row.category}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { division: row.division, category: row.category, messages: buckets.map(() => 0) }));
      const slot = buckets.indexOf(row.t);
      if (slot >= 0) cell.messages[slot]! += row.messages;
    }
    const index = deps.directory.index;
    const names: Record<string, string> = {};
    for (const cell of cells.values()) names[cell.division] = index.units.get(cell.division)?.unit.name ?? cell.division;
    for (const node of index.units.values()) {
      if (node.unit.level === index.settings.divisionLevel && (!divisions || divisions.includes(node.unit.id))) names[node.unit.id] = node.unit.name;
    }
    res.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepSeconds: 3600, buckets, perMinute, names, cells: [...cells.values()] } satisfies TrendsAnswer);
  });

  router.get('/api/v1/board/unit', anyUser, async function getUnit(req, res) {
    const resolved = resolveUnit(unitQuerySchema, req, res);
    if (!resolved) return;
    const { query, index } = resolved;
    const { unit } = query;
    const { from, to } = unitReads.window(query.from, query.to);
    if (from >= to) return answerError(res, 400, 'bad-range', 'from must be before to');
    const at = unitReads.roundUp(now());
    const node = unit ? index.units.get(unit) : undefined;
    const [drill, lastMessage, coverage, ownGroups] = await Promise.all([
      unitReads.drillDown(unit, from, to).then((d) => d!),
      unitReads.lastMessages(at),
      unitReads.coverage(unit, expectedCategories(index.settings), at).then((c) => c!),
      unit ? readGroupsOfUnit(deps.client, unit, OWN_GROUPS_LISTED) : Promise.resolve([]),
    ]);
    // The unit's own groups: their numbers alone.
    const ownIds = ownGroups.map((g) => g.id);
    // One judgement of quiet for the whole page, as of one time: the own groups and the quiet list agree.
    const judgedAt = now();
    const judge = await quietJudge(index, judgedAt);
    const [activity, members] = ownIds.length
      ? await Promise.all([readGroupActivity(deps.client, from, to, ownIds), readGroupMembers(deps.client, ownIds)])
      : [new Map<string, GroupActivity>(), new Map<string, number>()];
    const groups = ownGroups.map((g) => {
      const last = lastMessage.get(g.id);
      const placement = { unitPath: node?.path ?? [unit], category: g.category };
      return {
        ...g,
        messages: activity.get(g.id)?.messages ?? 0,
        members: members.get(g.id) ?? 0,
        lastMessageAt: last !== undefined ? new Date(last).toISOString() : null,
        quiet: judge.test(g.id, placement, last),
        quietThresholdHours: judge.thresholdHours(placement),
      };
    });
    const quiet = findQuietGroups(index, unit, lastMessage, judge.test, QUIET_LISTED)!;
    // Titles and contacts are not held in memory (100k+ groups): read for the few listed.
    const quietIds = quiet.longest.map((g) => g.id);
    const [titles, inCharge] = await Promise.all([readGroupTitles(deps.client, quietIds), readInCharge(deps.client, index, quietIds)]);
    const unitStep = (id: string) => ({ id, name: index.units.get(id)?.unit.name ?? id, level: index.units.get(id)?.unit.level ?? '' });
    const below = (groupId: string) => {
      const unitPath = index.groups.get(groupId)?.unitPath ?? [];
      // The units below the page's, or the group's own when it sits on the page's unit.
      return unitPath.slice(unit ? Math.min(unitPath.indexOf(unit) + 1, unitPath.length - 1) : 0).map(unitStep);
    };
    res.json({
      from: from.toISOString(),
      to: to.toISOString(),
      unit: drill.unit ? { ...drill.unit, division: node!.division, leaf: index.isLeaf(unit) } : null,
      path: (node?.path ?? []).map(unitStep),
      total: drill.total,
      children: drill.children,
      coverage: { expected: coverage.expected, leafLevel: coverage.leafLevel, total: coverage.total, children: coverage.children },
      groups,
      quiet: {
        asOf: new Date(judgedAt).toISOString(),
        rules: judge.summary,
        total: quiet.quietGroups,
        groups: quiet.longest.map((g) => ({
          ...g,
          thresholdHours: judge.thresholdHours(index.groups.get(g.id) ?? { unitPath: [g.unit], category: g.category }),
          title: titles.get(g.id) ?? '',
          unitName: index.units.get(g.unit)?.unit.name ?? g.unit,
          lastMessageAt: g.lastMessageAt === null ? null : new Date(g.lastMessageAt).toISOString(),
          path: below(g.id),
          contacts: inCharge.get(g.id) ?? [],
        })),
      },
    } satisfies UnitAnswer);
  });

  /** Representatives in scope (at or under the unit), their scorecards and their units'. */
  router.get('/api/v1/board/representatives', anyUser, async function getRepresentatives(req, res) {
    const resolved = resolveUnit(representativesQuerySchema, req, res);
    if (!resolved) return;
    const { query, index } = resolved;
    const { target, timeZone } = deps.representatives ?? { target: 0.25, timeZone: 'Asia/Kolkata' };
    const at = unitReads.roundUp(now());
    const all = await representativesCache.get('representatives', () => directoryRepository.loadRepresentatives());
    const inScope = all.filter((r) => !query.unit || (index.units.get(r.unit)?.path.includes(query.unit) ?? false));
    const chosen = query.role ? inScope.filter((r) => r.role === query.role) : inScope;
    const activity = await representativesCache.get(`accounts:${at}:${query.unit}:${query.role ?? ''}`, () => readAccountActivity(deps.client, chosen, at, timeZone));
    const cards = scoreRepresentatives(chosen, activity, index, target);
    res.json({
      unit: query.unit,
      unitName: index.units.get(query.unit)?.unit.name ?? '',
      asOf: new Date(at).toISOString(),
      target,
      roles: [...new Set(inScope.map((r) => r.role))].sort(),
      representatives: cards,
      units: scoreUnits(cards),
    } satisfies RepresentativesAnswer);
  });

  /** Group compliance at or under a unit: counts per child, the booths and groups that fall short. */
  router.get('/api/v1/board/compliance', anyUser, async function getCompliance(req, res) {
    const resolved = resolveUnit(complianceQuerySchema, req, res);
    if (!resolved) return;
    const { query, index } = resolved;
    const setting = deps.compliance;
    if (!setting) return answerError(res, 503, 'unavailable', 'group compliance is not set up in this process');
    const rules = { categories: expectedCategories(index.settings), pramukhRole: setting.pramukhRole, admins: setting.admins };
    const at = unitReads.roundUp(now());
    const report = await complianceCache.get(`compliance:${deps.directory.version}:${query.unit}:${query.limit}:${at}`, () =>
      readCompliance(deps.client, index, query.unit, rules, setting.personKey, query.limit),
    );
    const titles = await readGroupTitles(deps.client, report.groups.map((g) => g.id));
    res.json({
      unit: query.unit,
      unitName: index.units.get(query.unit)?.unit.name ?? '',
      asOf: new Date(at).toISOString(),
      required: rules,
      ...report,
      groups: report.groups.map((g) => ({ ...g, title: titles.get(g.id) ?? '' })),
    } satisfies ComplianceAnswer);
  });

  /** Only the quiet-groups figure of the board's headline: cheap to poll (one shared read of last messages). */
  router.get('/api/v1/board/quiet', anyUser, async function getQuiet(req, res) {
    const resolved = resolveUnit(unitQuerySchema.pick({ unit: true }), req, res);
    if (!resolved) return;
    const { index } = resolved;
    const { unit } = resolved.query;
    const at = unitReads.roundUp(now());
    const [lastMessage, judge] = await Promise.all([unitReads.lastMessages(at), quietJudge(index, now())]);
    const { groups, quietGroups } = findQuietGroups(index, unit, lastMessage, judge.test)!;
    res.json({ unit, asOf: new Date(now()).toISOString(), rules: judge.summary, groups, quietGroups } satisfies QuietAnswer);
  });

  router.get('/api/v1/board/series', anyUser, async function getSeries(req, res) {
    const resolved = resolveUnit(seriesQuerySchema, req, res);
    if (!resolved) return;
    const { query, index } = resolved;
    const { unit } = query;
    const { scope } = userLocals(res);
    const to = query.to ?? new Date(Math.ceil(now() / MINUTE_MS) * MINUTE_MS);
    const from = query.from ?? new Date(to.getTime() - DAY_MS);
    const range = to.getTime() - from.getTime();
    if (range <= 0) return answerError(res, 400, 'bad-range', 'from must be before to');
    if (range > MAX_RANGE_DAYS * DAY_MS) return answerError(res, 400, 'bad-range', `the range may be at most ${MAX_RANGE_DAYS} days`);
    const step = query.step ?? autoStep(range);
    if (range / (step * 1000) > MAX_POINTS) return answerError(res, 400, 'invalid-request', `step ${step} s gives more than ${MAX_POINTS} points over this range; choose a larger step`, { field: 'step' });
    const covering = divisionsCovering(index, unit);
    const source: SeriesSource =
      unit === '' || covering
        ? { kind: 'divisions', divisions: covering ?? scopeDivisions(scope) }
        : { kind: 'unit', division: index.units.get(unit)!.division, unit };
    const points = await readSeries(deps.client, source, from, to, step);
    res.json({ unit, from: from.toISOString(), to: to.toISOString(), stepSeconds: step, points } satisfies SeriesAnswer);
  });

  router.get('/api/v1/board/search', anyUser, async function search(req, res) {
    const parsed = searchQuerySchema.safeParse(req.query);
    if (!parsed.success) return answerInvalid(res, parsed.error);
    const index = deps.directory.index;
    const { scope } = userLocals(res);
    const { q, limit } = parsed.data;
    const needle = q.toLocaleLowerCase();
    // Every match, then the first `limit` in natural order (names then ids).
    const matches: SearchAnswer['units'] = [];
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
    res.json({ q, units, groups } satisfies SearchAnswer);
  });

  return router;
}
