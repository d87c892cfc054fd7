/**
 * Per-source flood control: each source (collector, webhook) gets `limit` requests per window on
 * this ingest instance; beyond it, 429 with Retry-After naming the source. Runs after
 * authentication (it keys on `res.locals.source`). The counts live in this process's memory, so
 * with N ingest instances behind a balancer a source can send up to N × limit per window.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createFailureLimit } from '../../common/failure-limit.ts';
import type { Source } from '../../ingest/sources.ts';

/** What createFailedAuthLimit leaves for refuseCredentials on each request. */
interface CredentialsLocals {
  credentials?: { waitSeconds: number; perMinute: number; fail(): void };
}

/**
 * Per-address limit on wrong credentials (source tokens, webhook signatures and secrets): each
 * refusal counts against the client address (req.ip: see TRUST_PROXY); once an address has had
 * `perMinute` in a minute, its further wrong attempts are answered 429 instead of 401/403. A request
 * with the right credentials always goes through — others' failures behind the same address never
 * lock out a valid collector or webhook (each attempt still costs one token lookup).
 */
export function createFailedAuthLimit(perMinute: number): RequestHandler {
  const failures = createFailureLimit({ limit: perMinute, windowMs: 60_000 });
  return function countFailedAuth(req: Request, res: Response<unknown, CredentialsLocals>, next: NextFunction) {
    const key = req.ip ?? '';
    res.locals.credentials = { waitSeconds: failures.blockedFor(key), perMinute, fail: () => failures.fail(key) };
    next();
  };
}

/** Refuse a request's credentials: `status` with `error`, or 429 when its address is over the failure limit. */
export function refuseCredentials(res: Response, status: 401 | 403, error: string): void {
  const credentials = (res.locals as CredentialsLocals).credentials;
  credentials?.fail();
  if (credentials && credentials.waitSeconds > 0) {
    res
      .set('Retry-After', String(credentials.waitSeconds))
      .status(429)
      .json({ error: `too many requests with wrong credentials from this address (at most ${credentials.perMinute} a minute): ${error}; fix them, then retry after the Retry-After seconds` });
    return;
  }
  res.status(status).json({ error });
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
