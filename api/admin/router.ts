/**
 * /api/v1/admin/users — admins create, list, change and disable users (their roles and units), and
 * sign a user out everywhere. Users are never deleted: disabling keeps the record (and ends their sessions).
 * /api/v1/admin/displays — wall displays: made with a token shown once inside the address the display
 * opens, listed, revoked. Ending sessions also drops their live sockets on this instance at once
 * (other instances drop them at their next resync).
 * /api/v1/admin/dead-letters — what the processor set aside instead of counting, newest first.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Router } from 'express';
import { z } from 'zod';
import { readDeadLetters } from '../../processor/dead-letters.ts';
import type { RequireUser } from '../access/require-user.ts';
import { publicUser, usernameSchema, type AdminOutcome, type UserAdmin } from '../../access/user-admin.ts';
import type { UsersRepository } from '../../access/users-repository.ts';
import type { Displays } from '../../access/displays.ts';
import type { DisplayCreated } from '../../common/contracts/access.ts';
import type { AlertRulesAnswer, UsersAnswer } from '../../common/contracts/admin.ts';
import { DEFAULT_ALERT_RULES } from '../../alerts/rules.ts';
import type { RulesBook } from '../../alerts/rules-store.ts';
import { userLocals } from '../access/require-user.ts';
import { answerError, answerInvalid } from '../errors.ts';

/** Who a live socket belongs to: the user it signed in as and the session its token came from. */
export type SocketOwner = { username: string; sessionId: string };

export interface AdminRouterDeps {
  client: ClickHouseClient;
  users: UsersRepository;
  userAdmin: UserAdmin;
  displays: Displays;
  requireUser: RequireUser;
  /** Disconnects this instance's live sockets whose owner matches. */
  dropSockets: (matches: (owner: SocketOwner) => boolean) => void;
  /** Where the board is served when not from this origin (BOARD_ORIGIN). */
  boardOrigin: string | undefined;
  /** Whether the directory has the unit (a display bound to none would show nothing). */
  knownUnit: (id: string) => boolean;
  /** How many units the directory has: none before its first import. */
  unitCount: () => number;
  /** The alert rules in effect and their screen edits (alerts/rules-store.ts); absent = no rules routes. */
  rules?: RulesBook;
}

function answer(res: express.Response, outcome: AdminOutcome, created = false): void {
  if (!outcome.ok) {
    answerError(res, outcome.status, outcome.status === 400 ? 'invalid-request' : outcome.status === 404 ? 'not-found' : 'conflict', outcome.error);
    return;
  }
  res.status(created ? 201 : 200).json({
    user: publicUser(outcome.user),
    ...(outcome.generatedPassword ? { generatedPassword: outcome.generatedPassword } : {}),
  });
}

export function createAdminRouter(deps: AdminRouterDeps): Router {
  const router = express.Router();
  const adminOnly = deps.requireUser('admin');
  const body = express.json({ limit: '64kb' });

  /**
   * Refuses (400 unknown-unit) a user body that gives units the directory does not have: a lead of a
   * unit that is not there would see nothing, and a typo would go unnoticed. Before the directory's first
   * import (no units at all) users may be given the units that import will bring.
   */
  function refusedUnits(res: express.Response, input: unknown): boolean {
    const units = (input as { units?: unknown } | undefined)?.units;
    if (!Array.isArray(units) || deps.unitCount() === 0) return false;
    const unknown = units.filter((unit): unit is string => typeof unit === 'string' && unit.trim() !== '' && !deps.knownUnit(unit.trim()));
    if (unknown.length === 0) return false;
    const named = unknown.slice(0, 5).map((unit) => `"${unit.trim()}"`).join(', ');
    answerError(res, 400, 'unknown-unit', `no unit ${named}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} in the directory: give ids of units the directory has (GET /api/v1/directory/units/{id} shows one), or import the unit first`, { field: 'units' });
    return true;
  }

  router.get('/api/v1/admin/users', adminOnly, async function listUsers(_req, res) {
    res.json({ users: (await deps.users.list()).map(publicUser) } satisfies UsersAnswer);
  });

  router.post('/api/v1/admin/users', adminOnly, body, async function createUser(req, res) {
    if (refusedUnits(res, req.body)) return;
    answer(res.set('Cache-Control', 'no-store'), await deps.userAdmin.create(req.body), true);
  });

  router.patch('/api/v1/admin/users/:username', adminOnly, body, async function updateUser(req, res) {
    const username = usernameSchema.safeParse(req.params.username);
    if (!username.success) {
      answerError(res, 404, 'not-found', `no user "${req.params.username}"`);
      return;
    }
    if (refusedUnits(res, req.body)) return;
    answer(res, await deps.userAdmin.update(username.data, req.body ?? {}));
  });

  router.post('/api/v1/admin/users/:username/sign-out-everywhere', adminOnly, async function signOutEverywhere(req, res) {
    const username = usernameSchema.safeParse(req.params.username);
    const outcome = username.success ? await deps.userAdmin.signOutEverywhere(username.data) : undefined;
    if (!outcome?.ok) {
      answerError(res, 404, 'not-found', `no user "${req.params.username}"`);
      return;
    }
    deps.dropSockets((owner) => owner.username === outcome.user.username);
    res.status(204).end();
  });

  router.get('/api/v1/admin/displays', adminOnly, async function listDisplays(_req, res) {
    res.set('Cache-Control', 'no-store').json({ displays: await deps.displays.list() });
  });

  router.post('/api/v1/admin/displays', adminOnly, body, async function createDisplay(req, res) {
    const unit = (req.body as { unit?: unknown } | undefined)?.unit;
    if (typeof unit === 'string' && unit.trim() && !deps.knownUnit(unit.trim())) {
      answerError(res, 400, 'invalid-request', `no unit "${unit.trim()}" in the directory`, { field: 'unit' });
      return;
    }
    const outcome = await deps.displays.create(req.body ?? {}, userLocals(res).user.username);
    if (!outcome.ok) {
      answerError(res, outcome.status, 'invalid-request', outcome.error, outcome.field ? { field: outcome.field } : {});
      return;
    }
    const origin = deps.boardOrigin ?? `${req.protocol}://${req.get('host')}`;
    // In the fragment: a browser never sends it to a server, so it lands in no access log.
    const url = `${origin}/#display=${outcome.token}`;
    res.status(201).set('Cache-Control', 'no-store').json({ display: outcome.display, token: outcome.token, url } satisfies DisplayCreated);
  });

  router.delete('/api/v1/admin/displays/:id', adminOnly, async function revokeDisplay(req, res) {
    const outcome = await deps.displays.revoke(String(req.params.id));
    if (!outcome.ok) {
      answerError(res, outcome.status, 'not-found', outcome.error);
      return;
    }
    deps.dropSockets((owner) => owner.sessionId === outcome.display.id);
    res.status(204).end();
  });

  const rules = deps.rules;
  if (rules) {
    const describe = async (): Promise<AlertRulesAnswer> => {
      const inEffect = await rules.refresh();
      return { rules: inEffect.rules, origin: inEffect.origin, edited: inEffect.edited ?? null, defaults: DEFAULT_ALERT_RULES };
    };
    router.get('/api/v1/admin/alert-rules', adminOnly, async function getRules(_req, res) {
      res.set('Cache-Control', 'no-store').json(await describe());
    });
    router.put('/api/v1/admin/alert-rules', adminOnly, body, async function putRules(req, res) {
      const outcome = await rules.save(req.body, userLocals(res).user.username, Date.now());
      if (!outcome.ok) {
        answerError(res, 400, 'invalid-request', outcome.error, { field: 'rules' });
        return;
      }
      res.set('Cache-Control', 'no-store').json(await describe());
    });
    router.delete('/api/v1/admin/alert-rules', adminOnly, async function revertRules(_req, res) {
      await rules.revert(userLocals(res).user.username, Date.now());
      res.set('Cache-Control', 'no-store').json(await describe());
    });
  }

  const deadLettersQuery = z.object({ limit: z.coerce.number({ invalid_type_error: 'limit must be a number' }).int().min(0).max(1000, 'limit must be at most 1000').default(100) });
  router.get('/api/v1/admin/dead-letters', adminOnly, async function listDeadLetters(req, res) {
    const query = deadLettersQuery.safeParse(req.query);
    if (!query.success) {
      answerInvalid(res, query.error);
      return;
    }
    res.set('Cache-Control', 'no-store').json(await readDeadLetters(deps.client, query.data.limit));
  });

  return router;
}
