/**
 * Express middleware: `requireUser(...roles)` lets a request through only with a valid user token
 * (Authorization: Bearer <token>) of one of the roles (any user role when none are given). It puts
 * the user, their scope and the token's claims in `res.locals`. Ingest source tokens are not user
 * tokens: they fail here with 401.
 */
import type { NextFunction, Request, Response } from 'express';
import { answerError } from '../errors.ts';
import { bearerToken } from '../../common/http/credentials.ts';
import type { AuthService } from '../../access/auth-service.ts';
import { hasAnyRole, scopeOf, type AuthUser, type Role, type Scope } from '../../access/roles.ts';
import type { TokenClaims } from '../../access/tokens.ts';

export interface UserLocals {
  user: AuthUser;
  scope: Scope;
  claims: TokenClaims;
}

export type RequireUser = (...roles: Role[]) => (req: Request, res: Response, next: NextFunction) => Promise<void>;

/**
 * `scopeFor` turns a user into what they may read; default access/roles.ts#scopeOf. The api passes one
 * that widens a lead's units by the directory (directory/scope.ts#widenScope).
 */
export function createRequireUser(auth: AuthService, scopeFor: (user: AuthUser) => Scope = scopeOf): RequireUser {
  return function requireUser(...roles) {
    return async function requireUserMiddleware(req, res, next) {
      const token = bearerToken(req.headers.authorization);
      if (!token) {
        res.set('WWW-Authenticate', 'Bearer');
        answerError(res, 401, 'sign-in-required', 'sign in first: send Authorization: Bearer <token from POST /api/v1/auth/sign-in>');
        return;
      }
      const outcome = await auth.authenticate(token);
      if (!outcome.ok) {
        res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
        answerError(res, 401, outcome.code, outcome.error);
        return;
      }
      if (!hasAnyRole(outcome.user, roles)) {
        answerError(res, 403, 'forbidden', `this needs one of the roles ${roles.join(', ')}; you have ${outcome.user.roles.join(', ')}`);
        return;
      }
      const locals = res.locals as Partial<UserLocals>;
      locals.user = outcome.user;
      locals.scope = scopeFor(outcome.user);
      locals.claims = outcome.claims;
      next();
    };
  };
}

export function userLocals(res: Response): UserLocals {
  return res.locals as UserLocals;
}
