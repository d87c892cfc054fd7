/**
 * /api/v1/auth: sign-in (failed attempts limited per account and per client address; successful
 * ones never count), sign-out (revokes the token's jti), and `me` (who am I, what may I see).
 */
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { MeAnswer, SignInAnswer } from '../../common/contracts/access.ts';
import { describeZodError } from '../../common/events.ts';
import { createFailureLimit } from '../../common/failure-limit.ts';
import type { AuthService } from '../../access/auth-service.ts';
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

export function createAuthRouter(deps: AuthRouterDeps): Router {
  const router = express.Router();
  const perAccount = createFailureLimit({ limit: deps.signInMaxFailures, windowMs: deps.signInWindowMs });
  const perAddress = createFailureLimit({ limit: deps.signInMaxFailuresPerAddress, windowMs: deps.signInWindowMs });

  function tooMany(res: Response, seconds: number, what: string): void {
    res.set('Retry-After', String(seconds)).status(429).json({ error: `too many failed sign-ins ${what}: try again in ${Math.ceil(seconds / 60)} minutes` });
  }

  router.post('/api/v1/auth/sign-in', express.json({ limit: '8kb' }), async function signIn(req, res) {
    const parsed = signInSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeZodError(parsed.error) });
      return;
    }
    const account = `account:${parsed.data.username.toLowerCase()}`;
    const address = `address:${req.ip ?? ''}`;
    // Checked before the password, so a locked account or address costs no hash.
    const accountWait = perAccount.blockedFor(account);
    if (accountWait > 0) return tooMany(res, accountWait, 'for this account');
    const addressWait = perAddress.blockedFor(address);
    if (addressWait > 0) return tooMany(res, addressWait, 'from this address');
    // Counted as failed before the check (so a burst of guesses in flight counts too), taken back when right.
    perAccount.fail(account);
    perAddress.fail(address);
    const outcome = await deps.auth.signIn(parsed.data.username, parsed.data.password);
    if (!outcome.ok) {
      res.status(401).json({ error: outcome.error });
      return;
    }
    perAccount.forgive(account);
    perAddress.forgive(address);
    res.set('Cache-Control', 'no-store').json({
      token: outcome.issued.token,
      expiresAt: outcome.issued.expiresAt.toISOString(),
      user: outcome.user,
    } satisfies SignInAnswer);
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
