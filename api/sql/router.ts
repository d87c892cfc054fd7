/**
 * POST /api/v1/sql — analysts' read-only SQL. Body: `{"query": "SELECT …"}` (JSON) or the SQL
 * itself (text/plain). Every query is audited, whatever its outcome.
 */
import express, { type Router } from 'express';
import type { Logger } from '../../common/logger.ts';
import { userLocals, type RequireUser } from '../auth/require-user.ts';
import type { AnalystConnection } from './analyst-client.ts';
import type { AuditLog } from './audit.ts';
import { runAnalystQuery, type SqlLimits } from './run-query.ts';

export interface SqlRouterDeps {
  /** The analysts' own connection (read-only session / read-only user). */
  analyst: AnalystConnection;
  audit: AuditLog;
  limits: SqlLimits;
  requireUser: RequireUser;
  logger: Logger;
}

const MAX_QUERY_BYTES = 256 * 1024;

function queryOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { query?: unknown }).query === 'string') return (body as { query: string }).query;
  return undefined;
}

export function createSqlRouter(deps: SqlRouterDeps): Router {
  const router = express.Router();
  router.post(
    '/api/v1/sql',
    deps.requireUser('analyst', 'admin'),
    express.json({ limit: MAX_QUERY_BYTES }),
    express.text({ type: ['text/plain', 'application/sql'], limit: MAX_QUERY_BYTES }),
    async function postSql(req, res) {
      const query = queryOf(req.body);
      if (query === undefined) {
        res.status(400).json({ error: 'send {"query": "SELECT …"} as application/json, or the SQL as text/plain' });
        return;
      }
      const { user } = userLocals(res);
      const at = new Date();
      const outcome = await runAnalystQuery(deps.analyst, query, deps.limits);
      await deps.audit({
        at,
        username: user.username,
        query,
        outcome: outcome.ok ? 'ok' : outcome.kind,
        error: outcome.ok ? '' : outcome.error,
        rows: outcome.ok ? outcome.result.rowCount : 0,
        bytes: outcome.ok ? outcome.result.bytesRead : 0,
        elapsedMs: outcome.ok ? outcome.result.elapsedMs : outcome.elapsedMs,
        queryId: outcome.ok ? outcome.result.queryId : outcome.queryId,
      });
      if (!outcome.ok) {
        deps.logger.info({ user: user.username, queryId: outcome.queryId, outcome: outcome.kind }, 'sql query not answered');
        res.status(outcome.status).json({ error: outcome.error, queryId: outcome.queryId });
        return;
      }
      res.json(outcome.result);
    },
  );
  return router;
}
