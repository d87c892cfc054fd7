import { describe, expect, it } from 'vitest';
import { GROUP_COLUMNS, parseImport, UNIT_COLUMNS } from '../directory/parse.ts';
import { resolveSettings } from '../directory/model.ts';
import { validateGroups, validateUnits } from '../directory/validate.ts';
import { FIELD, generateOrg, groupsCsv, unitsCsv } from './org.ts';
import { createEventStream, DAILY_CURVE } from './stream.ts';

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
  const options = { ratePerSecond: 300, burstsPerHour: 0, burstGroups: 3000, utcOffsetMinutes: 330, runId: 'r', seed: 1 };

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
});
