/**
 * /api/v1/auth: sign-in (rate-limited per client address), sign-out (revokes the token's jti), and
 * `me` (who am I, what may I see).
 */
import express, { type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { describeZodError } from '../../common/events.ts';
import type { AuthService } from './auth-service.ts';
import { userLocals, type RequireUser } from './require-user.ts';

export interface AuthRouterDeps {
  auth: AuthService;
  requireUser: RequireUser;
  signInMaxAttempts: number;
  signInWindowMs: number;
}

const signInSchema = z.object({
  username: z.string({ required_error: 'username is required' }).min(1).max(64),
  password: z.string({ required_error: 'password is required' }).min(1).max(1024),
});

export function createAuthRouter(deps: AuthRouterDeps): Router {
  const router = express.Router();
  const signInLimit = rateLimit({
    windowMs: deps.signInWindowMs,
    limit: deps.signInMaxAttempts,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    message: { error: `too many sign-in attempts: wait ${Math.ceil(deps.signInWindowMs / 60_000)} minutes and try again` },
  });

  router.post('/api/v1/auth/sign-in', signInLimit, express.json({ limit: '8kb' }), async function signIn(req, res) {
    const parsed = signInSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeZodError(parsed.error) });
      return;
    }
    const outcome = await deps.auth.signIn(parsed.data.username, parsed.data.password);
    if (!outcome.ok) {
      res.status(401).json({ error: outcome.error });
      return;
    }
    res.set('Cache-Control', 'no-store').json({
      token: outcome.issued.token,
      expiresAt: outcome.issued.expiresAt.toISOString(),
      user: outcome.user,
    });
  });

  router.post('/api/v1/auth/sign-out', deps.requireUser(), async function signOut(_req, res) {
    await deps.auth.signOut(userLocals(res).claims);
    res.status(204).end();
  });

  router.get('/api/v1/auth/me', deps.requireUser(), function me(_req, res) {
    const { user, scope, claims } = userLocals(res);
    res.json({ user, scope, expiresAt: claims.expiresAt.toISOString() });
  });

  return router;
}
