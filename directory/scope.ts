/** Who may read a unit: one rule for the board, the directory API and search. Pure. */
import { scopeAllows, type Scope } from '../common/contracts/access.ts';
import type { DirectoryIndex } from './directory-index.ts';

/**
 * A unit is readable when the scope reads its division; '' (the whole organisation) only by a scope
 * that reads everything. A unit the directory does not know is not readable: callers that answer
 * 404 for it check that first.
 */
export function mayReadUnit(scope: Scope, index: Pick<DirectoryIndex, 'units'>, unit: string): boolean {
  if (unit === '') return scope.kind === 'all';
  const node = index.units.get(unit);
  return node !== undefined && scopeAllows(scope, node.division);
}

/**
 * A lead's scope as the directory places it: each of their units, plus every division at or under it.
 * A lead of a unit above the division level (a state, the target of escalations) so reads the totals,
 * tiles and alerts of every division below; a division lead's scope stays their division. Units the
 * directory does not know stay as they are.
 */
export function widenScope(scope: Scope, index: Pick<DirectoryIndex, 'units'>): Scope {
  if (scope.kind === 'all' || scope.divisions.length === 0) return scope;
  const mine = new Set(scope.divisions);
  const divisions = new Set(scope.divisions);
  for (const node of index.units.values()) {
    if (node.path.some((id) => mine.has(id))) divisions.add(node.division);
  }
  return divisions.size === mine.size ? scope : { kind: 'divisions', divisions: [...divisions].sort() };
}
