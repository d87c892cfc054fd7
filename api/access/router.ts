/**
 * /api/v1/auth: sign-in (failed attempts limited per account and per client address; successful
 * ones never count), renewal with a refresh token (rotated on use), a wall display's sign-in with
 * its display token, sign-out (the token and its session), and `me` (who am I, what may I see).
 * Refresh and display tokens are secrets: they travel in bodies only, never in a URL or a log.
 */
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { MeAnswer, SessionAnswer, SignInAnswer } from '../../common/contracts/access.ts';
import { answerError, answerInvalid } from '../errors.ts';
import { createFailureLimit } from '../../common/failure-limit.ts';
import type { AuthFailure, AuthService, SignInOutcome } from '../../access/auth-service.ts';
import type { IssuedToken } from '../../access/tokens.ts';
import { userLocals, type RequireUser } from './require-user.ts';

export interface AuthRouterDeps {
  auth: AuthService;
  requireUser: RequireUser;
  /** Failed sign-ins per account, and per client address (`req.ip`: see TRUST_PROXY), per window. */
  signInMaxFailures: number;
  signInMaxFailuresPerAddress: number;
  signInWindowMs: number;
}

const signInSchema = z.object({
  username: z.string({ required_error: 'username is required' }).min(1).max(64),
  password: z.string({ required_error: 'password is required' }).min(1).max(1024),
});
const renewSchema = z.object({ refreshToken: z.string({ required_error: 'refreshToken is required' }).max(200) });
const displaySchema = z.object({ token: z.string({ required_error: 'token is required' }).max(200) });

/** The body as `schema` reads it, or undefined once a 400 naming the problem went out. */
function bodyOf<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, req: express.Request, res: Response): T | undefined {
  const parsed = schema.safeParse(req.body);
  if (parsed.success) return parsed.data;
  answerInvalid(res, parsed.error);
  return undefined;
}

function refuse(res: Response, failure: AuthFailure): void {
  answerError(res, 401, failure.code, failure.error);
}

export function createAuthRouter(deps: AuthRouterDeps): Router {
  const router = express.Router();
  const perAccount = createFailureLimit({ limit: deps.signInMaxFailures, windowMs: deps.signInWindowMs });
  const perAddress = createFailureLimit({ limit: deps.signInMaxFailuresPerAddress, windowMs: deps.signInWindowMs });

  function tooMany(res: Response, seconds: number, what: string): void {
    res.set('Retry-After', String(seconds));
    answerError(res, 429, 'too-many-sign-ins', `too many failed sign-ins ${what}: try again in ${Math.ceil(seconds / 60)} minutes`);
  }

  /** Runs a token exchange counted as a failed sign-in of the client's address until it succeeds. */
  async function exchange<T extends { ok: boolean }>(req: express.Request, res: Response, attempt: () => Promise<T>): Promise<T | undefined> {
    const address = `address:${req.ip ?? ''}`;
    const wait = perAddress.blockedFor(address);
    if (wait > 0) {
      tooMany(res, wait, 'from this address');
      return undefined;
    }
    perAddress.fail(address);
    const outcome = await attempt();
    if (outcome.ok) perAddress.forgive(address);
    return outcome;
  }

  router.post('/api/v1/auth/sign-in', express.json({ limit: '8kb' }), async function signIn(req, res) {
    const body = bodyOf(signInSchema, req, res);
    if (!body) return;
    const account = `account:${body.username.toLowerCase()}`;
    const address = `address:${req.ip ?? ''}`;
    // Checked before the password, so a locked account or address costs no hash.
    const accountWait = perAccount.blockedFor(account);
    if (accountWait > 0) return tooMany(res, accountWait, 'for this account');
    const addressWait = perAddress.blockedFor(address);
    if (addressWait > 0) return tooMany(res, addressWait, 'from this address');
    // Counted as failed before the check (so a burst of guesses in flight counts too), taken back when right.
    perAccount.fail(account);
    perAddress.fail(address);
    const outcome = await deps.auth.signIn(body.username, body.password);
    if (!outcome.ok) return refuse(res, outcome);
    perAccount.forgive(account);
    perAddress.forgive(address);
    res.set('Cache-Control', 'no-store').json(sessionAnswer(outcome));
  });

  router.post('/api/v1/auth/renew', express.json({ limit: '8kb' }), async function renew(req, res) {
    const body = bodyOf(renewSchema, req, res);
    if (!body) return;
    const outcome = await exchange(req, res, () => deps.auth.renew(body.refreshToken));
    if (!outcome) return;
    if (!outcome.ok) return refuse(res, outcome);
    res.set('Cache-Control', 'no-store').json(sessionAnswer(outcome));
  });

  router.post('/api/v1/auth/display', express.json({ limit: '8kb' }), async function signInDisplay(req, res) {
    const body = bodyOf(displaySchema, req, res);
    if (!body) return;
    const outcome = await exchange(req, res, () => deps.auth.signInDisplay(body.token));
    if (!outcome) return;
    if (!outcome.ok) return refuse(res, outcome);
    res.set('Cache-Control', 'no-store').json({ ...tokenAnswer(outcome.issued), user: outcome.user } satisfies SignInAnswer);
  });

  router.post('/api/v1/auth/sign-out', deps.requireUser(), async function signOut(_req, res) {
    await deps.auth.signOut(userLocals(res).claims);
    res.status(204).end();
  });

  router.get('/api/v1/auth/me', deps.requireUser(), function me(_req, res) {
    const { user, scope, claims } = userLocals(res);
    res.json({ user, scope, expiresAt: claims.expiresAt.toISOString() } satisfies MeAnswer);
  });

  return router;
}

function sessionAnswer(outcome: Extract<SignInOutcome, { ok: true }>): SessionAnswer {
  return {
    ...tokenAnswer(outcome.issued),
    user: outcome.user,
    refreshToken: outcome.refresh.token,
    refreshExpiresAt: outcome.refresh.expiresAt.toISOString(),
  };
}

function tokenAnswer(issued: IssuedToken): Pick<SignInAnswer, 'token' | 'expiresAt' | 'expiresInSeconds'> {
  return { token: issued.token, expiresAt: issued.expiresAt.toISOString(), expiresInSeconds: Math.max(0, Math.floor((issued.expiresAt.getTime() - Date.now()) / 1000)) };
}
