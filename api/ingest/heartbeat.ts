/**
 * POST /v1/heartbeat: a source says it is alive (ingest/heartbeats.ts), authenticated with its own
 * bearer token as on /v1/events. A collector whose groups are all quiet stays "up" by beating, and one
 * that stops both beating and sending is down: one source-down alert, its groups dark.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../common/logger.ts';
import { authenticateSource } from './events.ts';
import { storeHeartbeat } from '../../ingest/heartbeats.ts';
import type { Source, SourceRegistry } from '../../ingest/sources.ts';

export interface HeartbeatRouterDeps {
  sources: SourceRegistry;
  /** Without ClickHouse (ingest alone without CLICKHOUSE_URL) heartbeats cannot be kept: 503. */
  client: ClickHouseClient | undefined;
  rateLimit?: RequestHandler;
  logger: Logger;
  /** Injectable clock. */
  now?: () => number;
}

export function createHeartbeatRouter(deps: HeartbeatRouterDeps): Router {
  const router = express.Router();
  const now = deps.now ?? Date.now;
  const rateLimit: RequestHandler = deps.rateLimit ?? ((_req, _res, next) => next());
  const client = deps.client;

  router.post('/v1/heartbeat', authenticateSource(deps.sources), rateLimit, async function recordHeartbeat(_req: Request, res: Response) {
    const source = (res.locals as { source: Source }).source.name;
    if (!client) {
      res.status(503).json({ error: 'heartbeats are kept in ClickHouse and this ingest instance has none (set CLICKHOUSE_URL); until then the source is judged by its events' });
      return;
    }
    const at = now();
    try {
      await storeHeartbeat(client, source, at);
    } catch (error) {
      deps.logger.warn({ err: error, source }, 'heartbeat not stored, answering 503');
      res.set('Retry-After', '5').status(503).json({ error: 'heartbeat not stored right now; retry later' });
      return;
    }
    res.status(200).json({ source, at: new Date(at).toISOString() });
  });
  return router;
}
