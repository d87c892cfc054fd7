/**
 * POST /api/v1/sql — analysts' read-only SQL. Body: `{"query": "SELECT …"}` (JSON) or the SQL
 * itself (text/plain). The query waits for its turn (fair-queue.ts), is vetted by ClickHouse's own
 * parser (sandbox.ts) and runs with fixed limits (run-query.ts). Every query is audited, whatever
 * its outcome.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
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
import { createSavedQueries, MAX_NAME_CHARS, MAX_SAVED, readHistory, readSchema } from './workbench.ts';
import { answerError, answerInvalid } from '../errors.ts';

export interface SqlRouterDeps {
  /** The service's own client: the schema's types, the history (sql_audit) and saved queries (workbench.ts). */
  client: ClickHouseClient;
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

/** The answer (common/contracts/sql.ts#SqlAnswer) written in pieces: rows are already JSON text, and may be many. */
function sendResult(res: Response, result: QueryResult): void {
  const { rowsJson, ...rest } = result;
  res.status(200).type('application/json');
  res.write(`{"columns":${JSON.stringify(rest.columns)},"rows":[`);
  const piece = 1000;
  for (let i = 0; i < rowsJson.length; i += piece) res.write((i === 0 ? '' : ',') + rowsJson.slice(i, i + piece).join(','));
  res.end(`],"rowCount":${rest.rowCount},"bytesRead":${rest.bytesRead},"elapsedMs":${Math.round(rest.elapsedMs)},"queryId":${JSON.stringify(rest.queryId)}}`);
}

/** The code of each way a query is not answered: a mistake in it, refused, over a limit, failed in the engine. */
const SQL_CODES = { 400: 'sql-mistake', 403: 'sql-refused', 422: 'sql-limit', 500: 'sql-failed' } as const;

const SaveBody = z.object({ name: z.string().trim().min(1).max(MAX_NAME_CHARS), query: z.string().trim().min(1).max(MAX_QUERY_CHARS) }).strict();

export function createSqlRouter(deps: SqlRouterDeps): Router {
  const router = express.Router();
  const analysts = deps.requireUser('analyst', 'admin');
  const saved = createSavedQueries(deps.client);
  router.get('/api/v1/sql/schema', analysts, async function getSchema(_req, res) {
    res.json(await readSchema(deps.client));
  });
  router.get('/api/v1/sql/history', analysts, async function getHistory(_req, res) {
    res.json(await readHistory(deps.client, userLocals(res).user.username));
  });
  router.get('/api/v1/sql/saved', analysts, async function getSaved(_req, res) {
    res.json({ queries: await saved.list(userLocals(res).user.username) });
  });
  router.post('/api/v1/sql/saved', analysts, express.json({ limit: MAX_BODY_BYTES }), async function postSaved(req, res) {
    const body = SaveBody.safeParse(req.body);
    if (!body.success) {
      answerInvalid(res, body.error);
      return;
    }
    const done = await saved.save(userLocals(res).user.username, body.data.name, body.data.query);
    if (!done) {
      answerError(res, 409, 'conflict', `you have ${MAX_SAVED} saved queries already: delete one first, or save under the name of one to replace it`);
      return;
    }
    res.status(201).json(done);
  });
  router.delete('/api/v1/sql/saved/:id', analysts, async function deleteSaved(req, res) {
    if (!(await saved.remove(userLocals(res).user.username, String(req.params.id)))) {
      answerError(res, 404, 'not-found', `you have no saved query "${String(req.params.id)}"`);
      return;
    }
    res.status(204).end();
  });
  router.post(
    '/api/v1/sql',
    analysts,
    express.json({ limit: MAX_BODY_BYTES }),
    express.text({ type: ['text/plain', 'application/sql'], limit: MAX_BODY_BYTES }),
    async function postSql(req, res) {
      const query = queryOf(req.body);
      if (query === undefined) {
        answerError(res, 400, 'invalid-request', 'send {"query": "SELECT …"} as application/json, or the SQL as text/plain', { field: 'query' });
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
        res.set('Retry-After', String(deps.limits.maxExecutionSeconds));
        answerError(res, 429, 'too-many-requests', `too many queries at once: ${error.message}; wait for them to finish, then send this one again`);
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
        res.status(failure.status).json({ error: failure.error, code: SQL_CODES[failure.status], queryId: failure.queryId, ...(failure.at ? { at: failure.at } : {}) } satisfies SqlRefusal);
        return;
      }
      if (outcome.ok) sendResult(res, outcome.result);
    },
  );
  return router;
}
