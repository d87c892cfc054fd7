import { describe, expect, it } from 'vitest';
import { allowedDivisions, filterToScope, hasAnyRole, scopeAllows, scopeOf } from './roles.ts';

describe('scopeOf', () => {
  it('central roles see everything, a lead only their units (as divisions for now)', () => {
    expect(scopeOf({ username: 'm', roles: ['monitor'], units: [] })).toEqual({ kind: 'all' });
    expect(scopeOf({ username: 'a', roles: ['analyst'], units: [] })).toEqual({ kind: 'all' });
    expect(scopeOf({ username: 'x', roles: ['admin'], units: [] })).toEqual({ kind: 'all' });
    expect(scopeOf({ username: 'l', roles: ['lead'], units: ['jaipur', 'ajmer', 'jaipur'] })).toEqual({ kind: 'divisions', divisions: ['ajmer', 'jaipur'] });
    expect(scopeOf({ username: 'l', roles: ['lead', 'monitor'], units: ['jaipur'] })).toEqual({ kind: 'all' });
  });

  it('filters rows and answers single divisions', () => {
    const scope = scopeOf({ username: 'l', roles: ['lead'], units: ['jaipur'] });
    expect(filterToScope(scope, [{ division: 'jaipur' }, { division: 'ajmer' }])).toEqual([{ division: 'jaipur' }]);
    expect(scopeAllows(scope, 'jaipur')).toBe(true);
    expect(scopeAllows(scope, 'ajmer')).toBe(false);
    expect(allowedDivisions({ username: 'l', roles: ['lead'], units: [] })).toEqual([]);
  });

  it('hasAnyRole: no roles listed means any user', () => {
    expect(hasAnyRole({ username: 'l', roles: ['lead'], units: ['a'] }, [])).toBe(true);
    expect(hasAnyRole({ username: 'l', roles: ['lead'], units: ['a'] }, ['admin'])).toBe(false);
  });
});
