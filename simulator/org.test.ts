import { describe, expect, it } from 'vitest';
import { GROUP_COLUMNS, parseImport, UNIT_COLUMNS } from '../directory/parse.ts';
import { resolveSettings } from '../directory/model.ts';
import { validateGroups, validateUnits } from '../directory/validate.ts';
import { FIELD, generateOrg, groupsCsv, unitsCsv } from './org.ts';
import { createEventStream, DAILY_CURVE, REPLAYED_AGO_MS } from './stream.ts';

describe('simulated organisation', () => {
  const org = generateOrg({ scale: 0.01, seed: 7 });

  it('has the field shape at the scale asked for', () => {
    const count = (level: string) => org.units.filter((u) => u.level === level).length;
    expect(count('division')).toBe(FIELD.divisions);
    expect(count('booth')).toBe(520);
    expect(org.groups).toHaveLength(1000);
    expect(org.members).toBe(50_000);
    expect(new Set(org.groups.map((g) => g.category)).size).toBe(8);
    const silent = org.groups.filter((g) => g.weight === 0).length / org.groups.length;
    expect(silent).toBeGreaterThan(0.08);
    expect(silent).toBeLessThan(0.25);
  });

  it('passes the directory import validation as generated', () => {
    const settings = resolveSettings({ levels: org.levels, categories: org.categories });
    const units = parseImport(unitsCsv(org), 'csv', UNIT_COLUMNS, 'units');
    if (!units.ok) throw new Error(JSON.stringify(units.problems));
    const tree = validateUnits(units.records, settings, new Map(), 'merge');
    if (!tree.ok) throw new Error(JSON.stringify(tree.problems.slice(0, 3)));
    const groups = parseImport(groupsCsv(org.groups), 'csv', GROUP_COLUMNS, 'groups');
    if (!groups.ok) throw new Error('groups csv');
    expect(validateGroups(groups.records, settings, tree.value.tree).ok).toBe(true);
  });

  it('is the same for the same seed', () => {
    expect(generateOrg({ scale: 0.01, seed: 7 }).groups.slice(0, 50)).toEqual(org.groups.slice(0, 50));
  });
});

describe('simulated stream', () => {
  const org = generateOrg({ scale: 0.01, seed: 7 });
  const options = { ratePerSecond: 300, burstsPerHour: 0, burstGroups: 3000, cascadesPerDay: 0, utcOffsetMinutes: 330, runId: 'r', seed: 1 };

  it('follows the daily curve: evenings busier than nights', () => {
    const stream = createEventStream(org, 0.01, options);
    const at = Date.parse('2026-11-22T00:00:00Z');
    const night = stream.tick(Date.parse('2026-11-21T21:30:00Z'), 600, at).length; // 03:00 IST
    const evening = stream.tick(Date.parse('2026-11-22T14:30:00Z'), 600, at).length; // 20:00 IST
    expect(evening).toBeGreaterThan(night * 10);
    expect(DAILY_CURVE.reduce((a, b) => a + b, 0) / 24).toBeCloseTo(1);
  });

  it('plays a fixed hour of the day when asked (atHour), whatever the clock says', () => {
    const at = Date.parse('2026-11-22T00:00:00Z');
    const night = Date.parse('2026-11-21T21:30:00Z'); // 03:00 IST
    const asClock = createEventStream(org, 0.01, options).tick(night, 600, at).length;
    const asEvening = createEventStream(org, 0.01, { ...options, atHour: 20 }).tick(night, 600, at).length;
    expect(asEvening).toBeGreaterThan(asClock * 10);
  });

  it('silent groups never speak; a burst forwards one message across many groups', () => {
    const stream = createEventStream(org, 0.01, { ...options, burstsPerHour: 3600 });
    const events = stream.tick(Date.parse('2026-11-22T05:00:00Z'), 1, Date.now());
    const silent = new Set(org.groups.filter((g) => g.weight === 0).map((g) => g.id));
    expect(events.some((e) => silent.has(e.group))).toBe(false);
    const forwarded = events.filter((e) => e.type === 'message' && e.forwarded);
    expect(new Set(forwarded.map((e) => e.group)).size).toBeGreaterThanOrEqual(30);
    expect(stream.tally.bursts).toBe(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('sends a central message down from a state or division group over hours, booth groups missing it most', () => {
    const stream = createEventStream(org, 0.01, { ...options, ratePerSecond: 0, cascadesPerDay: 86_400 });
    const start = Date.parse('2026-11-22T04:30:00Z');
    // The first second starts one central message; then 24 simulated hours in 5-minute ticks (0 s each: no new one).
    const first = stream.tick(start, 1, start);
    const copies: { group: string; at: number; forwarded: boolean; fingerprint?: string }[] = first.flatMap((e) => (e.type === 'message' ? [{ group: e.group, at: start, forwarded: e.forwarded, fingerprint: e.fingerprint }] : []));
    for (let t = start + 300_000; t <= start + 86_400_000; t += 300_000) {
      for (const e of stream.tick(t, 0, t)) if (e.type === 'message') copies.push({ group: e.group, at: t, forwarded: e.forwarded, fingerprint: e.fingerprint });
    }
    expect(stream.tally.cascades).toBe(1);
    expect(new Set(copies.map((c) => c.fingerprint))).toEqual(new Set(['sim:r:central:0']));
    const unitOf = new Map(org.groups.map((g) => [g.id, g.unit]));
    const levelOf = new Map(org.units.map((u) => [u.id, u.level]));
    const level = (group: string) => levelOf.get(unitOf.get(group)!)!;
    expect(['state', 'division']).toContain(level(copies[0]!.group));
    expect(copies[0]!.forwarded).toBe(false);
    expect(copies.slice(1).every((c) => c.forwarded)).toBe(true);
    expect(new Set(copies.map((c) => c.group)).size).toBe(copies.length);
    // Later and fewer further down: the booth groups' copies come last on average, and a share of them never.
    const meanAt = (lvl: string) => { const at = copies.filter((c) => level(c.group) === lvl).map((c) => c.at); return at.reduce((a, b) => a + b, 0) / at.length; };
    expect(meanAt('booth')).toBeGreaterThan(meanAt('mandal'));
    expect(meanAt('mandal')).toBeGreaterThan(meanAt('district'));
    const origin = copies[0]!.group;
    const under = (lvl: string) => org.groups.filter((g) => g.weight > 0 && levelOf.get(g.unit) === lvl && (level(origin) === 'state' || isUnder(g.unit, unitOf.get(origin)!))).length;
    const reached = (lvl: string) => copies.filter((c) => level(c.group) === lvl).length;
    expect(reached('booth') / under('booth')).toBeLessThan(0.7);
    expect(reached('booth') / under('booth')).toBeGreaterThan(0.2);
    expect(reached('district') / under('district')).toBeGreaterThan(reached('booth') / under('booth'));
  });

  function isUnder(unit: string, ancestor: string): boolean {
    const parent = new Map(org.units.map((u) => [u.id, u.parent]));
    for (let at: string | undefined = unit; at; at = parent.get(at)) if (at === ancestor) return true;
    return false;
  }

  it('replayed: a central message is sent whole when it starts, stamped over the hours it travelled', () => {
    const stream = createEventStream(org, 0.01, { ...options, ratePerSecond: 0, cascadesPerDay: 86_400, cascadeTimes: 'replayed' });
    const now = Date.parse('2026-11-22T12:00:00Z');
    const copies = stream.tick(now, 1, now).filter((e) => e.type === 'message');
    expect(stream.tally.cascades).toBe(1);
    expect(copies.length).toBe(stream.tally.cascadeCopies);
    const times = copies.map((e) => Date.parse(e.at));
    expect(Math.min(...times)).toBe(now - REPLAYED_AGO_MS);
    expect(Math.max(...times)).toBeLessThanOrEqual(now);
    // Hours, not seconds: the last copies arrive hours after the first.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(3 * 3_600_000);
    expect(stream.tick(now + 1000, 0, now + 1000).filter((e) => e.type === 'message')).toEqual([]);
  });
});
