/** GET /api/v1/summary (common/contracts/summary.ts, docs/openapi.yaml), cut to the user's scope. */
import express, { type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { describeZodError } from '../../common/events.ts';
import type { RequireUser } from '../access/require-user.ts';
import { userLocals } from '../access/require-user.ts';
import { scopeAllows } from '../../access/roles.ts';
import { summaryQuerySchema, type SummaryAnswer } from '../../common/contracts/summary.ts';
import { querySummary } from './query.ts';

export interface SummaryRouterDeps {
  client: ClickHouseClient;
  /** Every read needs a signed-in user; reads are cut to the user's scope (access/roles.ts). */
  requireUser: RequireUser;
}

export function createSummaryRouter(deps: SummaryRouterDeps): Router {
  const router = express.Router();

  router.get('/api/v1/summary', deps.requireUser(), async function getSummary(req, res) {
    const parsed = summaryQuerySchema.safeParse(req.query);
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
    res.json({ from: from.toISOString(), to: to.toISOString(), rows } satisfies SummaryAnswer);
  });

  return router;
}
