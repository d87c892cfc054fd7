import { describe, expect, it } from 'vitest';
import { quietness, quietThresholdMs } from './quiet.ts';
import { DEFAULT_ALERT_RULES, parseAlertRules } from './rules.ts';
import { evaluate, type Signals } from './evaluate.ts';
import { openKey } from './model.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const NOW = Date.parse('2026-12-07T06:00:00Z');

describe('one definition of quiet', () => {
  const rules = DEFAULT_ALERT_RULES.inactivity;

  it('a group that spoke is quiet once silent for its category threshold', () => {
    const group = { category: 'office-bearers', level: 'booth', addedAt: NOW - 90 * 24 * HOUR };
    expect(quietness(rules, { ...group, lastMessageAt: NOW - 23 * HOUR }, NOW).quiet).toBe(false);
    expect(quietness(rules, { ...group, lastMessageAt: NOW - 24 * HOUR }, NOW)).toMatchObject({ quiet: true, thresholdMs: 24 * HOUR, neverSpoke: false });
    expect(quietness(rules, { ...group, category: 'booth-voters', lastMessageAt: NOW - 30 * HOUR }, NOW).quiet).toBe(false);
  });

  it('a group that never spoke is new for the grace period, then quiet', () => {
    const group = { category: 'booth-voters', level: 'booth' };
    expect(quietness(rules, { ...group, addedAt: NOW - 71 * HOUR }, NOW)).toMatchObject({ quiet: false, inGrace: true, neverSpoke: true });
    expect(quietness(rules, { ...group, addedAt: NOW - 72 * HOUR }, NOW)).toMatchObject({ quiet: true, inGrace: false, silentSince: NOW - 72 * HOUR });
    expect(quietness(rules, group, NOW).quiet).toBe(false);
  });

  it('defaultHours alone applies to every category (the built-in category thresholds are only defaults)', () => {
    const only = parseAlertRules({ inactivity: { defaultHours: 0.25 } }).inactivity;
    expect(only.byCategory).toEqual({});
    expect(quietThresholdMs(only, 'office-bearers', 'booth')).toBe(15 * MINUTE);
    expect(quietness(only, { category: 'booth-voters', level: 'booth', lastMessageAt: NOW - 16 * MINUTE }, NOW).quiet).toBe(true);
    // Given next to defaultHours, byCategory still wins over it.
    const both = parseAlertRules({ inactivity: { defaultHours: 0.25, byCategory: { 'office-bearers': 6 } } }).inactivity;
    expect(quietThresholdMs(both, 'office-bearers', 'booth')).toBe(6 * HOUR);
    expect(quietThresholdMs(both, 'booth-voters', 'booth')).toBe(15 * MINUTE);
    // Without defaultHours, the built-in category thresholds hold.
    expect(parseAlertRules({ inactivity: { byLevel: { booth: 12 } } }).inactivity.byCategory).toEqual({ 'office-bearers': 24, 'booth-voters': 48 });
  });

  it('the README example with only defaultHours fires group-inactive after 15 minutes, its sentence in minutes', () => {
    const rules15 = parseAlertRules({ inactivity: { defaultHours: 0.25 } });
    const signals: Signals = {
      now: NOW,
      groups: [{ id: 'g', unit: 'B', unitPath: ['D', 'B'], division: 'D', category: 'office-bearers', level: 'booth', addedAt: NOW - 60 * 24 * HOUR, firstMessageAt: NOW - 30 * 24 * HOUR, lastMessageAt: NOW - 20 * MINUTE }],
      units: new Map([['D', { id: 'D', name: 'D', level: 'division', parent: '', division: 'D' }], ['B', { id: 'B', name: 'B', level: 'booth', parent: 'D', division: 'D' }]]),
      sources: new Map(),
    };
    const condition = evaluate(signals, rules15).conditions.get(openKey('group-inactive', 'g'))!;
    expect(condition.message).toBe('group g silent for 20 min (threshold 15 min)');
    expect(condition.details).toMatchObject({ thresholdHours: 0.25, silentMinutes: 20 });
  });

  it('unknown keys in inactivity are refused, naming them', () => {
    expect(() => parseAlertRules({ inactivity: { defaultHour: 3 } })).toThrow(/defaultHour/);
  });
});
