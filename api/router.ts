/** The read API under /api/v1 (documented in docs/openapi.yaml). */
import express, { type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { describeZodError } from '../common/events.ts';
import type { RequireUser } from './access/require-user.ts';
import { userLocals } from './access/require-user.ts';
import { scopeAllows } from '../access/roles.ts';
import { querySummary, summaryParamsSchema } from './summary.ts';

export interface ApiRouterDeps {
  client: ClickHouseClient;
  /** Every read needs a signed-in user; reads are cut to the user's scope (access/roles.ts). */
  requireUser: RequireUser;
}

export function createApiRouter(deps: ApiRouterDeps): Router {
  const router = express.Router();

  router.get('/api/v1/summary', deps.requireUser(), async function getSummary(req, res) {
    const parsed = summaryParamsSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: describeZodError(parsed.error) });
      return;
    }
    const { from, to, division } = parsed.data;
    const { scope } = userLocals(res);
    if (division && !scopeAllows(scope, division)) {
      res.status(403).json({ error: `you may not read division "${division}"` });
      return;
    }
    const divisions = division ? [division] : scope.kind === 'all' ? undefined : scope.divisions;
    const rows = await querySummary(deps.client, { from, to, divisions });
    res.json({ from: from.toISOString(), to: to.toISOString(), rows });
  });

  return router;
}
