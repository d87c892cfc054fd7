/**
 * The alert contract shared by the detector (processor role), the deliverer, the api and the board:
 * what an alert is, what goes on the `alerts` topic and the socket, who it concerns and who may read
 * it. Pure and free of Node imports (the board filters its feed with the same functions).
 */
import { scopeAllows, type Scope } from './access.ts';
import type { BoothShortfall, ComplianceCounts } from './compliance.ts';
import type { DeliverySummary } from './notify.ts';

export const ALERT_RULE_NAMES = ['group-inactive', 'unit-dark', 'sharp-drop', 'source-down', 'pipeline-stalled', 'reach-missed', 'representative-lagging'] as const;
export type AlertRuleName = (typeof ALERT_RULE_NAMES)[number];

export const ALERT_STATES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export type SubjectKind = 'group' | 'unit' | 'source' | 'pipeline' | 'representative';

export interface Alert {
  /** Deterministic: rule + subject + episode start, so two runners firing the same episode write one alert. */
  id: string;
  rule: AlertRuleName;
  subjectKind: SubjectKind;
  /** Group id, unit id, source name, the events topic (pipeline-stalled), or `<representative id>/<reason>` (representative-lagging). */
  subject: string;
  /** Division the subject belongs to ('' for a source: see `divisions`). */
  division: string;
  /** Source-down: every division whose groups the source feeds (their leads get the alert); else empty. */
  divisions: string[];
  unit: string;
  /** Units from the top of the tree down to `unit` (filters "alerts under this unit"). */
  unitPath: string[];
  category: string;
  state: AlertState;
  message: string;
  details: Record<string, string | number>;
  /** Epoch ms when the condition began (last message, last traffic, hour of the drop). */
  since: number;
  firedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** How it was acknowledged: 'board' (the api), or 'telegram' / 'whatsapp' / 'email' (the button or link in the notification); null when not, or acknowledged before this was recorded (absent in older messages). */
  acknowledgedVia?: AckChannel | null;
  resolvedAt: number | null;
  escalatedAt: number | null;
  /** Unit one level above the division that the alert escalated to ('' = none). */
  escalatedUnit: string;
  /** Leads the alert is addressed to, and those added by escalation. */
  recipients: string[];
  escalatedTo: string[];
  /** Epoch µs of the row: the newest row of an alert wins. */
  version: number;
  /** Snoozed until (epoch ms) and by whom: out of the open list until then, back by itself after. Null when not snoozed now (absent in older messages). */
  snoozedUntil?: number | null;
  snoozedBy?: string | null;
}

export const ACK_CHANNELS = ['board', 'telegram', 'whatsapp', 'email'] as const;
export type AckChannel = (typeof ACK_CHANNELS)[number];

export type AlertChangeKind = 'fired' | 'acknowledged' | 'snoozed' | 'escalated' | 'resolved';

/** One record on the `alerts` topic (key = division). */
export type AlertMessage =
  | { kind: 'alert'; change: AlertChangeKind; alert: Alert }
  | { kind: 'digest'; digest: Digest };

export interface DigestLine {
  category: string;
  silent: number;
  total: number;
  text: string;
}

/** The daily compliance digest of a lead's unit (alerts/compliance-digest.ts): its counts, the first booths that fall short. */
export interface ComplianceDigest {
  unit: string;
  unitName: string;
  total: ComplianceCounts;
  /** The first `booths.length` of `boothsTotal` booths that fall short, in tree order ("and N more" = `more`). */
  booths: Pick<BoothShortfall, 'id' | 'name' | 'missing' | 'pramukh' | 'pramukhName'>[];
  boothsTotal: number;
  more: number;
  /** Category groups whose required admin is not an admin. */
  groupsShort: number;
}

/**
 * One message per division per interval listing its newly quiet groups; or, once a day per lead, the compliance
 * of the lead's unit (`compliance` set, `newlyQuiet` empty, `lines` its sentences).
 */
export interface Digest {
  id: string;
  division: string;
  recipients: string[];
  sentAt: number;
  silentDays: number;
  lines: DigestLine[];
  /** `title`: the group's directory title, when its alert carries one (alerts/name-groups.ts). */
  newlyQuiet: { group: string; title?: string; unit: string; category: string; silentSince: number }[];
  compliance?: ComplianceDigest;
}

/** What `alerts:fired` and `alerts:updated` carry on the socket. */
export interface AlertChange {
  change: AlertChangeKind;
  alert: Alert;
}

/**
 * What `state=` filters on GET /api/v1/alerts: `open` needs someone (firing, not acknowledged, not
 * snoozed now); `acknowledged` and `snoozed` are shown apart; `unresolved` is all three; `firing` is
 * every unacknowledged unresolved alert, snoozed or not.
 */
export const ALERT_LIST_STATES = ['open', 'acknowledged', 'snoozed', 'resolved', 'unresolved', 'firing'] as const;
export type AlertListState = (typeof ALERT_LIST_STATES)[number];

/** How many alerts of each kind match the other filters (not `state`, not the page). */
export interface AlertStateCounts {
  open: number;
  acknowledged: number;
  snoozed: number;
  resolved: number;
}

/** GET /api/v1/alerts: one page, and the true totals. */
export interface AlertsAnswer {
  alerts: Alert[];
  /** Alerts matching every filter (the page is `offset`..`offset + alerts.length` of these). */
  total: number;
  offset: number;
  limit: number;
  counts: AlertStateCounts;
  /** Names of the units the page's alerts name (their unit, division, the unit escalated to), by id. */
  names: Record<string, string>;
  /** How far the personal notifications of the page's alerts got, by alert id (alerts with none are left out). */
  delivery: Record<string, DeliverySummary>;
}

export const ALERT_GROUP_BY = ['division', 'unit', 'rule', 'category'] as const;
export type AlertGroupBy = (typeof ALERT_GROUP_BY)[number];

/** GET /api/v1/alerts/grouped: alerts grouped the way Alertmanager does ("Division 3: 39 groups quiet"). */
export interface AlertGroupsAnswer {
  by: AlertGroupBy;
  total: number;
  groups: { key: string; name: string; count: number; byRule: Partial<Record<AlertRuleName, number>> }[];
}

/** What happened to each id of a bulk acknowledge or snooze. */
export type BulkOutcome = 'done' | 'already' | 'not-found' | 'resolved';

/** POST /api/v1/alerts/acknowledge and /api/v1/alerts/snooze. */
export interface BulkAnswer {
  results: { id: string; outcome: BulkOutcome }[];
  done: number;
}

/** GET /api/v1/alerts/{id} and POST …/acknowledge. */
export interface AlertAnswer {
  alert: Alert;
}

export interface AlertAudienceFields {
  /** Division the subject belongs to ('' for a source). */
  division: string;
  /** For source-down: every division whose groups the source feeds. */
  divisions?: string[];
  /** The unit an unacknowledged alert escalated to ('' when it did not). */
  escalatedUnit?: string;
}

/**
 * Units whose leads and rooms an alert reaches: its division, the divisions a down source feeds, and
 * the unit it escalated to. Empty = central monitoring only (admins, monitors, analysts).
 */
export function alertAudience(alert: AlertAudienceFields): string[] {
  return [...new Set([alert.division, ...(alert.divisions ?? []), alert.escalatedUnit ?? ''].filter(Boolean))];
}

export interface AlertPlaceFields extends AlertAudienceFields {
  /** Units from the top of the tree down to the alert's subject (empty for a source). */
  unitPath?: readonly string[];
}

/**
 * Whether an alert belongs on a unit's page: its subject is that unit or lies under it; on a
 * division's page also the down sources that feed the division (they have no place in the tree).
 */
export function alertConcernsUnit(alert: AlertPlaceFields, unit: string, unitIsDivision: boolean): boolean {
  if (alert.unitPath?.includes(unit)) return true;
  return unitIsDivision && (alert.divisions ?? []).includes(unit);
}

/** Central monitoring reads every alert; a lead reads those whose audience includes one of their divisions. */
export function mayReadAlert(scope: Scope, alert: AlertAudienceFields): boolean {
  return scope.kind === 'all' || alertAudience(alert).some((unit) => scopeAllows(scope, unit));
}
