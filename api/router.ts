/** The read API under /api/v1 (documented in docs/openapi.yaml). */
import express, { type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { describeZodError } from '../common/events.ts';
import { querySummary, summaryParamsSchema } from './summary.ts';

export interface ApiRouterDeps {
  client: ClickHouseClient;
}

export function createApiRouter(deps: ApiRouterDeps): Router {
  const router = express.Router();

  router.get('/api/v1/summary', async function getSummary(req, res) {
    const parsed = summaryParamsSchema.safeParse(req.query);
    if (!parsed.success) {
      res.status(400).json({ error: describeZodError(parsed.error) });
      return;
    }
    const { from, to, division } = parsed.data;
    const rows = await querySummary(deps.client, { from, to, divisions: division ? [division] : undefined });
    res.json({ from: from.toISOString(), to: to.toISOString(), rows });
  });

  return router;
}
