/**
 * POST /api/v1/sql — analysts' read-only SQL. Body: `{"query": "SELECT …"}` (JSON) or the SQL
 * itself (text/plain). The query waits for its turn (fair-queue.ts), is vetted by ClickHouse's own
 * parser (sandbox.ts) and runs with fixed limits (run-query.ts). Every query is audited, whatever
 * its outcome.
 */
import express, { type Response, type Router } from 'express';
import type { SqlRefusal } from '../../common/contracts/sql.ts';
import type { Logger } from '../../common/logger.ts';
import { userLocals, type RequireUser } from '../access/require-user.ts';
import type { Catalogue } from './allow-list.ts';
import type { AnalystConnection } from './analyst-client.ts';
import type { AuditLog } from './audit.ts';
import { QueueAbortedError, QueueFullError, type FairQueue } from './fair-queue.ts';
import type { SqlLimits } from './limits.ts';
import { runAnalystQuery, type QueryOutcome, type QueryResult } from './run-query.ts';
import { MAX_QUERY_CHARS } from './sandbox.ts';

export interface SqlRouterDeps {
  /** The analysts' own connection (read-only sessions / read-only user). */
  analyst: AnalystConnection;
  /** Who runs next on the analyst connection's slots. */
  queue: FairQueue;
  /** The names the sandbox checks against. */
  catalogue: () => Promise<Catalogue>;
  audit: AuditLog;
  limits: SqlLimits;
  requireUser: RequireUser;
  logger: Logger;
}

/** Bytes of body taken: the query text plus JSON escaping room. */
const MAX_BODY_BYTES = 4 * MAX_QUERY_CHARS;

function queryOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { query?: unknown }).query === 'string') return (body as { query: string }).query;
  return undefined;
}

/** The answer's JSON written in pieces from the rows' own JSON texts: never one string of the whole result. */
/** The answer (common/contracts/sql.ts#SqlAnswer) written in pieces: rows are already JSON text, and may be many. */
function sendResult(res: Response, result: QueryResult): void {
  const { rowsJson, ...rest } = result;
  res.status(200).type('application/json');
  res.write(`{"columns":${JSON.stringify(rest.columns)},"rows":[`);
  const piece = 1000;
  for (let i = 0; i < rowsJson.length; i += piece) res.write((i === 0 ? '' : ',') + rowsJson.slice(i, i + piece).join(','));
  res.end(`],"rowCount":${rest.rowCount},"bytesRead":${rest.bytesRead},"elapsedMs":${Math.round(rest.elapsedMs)},"queryId":${JSON.stringify(rest.queryId)}}`);
}

export function createSqlRouter(deps: SqlRouterDeps): Router {
  const router = express.Router();
  router.post(
    '/api/v1/sql',
    deps.requireUser('analyst', 'admin'),
    express.json({ limit: MAX_BODY_BYTES }),
    express.text({ type: ['text/plain', 'application/sql'], limit: MAX_BODY_BYTES }),
    async function postSql(req, res) {
      const query = queryOf(req.body);
      if (query === undefined) {
        res.status(400).json({ error: 'send {"query": "SELECT …"} as application/json, or the SQL as text/plain' });
        return;
      }
      const { user } = userLocals(res);
      const at = new Date();
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      let outcome: QueryOutcome;
      try {
        const catalogue = await deps.catalogue();
        outcome = await deps.queue.run(user.username, (slot) => deps.analyst.run(slot, (client) => runAnalystQuery(client, query, deps.limits, catalogue)), gone.signal);
      } catch (error) {
        if (error instanceof QueueAbortedError) return;
        if (!(error instanceof QueueFullError)) throw error;
        res.set('Retry-After', String(deps.limits.maxExecutionSeconds)).status(429).json({ error: `too many queries at once: ${error.message}; wait for them to finish, then send this one again` });
        return;
      }
      const failure = outcome.ok ? undefined : outcome;
      await deps.audit({
        at,
        username: user.username,
        query,
        outcome: failure ? failure.kind : 'ok',
        error: failure?.error ?? '',
        rows: outcome.ok ? outcome.result.rowCount : 0,
        bytes: outcome.ok ? outcome.result.bytesRead : 0,
        elapsedMs: outcome.ok ? outcome.result.elapsedMs : outcome.elapsedMs,
        queryId: outcome.ok ? outcome.result.queryId : outcome.queryId,
      });
      if (failure) {
        if (failure.status === 500) deps.logger.error({ err: failure.cause, user: user.username, queryId: failure.queryId }, 'sql query failed in ClickHouse');
        else deps.logger.info({ user: user.username, queryId: failure.queryId, outcome: failure.kind }, 'sql query not answered');
        res.status(failure.status).json({ error: failure.error, queryId: failure.queryId } satisfies SqlRefusal);
        return;
      }
      if (outcome.ok) sendResult(res, outcome.result);
    },
  );
  return router;
}
