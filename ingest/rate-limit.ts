/**
 * Per-source flood control: each source (collector, webhook) gets `limit` requests per window on
 * this ingest instance; beyond it, 429 with Retry-After naming the source. Runs after
 * authentication (it keys on `res.locals.source`). The counts live in this process's memory, so
 * with N ingest instances behind a balancer a source can send up to N × limit per window.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Source } from './sources.ts';

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
