/**
 * Directory routes under /api/v1/directory (documented in docs/openapi.yaml): settings, unit,
 * group, contact and representative imports (CSV or JSON, all-or-nothing, every problem listed by line), lookups, drill-down
 * and coverage (the board's unit reads, api/board/unit-reads.ts). Imports refresh this process's
 * directory at once; other processes pick the change up from directory_version within their poll
 * interval. Reads need a signed-in user, a lead only at or under their divisions (directory/scope.ts).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { scopeAllows } from '../../common/contracts/access.ts';
import { coverageQuerySchema, type ContactsAnswer, type CoverageReport, type DrillDownAnswer } from '../../common/contracts/board.ts';
import { readContactsUnder } from '../../directory/contacts.ts';
import { isoInstant } from '../../common/contracts/params.ts';
import { expectedCategories } from '../../directory/coverage.ts';
import type { Importer, ImportResult } from '../../directory/importer.ts';
import type { LiveDirectory } from '../../directory/live-directory.ts';
import { detectFormat } from '../../directory/parse.ts';
import { mayReadUnit } from '../../directory/scope.ts';
import { userLocals, type RequireUser } from '../access/require-user.ts';
import type { UnitReads } from '../board/unit-reads.ts';
import { answerError, answerInvalid } from '../errors.ts';

export interface DirectoryRouterDeps {
  /** Contacts are read from the store when asked for. */
  client: ClickHouseClient;
  directory: LiveDirectory;
  /** Drill-down and coverage, shared with the board. */
  unitReads: UnitReads;
  importer: Importer;
  /** Guards imports (and settings changes): write-access.ts. */
  authorizeWrite: RequestHandler;
  requireUser: RequireUser;
  /** Largest import body, bytes. */
  maxImportBytes?: number;
  now?: () => number;
}

const contactsQuerySchema = z.object({
  unit: z.string().default(''),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

const modeSchema = z.object({ mode: z.enum(['merge', 'replace']).default('merge') });

/** The drill-down's window; unlike the board's unit page it takes any unit text (an unknown one is a 404). */
const drillDownQuerySchema = z.object({
  unit: z.string().default(''),
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
});

function sendImportResult(res: Response, result: ImportResult): void {
  if (result.ok) res.json(result);
  else res.status(422).json({ error: `import refused, nothing was applied: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`, problems: result.problems });
}

export function createDirectoryRouter(deps: DirectoryRouterDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const read = deps.requireUser();
  const body = express.text({ type: () => true, limit: deps.maxImportBytes ?? 128 * 1024 * 1024 });
  const index = deps.directory.index;
  const { unitReads } = deps;

  /** Is the unit known (404 answered when not) and may the caller read it (403 answered when not)? '' = the whole organisation. */
  function readable(res: Response, unit: string): boolean {
    if (unit && !index.units.has(unit)) {
      answerError(res, 404, 'not-found', `no unit "${unit}"`);
      return false;
    }
    if (mayReadUnit(userLocals(res).scope, index, unit)) return true;
    answerError(res, 403, 'forbidden', unit ? `unit "${unit}" is outside your divisions` : 'you may read only your divisions: pass unit=<one of them>');
    return false;
  }

  function importRoute(kind: 'units' | 'groups' | 'contacts' | 'representatives') {
    return async function importDirectoryFile(req: Request, res: Response) {
      const query = modeSchema.safeParse(req.query);
      if (!query.success) {
        answerInvalid(res, query.error);
        return;
      }
      const text = typeof req.body === 'string' ? req.body : '';
      if (text.trim() === '') {
        res.status(400).json({ error: `body is empty: send ${kind} as CSV (text/csv, header row first) or JSON (application/json)` });
        return;
      }
      const format = detectFormat(req.headers['content-type'], text);
      const importInto = { units: deps.importer.importUnits, groups: deps.importer.importGroups, contacts: deps.importer.importContacts, representatives: deps.importer.importRepresentatives }[kind];
      const result = await importInto(text, format, query.data.mode);
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
  router.post('/api/v1/directory/contacts', deps.authorizeWrite, body, importRoute('contacts'));
  router.post('/api/v1/directory/representatives', deps.authorizeWrite, body, importRoute('representatives'));

  /** The people to call in a unit and below it: a lead only within their divisions. */
  router.get('/api/v1/directory/contacts', read, async function getContacts(req, res) {
    const parsed = contactsQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return;
    }
    const { unit, limit, offset } = parsed.data;
    if (!readable(res, unit)) return;
    const contacts = await readContactsUnder(deps.client, index, unit);
    res.json({ unit, total: contacts.length, contacts: contacts.slice(offset, offset + limit) } satisfies ContactsAnswer);
  });

  router.get('/api/v1/directory/units/:id', read, function getUnit(req, res) {
    const id = String(req.params.id);
    if (!readable(res, id)) return;
    const node = index.units.get(id)!;
    const children = (index.children.get(node.unit.id) ?? []).map((id) => index.units.get(id)!.unit);
    res.json({ ...node.unit, path: node.path, division: node.division, leaf: index.isLeaf(node.unit.id), children });
  });

  router.get('/api/v1/directory/groups/:id', read, function getGroup(req, res) {
    const id = String(req.params.id);
    const placement = index.groups.get(id);
    if (placement && !scopeAllows(userLocals(res).scope, placement.division)) {
      answerError(res, 403, 'forbidden', `group "${id}" is outside your divisions`);
      return;
    }
    if (!placement) {
      answerError(res, 404, 'not-found', `no group "${id}" in the directory`);
      return;
    }
    res.json({ id, unit: placement.unitPath[placement.unitPath.length - 1], ...placement, targetSize: index.targets.get(id) ?? null });
  });

  router.get('/api/v1/directory/drilldown', read, async function getDrillDown(req, res) {
    const parsed = drillDownQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return;
    }
    const { unit } = parsed.data;
    if (!readable(res, unit)) return;
    const { from, to } = unitReads.window(parsed.data.from, parsed.data.to);
    if (from >= to) {
      answerError(res, 400, 'bad-range', 'from must be before to');
      return;
    }
    const result = (await unitReads.drillDown(unit, from, to))!;
    res.json({ from: from.toISOString(), to: to.toISOString(), version: deps.directory.version, ...result } satisfies DrillDownAnswer);
  });

  router.get('/api/v1/directory/coverage', read, async function getCoverage(req, res) {
    const parsed = coverageQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      answerInvalid(res, parsed.error);
      return;
    }
    const { unit } = parsed.data;
    if (!readable(res, unit)) return;
    const categories = index.settings.categories;
    const expected = parsed.data.expected ?? expectedCategories(index.settings);
    const unknown = expected.filter((c) => !categories.includes(c));
    if (unknown.length > 0) {
      res.status(400).json({ error: `unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.join(', ')} (categories: ${categories.join(', ')})` });
      return;
    }
    const report = (await unitReads.coverage(unit, expected, unitReads.roundUp(now())))!;
    res.json(report satisfies CoverageReport);
  });

  return router;
}
