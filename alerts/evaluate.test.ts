import { describe, expect, it } from 'vitest';
import { alertFrom, evaluate, plan, type GroupSignal, type Signals, type UnitInfo } from './evaluate.ts';
import { alertAudience, type Alert } from '../common/contracts/alerts.ts';
import { openKey } from './model.ts';
import { DEFAULT_ALERT_RULES, inactivityThresholdMs, isMuted, parseAlertRules, unmutedSince } from './rules.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-29T06:00:00Z');
const rules = DEFAULT_ALERT_RULES;

const units = new Map<string, UnitInfo>([
  ['S', { id: 'S', name: 'State', level: 'state', parent: '', division: 'S' }],
  ['D1', { id: 'D1', name: 'Jaipur', level: 'division', parent: 'S', division: 'D1' }],
  ['B1', { id: 'B1', name: 'Booth 1', level: 'booth', parent: 'D1', division: 'D1' }],
  ['B2', { id: 'B2', name: 'Booth 2', level: 'booth', parent: 'D1', division: 'D1' }],
]);

function group(id: string, lastHoursAgo: number | undefined, extra: Partial<GroupSignal> = {}): GroupSignal {
  return {
    id, unit: 'B1', unitPath: ['S', 'D1', 'B1'], division: 'D1', category: 'booth-voters', level: 'booth',
    addedAt: NOW - 90 * 24 * HOUR, firstMessageAt: NOW - 60 * 24 * HOUR,
    lastMessageAt: lastHoursAgo === undefined ? undefined : NOW - lastHoursAgo * HOUR, source: 'wa',
    ...extra,
  };
}

function signals(groups: GroupSignal[], sources = new Map([['wa', NOW - 60_000]])): Signals {
  return { now: NOW, groups, units, sources };
}

const noSilence = () => false;

describe('thresholds', () => {
  it('category override wins over level override, which wins over the default', () => {
    const custom = parseAlertRules({ inactivity: { defaultHours: 10, byCategory: { youth: 5 }, byLevel: { booth: 7 } } });
    expect(inactivityThresholdMs(custom, 'youth', 'booth')).toBe(5 * HOUR);
    expect(inactivityThresholdMs(custom, 'farmers', 'booth')).toBe(7 * HOUR);
    expect(inactivityThresholdMs(custom, 'farmers', 'district')).toBe(10 * HOUR);
    expect(inactivityThresholdMs(rules, 'office-bearers', 'booth')).toBe(24 * HOUR);
  });

  it('fires exactly at the threshold, not a millisecond before', () => {
    const atEdge = group('g', 48);
    const justBefore = { ...atEdge, lastMessageAt: NOW - 48 * HOUR + 1 };
    expect(evaluate(signals([atEdge]), rules).conditions.has(openKey('group-inactive', 'g'))).toBe(true);
    expect(evaluate(signals([justBefore]), rules).conditions.has(openKey('group-inactive', 'g'))).toBe(false);
    const officeBearers = group('o', 24, { category: 'office-bearers' });
    expect(evaluate(signals([officeBearers]), rules).groups.get('o')!.state).toBe('dormant');
  });

  it('a group that never spoke is new during its grace, then dormant', () => {
    const fresh = group('n', undefined, { addedAt: NOW - 71 * HOUR, firstMessageAt: undefined });
    const old = group('n', undefined, { addedAt: NOW - 72 * HOUR, firstMessageAt: undefined });
    expect(evaluate(signals([fresh]), rules).groups.get('n')!.state).toBe('new');
    expect(evaluate(signals([old]), rules).conditions.get(openKey('group-inactive', 'n'))!.since).toBe(NOW - 72 * HOUR);
  });

  it("carries the fields the board writes an alert's sentence from in the viewer's language", () => {
    const never = group('n', undefined, { addedAt: NOW - 72 * HOUR, firstMessageAt: undefined });
    const silent = group('s', 50);
    const result = evaluate(signals([never, silent]), rules);
    expect(result.conditions.get(openKey('group-inactive', 'n'))!.details).toEqual({ thresholdHours: 48, silentHours: 72, silentMinutes: 72 * 60, neverSpoke: 1 });
    expect(result.conditions.get(openKey('group-inactive', 's'))!.details).toEqual({ thresholdHours: 48, silentHours: 50, silentMinutes: 50 * 60 });
    // Both groups are quiet, so the branch is dark: its highest dark unit alerts, named in its details.
    const dark = [...result.conditions.values()].filter((c) => c.rule === 'unit-dark');
    expect(dark.map((c) => [c.subject, c.details])).toEqual([[dark[0]!.subject, { groups: 2, level: units.get(dark[0]!.subject)!.level, name: units.get(dark[0]!.subject)!.name }]]);
  });

  it('rejects bad rules with the key named', () => {
    expect(() => parseAlertRules({ sharpDrop: { share: 2 } })).toThrow(/sharpDrop.share/);
    expect(() => parseAlertRules({ muteWindows: [{ from: '25:00', to: '07:00' }] })).toThrow(/muteWindows.0.from/);
    expect(() => parseAlertRules({ unknownRule: 1 })).toThrow(/unknownRule/);
  });
});

describe('units, drops and sources', () => {
  it('a unit is dark only when none of its groups is active; only the highest dark unit alerts', () => {
    const oneActive = evaluate(signals([group('a', 50), group('b', 1)]), rules);
    expect(oneActive.conditions.has(openKey('unit-dark', 'B1'))).toBe(false);
    const allQuiet = evaluate(signals([group('a', 50), group('b', 60, { unit: 'B2', unitPath: ['S', 'D1', 'B2'] })]), rules);
    const dark = [...allQuiet.conditions.values()].filter((c) => c.rule === 'unit-dark').map((c) => c.subject);
    expect(dark).toEqual(['S']);
  });

  it('a sharp drop fires below the share of the trailing baseline and resolves only above the resolve share', () => {
    // baseline 7 days of 100/day → 100 per 24 h window; share 0.3.
    const at = (recent: number) => group('d', 1, { recent, baseline: 700 });
    expect(evaluate(signals([at(30)]), rules).conditions.has(openKey('sharp-drop', 'd'))).toBe(false);
    const drop = evaluate(signals([at(29)]), rules);
    expect(drop.conditions.has(openKey('sharp-drop', 'd'))).toBe(true);
    expect(drop.groups.get('d')!.state).toBe('declining');
    const open: Alert = { ...alertFrom(drop.conditions.get(openKey('sharp-drop', 'd'))!, NOW, 1) };
    const between = signals([at(40)]);
    expect(plan(evaluate(between, rules), [open], between, rules, noSilence).resolve).toHaveLength(0);
    const back = signals([at(50)]);
    expect(plan(evaluate(back, rules), [open], back, rules, noSilence).resolve).toHaveLength(1);
    // Quiet baselines are noise, not drops.
    expect(evaluate(signals([group('q', 1, { recent: 0, baseline: 100 })]), rules).conditions.has(openKey('sharp-drop', 'q'))).toBe(false);
  });

  it('a silent source gives one source-down condition and marks its groups dark, with no inactivity for them', () => {
    const sources = new Map([['wa', NOW - 30 * 60_000], ['tg', NOW - 60_000]]);
    const groups = [...Array.from({ length: 50 }, (_, i) => group(`w${i}`, 72)), group('t1', 72, { source: 'tg' })];
    const result = evaluate(signals(groups, sources), rules);
    const rulesFired = [...result.conditions.values()].map((c) => `${c.rule}:${c.subject}`);
    expect(rulesFired.filter((r) => r.startsWith('source-down'))).toEqual(['source-down:wa']);
    expect(rulesFired.filter((r) => r.startsWith('group-inactive'))).toEqual(['group-inactive:t1']);
    expect(result.groups.get('w0')!.state).toBe('dark');
    // Open inactivity alerts of dark groups are neither resolved nor re-fired.
    const openOld = alertFrom({ ...result.conditions.get(openKey('group-inactive', 't1'))!, subject: 'w3' }, NOW, 1);
    expect(plan(result, [openOld], signals(groups, sources), rules, noSilence).resolve).toHaveLength(0);
    // 29 minutes of silence is not down yet.
    expect(evaluate(signals(groups, new Map([['wa', NOW - 29 * 60_000]])), rules).downSources.size).toBe(0);
  });

  it('a source-down alert is addressed to every division the source feeds, and reaches their rooms', () => {
    const sources = new Map([['wa', NOW - 45 * 60_000]]);
    const groups = [group('w1', 1), group('w2', 1), group('x1', 1, { division: 'D2', unitPath: ['S', 'D2', 'B9'], unit: 'B9' }), group('t1', 1, { source: 'tg' })];
    const condition = evaluate(signals(groups, sources), rules).conditions.get(openKey('source-down', 'wa'))!;
    expect(condition.division).toBe('');
    expect(condition.divisions).toEqual(['D1', 'D2']);
    expect(condition.details.groups).toBe(3);
    const alert = alertFrom(condition, NOW, 1);
    expect(alertAudience(alert)).toEqual(['D1', 'D2']);
    expect(alertAudience({ ...alert, escalatedUnit: 'S' })).toEqual(['D1', 'D2', 'S']);
    // A source that feeds no known group still alerts, to central monitoring only.
    const lonely = evaluate(signals([], new Map([['spare', NOW - 45 * 60_000]])), rules).conditions.get(openKey('source-down', 'spare'))!;
    expect(alertAudience(alertFrom(lonely, NOW, 1))).toEqual([]);
  });
});

describe('plan', () => {
  it('fires once, keeps one open alert per subject and rule, resolves on activity, respects silences', () => {
    const quiet = signals([group('g', 50)]);
    const first = plan(evaluate(quiet, rules), [], quiet, rules, noSilence);
    // The group's booth (and all above it) went dark with it: one unit-dark, for the highest unit only.
    expect(first.fire.map((c) => `${c.rule}:${c.subject}`)).toEqual(['group-inactive:g', 'unit-dark:S']);
    const open = alertFrom(first.fire[0]!, NOW, 1);
    const dark = alertFrom(first.fire[1]!, NOW, 1);
    expect(plan(evaluate(quiet, rules), [open, dark], quiet, rules, noSilence).fire).toHaveLength(0);
    const spoke = signals([group('g', 0.1)]);
    expect(plan(evaluate(spoke, rules), [open], spoke, rules, noSilence).resolve.map((a) => a.id)).toEqual([open.id]);
    expect(plan(evaluate(quiet, rules), [], quiet, rules, (rule, subject) => rule === 'group-inactive' && subject === 'g').fire.map((c) => c.rule)).toEqual(['unit-dark']);
  });

  it('escalates an unacknowledged alert after the configured time, not an acknowledged one', () => {
    const quiet = signals([group('g', 50)]);
    const condition = evaluate(quiet, rules).conditions.get(openKey('group-inactive', 'g'))!;
    const firedLongAgo = alertFrom(condition, NOW - 240 * 60_000, 1);
    const firedRecently = alertFrom(condition, NOW - 239 * 60_000, 1);
    expect(plan(evaluate(quiet, rules), [firedLongAgo], quiet, rules, noSilence).escalate).toHaveLength(1);
    expect(plan(evaluate(quiet, rules), [firedRecently], quiet, rules, noSilence).escalate).toHaveLength(0);
    const acked: Alert = { ...firedLongAgo, state: 'acknowledged', acknowledgedAt: NOW, acknowledgedBy: 'lead1' };
    expect(plan(evaluate(quiet, rules), [acked], quiet, rules, noSilence).escalate).toHaveLength(0);
  });

  it("never escalates an alert on the tree's root: there is no unit above it", () => {
    // Every group of the state quiet: the state itself is the highest dark unit, its own division.
    const quiet = signals([group('g', 50), group('h', 50, { unit: 'B2', unitPath: ['S', 'D1', 'B2'] })]);
    const dark = [...evaluate(quiet, rules).conditions.values()].find((c) => c.rule === 'unit-dark' && c.subject === 'S')!;
    expect(dark.division).toBe('S');
    const firedLongAgo = alertFrom(dark, NOW - 240 * 60_000, 1);
    expect(plan(evaluate(quiet, rules), [firedLongAgo], quiet, rules, noSilence).escalate).toEqual([]);
  });

  it('counts the escalation time outside mute windows only: an alert of the evening escalates 4 h into the morning', () => {
    // Fired 21:00 IST (15:30 UTC); the window is 22:00–07:00 IST (16:30–01:30 UTC); escalation after 240 min.
    const at = (iso: string) => ({ ...signals([group('g', 200)]), now: Date.parse(iso) });
    const condition = evaluate(signals([group('g', 200)]), rules).conditions.get(openKey('group-inactive', 'g'))!;
    const fired = alertFrom(condition, Date.parse('2026-11-28T15:30:00Z'), 1);
    const escalates = (iso: string) => plan(evaluate(at(iso), rules), [fired], at(iso), rules, noSilence).escalate.length;
    expect(escalates('2026-11-28T20:00:00Z')).toBe(0); // 01:30 IST: muted
    expect(escalates('2026-11-29T02:30:00Z')).toBe(0); // 08:00 IST: one hour after the window
    expect(escalates('2026-11-29T05:29:00Z')).toBe(0); // 10:59 IST
    expect(escalates('2026-11-29T05:30:00Z')).toBe(1); // 11:00 IST: four hours after the window
    // Without mute windows the plain time counts.
    const noWindows = parseAlertRules({ muteWindows: [] });
    const plain = at('2026-11-28T19:30:00Z');
    expect(plan(evaluate(plain, noWindows), [fired], plain, noWindows, noSilence).escalate).toHaveLength(1);
  });
});

describe('mute windows', () => {
  it('finds the start of the stretch without a window, looking back a bounded time', () => {
    const windows = rules.muteWindows;
    const nineAm = Date.parse('2026-11-29T03:30:00Z'); // 09:00 IST
    expect(unmutedSince(windows, nineAm, 4 * HOUR)).toBe(Date.parse('2026-11-29T01:30:00Z')); // 07:00 IST
    expect(unmutedSince(windows, nineAm, HOUR)).toBe(nineAm - HOUR);
    expect(unmutedSince(windows, Date.parse('2026-11-29T20:00:00Z'), 4 * HOUR)).toBe(Date.parse('2026-11-29T20:00:00Z'));
    expect(unmutedSince([], nineAm, HOUR)).toBe(nineAm - HOUR);
  });

  it('22:00–07:00 IST mutes across midnight, with edges [from, to)', () => {
    const windows = rules.muteWindows;
    // 22:00 IST = 16:30 UTC; 07:00 IST = 01:30 UTC.
    expect(isMuted(windows, Date.parse('2026-11-29T16:29:00Z'))).toBe(false);
    expect(isMuted(windows, Date.parse('2026-11-29T16:30:00Z'))).toBe(true);
    expect(isMuted(windows, Date.parse('2026-11-29T20:00:00Z'))).toBe(true);
    expect(isMuted(windows, Date.parse('2026-11-30T01:29:00Z'))).toBe(true);
    expect(isMuted(windows, Date.parse('2026-11-30T01:30:00Z'))).toBe(false);
  });
});

describe('pipeline-stalled', () => {
  const stalled = { topic: 'events', stalls: [{ partition: 1, since: NOW - 10 * 60_000, waiting: 1234 }] };

  it('fires for the central team (no division) while accepted events do not reach the store, and resolves when they do', () => {
    const evaluation = evaluate({ ...signals([]), pipeline: stalled }, rules);
    const condition = evaluation.conditions.get(openKey('pipeline-stalled', 'events'))!;
    expect(condition).toMatchObject({ subjectKind: 'pipeline', division: '', divisions: [], since: NOW - 10 * 60_000, details: { waiting: 1234, partitions: '1', stalledMinutes: 10 } });
    expect(condition.message).toContain('have not reached the store for 10 min: 1234 wait on partition 1');
    expect(alertAudience(alertFrom(condition, NOW, 1))).toEqual([]);

    const open = alertFrom(condition, NOW, 1);
    const moving = evaluate({ ...signals([]), pipeline: { topic: 'events', stalls: [] } }, rules);
    expect(plan(moving, [open], signals([]), rules, noSilence).resolve.map((a) => a.rule)).toEqual(['pipeline-stalled']);
  });

  it('holds activity alerts meanwhile: a group looking silent only because its events wait neither fires nor resolves', () => {
    const quiet = group('g', 72);
    expect(evaluate(signals([quiet]), rules).conditions.has(openKey('group-inactive', 'g'))).toBe(true);
    const during = evaluate({ ...signals([quiet]), pipeline: stalled }, rules);
    expect(during.conditions.has(openKey('group-inactive', 'g'))).toBe(false);
    expect(during.blind.has(openKey('group-inactive', 'g'))).toBe(true);
    const open = alertFrom(evaluate(signals([quiet]), rules).conditions.get(openKey('group-inactive', 'g'))!, NOW, 1);
    const todo = plan(during, [open], signals([quiet]), rules, noSilence);
    expect(todo.resolve).toEqual([]);
    expect(todo.fire.map((c) => c.rule)).toEqual(['pipeline-stalled']);
  });
});
