/**
 * HTTP ingest: POST /v1/events (public contract: docs/openapi.yaml), and the source authentication
 * every source-token route shares.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { BusUnavailableError } from '../../common/bus/bus.ts';
import { bearerToken } from '../../common/http/credentials.ts';
import type { Logger } from '../../common/logger.ts';
import type { Metrics } from '../../common/metrics.ts';
import type { EventAcceptor } from '../../ingest/accept-events.ts';
import { parseJsonBody, parseNdjsonBody } from '../../ingest/parse-body.ts';
import { answerBusUnavailable } from './bus-unavailable.ts';
import { refuseCredentials } from './rate-limit.ts';
import type { SourceRegistry, Source } from '../../ingest/sources.ts';

export interface IngestRouterDeps {
  sources: SourceRegistry;
  acceptEvents: EventAcceptor;
  maxBodyBytes: number;
  maxEvents: number;
  /** Per-source flood control, run after authentication (see rate-limit.ts). */
  rateLimit?: RequestHandler;
  metrics: Metrics;
  logger: Logger;
}

const JSON_TYPES = ['application/json'];
const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

/** Express locals set by authenticateSource. */
interface SourceLocals {
  source: Source;
}

/** 401 unless the request carries a registered source's bearer token. */
export function authenticateSource(sources: SourceRegistry) {
  return async function authenticateSourceMiddleware(req: Request, res: Response<unknown, SourceLocals>, next: NextFunction) {
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer');
      refuseCredentials(res, 401, 'missing bearer token: send Authorization: Bearer <source token>');
      return;
    }
    const source = await sources.authenticate(token);
    if (!source) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      refuseCredentials(res, 401, 'unknown or revoked source token');
      return;
    }
    res.locals.source = source;
    next();
  };
}

export function createIngestRouter(deps: IngestRouterDeps): Router {
  const router = express.Router();
  const readBody = express.text({ type: () => true, limit: deps.maxBodyBytes });
  const rateLimit: RequestHandler = deps.rateLimit ?? ((_req, _res, next) => next());

  router.post(
    '/v1/events',
    authenticateSource(deps.sources),
    rateLimit,
    function checkContentType(req: Request, res: Response, next: NextFunction) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (![...JSON_TYPES, ...NDJSON_TYPES].includes(type)) {
        res.status(415).json({ error: `unsupported Content-Type "${type || '(none)'}": use application/json (an array of events) or application/x-ndjson` });
        return;
      }
      next();
    },
    readBody,
    async function postEvents(req: Request, res: Response<unknown, SourceLocals>) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const text = typeof req.body === 'string' ? req.body : '';
      if (text.trim() === '') {
        res.status(400).json({ error: 'body is empty: send a JSON array of events or NDJSON lines' });
        return;
      }
      const parsed = NDJSON_TYPES.includes(type) ? parseNdjsonBody(text) : parseJsonBody(text);
      if (!parsed.ok) {
        res.status(400).json({ error: parsed.error });
        return;
      }
      const total = parsed.items.length + parsed.lineErrors.length;
      if (total > deps.maxEvents) {
        res.status(413).json({ error: `too many events in one request (${total}); send at most ${deps.maxEvents} per request` });
        return;
      }
      const source = res.locals.source.name;
      const started = performance.now();
      try {
        const result = await deps.acceptEvents(source, parsed.items, parsed.lineErrors);
        deps.metrics.produceSeconds.observe((performance.now() - started) / 1000);
        res.status(202).json(result);
      } catch (error) {
        if (error instanceof BusUnavailableError) {
          deps.logger.warn({ err: error, source }, 'bus unavailable, answering 503');
          answerBusUnavailable(res, error);
          return;
        }
        throw error;
      }
    },
  );
  return router;
}
