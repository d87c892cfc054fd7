/**
 * Who may see what, as the api answers it and the board reads it: roles, the signed-in user, their
 * scope, and the sign-in answers. Pure and free of Node imports (the board imports it).
 */

/** Roles a person's account may hold. */
export const USER_ROLES = ['admin', 'monitor', 'lead', 'analyst'] as const;
/** Every role a signed-in caller may carry: `display` is a wall display's, never a person's. */
export const ROLES = [...USER_ROLES, 'display'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in user as the API sees it (never carries the password hash). */
export interface AuthUser {
  username: string;
  roles: Role[];
  /** Organisation units a lead is responsible for. */
  units: string[];
}

/** What a user may read: everything, or only these divisions. */
export type Scope = { kind: 'all' } | { kind: 'divisions'; divisions: string[] };

export function scopeAllows(scope: Scope, division: string): boolean {
  return scope.kind === 'all' || scope.divisions.includes(division);
}

/** POST /api/v1/auth/display: a short-lived token for a wall display. */
export interface SignInAnswer {
  token: string;
  expiresAt: string;
  /** The token's lifetime from the moment of the answer: a client whose clock is off counts on its own clock. */
  expiresInSeconds: number;
  user: AuthUser;
}

/** POST /api/v1/auth/sign-in and /api/v1/auth/renew: the token, and the one-use refresh token that renews it. */
export interface SessionAnswer extends SignInAnswer {
  refreshToken: string;
  refreshExpiresAt: string;
}

/** A wall display as admins see it (never its token). */
export interface DisplayInfo {
  id: string;
  label: string;
  /** The unit it shows; '' = the whole board. */
  unit: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** POST /api/v1/admin/displays: the token is shown this once, inside the address the display opens. */
export interface DisplayCreated {
  display: DisplayInfo;
  token: string;
  /** The board's address with the token in its fragment (never sent to a server, never in an access log). */
  url: string;
}

/** GET /api/v1/auth/me. */
export interface MeAnswer {
  user: AuthUser;
  scope: Scope;
  expiresAt: string;
}
