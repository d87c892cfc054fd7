/**
 * Per-source flood control: each source (collector, webhook) gets `limit` requests per window on
 * this ingest instance; beyond it, 429 with Retry-After naming the source. Runs after
 * authentication (it keys on `res.locals.source`). The counts live in this process's memory, so
 * with N ingest instances behind a balancer a source can send up to N × limit per window.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Source } from './sources.ts';

/**
 * Per-address limit on failed sign-ins of sources (401/403): a flood of bad tokens is turned away
 * before it costs a registry lookup each. Successful requests do not count.
 */
export function createFailedAuthLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req: Request, res: Response) => res.statusCode !== 401 && res.statusCode !== 403,
    handler(_req: Request, res: Response) {
      res.status(429).json({ error: `too many requests with a wrong or missing token from this address: at most ${perMinute} a minute; check the source token, then retry after the Retry-After seconds` });
    },
  });
}

export interface SourceRateLimitOptions {
  limit: number;
  windowMs: number;
}

export function createSourceRateLimit(options: SourceRateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req: Request, res: Response) => `source:${(res.locals as { source?: Source }).source?.name ?? '(none)'}`,
    handler(_req: Request, res: Response, _next: NextFunction) {
      const name = (res.locals as { source?: Source }).source?.name ?? 'unknown';
      res.status(429).json({
        error: `too many requests from source "${name}": at most ${options.limit} per ${Math.round(options.windowMs / 1000)} s; retry after the Retry-After seconds (batch more events per request)`,
      });
    },
  });
}
