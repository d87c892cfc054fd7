import { describe, expect, it } from 'vitest';
import { boothPramukhs, generateOrg, personId } from './org.ts';
import { accountHistory, generateRepresentatives } from './representatives.ts';

describe('simulated representatives', () => {
  const org = generateOrg({ scale: 1, seed: 7 });
  const representatives = generateRepresentatives(org, 9);

  it('are about 200 at the field scale, on the units of their role, one account each', () => {
    expect(representatives).toHaveLength(200);
    const levelOf = new Map(org.units.map((u) => [u.id, u.level]));
    const roles = new Map<string, Set<string>>();
    for (const r of representatives) roles.set(r.role, (roles.get(r.role) ?? new Set()).add(levelOf.get(r.unit)!));
    expect(Object.fromEntries([...roles].map(([role, levels]) => [role, [...levels]]))).toEqual({ minister: ['division'], MP: ['division'], 'district president': ['district'], MLA: ['assembly'] });
    expect(new Set(representatives.map((r) => r.id)).size).toBe(200);
  });

  it('post irregularly: a snapshot every day, posts on some days, a few never', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const events = accountHistory(representatives, now, 30, 11, 'run') as { type: string; account: string; at: string }[];
    expect(events.filter((e) => e.type === 'account_snapshot')).toHaveLength(200 * 31);
    const postingDays = new Map<string, Set<string>>();
    for (const e of events) if (e.type === 'post') postingDays.set(e.account, (postingDays.get(e.account) ?? new Set()).add(e.at.slice(0, 10)));
    const silent = representatives.filter((r) => !postingDays.has(r.account)).length;
    expect(silent).toBeGreaterThan(5);
    expect(silent).toBeLessThan(40);
    const days = [...postingDays.values()].map((d) => d.size);
    expect(Math.min(...days)).toBeLessThan(12);
    expect(Math.max(...days)).toBeGreaterThan(25);
    expect(events.every((e) => Date.parse(e.at) <= now)).toBe(true);
  });
});

describe('simulated compliance', () => {
  it('leaves 5–10% of booths short: without a voters\' group, a pramukh, or a pramukh in the group', () => {
    const org = generateOrg({ scale: 1, seed: 7 });
    const pramukhs = new Map(boothPramukhs(org).map((p) => [p.booth, p]));
    const withVoters = new Set(org.groups.filter((g) => g.category === 'booth-voters').map((g) => g.unit));
    const booths = org.units.filter((u) => u.level === 'booth');
    const short = booths.filter((b) => !withVoters.has(b.id) || !pramukhs.get(b.id)?.group).length;
    expect(short / booths.length).toBeGreaterThan(0.05);
    expect(short / booths.length).toBeLessThan(0.1);
    // A pramukh in a group is one of its members: the door gives them the same pseudonym.
    const group = org.groups.find((g) => g.id === [...pramukhs.values()].find((p) => p.group)!.group)!;
    expect([...pramukhs.values()].find((p) => p.group === group.id)!.phone).toBe(`+${personId(group.poolStart)}`);
  });
});
