/**
 * Sign-in, renewal, display sign-in, sign-out and request authentication, on top of the users table,
 * the sessions table, the token issuer and the revocation list. Outcomes are values with a stable
 * code (common/contracts/errors.ts); the HTTP layer turns them into 401/403.
 */
import type { ErrorCode } from '../common/contracts/errors.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { Revocations } from './revocations.ts';
import type { AuthUser } from './roles.ts';
import { newSecret, newSessionId, secretMatches, splitSessionToken, type SessionsRepository, type StoredSession } from './sessions.ts';
import type { IssuedToken, TokenClaims, TokenIssuer } from './tokens.ts';
import type { StoredUser, UsersRepository } from './users-repository.ts';

export type AuthFailure = { ok: false; code: ErrorCode; error: string };
export type SignInOutcome = { ok: true; user: AuthUser; issued: IssuedToken; refresh: { token: string; expiresAt: Date } } | AuthFailure;
export type DisplaySignInOutcome = { ok: true; user: AuthUser; issued: IssuedToken } | AuthFailure;
export type AuthOutcome = { ok: true; user: AuthUser; claims: TokenClaims } | AuthFailure;

export interface AuthService {
  signIn(username: string, password: string): Promise<SignInOutcome>;
  /** A new token and a new refresh token for a refresh token, which is used up (rotation). */
  renew(refreshToken: string): Promise<SignInOutcome>;
  /** A short-lived token for a wall display's long-lived display token (access/displays.ts). */
  signInDisplay(displayToken: string): Promise<DisplaySignInOutcome>;
  /** Ends the token and, for a user, the refresh session it came from. */
  signOut(claims: TokenClaims): Promise<void>;
  /** The user behind a bearer token, if the token is valid, unexpired, not signed out and the user still active. */
  authenticate(token: string): Promise<AuthOutcome>;
}

export interface SessionLifetimes {
  /** A refresh session not renewed for this long ends. */
  idleMs: number;
  /** A refresh session ends this long after its password sign-in, renewed or not. */
  maxMs: number;
}

export function toAuthUser(user: StoredUser): AuthUser {
  return { username: user.username, roles: [...user.roles], units: [...user.units] };
}

/** A wall display as a caller: read-only, its one unit or everything. */
export function displayUser(display: { label: string; unit: string }): AuthUser {
  return { username: `display:${display.label}`, roles: ['display'], units: display.unit ? [display.unit] : [] };
}

const fail = (code: ErrorCode, error: string): AuthFailure => ({ ok: false, code, error });
const WRONG_CREDENTIALS = fail('wrong-credentials', 'wrong username or password');
const SESSION_ENDED = fail('session-ended', 'session ended: sign in again');
const DISABLED = fail('account-disabled', 'account disabled or removed');

export function createAuthService(deps: {
  users: UsersRepository;
  sessions: SessionsRepository;
  revocations: Revocations;
  tokens: TokenIssuer;
  lifetimes: SessionLifetimes;
  now?: () => number;
}): AuthService {
  const now = deps.now ?? Date.now;
  // Verifying against a dummy hash when the user does not exist keeps the answer time the same,
  // so timing does not tell which usernames exist.
  const dummyHash = hashPassword('not-a-real-password-0000');
  // The same refresh token sent twice at once (a retry) is one renewal: both callers get its answer.
  // Run twice, both would rotate the same secret and the loser's new token would end the session.
  const renewing = new Map<string, Promise<SignInOutcome>>();

  /** Writes the session with a new secret (a new session when `session` is undefined) and issues a token under it. */
  async function issueSession(user: StoredUser, session?: StoredSession): Promise<SignInOutcome> {
    const at = now();
    const id = session?.id ?? newSessionId();
    const createdAt = session?.createdAt ?? new Date(at);
    const expiresAt = new Date(Math.min(at + deps.lifetimes.idleMs, createdAt.getTime() + deps.lifetimes.maxMs));
    const { token, secretDigest } = newSecret(id);
    await deps.sessions.save({ id, kind: 'refresh', username: user.username, label: '', unit: '', secretDigest, createdBy: user.username, createdAt, expiresAt, revoked: false });
    const issued = await deps.tokens.issue({ username: user.username, sessionId: id });
    return { ok: true, user: toAuthUser(user), issued, refresh: { token, expiresAt } };
  }

  async function endSession(session: StoredSession): Promise<void> {
    await deps.sessions.save({ ...session, revoked: true });
    await deps.revocations.revoke(session.id, session.username, session.expiresAt);
  }

  async function rotate(id: string, secret: string): Promise<SignInOutcome> {
    const session = await deps.sessions.get(id);
    if (!session || session.kind !== 'refresh' || session.revoked || session.expiresAt.getTime() <= now()) return SESSION_ENDED;
    if (!secretMatches(session, secret)) {
      // A used-up refresh token came back: a copy is in other hands. End the session for both.
      await endSession(session);
      return SESSION_ENDED;
    }
    const user = await deps.users.get(session.username);
    if (!user || user.disabled) return DISABLED;
    // A password change or a sign-out everywhere since the session began ends it.
    if (session.createdAt.getTime() < user.sessionsValidAfter.getTime()) return SESSION_ENDED;
    return issueSession(user, session);
  }

  return {
    async signIn(username, password) {
      const user = await deps.users.get(username);
      const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
      if (!user || !matches || user.disabled) return WRONG_CREDENTIALS;
      return issueSession(user);
    },
    async renew(refreshToken) {
      const parts = splitSessionToken(refreshToken);
      if (!parts) return SESSION_ENDED;
      const inFlight = renewing.get(refreshToken);
      if (inFlight) return inFlight;
      const renewal = rotate(parts.id, parts.secret).finally(() => renewing.delete(refreshToken));
      renewing.set(refreshToken, renewal);
      return renewal;
    },
    async signInDisplay(displayToken) {
      const parts = splitSessionToken(displayToken);
      const session = parts && (await deps.sessions.get(parts.id));
      if (!parts || !session || session.kind !== 'display' || session.revoked || session.expiresAt.getTime() <= now() || !secretMatches(session, parts.secret)) {
        return fail('display-token-invalid', 'this display token is unknown, expired or revoked: ask an admin for a new display address');
      }
      const display = { label: session.label, unit: session.unit };
      const user = displayUser(display);
      return { ok: true, user, issued: await deps.tokens.issue({ username: user.username, sessionId: session.id, display }) };
    },
    async signOut(claims) {
      await deps.revocations.revoke(claims.jti, claims.username, claims.expiresAt);
      // A display signing out ends its token, never the display: only an admin revokes that.
      if (claims.display) return;
      const session = await deps.sessions.get(claims.sessionId);
      if (session && !session.revoked) await endSession(session);
    },
    async authenticate(token) {
      const verified = await deps.tokens.verify(token);
      if (!verified.ok) return verified.reason === 'expired' ? fail('token-expired', 'token expired: sign in again') : fail('token-invalid', 'invalid token');
      const { claims } = verified;
      if ((await deps.revocations.isRevoked(claims.jti)) || (await deps.revocations.isRevoked(claims.sessionId))) {
        return fail('signed-out', 'token signed out: sign in again');
      }
      if (claims.display) return { ok: true, user: displayUser(claims.display), claims };
      const user = await deps.users.get(claims.username);
      if (!user || user.disabled) return DISABLED;
      if (claims.issuedAt.getTime() < user.sessionsValidAfter.getTime()) {
        return fail('session-ended', 'session ended by a password change or a sign-out everywhere: sign in again');
      }
      return { ok: true, user: toAuthUser(user), claims };
    },
  };
}
