/**
 * Fixed bearer secrets the process checks itself (DIRECTORY_IMPORT_TOKEN, METRICS_TOKEN): wrong
 * ones are counted per client address (req.ip: see TRUST_PROXY), and an address past the limit is
 * answered 429 — even with the right secret, or guessing would simply go on at full speed.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { FailureLimit } from '../failure-limit.ts';
import { bearerToken, secretsEqual } from './credentials.ts';

export interface SecretGuard {
  /** False (429 answered) when the caller's address has had too many wrong secrets. */
  admit(req: Request, res: Response): boolean;
  /** Count one wrong secret from the caller's address. */
  failed(req: Request): void;
}

export function createSecretGuard(failures: FailureLimit): SecretGuard {
  const addressOf = (req: Request) => `address:${req.ip ?? ''}`;
  return {
    admit(req, res) {
      const wait = failures.blockedFor(addressOf(req));
      if (wait === 0) return true;
      res.set('Retry-After', String(wait)).status(429).json({ error: `too many wrong tokens from this address: try again in ${Math.ceil(wait / 60)} minutes` });
      return false;
    },
    failed(req) {
      failures.fail(addressOf(req));
    },
  };
}

/** Let a request through only with `Authorization: Bearer <secret>`; `what` names the secret in the 401. */
export function requireBearerSecret(secret: string, guard: SecretGuard, what: string): RequestHandler {
  return function checkBearerSecret(req: Request, res: Response, next: NextFunction) {
    if (!guard.admit(req, res)) return;
    const token = bearerToken(req.headers.authorization);
    if (token && secretsEqual(token, secret)) {
      next();
      return;
    }
    guard.failed(req);
    res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: `send Authorization: Bearer <${what}>` });
  };
}
