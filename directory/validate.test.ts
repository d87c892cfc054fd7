import { describe, expect, it } from 'vitest';
import { resolveSettings, type Unit } from './model.ts';
import { GROUP_COLUMNS, parseImport, UNIT_COLUMNS } from './parse.ts';
import { validateContacts, validateGroups, validateUnits } from './validate.ts';

const settings = resolveSettings({ levels: ['state', 'division', 'district', 'booth'] });

function units(csv: string, existing: Map<string, Unit> = new Map(), mode: 'merge' | 'replace' = 'merge') {
  const parsed = parseImport(csv, 'csv', UNIT_COLUMNS, 'units');
  if (!parsed.ok) return parsed;
  return validateUnits(parsed.records, settings, existing, mode, new Set(['b1']));
}

const GOOD = `id,name,level,parent
rj,Rajasthan,state,
jp,Jaipur,division,rj
jpc,Jaipur City,district,jp
b1,Booth 1,booth,jpc
b2,Booth 2,booth,jpc`;

describe('unit import validation', () => {
  it('accepts a well-formed tree', () => {
    const result = units(GOOD);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.upserts.map((u) => u.id)).toEqual(['rj', 'jp', 'jpc', 'b1', 'b2']);
  });

  it('refuses a missing column, naming it', () => {
    expect(units('id,name,parent\nrj,Rajasthan,\n')).toEqual({ ok: false, problems: [{ line: 1, problem: expect.stringContaining('missing column level') }] });
  });

  it('refuses an unknown parent with its line', () => {
    const result = units(`${GOOD}\nb3,Booth 3,booth,nowhere`);
    expect(result).toEqual({ ok: false, problems: [{ line: 7, problem: 'unknown parent "nowhere" of "b3"' }] });
  });

  it('refuses a duplicate id, pointing at the first', () => {
    const result = units(`${GOOD}\nb1,Again,booth,jpc`);
    expect(result).toEqual({ ok: false, problems: [{ line: 7, problem: 'duplicate id "b1" (first on line 5)' }] });
  });

  it('refuses a cycle, listing every unit on it', () => {
    const result = units(`${GOOD}\nx,X,district,y\ny,Y,district,x`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.line)).toEqual([7, 8]);
      expect(result.problems[0]!.problem).toBe('cycle: x → y → x');
    }
  });

  it('refuses a level out of order (child above its parent, non-top root)', () => {
    const result = units(`${GOOD}\nd2,Up,division,b1\nlone,Lone,district,`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        { line: 7, problem: 'level out of order: "d2" (division) cannot sit under "b1" (booth)' },
        { line: 8, problem: 'level out of order: "lone" (district) has no parent, but only a state can be a root' },
      ]);
    }
  });

  it('refuses an unknown level', () => {
    const result = units(`${GOOD}\nm1,M,mandal,jpc`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toEqual({ line: 7, problem: 'unknown level "mandal" (levels: state > division > district > booth)' });
  });

  it('lists every problem of a file at once, by line', () => {
    const result = units(`id,name,level,parent\nrj,R,state,\nrj,R,state,\nb9,B,booth,zz\nq,Q,galaxy,rj`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.line)).toEqual([3, 4, 5]);
  });

  it('merges into the stored tree and checks the parents found there', () => {
    const first = units(GOOD);
    if (!first.ok) throw new Error('setup');
    const result = units('id,name,level,parent\nb3,Booth 3,booth,jpc', first.value.tree);
    expect(result.ok && result.value.upserts.map((u) => u.id)).toEqual(['b3']);
  });

  it('replace refuses to remove a unit groups hang off', () => {
    const first = units(GOOD);
    if (!first.ok) throw new Error('setup');
    const result = units('id,name,level,parent\nrj,Rajasthan,state,', first.value.tree, 'replace');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.problem)).toContain('unit "b1" would be removed, but groups hang off it: move or remove those groups first');
  });

  it('reads JSON with item numbers and reports a missing field per item', () => {
    const parsed = parseImport(JSON.stringify({ units: [{ id: 'rj', name: 'R', level: 'state' }, { id: 'x', level: 'booth' }] }), 'json', UNIT_COLUMNS, 'units');
    expect(parsed).toEqual({ ok: false, problems: [{ line: 2, problem: 'missing column name' }] });
  });
});

describe('group import validation', () => {
  const tree = units(GOOD);
  if (!tree.ok) throw new Error('setup');
  const check = (csv: string) => {
    const parsed = parseImport(csv, 'csv', GROUP_COLUMNS, 'groups');
    return parsed.ok ? validateGroups(parsed.records, settings, tree.value.tree) : parsed;
  };

  it('accepts groups with aliases, derives the platform', () => {
    const result = check('group_id,unit_id,category,title,target_size\nwa:1@g.us,b1,youth,Youth b1,250\ntg:-100,b2,women,,');
    expect(result).toEqual({
      ok: true,
      value: [
        { id: 'wa:1@g.us', unit: 'b1', category: 'youth', title: 'Youth b1', platform: 'whatsapp', targetSize: 250 },
        { id: 'tg:-100', unit: 'b2', category: 'women', title: '', platform: 'telegram', targetSize: undefined },
      ],
    });
  });

  it('refuses unknown unit, unknown category, bad target, duplicate id, by line', () => {
    const result = check('id,unit,category,target_size\ng1,b1,youth,\ng1,b1,youth,\ng2,zz,youth,\ng3,b1,astronauts,\ng4,b1,youth,-3');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual([
        { line: 3, problem: 'duplicate id "g1" (first on line 2)' },
        { line: 4, problem: 'unknown unit "zz" for group "g2"' },
        { line: 5, problem: expect.stringContaining('unknown category "astronauts"') },
        { line: 6, problem: 'target_size "-3" must be a whole number ≥ 0' },
      ]);
    }
  });

  it('refuses a file without the category column', () => {
    expect(check('id,unit\ng1,b1')).toEqual({ ok: false, problems: [{ line: 1, problem: expect.stringContaining('missing column category') }] });
  });
});

describe('contacts', () => {
  const known = new Map([['b1', { id: 'b1', name: 'Booth 1', level: 'booth', parent: '' }]]);
  const groups = new Set(['wa:g1']);
  const phoneOf = (text: string) => (/^\d{10}$/.test(text) ? `+91${text}` : undefined);
  const record = (line: number, fields: Record<string, string>) => ({ line, fields });

  it('names a contact by what it answers for and its number, so a second import updates it in place', () => {
    const result = validateContacts([record(2, { person: 'Asha', phone: '9829012345', unit: 'b1' }), record(3, { person: 'Ravi', phone: '9829012345', group: 'wa:g1', role: 'admin' })], known, groups, phoneOf);
    expect(result).toEqual({
      ok: true,
      value: [
        { id: 'unit:b1:+919829012345', unit: 'b1', group: '', person: 'Asha', role: '', phone: '+919829012345' },
        { id: 'group:wa:g1:+919829012345', unit: '', group: 'wa:g1', person: 'Ravi', role: 'admin', phone: '+919829012345' },
      ],
    });
  });

  it('refuses the same number twice for one unit, and a given id twice', () => {
    const twice = validateContacts([record(2, { person: 'A', phone: '9829012345', unit: 'b1' }), record(3, { person: 'B', phone: '9829012345', unit: 'b1' })], known, groups, phoneOf);
    expect(twice).toEqual({ ok: false, problems: [{ line: 3, problem: 'the same number for the same unit again (first on line 2)' }] });
    const ids = validateContacts([record(2, { id: 'c1', person: 'A', phone: '9829012345', unit: 'b1' }), record(3, { id: 'c1', person: 'B', phone: '9829099999', unit: 'b1' })], known, groups, phoneOf);
    expect(ids).toEqual({ ok: false, problems: [{ line: 3, problem: 'duplicate id "c1" (first on line 2)' }] });
  });
});

describe('voters of units', () => {
  it('are a whole number ≥ 0 when given, and part of what makes a unit changed', () => {
    expect(units('id,name,level,parent,voters\nrj,Rajasthan,state,,-3\n')).toEqual({ ok: false, problems: [{ line: 2, problem: 'voters "-3" must be a whole number ≥ 0' }] });
    const existing = new Map([['rj', { id: 'rj', name: 'Rajasthan', level: 'state', parent: '' }]]);
    const changed = units('id,name,level,parent,voters\nrj,Rajasthan,state,,5000\n', existing);
    expect(changed.ok && changed.value.upserts).toEqual([{ id: 'rj', name: 'Rajasthan', level: 'state', parent: '', voters: 5000 }]);
  });
});
