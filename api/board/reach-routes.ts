/**
 * Message reach down the tree (docs/openapi.yaml): today's messages by spread (GET /api/v1/board/reach),
 * one message by division and level with the booth groups it missed (GET /api/v1/board/reach/{fingerprint}),
 * and marking one important (POST/DELETE …/important, admins). Cut to the reader's divisions; `unit` narrows
 * to the divisions at or under a unit the reader may read. Reads: directory/reach.ts.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { scopeAllows, type Scope } from '../../common/contracts/access.ts';
import {
  REACH_MARKS_MINUTES, REACH_ID_LENGTH, reachDetailQuerySchema, reachIdSchema, reachListQuerySchema, reachTargetBodySchema,
  type ReachDetailAnswer, type ReachImportantAnswer, type ReachListAnswer, type ReachMessage, type ReachTarget,
} from '../../common/contracts/reach.ts';
import { createVersionClock } from '../../common/store/row-version.ts';
import { DAY_MS, wallClockAt, wallClockToEpochMs } from '../../common/time.ts';
import type { DirectoryIndex } from '../../directory/directory-index.ts';
import { readGroupTitles } from '../../directory/group-titles.ts';
import type { LiveDirectory } from '../../directory/live-directory.ts';
import { findReach, readDivisionReach, readReachByLevel, readReachedGroups, readReachList, readReachMarks, writeReachMark, type ReachFirst, type ReachMark } from '../../directory/reach.ts';
import { boothGroupsByDivision, divisionShares, firstArrivalByLevel, missingBoothGroups, type DivisionReachRow } from '../../directory/reach-math.ts';
import { mayReadUnit } from '../../directory/scope.ts';
import { userLocals, type RequireUser } from '../access/require-user.ts';
import { answerError, answerInvalid } from '../errors.ts';

export interface ReachRouterDeps {
  client: ClickHouseClient;
  directory: Pick<LiveDirectory, 'index' | 'version'>;
  requireUser: RequireUser;
  timeZone: string;
  now?: () => number;
}

/** The divisions (units of the division level) a reader sees under `unit` ('' = all theirs). */
function divisionsUnder(index: DirectoryIndex, scope: Scope, unit: string): string[] {
  const { levels, divisionLevel } = index.settings;
  const divisions = [...index.units.values()].filter((n) => n.unit.level === divisionLevel && scopeAllows(scope, n.unit.id));
  if (unit === '') return divisions.map((n) => n.unit.id);
  const node = index.units.get(unit)!;
  // At or under the division level: its division; above it: the divisions under it.
  if (levels.indexOf(node.unit.level) >= levels.indexOf(divisionLevel)) return divisions.some((n) => n.unit.id === node.division) ? [node.division] : [];
  return divisions.filter((n) => n.path.includes(unit)).map((n) => n.unit.id);
}

function markToTarget(mark: ReachMark | undefined): ReachTarget | null {
  return mark ? { share: mark.share, withinMinutes: mark.withinMinutes, markedBy: mark.markedBy, markedAt: new Date(mark.markedAt).toISOString() } : null;
}

export function createReachRouter(deps: ReachRouterDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const anyUser = deps.requireUser();
  const adminOnly = deps.requireUser('admin');
  const nextVersion = createVersionClock();
  let booths: { version: number; size: number; byDivision: Map<string, { id: string; unit: string }[]> } | undefined;

  /** Booth groups per division, made once per directory version. */
  function boothGroups(index: DirectoryIndex) {
    if (!booths || booths.version !== deps.directory.version || booths.size !== index.groups.size || deps.directory.version === 0) {
      booths = { version: deps.directory.version, size: index.groups.size, byDivision: boothGroupsByDivision(index) };
    }
    return booths.byDivision;
  }

  /** The reader's divisions under `unit`, or undefined once a 404 or 403 has been answered. */
  function resolveDivisions(req: Request, res: Response, unit: string): { index: DirectoryIndex; divisions: string[]; all: boolean } | undefined {
    const index = deps.directory.index;
    const { scope } = userLocals(res);
    if (unit && !index.units.has(unit)) {
      answerError(res, 404, 'not-found', `no unit "${unit}"`);
      return undefined;
    }
    if (unit && !mayReadUnit(scope, index, unit)) {
      answerError(res, 403, 'forbidden', `you may not read unit "${unit}"`);
      return undefined;
    }
    return { index, divisions: divisionsUnder(index, scope, unit), all: unit === '' && scope.kind === 'all' };
  }

  const leafLevel = (index: DirectoryIndex) => index.settings.levels[index.settings.levels.length - 1]!;

  /**
   * Each message as the reader sees it: reach within their divisions (`read`: already read per division, else
   * read here), the origin named when it is theirs or above them.
   */
  async function describe(index: DirectoryIndex, messages: ReachFirst[], divisions: string[], all: boolean, read?: Map<string, DivisionReachRow[]>): Promise<Map<string, ReachMessage>> {
    const [rows, marks, titles] = await Promise.all([
      read ?? readDivisionReach(deps.client, messages, { divisions: all ? undefined : divisions, leafLevel: leafLevel(index) }),
      readReachMarks(deps.client, messages.map((m) => m.fingerprint)),
      readGroupTitles(deps.client, messages.map((m) => m.group)),
    ]);
    const totals = new Map([...boothGroups(index)].map(([d, list]) => [d, list.length]));
    const nameOf = (id: string) => index.units.get(id)?.unit.name ?? id;
    const ancestors = new Set(divisions.flatMap((d) => index.units.get(d)?.path ?? []));
    const out = new Map<string, ReachMessage>();
    for (const m of messages) {
      const list: DivisionReachRow[] = rows.get(m.fingerprint) ?? [];
      const unit = index.groups.get(m.group)?.unitPath.at(-1) ?? m.unit;
      const visible = divisions.includes(m.division) || ancestors.has(unit) || all;
      const sum = (pick: (r: DivisionReachRow) => number) => list.reduce((n, r) => n + pick(r), 0);
      out.set(m.fingerprint, {
        id: m.fingerprint.slice(0, REACH_ID_LENGTH),
        origin: { at: new Date(m.firstAt).toISOString(), group: visible ? m.group : '', title: visible ? titles.get(m.group) ?? '' : '', unit, unitName: nameOf(unit), level: index.units.get(unit)?.unit.level ?? '' },
        groups: sum((r) => r.groups),
        units: sum((r) => r.units),
        boothGroups: sum((r) => r.boothGroups),
        booths: sum((r) => r.booths),
        divisions: divisionShares(list, divisions, totals, nameOf),
        important: markToTarget(marks.get(m.fingerprint)),
      });
    }
    return out;
  }

  router.get('/api/v1/board/reach', anyUser, async function listReach(req, res) {
    const parsed = reachListQuerySchema.safeParse(req.query);
    if (!parsed.success) return answerInvalid(res, parsed.error);
    const resolved = resolveDivisions(req, res, parsed.data.unit);
    if (!resolved) return;
    const { index, divisions, all } = resolved;
    const wall = wallClockAt(now(), deps.timeZone);
    const [year, month, day] = parsed.data.day ? parsed.data.day.split('-').map(Number) as [number, number, number] : [wall.year, wall.month, wall.day];
    const from = wallClockToEpochMs({ year, month, day, hour: 0, minute: 0, second: 0 }, deps.timeZone);
    const next = new Date(Date.UTC(year, month - 1, day) + DAY_MS);
    const to = wallClockToEpochMs({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 }, deps.timeZone);
    const { limit } = parsed.data;
    const listed = divisions.length === 0 && !all ? [] : await readReachList(deps.client, {
      fromMs: from, toMs: to, divisions: all ? undefined : divisions, limit, leafLevel: leafLevel(index),
      // Messages sent down: first seen in a group above the booth level.
      sentDown: (m) => !index.isLeaf(index.groups.get(m.group)?.unitPath.at(-1) ?? m.unit),
    });
    const sentDown = listed.map((l) => l.message);
    const described = await describe(index, sentDown, divisions, all, new Map(listed.map((l) => [l.message.fingerprint, l.divisions])));
    const dayText = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    res.json({ day: dayText, timeZone: deps.timeZone, marksMinutes: [...REACH_MARKS_MINUTES], messages: sentDown.map((m) => described.get(m.fingerprint)!) } satisfies ReachListAnswer);
  });

  /** The message of the path's id, or undefined once a 400 or 404 has been answered. */
  async function messageOf(req: Request, res: Response): Promise<ReachFirst | undefined> {
    const id = reachIdSchema.safeParse(req.params.fingerprint);
    if (!id.success) {
      answerInvalid(res, id.error);
      return undefined;
    }
    const message = await findReach(deps.client, id.data);
    if (!message) answerError(res, 404, 'not-found', `no message "${id.data}"`);
    return message;
  }

  router.get('/api/v1/board/reach/:fingerprint', anyUser, async function reachDetail(req, res) {
    const parsed = reachDetailQuerySchema.safeParse(req.query);
    if (!parsed.success) return answerInvalid(res, parsed.error);
    const resolved = resolveDivisions(req, res, parsed.data.unit);
    if (!resolved) return;
    const { index, divisions, all } = resolved;
    const { page, pageSize } = parsed.data;
    const division = parsed.data.division ?? divisions[0] ?? '';
    if (parsed.data.division !== undefined) {
      if (index.units.get(division)?.unit.level !== index.settings.divisionLevel) return answerError(res, 404, 'not-found', `no division "${division}"`);
      if (!divisions.includes(division)) return answerError(res, 403, 'forbidden', `you may not read division "${division}"`);
    }
    const message = await messageOf(req, res);
    if (!message) return;
    const [described, byLevel, reached] = await Promise.all([
      describe(index, [message], divisions, all),
      readReachByLevel(deps.client, message, all ? undefined : divisions),
      division ? readReachedGroups(deps.client, message, division) : Promise.resolve(new Set<string>()),
    ]);
    const levels = firstArrivalByLevel(byLevel, index.settings.levels, message.firstAt);
    const nameOf = (id: string) => index.units.get(id)?.unit.name ?? id;
    const missing = missingBoothGroups(boothGroups(index).get(division) ?? [], reached, nameOf, page, pageSize);
    const titles = await readGroupTitles(deps.client, missing.groups.map((g) => g.id));
    res.json({
      message: described.get(message.fingerprint)!,
      marksMinutes: [...REACH_MARKS_MINUTES],
      levels,
      missing: { division, total: missing.total, page, pageSize, groups: missing.groups.map((g) => ({ ...g, title: titles.get(g.id) ?? '' })) },
    } satisfies ReachDetailAnswer);
  });

  router.post('/api/v1/board/reach/:fingerprint/important', adminOnly, express.json({ limit: '4kb' }), async function markImportant(req, res) {
    const body = reachTargetBodySchema.safeParse(req.body ?? {});
    if (!body.success) return answerInvalid(res, body.error);
    const message = await messageOf(req, res);
    if (!message) return;
    const at = now();
    const by = userLocals(res).user.username;
    await writeReachMark(deps.client, { fingerprint: message.fingerprint, target: body.data, by, at, version: nextVersion(at) });
    res.json({ id: message.fingerprint.slice(0, REACH_ID_LENGTH), important: { ...body.data, markedBy: by, markedAt: new Date(at).toISOString() } } satisfies ReachImportantAnswer);
  });

  router.delete('/api/v1/board/reach/:fingerprint/important', adminOnly, async function unmarkImportant(req, res) {
    const message = await messageOf(req, res);
    if (!message) return;
    const at = now();
    await writeReachMark(deps.client, { fingerprint: message.fingerprint, target: null, by: userLocals(res).user.username, at, version: nextVersion(at) });
    res.json({ id: message.fingerprint.slice(0, REACH_ID_LENGTH), important: null } satisfies ReachImportantAnswer);
  });

  return router;
}
