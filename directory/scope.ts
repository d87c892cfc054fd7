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
