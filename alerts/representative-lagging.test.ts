import { describe, expect, it } from 'vitest';
import type { Scorecard } from '../common/contracts/representatives.ts';
import { createDirectoryIndex } from '../directory/directory-index.ts';
import { resolveSettings, type Unit } from '../directory/model.ts';
import { representativeConditions } from './representative-lagging.ts';

const units: Unit[] = [
  { id: 's', name: 'State', level: 'state', parent: '' },
  { id: 'd1', name: 'Jaipur', level: 'division', parent: 's' },
  { id: 'c1', name: 'Jaipur City', level: 'district', parent: 'd1' },
];
const index = createDirectoryIndex();
index.setTree(resolveSettings({ levels: ['state', 'division', 'district'], categories: ['youth'] }), new Map(units.map((u) => [u.id, u])));

const NOW = Date.UTC(2026, 11, 7, 6, 0);
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const card = (over: Partial<Scorecard>): Scorecard => ({
  id: 'r1', person: 'Vijay Singh', role: 'district president', unit: 'c1', unitName: 'Jaipur City', platform: 'x', account: 'vijay',
  followers: 9000, followersAt: iso(NOW - DAY / 2), growth7: 100, growth30: 500, postDays7: 1, postDays30: 4, lastPostAt: iso(NOW - DAY),
  voters: 30000, share: 0.3, belowTarget: false, ...over,
});
const judge = (c: Scorecard, addedAt = new Map<string, number>()) =>
  representativeConditions(index, [c], addedAt, { silentDays: 3, target: 0.25 }, NOW).map((x) => [x.subject, x.division, x.unit, x.since]);

describe('representative-lagging', () => {
  it('holds nothing for one who posts and is above target', () => {
    expect(judge(card({}))).toEqual([]);
  });

  it('is silent from the last post at the limit, not a moment before', () => {
    expect(judge(card({ lastPostAt: iso(NOW - 3 * DAY + 1) }))).toEqual([]);
    expect(judge(card({ lastPostAt: iso(NOW - 3 * DAY) }))).toEqual([['r1/silent', 'd1', 'c1', NOW - 3 * DAY]]);
  });

  it('counts a silence with no post on record from entering the register, at most from as far back as posts are read', () => {
    expect(judge(card({ lastPostAt: null }), new Map([['r1', NOW - DAY]]))).toEqual([]);
    expect(judge(card({ lastPostAt: null }), new Map([['r1', NOW - 4 * DAY]]))).toEqual([['r1/silent', 'd1', 'c1', NOW - 4 * DAY]]);
    expect(judge(card({ lastPostAt: null }), new Map([['r1', NOW - 400 * DAY]]))).toEqual([['r1/silent', 'd1', 'c1', NOW - 90 * DAY]]);
  });

  it('is below target only when not growing over 7 days, and only when the growth is known', () => {
    const below = { share: 0.1, followers: 3000, belowTarget: true };
    expect(judge(card({ ...below, growth7: 1 }))).toEqual([]);
    expect(judge(card({ ...below, growth7: null }))).toEqual([]);
    expect(judge(card({ ...below, growth7: 0 }))).toEqual([['r1/below-target', 'd1', 'c1', NOW - DAY / 2]]);
    expect(judge(card({ ...below, growth7: -20 }))).toEqual([['r1/below-target', 'd1', 'c1', NOW - DAY / 2]]);
  });
});
