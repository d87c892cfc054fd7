/**
 * The detector's brain, pure: signals (last activity per group, traffic per source, hourly windows,
 * the directory) + rules + now → the conditions that hold, each group's life-cycle state, and the
 * plan against the open alerts (fire, resolve, escalate). No I/O and no clock of its own, so every
 * edge is a unit test and the whole lifecycle runs in milliseconds.
 */
import { type Alert, type AlertRuleName, type SubjectKind } from '../common/contracts/alerts.ts';
import { alertId, openKey } from './model.ts';
import { inactivityThresholdMs, unmutedSince, type AlertRules } from './rules.ts';
import { quietness } from './quiet.ts';
import { MINUTE_MS, HOUR_MS, DAY_MS } from '../common/time.ts';


export type GroupLifecycle = 'new' | 'active' | 'declining' | 'dormant' | 'dark';

export interface GroupSignal {
  id: string;
  /** The unit the group hangs off, and the path from the root down to it. */
  unit: string;
  unitPath: readonly string[];
  division: string;
  category: string;
  /** Level of the group's unit. */
  level: string;
  /** When the group entered the directory (epoch ms), if known. */
  addedAt?: number;
  firstMessageAt?: number;
  lastMessageAt?: number;
  /** Source of the group's latest event (who feeds it). */
  source?: string;
  /** Messages in the recent window and in the whole baseline period before it. */
  recent?: number;
  baseline?: number;
}

export interface UnitInfo {
  id: string;
  name: string;
  level: string;
  parent: string;
  division: string;
}

export interface Signals {
  now: number;
  groups: readonly GroupSignal[];
  units: ReadonlyMap<string, UnitInfo>;
  /** Last traffic per source, epoch ms. */
  sources: ReadonlyMap<string, number>;
  /** Partitions of the events topic whose accepted events have stopped reaching the store (processor/pipeline-watch.ts). */
  pipeline?: { topic: string; stalls: readonly { partition: number; since: number; waiting: number }[] };
}

/** Rules that read activity from the store: while accepted events do not reach it, they cannot be judged. */
const ACTIVITY_RULES: ReadonlySet<AlertRuleName> = new Set(['group-inactive', 'unit-dark', 'sharp-drop']);

/** A rule that holds for a subject now: the alert's fields that say what and where (common/contracts/alerts.ts). */
export type Condition = Pick<Alert, 'rule' | 'subjectKind' | 'subject' | 'division' | 'divisions' | 'unit' | 'unitPath' | 'category' | 'since' | 'message' | 'details'>;

export interface GroupState {
  id: string;
  state: GroupLifecycle;
  /** ms since the last message (or since the group entered the directory when it never spoke); null if unknown. */
  silentMs: number | null;
}

export interface Evaluation {
  conditions: Map<string, Condition>;
  /** Subjects whose rules cannot be judged now (no data: their source is down). Open alerts on them stay as they are. */
  blind: Set<string>;
  groups: Map<string, GroupState>;
  downSources: Set<string>;
}

function hoursText(ms: number): string {
  if (ms < HOUR_MS) return `${Math.floor(ms / MINUTE_MS)} min`;
  const h = Math.floor(ms / HOUR_MS);
  return h >= 48 ? `${Math.floor(h / 24)} days` : `${h} h`;
}

/** Messages per recent window the baseline period stands for. */
function baselinePerWindow(rules: AlertRules, baseline: number): number {
  const windows = (rules.sharpDrop.baselineDays * 24) / rules.sharpDrop.windowHours;
  return baseline / windows;
}

export function isSourceDown(rules: AlertRules, lastSeen: number, now: number): boolean {
  const silent = now - lastSeen;
  return silent >= rules.source.silentMinutes * MINUTE_MS && silent < rules.source.forgetAfterDays * DAY_MS;
}

/** Life-cycle state and silence of one group (dark when its source is down). */
export function groupLifecycle(rules: AlertRules, group: GroupSignal, now: number, sourceDown: boolean): GroupState {
  const silentMs = group.lastMessageAt !== undefined ? now - group.lastMessageAt : group.addedAt !== undefined ? now - group.addedAt : null;
  if (sourceDown) return { id: group.id, state: 'dark', silentMs };
  // Quiet (dormant) by the one definition the board uses too (alerts/quiet.ts).
  const q = quietness(rules.inactivity, group, now);
  if (q.neverSpoke) return { id: group.id, state: q.quiet ? 'dormant' : 'new', silentMs };
  if (q.quiet) return { id: group.id, state: 'dormant', silentMs };
  if (group.firstMessageAt !== undefined && now - group.firstMessageAt < rules.lifecycle.newDays * DAY_MS) return { id: group.id, state: 'new', silentMs };
  if (dropHolds(rules, group.recent, group.baseline, rules.sharpDrop.share)) return { id: group.id, state: 'declining', silentMs };
  return { id: group.id, state: 'active', silentMs };
}

/** recent < share × baseline-per-window, for baselines loud enough to mean something. */
export function dropHolds(rules: AlertRules, recent: number | undefined, baseline: number | undefined, share: number): boolean {
  if (baseline === undefined) return false;
  const perWindow = baselinePerWindow(rules, baseline);
  if (perWindow < rules.sharpDrop.minBaselineMessages || perWindow === 0) return false;
  return (recent ?? 0) < share * perWindow;
}

export function evaluate(signals: Signals, rules: AlertRules): Evaluation {
  const { now } = signals;
  const conditions = new Map<string, Condition>();
  const blind = new Set<string>();
  const groups = new Map<string, GroupState>();
  const add = (c: Condition) => conditions.set(openKey(c.rule, c.subject), c);

  // Who each source feeds: its groups and their divisions (a source-down alert goes to those leads).
  const fed = new Map<string, { groups: number; divisions: Set<string> }>();
  for (const group of signals.groups) {
    if (group.source === undefined) continue;
    const f = fed.get(group.source) ?? { groups: 0, divisions: new Set<string>() };
    f.groups += 1;
    f.divisions.add(group.division);
    fed.set(group.source, f);
  }
  const downSources = new Set<string>();
  for (const [source, lastSeen] of signals.sources) {
    if (!isSourceDown(rules, lastSeen, now)) continue;
    downSources.add(source);
    const f = fed.get(source);
    add({
      rule: 'source-down', subjectKind: 'source', subject: source, division: '', divisions: [...(f?.divisions ?? [])].sort(), unit: '', unitPath: [], category: '', since: lastSeen,
      message: `source "${source}" has sent nothing for ${hoursText(now - lastSeen)}; the ${f?.groups ?? 0} groups it feeds show as dark (no data)`,
      details: { lastSeenAt: new Date(lastSeen).toISOString(), groups: f?.groups ?? 0 },
    });
  }

  // Per unit under watch: groups with data, how many of them are active, when the last went quiet.
  const watchedLevels = new Set(rules.unitDark.levels);
  const dropLevels = new Set(rules.sharpDrop.unitLevels);
  const unitTally = new Map<string, { withData: number; live: number; quietSince: number; recent: number; baseline: number; blind: boolean }>();
  const tally = (unitId: string) => {
    let t = unitTally.get(unitId);
    if (!t) unitTally.set(unitId, (t = { withData: 0, live: 0, quietSince: 0, recent: 0, baseline: 0, blind: false }));
    return t;
  };

  for (const group of signals.groups) {
    const dark = group.source !== undefined && downSources.has(group.source);
    const state = groupLifecycle(rules, group, now, dark);
    groups.set(group.id, state);
    const threshold = inactivityThresholdMs(rules, group.category, group.level);
    const inactive = state.state === 'dormant';
    if (dark) {
      blind.add(openKey('group-inactive', group.id));
      blind.add(openKey('sharp-drop', group.id));
    } else if (inactive) {
      const since = group.lastMessageAt ?? group.addedAt ?? now;
      add({
        rule: 'group-inactive', subjectKind: 'group', subject: group.id, division: group.division, divisions: [], unit: group.unit, unitPath: [...group.unitPath], category: group.category, since,
        message: group.lastMessageAt === undefined
          ? `group ${group.id} has not sent a message since it joined the directory ${hoursText(now - since)} ago`
          : `group ${group.id} silent for ${hoursText(now - since)} (threshold ${hoursText(threshold)})`,
        // The board writes the sentence in the viewer's language from these (web/src/lib/alert-text.ts).
        details: { thresholdHours: threshold / HOUR_MS, silentHours: Math.floor((now - since) / HOUR_MS), silentMinutes: Math.floor((now - since) / MINUTE_MS), ...(group.lastMessageAt === undefined ? { neverSpoke: 1 } : {}) },
      });
    } else if (rules.sharpDrop.enabled && state.state !== 'new' && dropHolds(rules, group.recent, group.baseline, rules.sharpDrop.share)) {
      add(dropCondition(rules, 'group', group.id, group.division, [...group.unitPath], group.category, group.recent ?? 0, group.baseline ?? 0, now));
    }

    for (const unitId of group.unitPath) {
      const level = signals.units.get(unitId)?.level ?? '';
      const watched = watchedLevels.size === 0 || watchedLevels.has(level);
      if (!watched && !dropLevels.has(level)) continue;
      const t = tally(unitId);
      if (dark) {
        t.blind = true;
        continue;
      }
      t.recent += group.recent ?? 0;
      t.baseline += group.baseline ?? 0;
      if (state.state === 'new') {
        t.live += 1;
        continue;
      }
      t.withData += 1;
      if (!inactive) t.live += 1;
      else t.quietSince = Math.max(t.quietSince, (group.lastMessageAt ?? group.addedAt ?? now) + threshold);
    }
  }

  const darkUnits = new Set<string>();
  for (const [unitId, t] of unitTally) {
    if (t.blind && t.live === 0) {
      blind.add(openKey('unit-dark', unitId));
      blind.add(openKey('sharp-drop', unitId));
      continue;
    }
    const level = signals.units.get(unitId)?.level ?? '';
    const watched = watchedLevels.size === 0 || watchedLevels.has(level);
    if (rules.unitDark.enabled && watched && t.withData > 0 && t.live === 0) darkUnits.add(unitId);
  }
  for (const unitId of darkUnits) {
    const unit = signals.units.get(unitId);
    // Only the highest dark unit of a branch alerts: a dark district says its dark booths.
    if (unit?.parent && darkUnits.has(unit.parent)) continue;
    const t = unitTally.get(unitId)!;
    add({
      rule: 'unit-dark', subjectKind: 'unit', subject: unitId, division: unit?.division ?? unitId, divisions: [], unit: unitId, unitPath: unitPath(signals.units, unitId), category: '', since: t.quietSince,
      message: `${unit?.level ?? 'unit'} ${unit?.name ?? unitId} is dark: none of its ${t.withData} groups is active`,
      details: { groups: t.withData, level: unit?.level ?? '', name: unit?.name ?? unitId },
    });
  }
  if (rules.sharpDrop.enabled) {
    for (const [unitId, t] of unitTally) {
      const unit = signals.units.get(unitId);
      if (!unit || !dropLevels.has(unit.level) || darkUnits.has(unitId) || t.blind) continue;
      if (dropHolds(rules, t.recent, t.baseline, rules.sharpDrop.share)) {
        add(dropCondition(rules, 'unit', unitId, unit.division, unitPath(signals.units, unitId), '', t.recent, t.baseline, now));
      }
    }
  }
  const stalls = signals.pipeline?.stalls ?? [];
  if (stalls.length > 0) {
    const since = Math.min(...stalls.map((s) => s.since));
    const waiting = stalls.reduce((sum, s) => sum + s.waiting, 0);
    const topic = signals.pipeline!.topic;
    add({
      rule: 'pipeline-stalled', subjectKind: 'pipeline', subject: topic, division: '', divisions: [], unit: '', unitPath: [], category: '', since,
      message: `accepted events have not reached the store for ${minutesText(now - since)}: ${waiting} wait on partition${stalls.length > 1 ? 's' : ''} ${stalls.map((s) => s.partition).join(', ')} (see /readyz of the processors)`,
      details: { waiting, partitions: stalls.map((s) => s.partition).join(','), stalledMinutes: Math.floor((now - since) / MINUTE_MS) },
    });
    // Groups look silent only because their events wait: no activity alert fires, none resolves.
    for (const [key, condition] of conditions) {
      if (!ACTIVITY_RULES.has(condition.rule)) continue;
      conditions.delete(key);
      blind.add(key);
    }
  }
  return { conditions, blind, groups, downSources };
}

function minutesText(ms: number): string {
  return ms >= 2 * HOUR_MS ? hoursText(ms) : `${Math.max(1, Math.floor(ms / MINUTE_MS))} min`;
}

function unitPath(units: ReadonlyMap<string, UnitInfo>, unitId: string): string[] {
  const path: string[] = [];
  for (let id: string | undefined = unitId; id && path.length < 64; id = units.get(id)?.parent) path.unshift(id);
  return path;
}

function dropCondition(rules: AlertRules, kind: SubjectKind, subject: string, division: string, path: string[], category: string, recent: number, baseline: number, now: number): Condition {
  const perWindow = baselinePerWindow(rules, baseline);
  return {
    rule: 'sharp-drop', subjectKind: kind, subject, division, divisions: [], unit: path[path.length - 1] ?? '', unitPath: path, category,
    since: Math.floor(now / HOUR_MS) * HOUR_MS,
    message: `${kind} ${subject}: ${recent} messages in the last ${rules.sharpDrop.windowHours} h against a usual ${Math.round(perWindow)} (${Math.round((recent / perWindow) * 100)} %)`,
    details: { recent, baselinePerWindow: Math.round(perWindow * 10) / 10, windowHours: rules.sharpDrop.windowHours },
  };
}

/** Is this subject silenced for this rule now? */
export type SilenceCheck = (rule: AlertRuleName, subject: string) => boolean;

export interface Plan {
  fire: Condition[];
  resolve: Alert[];
  escalate: Alert[];
}

/**
 * Compare what holds with the open alerts (rebuilt from the store): fire conditions with no open
 * alert and no silence, resolve open alerts whose condition is gone (sharp drops only once back above
 * the resolve share; nothing on a blind subject), escalate unacknowledged ones past the time (counted
 * outside mute windows).
 */
export function plan(evaluation: Evaluation, open: readonly Alert[], signals: Signals, rules: AlertRules, silenced: SilenceCheck): Plan {
  const openByKey = new Map(open.map((a) => [openKey(a.rule, a.subject), a]));
  const fire: Condition[] = [];
  for (const [key, condition] of evaluation.conditions) {
    if (openByKey.has(key) || silenced(condition.rule, condition.subject)) continue;
    fire.push(condition);
  }
  const resolve: Alert[] = [];
  const escalate: Alert[] = [];
  const groupById = new Map(signals.groups.map((g) => [g.id, g]));
  // A lead gets the escalation time outside mute windows, in one stretch: nobody is escalated over at night.
  const escalateMs = rules.routing.escalateAfterMinutes * MINUTE_MS;
  const awakeSince = escalateMs > 0 ? unmutedSince(rules.muteWindows, signals.now, escalateMs) : signals.now;
  for (const [key, alert] of openByKey) {
    if (evaluation.blind.has(key)) continue;
    if (!evaluation.conditions.has(key)) {
      if (alert.rule === 'sharp-drop' && alert.subjectKind === 'group') {
        const g = groupById.get(alert.subject);
        // Hysteresis: a drop resolves once activity is back above resolveShare of the baseline.
        if (g && evaluation.groups.get(g.id)?.state !== 'dormant' && dropHolds(rules, g.recent, g.baseline, rules.sharpDrop.resolveShare)) continue;
      }
      resolve.push(alert);
      continue;
    }
    // An alert on the tree's root (its own division) has no unit above to escalate to.
    if (escalateMs > 0 && alert.state === 'firing' && alert.escalatedAt === null && unitAbove(signals.units, alert) !== '' && signals.now - Math.max(alert.firedAt, awakeSince) >= escalateMs) {
      escalate.push(alert);
    }
  }
  return { fire, resolve, escalate };
}

/** Where an alert escalates to: the unit above its division ('' for the tree's root). */
export function unitAbove(units: Signals['units'], alert: Pick<Alert, 'division'>): string {
  return units.get(alert.division)?.parent ?? '';
}

/** A new alert from a condition (recipients are filled in by the router). */
export function alertFrom(condition: Condition, now: number, version: number): Alert {
  return {
    id: alertId(condition.rule, condition.subject, condition.since),
    rule: condition.rule,
    subjectKind: condition.subjectKind,
    subject: condition.subject,
    division: condition.division,
    divisions: condition.divisions,
    unit: condition.unit,
    unitPath: condition.unitPath,
    category: condition.category,
    state: 'firing',
    message: condition.message,
    details: condition.details,
    since: condition.since,
    firedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalatedAt: null,
    escalatedUnit: '',
    recipients: [],
    escalatedTo: [],
    version,
  };
}
