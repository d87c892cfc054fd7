/**
 * /api/v1/admin/users — admins create, list, change and disable users (their roles and units).
 * Users are never deleted: disabling keeps the record (and ends their sessions).
 * /api/v1/admin/dead-letters — what the processor set aside instead of counting, newest first.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Router } from 'express';
import { z } from 'zod';
import { readDeadLetters } from '../../processor/dead-letters.ts';
import type { RequireUser } from '../access/require-user.ts';
import { publicUser, usernameSchema, type AdminOutcome, type UserAdmin } from '../../access/user-admin.ts';
import type { UsersRepository } from '../../access/users-repository.ts';

export interface AdminRouterDeps {
  client: ClickHouseClient;
  users: UsersRepository;
  userAdmin: UserAdmin;
  requireUser: RequireUser;
}

function answer(res: express.Response, outcome: AdminOutcome, created = false): void {
  if (!outcome.ok) {
    res.status(outcome.status).json({ error: outcome.error });
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

  router.get('/api/v1/admin/users', adminOnly, async function listUsers(_req, res) {
    res.json({ users: (await deps.users.list()).map(publicUser) });
  });

  router.post('/api/v1/admin/users', adminOnly, body, async function createUser(req, res) {
    answer(res.set('Cache-Control', 'no-store'), await deps.userAdmin.create(req.body), true);
  });

  router.patch('/api/v1/admin/users/:username', adminOnly, body, async function updateUser(req, res) {
    const username = usernameSchema.safeParse(req.params.username);
    if (!username.success) {
      res.status(404).json({ error: `no user "${req.params.username}"` });
      return;
    }
    answer(res, await deps.userAdmin.update(username.data, req.body ?? {}));
  });

  const deadLettersQuery = z.object({ limit: z.coerce.number({ invalid_type_error: 'limit must be a number' }).int().min(0).max(1000, 'limit must be at most 1000').default(100) });
  router.get('/api/v1/admin/dead-letters', adminOnly, async function listDeadLetters(req, res) {
    const query = deadLettersQuery.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: query.error.issues.map((i) => i.message).join('; ') });
      return;
    }
    res.set('Cache-Control', 'no-store').json(await readDeadLetters(deps.client, query.data.limit));
  });

  return router;
}
