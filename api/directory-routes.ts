/**
 * Directory routes under /api/v1/directory (documented in docs/openapi.yaml): settings, unit and
 * group imports (CSV or JSON, all-or-nothing, every problem listed by line), lookups, drill-down
 * and coverage. Imports refresh this process's directory at once; other processes pick the change
 * up from directory_version within their poll interval.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { isoInstant } from './params.ts';
import { describeZodError } from '../common/events.ts';
import { readLastMessages, readReach } from '../directory/activity.ts';
import { computeCoverage } from '../directory/coverage.ts';
import { createCoverageLayouts } from '../directory/coverage-layouts.ts';
import { readDrillDown } from '../directory/drilldown-read.ts';
import type { GroupPaths } from '../directory/group-paths.ts';
import type { Importer, ImportResult } from '../directory/importer.ts';
import type { LiveDirectory } from '../directory/live-directory.ts';
import { detectFormat } from '../directory/parse.ts';
import type { DirectoryIndex } from '../directory/directory-index.ts';
import type { RequireUser, UserLocals } from './access/require-user.ts';
import { scopeAllows } from '../access/roles.ts';
import { createReadCache } from '../directory/read-cache.ts';
import { HOUR_MS, DAY_MS } from '../common/time.ts';

export interface DirectoryRouterDeps {
  client: ClickHouseClient;
  directory: LiveDirectory;
  /** The directory's group paths kept in ClickHouse, for drill-down in the engine; unset = joined in memory. */
  groupPaths?: GroupPaths;
  importer: Importer;
  /** Guards imports (and settings changes). */
  authorizeWrite: RequestHandler;
  /** Signed-in users only on reads, a lead only at or under their divisions; unset = reads are open. */
  requireUser?: RequireUser;
  /** Largest import body, bytes. */
  maxImportBytes?: number;
  /** How long per-group reads are shared between requests (a live board asks often); default 5 s. */
  readCacheMs?: number;
  now?: () => number;
}


const modeSchema = z.object({ mode: z.enum(['merge', 'replace']).default('merge') });

const windowSchema = z.object({
  unit: z.string().default(''),
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
});

const coverageSchema = z.object({
  unit: z.string().default(''),
  expected: z.string().optional().transform((s) => (s ? s.split(',').map((c) => c.trim()).filter(Boolean) : undefined)),
});

function sendImportResult(res: Response, result: ImportResult): void {
  if (result.ok) res.json(result);
  else res.status(422).json({ error: `import refused, nothing was applied: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`, problems: result.problems });
}

/** A unit is readable in a scope when its division is ('' = the whole organisation: read-all roles only). */
export function mayRead(scope: NonNullable<UserLocals['scope']>, index: DirectoryIndex, unit: string): boolean {
  if (scope.kind === 'all') return true;
  if (unit === '') return false;
  const node = index.units.get(unit);
  return !node || scopeAllows(scope, node.division);
}

export function createDirectoryRouter(deps: DirectoryRouterDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const read: RequestHandler = deps.requireUser ? deps.requireUser() : (_req: Request, _res: Response, next: NextFunction) => next();
  const body = express.text({ type: () => true, limit: deps.maxImportBytes ?? 128 * 1024 * 1024 });
  const index = deps.directory.index;
  const cacheMs = deps.readCacheMs ?? 5000;
  const cache = createReadCache(cacheMs);
  const layouts = createCoverageLayouts();
  /** May the caller read this unit ('' = the whole organisation)? A 403 is answered when not. */
  function allowed(res: Response, unit: string): boolean {
    const scope = (res.locals as Partial<UserLocals>).scope;
    if (!scope || mayRead(scope, index, unit)) return true;
    res.status(403).json({ error: unit ? `unit "${unit}" is outside your divisions` : 'you may read only your divisions: pass unit=<one of them>' });
    return false;
  }
  /** `to` rounded up to the cache period, so viewers of "the last 24 h" share one read. */
  const roundUp = (ms: number) => (cacheMs > 0 ? Math.ceil(ms / cacheMs) * cacheMs : ms);

  function importRoute(kind: 'units' | 'groups') {
    return async function importDirectoryFile(req: Request, res: Response) {
      const query = modeSchema.safeParse(req.query);
      if (!query.success) {
        res.status(400).json({ error: describeZodError(query.error) });
        return;
      }
      const text = typeof req.body === 'string' ? req.body : '';
      if (text.trim() === '') {
        res.status(400).json({ error: `body is empty: send ${kind} as CSV (text/csv, header row first) or JSON (application/json)` });
        return;
      }
      const format = detectFormat(req.headers['content-type'], text);
      const result = kind === 'units'
        ? await deps.importer.importUnits(text, format, query.data.mode)
        : await deps.importer.importGroups(text, format, query.data.mode);
      sendImportResult(res, result);
    };
  }

  router.get('/api/v1/directory', read, function getDirectoryStatus(_req, res) {
    res.json({ version: deps.directory.version, settings: index.settings, units: index.units.size, groups: index.groups.size });
  });

  router.get('/api/v1/directory/settings', read, function getSettings(_req, res) {
    res.json(index.settings);
  });

  router.put('/api/v1/directory/settings', deps.authorizeWrite, express.json({ limit: '64kb' }), async function putSettings(req, res) {
    const result = await deps.importer.importSettings(req.body);
    sendImportResult(res, result);
  });

  router.post('/api/v1/directory/units', deps.authorizeWrite, body, importRoute('units'));
  router.post('/api/v1/directory/groups', deps.authorizeWrite, body, importRoute('groups'));

  router.get('/api/v1/directory/units/:id', read, function getUnit(req, res) {
    const id = String(req.params.id);
    const node = index.units.get(id);
    if (node && !allowed(res, id)) return;
    if (!node) {
      res.status(404).json({ error: `no unit "${id}"` });
      return;
    }
    const children = (index.children.get(node.unit.id) ?? []).map((id) => index.units.get(id)!.unit);
    res.json({ ...node.unit, path: node.path, division: node.division, leaf: index.isLeaf(node.unit.id), children });
  });

  router.get('/api/v1/directory/groups/:id', read, function getGroup(req, res) {
    const id = String(req.params.id);
    const placement = index.groups.get(id);
    const scope = (res.locals as Partial<UserLocals>).scope;
    if (placement && scope && !scopeAllows(scope, placement.division)) {
      res.status(403).json({ error: `group "${id}" is outside your divisions` });
      return;
    }
    if (!placement) {
      res.status(404).json({ error: `no group "${id}" in the directory` });
      return;
    }
    res.json({ id, unit: placement.unitPath[placement.unitPath.length - 1], ...placement, targetSize: index.targets.get(id) ?? null });
  });

  router.get('/api/v1/directory/drilldown', read, async function getDrillDown(req, res) {
    const parsed = windowSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: describeZodError(parsed.error) });
      return;
    }
    if (!allowed(res, parsed.data.unit)) return;
    const to = parsed.data.to ?? new Date(roundUp(now()));
    const from = new Date(Math.floor((parsed.data.from ?? new Date(to.getTime() - DAY_MS)).getTime() / HOUR_MS) * HOUR_MS);
    if (from >= to) {
      res.status(400).json({ error: 'from must be before to' });
      return;
    }
    const result = await readDrillDown({ client: deps.client, directory: deps.directory, groupPaths: deps.groupPaths, cache }, parsed.data.unit, from, to);
    if (!result) {
      res.status(404).json({ error: `no unit "${parsed.data.unit}"` });
      return;
    }
    res.json({ from: from.toISOString(), to: to.toISOString(), version: deps.directory.version, ...result });
  });

  router.get('/api/v1/directory/coverage', read, async function getCoverage(req, res) {
    const parsed = coverageSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: describeZodError(parsed.error) });
      return;
    }
    const { unit } = parsed.data;
    if (!allowed(res, unit)) return;
    const categories = index.settings.categories;
    const expected = parsed.data.expected ?? (categories.includes('booth-voters') ? ['booth-voters'] : categories);
    const unknown = expected.filter((c) => !categories.includes(c));
    if (unknown.length > 0) {
      res.status(400).json({ error: `unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')} (categories: ${categories.join(', ')})` });
      return;
    }
    const node = unit ? index.units.get(unit) : undefined;
    if (unit && !node) {
      res.status(404).json({ error: `no unit "${unit}"` });
      return;
    }
    const at = roundUp(now());
    const [lastMessage, reach] = await Promise.all([
      cache.get(`last:${at}`, () => readLastMessages(deps.client, new Date(at - 7 * DAY_MS))),
      cache.get(`reach:${unit}`, () => readReach(deps.client, unit, node ? node.path.length : 0)),
    ]);
    res.json(computeCoverage(index, unit, lastMessage, reach, expected, at, layouts.get(deps.directory, unit, expected)));
  });

  return router;
}
