/**
 * Who may see what. Roles: admin (everything, manages users), monitor (central monitoring: reads
 * everything), lead (reads only their units and everything under them), analyst (reads everything
 * and may query ClickHouse read-only). A user may hold several roles; the widest scope wins.
 */
import { z } from 'zod';
import { ROLES, scopeAllows, type AuthUser, type Role, type Scope } from '../common/contracts/access.ts';

export { ROLES, scopeAllows, type AuthUser, type Role, type Scope };

export const roleSchema = z.enum(ROLES, { errorMap: () => ({ message: `role must be one of ${ROLES.join(', ')}` }) });

/** Roles that read every division. */
export const READ_ALL_ROLES: readonly Role[] = ['admin', 'monitor', 'analyst'];
/** Roles allowed on the read API and the live socket (every user role; ingest sources are not users). */
export const READ_ROLES: readonly Role[] = ROLES;

/**
 * The divisions a lead may see. Until the group directory lands, a lead's unit ids are division ids.
 * The seam for the directory: map each unit to the divisions at or under it here (a lead of a
 * district sees that district's part of its division once rollups carry sub-units).
 */
export function allowedDivisions(user: AuthUser): string[] {
  return [...new Set(user.units)].sort();
}

export function scopeOf(user: AuthUser): Scope {
  if (user.roles.some((role) => READ_ALL_ROLES.includes(role))) return { kind: 'all' };
  if (user.roles.includes('lead')) return { kind: 'divisions', divisions: allowedDivisions(user) };
  return { kind: 'divisions', divisions: [] };
}

export function hasAnyRole(user: AuthUser, roles: readonly Role[]): boolean {
  return roles.length === 0 || user.roles.some((role) => roles.includes(role));
}

/** Filter rows carrying a division to what the scope allows. */
export function filterToScope<T extends { division: string }>(scope: Scope, rows: T[]): T[] {
  if (scope.kind === 'all') return rows;
  const allowed = new Set(scope.divisions);
  return rows.filter((row) => allowed.has(row.division));
}
