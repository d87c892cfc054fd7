/**
 * Sign-in, sign-out and request authentication, on top of the users table, the token issuer and
 * the revocation list. Outcomes are values; the HTTP layer turns them into 401/403.
 */
import { hashPassword, verifyPassword } from './password.ts';
import type { Revocations } from './revocations.ts';
import type { AuthUser } from './roles.ts';
import type { IssuedToken, TokenClaims, TokenIssuer } from './tokens.ts';
import type { StoredUser, UsersRepository } from './users-repository.ts';

export type SignInOutcome = { ok: true; user: AuthUser; issued: IssuedToken } | { ok: false; error: string };
export type AuthOutcome = { ok: true; user: AuthUser; claims: TokenClaims } | { ok: false; error: string };

export interface AuthService {
  signIn(username: string, password: string): Promise<SignInOutcome>;
  signOut(claims: TokenClaims): Promise<void>;
  /** The user behind a bearer token, if the token is valid, unexpired, not signed out and the user still active. */
  authenticate(token: string): Promise<AuthOutcome>;
}

export function toAuthUser(user: StoredUser): AuthUser {
  return { username: user.username, roles: [...user.roles], units: [...user.units] };
}

const BAD_CREDENTIALS = 'wrong username or password';

export function createAuthService(deps: { users: UsersRepository; revocations: Revocations; tokens: TokenIssuer }): AuthService {
  // Verifying against a dummy hash when the user does not exist keeps the answer time the same,
  // so timing does not tell which usernames exist.
  const dummyHash = hashPassword('not-a-real-password-0000');

  return {
    async signIn(username, password) {
      const user = await deps.users.get(username);
      const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
      if (!user || !matches || user.disabled) return { ok: false, error: BAD_CREDENTIALS };
      return { ok: true, user: toAuthUser(user), issued: await deps.tokens.issue(user.username) };
    },
    async signOut(claims) {
      await deps.revocations.revoke(claims.jti, claims.username, claims.expiresAt);
    },
    async authenticate(token) {
      const verified = await deps.tokens.verify(token);
      if (!verified.ok) return { ok: false, error: verified.reason === 'expired' ? 'token expired: sign in again' : 'invalid token' };
      const { claims } = verified;
      if (await deps.revocations.isRevoked(claims.jti)) return { ok: false, error: 'token signed out: sign in again' };
      const user = await deps.users.get(claims.username);
      if (!user || user.disabled) return { ok: false, error: 'account disabled or removed' };
      if (claims.issuedAt.getTime() < user.sessionsValidAfter.getTime()) {
        return { ok: false, error: 'token predates a password change: sign in again' };
      }
      return { ok: true, user: toAuthUser(user), claims };
    },
  };
}
