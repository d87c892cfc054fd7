import { describe, expect, it } from 'vitest';
import { computeCoverage } from './coverage.ts';
import { createCoverageLayouts } from './coverage-layouts.ts';
import { createDirectoryIndex } from './directory-index.ts';
import { drillDown, findQuietGroups } from './drilldown.ts';
import { resolveSettings, type Unit } from './model.ts';

/** state rj > divisions jp, ud > districts > booths; groups on booths and one on a division. */
function knownTree() {
  const settings = resolveSettings({ levels: ['state', 'division', 'district', 'booth'], categories: ['booth-voters', 'youth', 'women'] });
  const list: Unit[] = [
    { id: 'rj', name: 'Rajasthan', level: 'state', parent: '' },
    { id: 'jp', name: 'Jaipur', level: 'division', parent: 'rj' },
    { id: 'ud', name: 'Udaipur', level: 'division', parent: 'rj' },
    { id: 'jpc', name: 'Jaipur City', level: 'district', parent: 'jp' },
    { id: 'b1', name: 'Booth 1', level: 'booth', parent: 'jpc' },
    { id: 'b2', name: 'Booth 2', level: 'booth', parent: 'jpc' },
    { id: 'b3', name: 'Booth 3', level: 'booth', parent: 'jpc' },
    { id: 'udc', name: 'Udaipur City', level: 'district', parent: 'ud' },
    { id: 'b4', name: 'Booth 4', level: 'booth', parent: 'udc' },
  ];
  const index = createDirectoryIndex();
  index.setTree(settings, new Map(list.map((u) => [u.id, u])));
  index.applyGroups([
    { id: 'g1', unit: 'b1', category: 'booth-voters', deleted: false, targetSize: 100 },
    { id: 'g2', unit: 'b1', category: 'youth', deleted: false, targetSize: null },
    { id: 'g3', unit: 'b2', category: 'booth-voters', deleted: false, targetSize: 50 },
    { id: 'g4', unit: 'b4', category: 'women', deleted: false, targetSize: null },
    { id: 'g5', unit: 'jp', category: 'youth', deleted: false, targetSize: null },
  ]);
  return index;
}

const act = (messages: number, joins = 0) => ({ messages, media: 0, forwarded: 0, joins, leaves: 0 });

describe('directory index', () => {
  it('places a group with its full unit path and division, shared per unit and category', () => {
    const index = knownTree();
    expect(index.place('g1')).toEqual({ division: 'jp', category: 'booth-voters', unitPath: ['rj', 'jp', 'jpc', 'b1'] });
    expect(index.place('g5')).toEqual({ division: 'jp', category: 'youth', unitPath: ['rj', 'jp'] });
    expect(index.place('nope').division).toBe('unassigned');
    expect(index.place('g1').unitPath).toBe(index.units.get('b1')!.path);
  });

  it('takes the configured division level', () => {
    const index = createDirectoryIndex();
    index.setTree(resolveSettings({ levels: ['state', 'district', 'booth'], divisionLevel: 'district' }), new Map([
      ['s', { id: 's', name: 'S', level: 'state', parent: '' }],
      ['d', { id: 'd', name: 'D', level: 'district', parent: 's' }],
      ['b', { id: 'b', name: 'B', level: 'booth', parent: 'd' }],
    ]));
    index.applyGroups([{ id: 'g', unit: 'b', category: 'youth', deleted: false, targetSize: null }]);
    expect(index.place('g').division).toBe('d');
  });

  it('re-places groups when a unit moves, and forgets removed groups', () => {
    const index = knownTree();
    const tree = new Map([...index.units.values()].map((n) => [n.unit.id, n.unit]));
    tree.set('jpc', { ...tree.get('jpc')!, parent: 'ud' });
    index.setTree(index.settings, tree);
    expect(index.place('g1')).toEqual({ division: 'ud', category: 'booth-voters', unitPath: ['rj', 'ud', 'jpc', 'b1'] });
    index.applyGroups([{ id: 'g1', unit: '', category: '', deleted: true, targetSize: null }]);
    expect(index.place('g1').division).toBe('unassigned');
  });
});

describe('drill-down on a known tree', () => {
  const index = knownTree();
  const activity = new Map([['g1', act(5, 2)], ['g4', act(3)], ['g5', act(1)], ['stranger', act(9)]]);
  const members = new Map([['g1', 120], ['g2', 30], ['g3', 40], ['g4', 10], ['g5', 7]]);

  it('the top lists the root with everything', () => {
    const top = drillDown(index, '', activity, members)!;
    expect(top.children).toEqual([
      { id: 'rj', name: 'Rajasthan', level: 'state', groups: 5, activeGroups: 3, inactiveGroups: 2, messages: 9, media: 0, forwarded: 0, joins: 2, leaves: 0, members: 207 },
    ]);
  });

  it('a state → its divisions', () => {
    const rj = drillDown(index, 'rj', activity, members)!;
    expect(rj.children.map((c) => [c.id, c.groups, c.activeGroups, c.inactiveGroups, c.messages, c.members])).toEqual([
      ['jp', 4, 2, 2, 6, 197],
      ['ud', 1, 1, 0, 3, 10],
    ]);
    expect(rj.total.groups).toBe(5);
  });

  it('a division → districts, plus its own groups', () => {
    const jp = drillDown(index, 'jp', activity, members)!;
    expect(jp.unit?.path).toEqual(['rj', 'jp']);
    expect(jp.children.map((c) => [c.id, c.groups, c.activeGroups, c.messages])).toEqual([
      ['jpc', 3, 1, 5],
      ['', 1, 1, 1],
    ]);
  });

  it('a district → booths, including a booth with no group', () => {
    const jpc = drillDown(index, 'jpc', activity, members)!;
    expect(jpc.children.map((c) => [c.id, c.groups, c.activeGroups, c.inactiveGroups, c.members])).toEqual([
      ['b1', 2, 1, 1, 150],
      ['b2', 1, 0, 1, 40],
      ['b3', 0, 0, 0, 0],
    ]);
  });

  it('an unknown unit is undefined', () => {
    expect(drillDown(index, 'zz', activity, members)).toBeUndefined();
  });
});

describe('quiet groups on a known tree', () => {
  const index = knownTree();
  const since = Date.parse('2026-11-21T12:00:00Z');
  // g1 spoke after `since`, g3 exactly at it (not quiet), g4 before it; g2 and g5 never.
  const last = new Map([['g1', since + 5_000], ['g3', since], ['g4', since - 1], ['stranger', since + 1]]);
  // The test the board passes is alerts/quiet.ts's; here, quiet = no message since the cut-off.
  const quietSince = (_id: string, _placement: unknown, lastAt: number | undefined) => lastAt === undefined || lastAt < since;

  it('counts groups at or under a unit with no message since the cut-off', () => {
    const count = (unit: string) => {
      const found = findQuietGroups(index, unit, last, quietSince);
      return found && { groups: found.groups, quietGroups: found.quietGroups, listed: found.longest.length };
    };
    expect(count('')).toEqual({ groups: 5, quietGroups: 3, listed: 0 });
    expect(count('jp')).toEqual({ groups: 4, quietGroups: 2, listed: 0 });
    expect(count('b1')).toEqual({ groups: 2, quietGroups: 1, listed: 0 });
    expect(count('b3')).toEqual({ groups: 0, quietGroups: 0, listed: 0 });
    expect(count('ud')).toEqual({ groups: 1, quietGroups: 1, listed: 0 });
    expect(count('zz')).toBeUndefined();
  });

  it('lists the longest silent first: never spoken, then the oldest last message', () => {
    expect(findQuietGroups(index, '', last, quietSince, 10)!.longest).toEqual([
      { id: 'g2', unit: 'b1', category: 'youth', lastMessageAt: null },
      { id: 'g5', unit: 'jp', category: 'youth', lastMessageAt: null },
      { id: 'g4', unit: 'b4', category: 'women', lastMessageAt: since - 1 },
    ]);
    expect(findQuietGroups(index, '', last, quietSince, 2)!.longest.map((g) => g.id)).toEqual(['g2', 'g5']);
  });
});

describe('coverage on a known tree', () => {
  const index = knownTree();
  const now = Date.parse('2026-11-22T12:00:00Z');
  const hours = (h: number) => now - h * 3_600_000;
  const last = new Map([['g1', hours(2)], ['g3', hours(72)], ['g4', hours(24 * 8)]]);

  it('counts booths, activity windows, missing categories, reach and targets', () => {
    const reach = { total: 4, byChild: new Map([['jp', 3], ['ud', 1]]) };
    const report = computeCoverage(index, 'rj', last, reach, ['booth-voters', 'youth'], now)!;
    expect(report.total).toMatchObject({ booths: 4, boothsWithGroup: 3, boothsActive24h: 1, boothsActive7d: 2, boothsMissingExpected: 3, missingByCategory: { 'booth-voters': 2, youth: 3 }, groups: 5, reached: 4, target: 150 });
    const [jp, ud] = report.children;
    expect(jp).toMatchObject({ id: 'jp', booths: 3, boothsWithGroup: 2, boothsActive24h: 1, boothsActive7d: 2, boothsMissingExpected: 2, groups: 4, reached: 3, target: 150 });
    expect(ud).toMatchObject({ id: 'ud', booths: 1, boothsWithGroup: 1, boothsActive24h: 0, boothsActive7d: 0, boothsMissingExpected: 1, groups: 1, reached: 1, target: null });
  });

  it('a layout kept per directory version gives the same report; a new version builds it anew', () => {
    const reach = { total: 4, byChild: new Map([['jp', 3], ['ud', 1]]) };
    const layouts = createCoverageLayouts();
    const kept = layouts.get({ index, version: 1 }, 'rj', ['booth-voters', 'youth']);
    expect(layouts.get({ index, version: 1 }, 'rj', ['booth-voters', 'youth'])).toBe(kept);
    const fresh = computeCoverage(index, 'rj', last, reach, ['booth-voters', 'youth'], now);
    expect(computeCoverage(index, 'rj', last, reach, ['booth-voters', 'youth'], now, kept)).toEqual(fresh);
    // The report is a copy: a second request from the same layout is not changed by the first.
    expect(computeCoverage(index, 'rj', new Map(), reach, ['booth-voters', 'youth'], now, kept)!.total.boothsActive7d).toBe(0);
    expect(computeCoverage(index, 'rj', last, reach, ['booth-voters', 'youth'], now, kept)).toEqual(fresh);
    expect(layouts.get({ index, version: 2 }, 'rj', ['booth-voters', 'youth'])).not.toBe(kept);
    expect(layouts.get({ index, version: 2 }, 'nowhere', ['youth'])).toBeUndefined();
  });

  it('a district lists each booth', () => {
    const report = computeCoverage(index, 'jpc', last, { total: 0, byChild: new Map() }, ['booth-voters'], now)!;
    expect(report.children.map((c) => [c.id, c.booths, c.boothsWithGroup, c.boothsMissingExpected])).toEqual([
      ['b1', 1, 1, 0],
      ['b2', 1, 1, 0],
      ['b3', 1, 0, 1],
    ]);
  });
});
