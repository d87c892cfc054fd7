/**
 * Who may see what, as the api answers it and the board reads it: roles, the signed-in user, their
 * scope, and the sign-in answers. Pure and free of Node imports (the board imports it).
 */

export const ROLES = ['admin', 'monitor', 'lead', 'analyst'] as const;
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

/** POST /api/v1/auth/sign-in. */
export interface SignInAnswer {
  token: string;
  expiresAt: string;
  user: AuthUser;
}

/** GET /api/v1/auth/me. */
export interface MeAnswer {
  user: AuthUser;
  scope: Scope;
  expiresAt: string;
}
