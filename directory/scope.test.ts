import { describe, expect, it } from 'vitest';
import type { Scope } from '../common/contracts/access.ts';
import { createDirectoryIndex } from './directory-index.ts';
import { resolveSettings } from './model.ts';
import { mayReadUnit, widenScope } from './scope.ts';

describe('mayReadUnit', () => {
  const index = createDirectoryIndex();
  index.setTree(
    resolveSettings({ levels: ['state', 'division', 'booth'], categories: ['youth'] }),
    new Map([
      ['RJ', { id: 'RJ', name: 'Rajasthan', level: 'state', parent: '' }],
      ['JPR', { id: 'JPR', name: 'Jaipur', level: 'division', parent: 'RJ' }],
      ['B101', { id: 'B101', name: 'Booth 101', level: 'booth', parent: 'JPR' }],
      ['AJM', { id: 'AJM', name: 'Ajmer', level: 'division', parent: 'RJ' }],
    ]),
  );
  const lead: Scope = { kind: 'divisions', divisions: ['JPR'] };
  const all: Scope = { kind: 'all' };

  it('lets a lead read the units of their divisions only', () => {
    expect(mayReadUnit(lead, index, 'JPR')).toBe(true);
    expect(mayReadUnit(lead, index, 'B101')).toBe(true);
    expect(mayReadUnit(lead, index, 'AJM')).toBe(false);
  });

  it('keeps the whole organisation for read-all scopes', () => {
    expect(mayReadUnit(all, index, '')).toBe(true);
    expect(mayReadUnit(lead, index, '')).toBe(false);
  });

  it('widens a state lead (an escalation target) to every division below, and leaves a division lead as they are', () => {
    const stateLead = widenScope({ kind: 'divisions', divisions: ['RJ'] }, index);
    expect(stateLead).toEqual({ kind: 'divisions', divisions: ['AJM', 'JPR', 'RJ'] });
    expect(mayReadUnit(stateLead, index, 'B101')).toBe(true);
    expect(mayReadUnit({ kind: 'divisions', divisions: ['RJ'] }, index, 'B101')).toBe(false);
    expect(widenScope(lead, index)).toEqual(lead);
    expect(widenScope(all, index)).toBe(all);
    expect(widenScope({ kind: 'divisions', divisions: ['gone'] }, index)).toEqual({ kind: 'divisions', divisions: ['gone'] });
  });

  it('reads no unknown unit, whatever the scope', () => {
    expect(mayReadUnit(all, index, 'nowhere')).toBe(false);
    expect(mayReadUnit(lead, index, 'nowhere')).toBe(false);
  });
});
